package io.portpolicy.compile.awsnacl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
import io.portpolicy.compile.TargetOption;
import io.portpolicy.compile.Text;
import io.portpolicy.compile.cloud.GroupNames;
import io.portpolicy.compile.cloud.GroupRules;
import io.portpolicy.compile.cloud.LimitExceeded;
import io.portpolicy.compile.cloud.ProtocolPart;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.json.Json;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AWS VPC network ACLs for one group: the entries of a network ACL, each shaped as a
 * {@code CreateNetworkAclEntry} request without its {@code NetworkAclId}, in a wrapper that
 * keeps each entry's policy rule ({@code FILE:LINE}) beside it, since an entry has no
 * description field.
 *
 * <p>A network ACL evaluates its numbered entries lowest first, first match wins, and denies
 * what none matches; that is the policy's own model, so the policy's decisive rules are
 * compiled in order, each as the entries of the blocks it matches at the group (first match
 * makes that exact: a packet an earlier rule matched never reaches a later one). An entry
 * holds one CIDR, one protocol and one port range or ICMP type and code, so a block becomes
 * the product of its CIDRs and its traffic. Where the policy's default allows, an allow-all
 * entry per address family ends the list; otherwise the ACL's own deny-all does it.
 *
 * <p>Exact rewrites: {@code reject} is deny (an ACL cannot answer); {@code log} is left out
 * (ACLs have no per-rule logging). Refused: rules treating members of the group differently
 * (an entry has no field for the group's own addresses) and rules on source ports (an entry
 * matches the destination port only), except a deny or reject of either kind that changes
 * nothing admitted, which is left out (the header says so), as the other ordered cloud targets
 * do. A network ACL tracks no connections, so a stateful policy compiled here admits only what
 * its rules say; the header says so.
 */
public final class AwsNaclBackend implements Backend {

    static final String PLATFORM = "AWS network ACL";
    static final String MAX_RULES = "max-rules";
    /** AWS's hard maximum of rules per network ACL, direction and family, on request; the quota is 20. */
    static final int MOST_RULES = 40;
    /** AWS recommends leaving room between rule numbers so entries can be inserted by hand. */
    static final int FIRST_RULE_NUMBER = 100;
    static final int RULE_NUMBER_STEP = 10;
    static final int LAST_RULE_NUMBER = 32766;
    /** The wrapper's description of an entry is ours, not AWS's; kept to the length AWS allows for descriptions. */
    static final int DESCRIPTION_CHARS = 255;
    /** AWS tag values are at most 256 characters ("Tag", EC2 API reference). */
    static final int NAME_TAG_CHARS = 256;
    /**
     * The ACL's Name tag: the group's name, cut to a tag value's length. AWS would take two equal
     * tags, but two groups' ACLs could then not be told apart, so such groups are refused.
     */
    static final GroupNames NAMES = new GroupNames("AWS network ACL Name tag",
            group -> Text.cutChars(Text.oneLine(group), NAME_TAG_CHARS), GroupNames.EXACT,
            "their network ACLs could not be told apart", "a Name tag is the group's name cut to "
            + NAME_TAG_CHARS + " characters");

    @Override
    public String name() {
        return "aws-nacl";
    }

    @Override
    public List<String> formats() {
        return List.of("json");
    }

    @Override
    public boolean forGroups() {
        return true;
    }

    /**
     * AWS's quota of rules per network ACL, per direction and address family: 20, at most 40 on
     * request. It counts the ACL's own deny-all rule ({@code *}) of the family, so one fewer
     * entries are ours.
     */
    @Override
    public List<TargetOption> options() {
        return List.of(TargetOption.number(MAX_RULES, 20, 1, MOST_RULES));
    }

    /** The refusal's fix for a rule on source ports. */
    private static final String SOURCE_PORTS_FIX = "an entry matches the destination port only: drop 'port' after"
            + " 'from' (a reply rule such as 'allow tcp from SERVERS to CLIENTS port ephemeral' then admits"
            + " every source port), or compile for a target that tracks connections";

    /** Each direction's entries, in order, and the rules left out as changing nothing admitted. */
    private record Acl(Map<Direction, List<Entry>> entries, Set<Rule> leftOut) {
    }

    /** One entry before numbering: the API fields but RuleNumber and Egress, and where it came from. */
    private record Entry(String rule, String description, Family family, int protocol, Action action, String cidr,
                         ValueRange ports, int icmpType, int icmpCode) {
    }

