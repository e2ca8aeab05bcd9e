package io.portpolicy.compile.gcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.compile.Artifact;
import io.portpolicy.compile.Backend;
import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.CompileRequest;
import io.portpolicy.compile.Header;
import io.portpolicy.compile.HostRules;
import io.portpolicy.compile.StatefulPlatform;
import io.portpolicy.compile.TargetOption;
import io.portpolicy.compile.TargetOptions;
import io.portpolicy.compile.Text;
import io.portpolicy.compile.cloud.GroupRules;
import io.portpolicy.compile.cloud.LimitExceeded;
import io.portpolicy.compile.cloud.ProtocolPart;
import io.portpolicy.compile.cloud.SharedAddresses;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.Target;
import io.portpolicy.json.Json;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import io.portpolicy.model.Setting;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Google Cloud VPC firewall rules for one group, as a JSON list of compute v1 Firewall
 * resources (default) or Terraform JSON ({@code .tf.json}) google_compute_firewall resources.
 *
 * <p>GCP evaluates the rules that apply to an instance by priority, lowest number first, the
 * first match deciding (deny before allow at equal priority); implied rules at 65535 deny
 * ingress and allow egress. So each direction is the policy's decisive rules in order, each
 * rule's blocks at the group one firewall rule with consecutive, unique priorities (from 100,
 * all below 1000, the API's default priority), then the policy's default made explicit for
 * IPv4 and IPv6. Rules select the group's instances by network tag; a rule that singles out
 * some members names their addresses in {@code destinationRanges} (ingress) or
 * {@code sourceRanges} (egress), so no rule needs to treat every member alike.
 *
 * <p>Exact rewrites: {@code reject} is deny (GCP drops, it cannot answer), said in the
 * description; a rule with more ranges than {@code max-ranges} becomes several rules at
 * consecutive priorities, which decide exactly as one; a deny or reject naming source ports or
 * ICMP types is left out where that changes nothing admitted (the Terraform header says so). Refused: a stateless policy (GCP admits replies
 * by itself), other source ports and ICMP types (GCP matches neither), groups whose tags
 * collide, and more rules than priorities.
 */
public final class GcpBackend implements Backend {

    static final String PLATFORM = "GCP firewall";
    static final String MAX_RANGES = "max-ranges";
    static final String FIRST_PRIORITY = "first-priority";
    static final String NETWORK = "network";
    /** Below the default network's pre-populated allow rules (65534) and the implied rules (65535). */
    static final int LAST_PRIORITY = 65533;
    /**
     * The priority the API gives a rule created without one, so where other teams' rules sit:
     * none of ours takes it (a tie there lets their deny beat our allow). Rules starting below
     * it end below it, so the policy decides before any rule at the API's default.
     */
    static final int API_DEFAULT_PRIORITY = 1000;
    /** The most priorities a direction can have: from just above the API's default to the last. */
    static final int MOST_PRIORITIES = LAST_PRIORITY - API_DEFAULT_PRIORITY;
    /** Where each direction starts by default: below the API's default, with 0-99 left for rules meant to come first. */
    static final int DEFAULT_FIRST_PRIORITY = 100;
    /** The API's schema gives no limit; descriptions are cut here, on a character boundary. */
    static final int DESCRIPTION_CHARS = 1024;
    /** Every compiled policy's mode (a stateless one is refused), said in the defaults and the Terraform header. */
    private static final String STATEFUL = "stateful policy: GCP admits replies to admitted connections";
    private static final String RFC1035 = "[a-z]([-a-z0-9]{0,61}[a-z0-9])?";

    @Override
    public String name() {
        return "gcp";
    }

    @Override
    public List<String> formats() {
        return List.of("json", "terraform");
    }

    @Override
    public boolean forGroups() {
        return true;
    }

    @Override
    public List<TargetOption> options() {
        return List.of(TargetOption.number(MAX_RANGES, 5000, 1, 5000),
                TargetOption.number(FIRST_PRIORITY, DEFAULT_FIRST_PRIORITY, 0, LAST_PRIORITY).except(
                        Set.of(Integer.toString(API_DEFAULT_PRIORITY)), "but not " + API_DEFAULT_PRIORITY
                                + ", the priority GCP gives rules created without one"),
                TargetOption.name(NETWORK, "default", RFC1035, "a VPC network name (RFC 1035: lower case letters,"
                        + " digits and '-', at most 63)"));
    }

    /** One protocol of a firewall rule: {@code IPProtocol} and its {@code ports} (empty: every port). */
    record Protocol(String name, List<String> ports) {
        // Written out: a record's generated equals and hashCode are linked on their first call,
        // which a short run notices (docs/performance.md, seventh round).
        @Override
        public boolean equals(Object o) {
            return o instanceof Protocol p && name.equals(p.name) && ports.equals(p.ports);
        }

        @Override
        public int hashCode() {
            return 31 * name.hashCode() + ports.hashCode();
        }
    }

    /**
     * The packets a firewall rule matches. {@code peers} are the source ranges of an ingress rule
     * and the destination ranges of an egress rule; {@code own} the group's side (empty: every member).
     */
    record Match(List<Protocol> protocols, List<String> peers, List<String> own) {
        // Written out: a record's generated equals and hashCode are linked on their first call,
        // which a short run notices (docs/performance.md, seventh round).
        @Override
        public boolean equals(Object o) {
            return o instanceof Match m && protocols.equals(m.protocols) && peers.equals(m.peers) && own.equals(m.own);
        }

        @Override
        public int hashCode() {
            return (31 * protocols.hashCode() + peers.hashCode()) * 31 + own.hashCode();
        }
    }

    /** One firewall rule. */
    record Firewall(String name, String description, int priority, Direction direction, boolean deny, Match match,
                    boolean log) {

        boolean ingress() {
            return direction == Direction.INBOUND;
        }

        List<String> sourceRanges() {
            return ingress() ? match.peers() : match.own();
        }

        List<String> destinationRanges() {
            return ingress() ? match.own() : match.peers();
        }
    }

    @Override
    public Artifact compile(CompileRequest request) throws CompileException {
        Firewalls firewalls = firewalls(request);
        String network = request.options().text(NETWORK);
        return request.format().equals("terraform")
                ? Artifact.single(".tf.json", Json.pretty(terraform(request, firewalls, network)))
                : Artifact.single(".json", Json.pretty(api(firewalls.tag(), network, firewalls.rules())));
    }

    @Override
    public void check(CompileRequest request) throws CompileException {
        firewalls(request);
    }

    /** Groups sharing addresses where they may decide differently: an instance with both tags gets both groups' rules. */
    @Override
    public List<Diagnostic> warnings(CompileRequest request) {
        return SharedAddresses.warnings(request, "gets both groups' rules when tagged with both, merged by priority: the lowest"
                + " number decides, whichever group it comes from (docs/targets/gcp.md)");
    }

    /**
     * The group's network tag, the firewall rules of both directions, and the deny rules left
     * out because GCP cannot match them and they change nothing admitted.
     */
    private record Firewalls(String tag, List<Firewall> rules, Set<Rule> leftOut) {
    }

    /** The group's firewall rules, or the reason the group cannot have them. */
    private static Firewalls firewalls(CompileRequest request) throws CompileException {
        Target group = request.target();
        if (!group.isGroup()) throw new IllegalArgumentException("gcp compiles groups: " + group.name());
        StatefulPlatform.require(request.effective(), "a GCP VPC firewall",
                "compile it for gcp without the 'stateless' setting");
        Policy policy = request.effective().policy();
        String tag = NetworkTag.NAMES.of(request.effective(), group.name());
        List<Firewall> rules = new ArrayList<>();
        // A rule left out in both directions is said once.
        Set<Rule> leftOut = new LinkedHashSet<>();
        for (Direction direction : Direction.values()) {
            GroupRules groupRules = GroupRules.of(request.effective(), group, direction);
            rules.addAll(direction(groupRules, leftOut, tag, policy, request.options()));
        }
        return new Firewalls(tag, rules, leftOut);
    }

    // ---- the rules of one direction ------------------------------------------------------

    private static List<Firewall> direction(GroupRules groupRules, Set<Rule> leftOut, String tag, Policy policy,
                                            TargetOptions options) throws CompileException {
        Direction direction = groupRules.direction();
        String prefix = NetworkTag.ruleNameStart(tag) + (direction == Direction.INBOUND ? "-in-" : "-eg-");
        int maxRanges = options.number(MAX_RANGES);
        List<GroupRules.Written<Set<Match>>> written =
                groupRules.writeInOrder(decisive -> matches(decisive, groupRules, maxRanges), leftOut::add);
        List<Firewall> out = new ArrayList<>();
        int priority = options.number(FIRST_PRIORITY);
        for (GroupRules.Written<Set<Match>> rule : written) {
            int part = 0;
            for (Match match : rule.written()) {
                part++;
                out.add(new Firewall(prefix + rule.rule().index() + "-" + part, describe(rule.rule()), priority++,
                        direction, rule.rule().action() != Action.ALLOW, match, rule.rule().options().log()));
            }
        }
        Action fallback = groupRules.defaultAction();
        String description = defaultDescription(policy, direction, fallback);
        for (String every : List.of("0.0.0.0/0", "::/0")) {
            out.add(new Firewall(prefix + "default-ipv" + (every.contains(":") ? 6 : 4), description, priority++,
                    direction, fallback != Action.ALLOW, new Match(List.of(new Protocol("all", List.of())),
                    List.of(every), List.of()), false));
        }
        int first = options.number(FIRST_PRIORITY);
        int last = first < API_DEFAULT_PRIORITY ? API_DEFAULT_PRIORITY - 1 : LAST_PRIORITY;
        int priorities = last - first + 1;
        if (out.size() > priorities) {
            throw LimitExceeded.withAdvice("gcp", groupRules.group(), direction.keyword() + " firewall rules (one"
                    + " priority each, from " + first + " to " + last + ")", out.size(), priorities,
                    firstPrioritiesThatFit(out.size()), out.size() <= MOST_PRIORITIES);
        }
        return out;
    }