    @Override
    public Artifact compile(CompileRequest request) throws CompileException {
        Target group = request.target();
        String name = NAMES.of(request.effective(), group.name());
        Acl acl = acl(request);
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode header = root.putArray("Header");
        for (String line : Header.lines(request, name())) header.add(Text.oneLine(line));
        for (String note : notes(request)) header.add(note);
        for (Rule rule : acl.leftOut()) header.add(GroupRules.leftOutNote(rule, PLATFORM));
        root.put("NetworkAclName", name);
        ArrayNode list = root.putArray("Entries");
        for (Direction direction : Direction.values()) {
            int number = FIRST_RULE_NUMBER;
            for (Entry entry : acl.entries().get(direction)) {
                ObjectNode item = list.addObject();
                item.put("Rule", entry.rule());
                item.put("Description", entry.description());
                item.set("Entry", json(entry, number, direction));
                number += RULE_NUMBER_STEP;
            }
        }
        return Artifact.single(".json", write(root));
    }

    @Override
    public void check(CompileRequest request) throws CompileException {
        NAMES.of(request.effective(), request.target().name());
        acl(request);
    }

    // ---- entries ------------------------------------------------------------------------

    /** The group's network ACL, or the reason the group cannot be one. */
    private Acl acl(CompileRequest request) throws CompileException {
        Target group = request.target();
        int limit = request.options().number(MAX_RULES);
        Map<Direction, List<Entry>> entries = new EnumMap<>(Direction.class);
        // A rule left out in both directions is said once.
        Set<Rule> leftOut = new LinkedHashSet<>();
        for (Direction direction : Direction.values()) {
            GroupRules rules = GroupRules.of(request.effective(), group, direction);
            List<GroupRules.Written<List<PacketCube>>> written =
                    rules.writeInOrder(decisive -> matchedBlocks(decisive, rules), leftOut::add);
            List<Entry> numbered = entries(rules, written, limit, name());
            if (FIRST_RULE_NUMBER + (numbered.size() - 1L) * RULE_NUMBER_STEP > LAST_RULE_NUMBER) {
                throw new CompileException(null, "group " + group.name() + " needs rule numbers beyond "
                        + LAST_RULE_NUMBER + " on an " + PLATFORM);
            }
            entries.put(direction, numbered);
        }
        return new Acl(entries, leftOut);
    }

    /** The blocks a rule matches at the group, or the reason entries cannot match them. */
    private static List<PacketCube> matchedBlocks(GroupRules.Decisive decisive, GroupRules rules)
            throws CompileException {
        rules.requireMatchesAlike(decisive, PLATFORM);
        GroupRules.requireNoSourcePorts(decisive, PLATFORM, SOURCE_PORTS_FIX);
        return decisive.matchedCubes();
    }

    /** {@code target} names the setting in {@link LimitExceeded}'s advice ({@code targets: {aws-nacl: ...}}). */
    private static List<Entry> entries(GroupRules rules, List<GroupRules.Written<List<PacketCube>>> written,
                                       int limit, String target) throws LimitExceeded {
        Direction direction = rules.direction();
        List<Map.Entry<Rule, List<PacketCube>>> blocks = new ArrayList<>();
        Map<Family, Long> needed = new EnumMap<>(Family.class);
        for (GroupRules.Written<List<PacketCube>> rule : written) {
            // Any set between what the rule decides among the rules written and what it matches is
            // exact under first match: take whichever needs fewer entries, per family, since AWS
            // counts each family apart and an entry never matches the other family's packets.
            List<PacketCube> cubes = new ArrayList<>();
            for (Family family : Family.values()) {
                List<PacketCube> matched = ofFamily(rule.written(), family);
                List<PacketCube> decided = ofFamily(rule.decisive().decidedCubes(), family);
                cubes.addAll(count(decided, rules) < count(matched, rules) ? decided : matched);
            }
            blocks.add(Map.entry(rule.rule(), cubes));
            for (PacketCube cube : cubes) needed.merge(cube.family(), count(cube, rules), Long::sum);
        }
        boolean allowAll = rules.defaultAction() == Action.ALLOW;
        if (allowAll) for (Family family : Family.of(rules.group().addresses())) needed.merge(family, 1L, Long::sum);
        for (Map.Entry<Family, Long> family : needed.entrySet()) {
            long withDenyAll = family.getValue() + 1;
            if (withDenyAll > limit) {
                throw new LimitExceeded(target, rules.group(), direction.keyword() + " " + family.getKey().label()
                        + " entries (with the network ACL's own deny-all entry *, which AWS counts)",
                        (int) Math.min(Integer.MAX_VALUE, withDenyAll), limit, MAX_RULES, MOST_RULES);
            }
        }
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<Rule, List<PacketCube>> block : blocks) {
            for (PacketCube cube : block.getValue()) out.addAll(entries(block.getKey(), cube, rules));
        }
        if (allowAll) {
            String rule = "default " + direction.keyword() + " allow";
            for (Family family : Family.of(rules.group().addresses())) {
                out.add(new Entry(rule, rule + ": the policy's default, before the network ACL's own deny-all",
                        family, ProtocolPart.ALL, Action.ALLOW, family == Family.IPV4 ? "0.0.0.0/0" : "::/0",
                        null, 0, 0));
            }
        }
        return out;
    }

    private static List<PacketCube> ofFamily(List<PacketCube> cubes, Family family) {
        return cubes.stream().filter(cube -> cube.family() == family).toList();
    }

    private static long count(List<PacketCube> cubes, GroupRules rules) {
        long total = 0;
        for (PacketCube cube : cubes) total += count(cube, rules);
        return total;
    }

    /** How many entries a block needs: its CIDRs times its protocols' port ranges or ICMP type and code pairs. */
    private static long count(PacketCube cube, GroupRules rules) {
        long cidrs = 0;
        for (IPAddressSeqRange range : rules.peers(cube)) cidrs += rules.prefixBlocks(range).length;
        long traffic = 0;
        for (ProtocolPart part : ProtocolPart.of(cube)) traffic += matches(part);
        return cidrs * traffic;
    }

    /** How many entries one protocol part needs for one CIDR. */
    private static long matches(ProtocolPart part) {
        if (part.hasPorts()) return part.destinationPorts().size();
        if (part.isIcmp()) {
            if (part.everyIcmpType() && part.everyIcmpCode()) return 1;
            return values(part.icmpTypes()) * (part.everyIcmpCode() ? 1 : values(part.icmpCodes()));
        }
        return 1;
    }

    private static long values(List<ValueRange> ranges) {
        long total = 0;
        for (ValueRange range : ranges) total += range.high() - range.low() + 1;
        return total;
    }

    private static List<Entry> entries(Rule rule, PacketCube cube, GroupRules rules) {
        String location = Text.oneLine(rule.location().path() + ":" + rule.location().line());
        String description = HostRules.describe(rule,
                rule.action() == Action.REJECT ? " (reject compiled as deny: a network ACL drops without answering)" : "",
                DESCRIPTION_CHARS, Text.Measure.CHARACTERS);
        Action action = rule.action() == Action.ALLOW ? Action.ALLOW : Action.DENY;
        List<Entry> out = new ArrayList<>();
        for (IPAddressSeqRange range : rules.peers(cube)) {
            for (IPAddress block : rules.prefixBlocks(range)) {
                String cidr = block.toPrefixBlock().toCanonicalString();
                if (!cidr.contains("/")) cidr += "/" + block.getBitCount();
                for (ProtocolPart part : ProtocolPart.of(cube)) {
                    if (part.hasPorts()) {
                        if (!part.everySourcePort()) throw new IllegalStateException("source ports after requireNoSourcePorts");
                        for (ValueRange ports : part.destinationPorts()) {
                            out.add(new Entry(location, description, cube.family(), part.protocol(), action, cidr, ports, 0, 0));
                        }
                    } else if (part.isIcmp()) {
                        for (int[] pair : icmpPairs(part)) {
                            out.add(new Entry(location, description, cube.family(), part.protocol(), action, cidr, null,
                                    pair[0], pair[1]));
                        }
                    } else {
                        out.add(new Entry(location, description, cube.family(), part.protocol(), action, cidr, null, 0, 0));
                    }
                }
            }
        }
        return out;
    }

    /**
     * ICMP type and code pairs as entries take them, -1 meaning every value: one pair for every
     * type, one per type when every code of it is wanted, else one per type and code.
     */
    private static List<int[]> icmpPairs(ProtocolPart part) {
        List<int[]> out = new ArrayList<>();
        if (part.everyIcmpType() && part.everyIcmpCode()) {
            out.add(new int[] {-1, -1});
            return out;
        }
        for (ValueRange types : part.icmpTypes()) {
            for (int type = types.low(); type <= types.high(); type++) {
                if (part.everyIcmpCode()) {
                    out.add(new int[] {type, -1});
                } else {
                    for (ValueRange codes : part.icmpCodes()) {
                        for (int code = codes.low(); code <= codes.high(); code++) out.add(new int[] {type, code});
                    }
                }
            }
        }
        return out;
    }


    // ---- JSON ---------------------------------------------------------------------------

    /** The entry as the API takes it: ICMP protocols always carry IcmpTypeCode, TCP and UDP a PortRange. */
    private static ObjectNode json(Entry entry, int number, Direction direction) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("RuleNumber", number);
        out.put("Protocol", Integer.toString(entry.protocol()));
        out.put("RuleAction", entry.action() == Action.ALLOW ? "allow" : "deny");
        out.put("Egress", direction == Direction.OUTBOUND);
        out.put(entry.family() == Family.IPV4 ? "CidrBlock" : "Ipv6CidrBlock", entry.cidr());
        if (entry.ports() != null) {
            ObjectNode ports = out.putObject("PortRange");
            ports.put("From", entry.ports().low());
            ports.put("To", entry.ports().high());
        } else if (entry.protocol() == ProtocolPart.ICMP || entry.protocol() == ProtocolPart.ICMPV6) {
            ObjectNode icmp = out.putObject("IcmpTypeCode");
            icmp.put("Type", entry.icmpType());
            icmp.put("Code", entry.icmpCode());
        }
        return out;
    }

    private static List<String> notes(CompileRequest request) {
        List<String> notes = new ArrayList<>();
        var settings = request.effective().policy().settings();
        if (settings.isStateless()) {
            notes.add("The policy is stateless, like a network ACL: every reply it admits is written as a rule "
                    + "(lint rule PP201 finds missing return paths).");
        } else {
            notes.add("WARNING: the policy is stateful, but a network ACL tracks no connections: replies to the "
                    + "connections it admits are NOT admitted unless the policy's rules admit them too. Write the return "
                    + "paths and mark the policy 'stateless' (lint rule PP201 checks them), or compile it for a "
                    + "security group (--target aws).");
        }
        notes.add("Each entry is a CreateNetworkAclEntry request without NetworkAclId, which the caller supplies. "
                + "Rule numbers start at " + FIRST_RULE_NUMBER + " and step by " + RULE_NUMBER_STEP
                + " so entries can be inserted between them; the network ACL's own last entry (*) denies the rest.");
        notes.add("A network ACL filters traffic entering and leaving the subnets it is associated with, not traffic "
                + "within one subnet: associate it only with subnets whose instances are the group's members.");
        List<Rule> rules = request.effective().compiledRules();
        boolean reject = rules.stream().anyMatch(r -> r.action() == Action.REJECT)
                || settings.defaultFor(Direction.INBOUND) == Action.REJECT
                || settings.defaultFor(Direction.OUTBOUND) == Action.REJECT;
        if (reject) notes.add("note: reject is compiled as deny: a network ACL drops the packet and cannot answer.");
        if (rules.stream().anyMatch(r -> r.options().log())) {
            notes.add("note: log is compiled without logging: network ACLs have no per-rule logging (VPC Flow Logs "
                    + "record accepted and rejected traffic); the admitted packets are the same.");
        }
        return notes;
    }

    /** Pretty JSON with one entry per line, so a review or a diff shows whole entries. */
    private static String write(ObjectNode root) {
        try {
            StringBuilder out = new StringBuilder("{\n");
            List<String> fields = new ArrayList<>();
            root.fieldNames().forEachRemaining(fields::add);
            for (int f = 0; f < fields.size(); f++) {
                JsonNode value = root.get(fields.get(f));
                out.append("  ").append(Json.MAPPER.writeValueAsString(fields.get(f))).append(": ");
                if (value.isArray()) {
                    out.append("[");
                    for (int i = 0; i < value.size(); i++) {
                        out.append(i == 0 ? "\n    " : ",\n    ").append(Json.MAPPER.writeValueAsString(value.get(i)));
                    }
                    out.append(value.isEmpty() ? "]" : "\n  ]");
                } else {
                    out.append(Json.MAPPER.writeValueAsString(value));
                }
                out.append(f + 1 < fields.size() ? ",\n" : "\n");
            }
            return out.append("}\n").toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