    /**
     * The first-priority values that leave {@code needed} priorities, as advice: no account has
     * more priorities, so the setting only moves where they start (below 1000 or above it).
     */
    private static String firstPrioritiesThatFit(int needed) {
        String setting = "set targets: { gcp: { " + FIRST_PRIORITY + ": N } } in .portpolicy.yaml to N ";
        String above = "from " + (API_DEFAULT_PRIORITY + 1) + " to " + (LAST_PRIORITY + 1 - needed);
        if (needed <= API_DEFAULT_PRIORITY) {
            return setting + "at most " + (API_DEFAULT_PRIORITY - needed) + " or " + above;
        }
        if (needed <= MOST_PRIORITIES) return setting + above;
        return "split the group: no " + FIRST_PRIORITY + " leaves more than " + MOST_PRIORITIES + " priorities";
    }

    /** What a decisive rule matches at the group, as firewall rules' matches. */
    private static Set<Match> matches(GroupRules.Decisive decisive, GroupRules groupRules, int maxRanges)
            throws CompileException {
        Set<Match> matches = new LinkedHashSet<>();
        for (PacketCube cube : decisive.matchedCubes()) {
            List<Protocol> protocols = protocols(cube, decisive.rule());
            if (protocols.isEmpty()) continue;
            List<String> peers = cidrs(groupRules.peers(cube), groupRules);
            List<String> own = groupRules.ownIsWholeGroup(cube) ? List.of() : cidrs(groupRules.owns(cube), groupRules);
            for (List<String> peerChunk : chunks(peers, maxRanges)) {
                for (List<String> ownChunk : chunks(own, maxRanges)) {
                    matches.add(new Match(protocols, peerChunk, ownChunk));
                }
            }
        }
        return matches;
    }

    /** The block's traffic as GCP protocols, TCP and UDP with their destination ports. */
    private static List<Protocol> protocols(PacketCube cube, Rule rule) throws CompileException {
        List<Protocol> out = new ArrayList<>();
        for (ProtocolPart part : ProtocolPart.of(cube)) {
            if (part.isAll()) {
                out.add(new Protocol("all", List.of()));
            } else if (part.hasPorts()) {
                if (!part.everySourcePort()) throw GroupRules.sourcePortsRefused(rule, PLATFORM, GroupRules.STATEFUL_FIX);
                out.add(new Protocol(part.protocol() == ProtocolPart.TCP ? "tcp" : "udp",
                        HostRules.portList(part.destinationPorts())));
            } else if (part.isIcmp()) {
                if (!part.everyIcmpType() || !part.everyIcmpCode()) throw GroupRules.icmpTypesRefused(rule, part, PLATFORM);
                // "icmp" is ICMP for IPv4; ICMPv6 is named by its number. Each comes in its own family's
                // blocks only (just 'any' matches the other family's number, and that block is "all"),
                // as the API requires: it refuses icmp in a rule with IPv6 ranges (gcp.md, "Protocols").
                out.add(new Protocol(part.protocol() == ProtocolPart.ICMP ? "icmp" : "58", List.of()));
            } else {
                out.add(new Protocol(Integer.toString(part.protocol()), List.of()));
            }
        }
        return out;
    }

    /** The ranges as CIDR blocks, each with its prefix length (a single address is {@code a/32} or {@code a/128}). */
    private static List<String> cidrs(List<IPAddressSeqRange> ranges, GroupRules groupRules) {
        List<String> out = new ArrayList<>();
        for (IPAddressSeqRange range : ranges) {
            for (IPAddress block : groupRules.prefixBlocks(range)) {
                out.add(block.isMultiple() ? block.toCanonicalString()
                        : block.withoutPrefixLength().toCanonicalString() + "/" + block.getBitCount());
            }
        }
        return out;
    }

    /** The list in pieces of at most {@code size}; an empty list is one empty piece. */
    private static List<List<String>> chunks(List<String> values, int size) {
        if (values.isEmpty()) return List.of(values);
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i += size) out.add(values.subList(i, Math.min(values.size(), i + size)));
        return out;
    }

    private static String describe(Rule rule) {
        String note = (rule.options().logPrefix() != null ? " log=" + rule.options().logPrefix() : "")
                + (rule.action() == Action.REJECT ? " (reject compiled as deny: GCP drops without answering)" : "");
        return HostRules.describe(rule, note, DESCRIPTION_CHARS, Text.Measure.CHARACTERS);
    }

    private static String defaultDescription(Policy policy, Direction direction, Action fallback) {
        Setting<Action> setting = direction == Direction.INBOUND ? policy.settings().defaultInbound()
                : policy.settings().defaultOutbound();
        String location = setting.written() ? setting.location().path() + ":" + setting.location().line()
                : policy.root().displayPath();
        String text = "default " + direction.keyword() + " " + fallback.keyword()
                + (setting.written() ? "" : " (not written: the language's default)")
                + (fallback == Action.REJECT ? " (reject compiled as deny: GCP drops without answering)" : "")
                + "; " + STATEFUL;
        return Text.locationAndText(Text.oneLine(location), text, DESCRIPTION_CHARS, Text.Measure.CHARACTERS);
    }

    // ---- output -------------------------------------------------------------------------

    /** The compute v1 Firewall resources, as the API's insert method takes them. */
    private static ArrayNode api(String tag, String network, List<Firewall> rules) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Firewall rule : rules) {
            ObjectNode node = out.addObject();
            node.put("name", rule.name());
            node.put("description", rule.description());
            node.put("network", "global/networks/" + network);
            node.put("priority", rule.priority());
            node.put("direction", rule.ingress() ? "INGRESS" : "EGRESS");
            ArrayNode protocols = node.putArray(rule.deny() ? "denied" : "allowed");
            for (Protocol protocol : rule.match().protocols()) {
                ObjectNode entry = protocols.addObject().put("IPProtocol", protocol.name());
                if (!protocol.ports().isEmpty()) strings(entry.putArray("ports"), protocol.ports());
            }
            if (!rule.sourceRanges().isEmpty()) strings(node.putArray("sourceRanges"), rule.sourceRanges());
            if (!rule.destinationRanges().isEmpty()) strings(node.putArray("destinationRanges"), rule.destinationRanges());
            strings(node.putArray("targetTags"), List.of(tag));
            if (rule.log()) node.putObject("logConfig").put("enable", true).put("metadata", "INCLUDE_ALL_METADATA");
        }
        return out;
    }

    /**
     * Terraform JSON syntax: every string argument is a template there, so {@code ${} and
     * {@code %{} in user text are doubled ({@code $${}, {@code %%{}) to stay literal. The header
     * goes into the "//" comment property, which Terraform ignores.
     */
    private static ObjectNode terraform(CompileRequest request, Firewalls firewalls, String network) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        List<String> header = new ArrayList<>();
        for (String line : Header.lines(request, "gcp terraform")) header.add(Text.oneLine(line));
        header.add("GCP firewall rules evaluate by priority, first match; each direction ends with the policy's"
                + " default made explicit. " + STATEFUL + ".");
        for (Rule rule : firewalls.leftOut()) header.add(GroupRules.leftOutNote(rule, PLATFORM));
        root.put("//", String.join("\n", header));
        ObjectNode resources = root.putObject("resource").putObject("google_compute_firewall");
        for (Firewall rule : firewalls.rules()) {
            ObjectNode node = resources.putObject(rule.name());
            node.put("name", rule.name());
            node.put("description", literal(rule.description()));
            node.put("network", network);
            node.put("priority", rule.priority());
            node.put("direction", rule.ingress() ? "INGRESS" : "EGRESS");
            ArrayNode protocols = node.putArray(rule.deny() ? "deny" : "allow");
            for (Protocol protocol : rule.match().protocols()) {
                ObjectNode entry = protocols.addObject().put("protocol", protocol.name());
                if (!protocol.ports().isEmpty()) strings(entry.putArray("ports"), protocol.ports());
            }
            if (!rule.sourceRanges().isEmpty()) strings(node.putArray("source_ranges"), rule.sourceRanges());
            if (!rule.destinationRanges().isEmpty()) {
                strings(node.putArray("destination_ranges"), rule.destinationRanges());
            }
            strings(node.putArray("target_tags"), List.of(firewalls.tag()));
            if (rule.log()) node.putArray("log_config").addObject().put("metadata", "INCLUDE_ALL_METADATA");
        }
        return root;
    }

    /** Text that a Terraform template leaves as it is. */
    static String literal(String text) {
        return text.replace("${", "$${").replace("%{", "%%{");
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
