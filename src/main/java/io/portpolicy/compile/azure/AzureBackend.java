package io.portpolicy.compile.azure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.compile.Artifact;
import io.portpolicy.compile.Backend;
import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.CompileRequest;
import io.portpolicy.compile.Header;
import io.portpolicy.compile.HostRules;
import io.portpolicy.compile.StatefulPlatform;
import io.portpolicy.compile.TargetOption;
import io.portpolicy.compile.Text;
import io.portpolicy.compile.cloud.GroupNames;
import io.portpolicy.compile.cloud.GroupRules;
import io.portpolicy.compile.cloud.LimitExceeded;
import io.portpolicy.compile.cloud.ProtocolPart;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.json.Json;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.Rule;
import io.portpolicy.source.Location;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An Azure network security group for one group, as an ARM template
 * ({@code Microsoft.Network/networkSecurityGroups}).
 *
 * <p>An NSG evaluates its rules by priority, first match, like the policy. So each rule that
 * decides some packet at the group becomes, in policy order, NSG rules for exactly the packets
 * it matches there (one per block and protocol, IPv4 and IPv6 never mixed), at priorities
 * 100, 101, ... per direction. NSG rules name destinations as well as sources, so the group's
 * own addresses are part of every rule and a policy that treats members differently needs no
 * refusal. The policy's default of each direction is a rule for every packet at priority 4096,
 * the last one a user may set, so Azure's own default rules (65000 and up: virtual network and
 * load balancer traffic allowed) are never reached.
 *
 * <p>Exact rewrites: {@code reject} is Deny (an NSG cannot answer); {@code log} is compiled
 * without logging (NSGs have no per-rule logging); a deny or reject the NSG cannot match is left
 * out where that changes nothing admitted (the notes say so). Refused, naming the rule: ICMP types and
 * codes (an NSG matches only the whole protocol), ICMPv6 (Azure documents that NSGs do not
 * support it) and protocols other than TCP, UDP and ICMP unless the rule takes every protocol.
 * A stateless policy is refused too (an NSG admits replies by itself), and, at the group, a
 * group whose NSG name another group shares ({@link #NAMES}). A group over one of Azure's limits
 * (rules per NSG, priorities per direction, addresses per NSG) is refused with
 * {@link LimitExceeded}, which lint rule PP503 reports.
 */
public final class AzureBackend implements Backend {

    static final String PLATFORM = "Azure NSG";
    static final String MAX_RULES = "max-rules";
    /** The most security rules Azure gives one NSG on request; 1000 by default. */
    static final int MOST_RULES = 4000;
    /**
     * The most IP addresses and ranges the security rules of one NSG may name as sources, and
     * apart from those as destinations: Azure, "Azure subscription and service limits",
     * "Networking limits": "IP addresses and ranges specified for source or destination in a
     * security group (The limit applies separately to source and destination)", 4,000, not
     * adjustable (MicrosoftDocs/azure-docs, includes/azure-virtual-network-limits.md).
     */
    static final int MAX_ADDRESSES = 4000;
    static final int FIRST_PRIORITY = 100;
    /** The lowest priority (highest number) a user rule may have; the policy's default goes there. */
    static final int DEFAULT_PRIORITY = 4096;
    static final int NAME_CHARS = 80;
    /**
     * Azure's API says a rule's description is "Restricted to 140 chars" without saying what it
     * counts; Terraform's azurerm provider checks 140 bytes of UTF-8 (Go's len), the strictest
     * reading, which also keeps within 140 UTF-16 units or code points. So 140 bytes of UTF-8.
     */
    static final int DESCRIPTION_BYTES = 140;
    static final String API_VERSION = "2024-05-01";
    static final String TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
    /** Azure resource names ignore case ("Naming rules and restrictions for Azure resources"). */
    static final GroupNames NAMES = new GroupNames("Azure NSG name", AzureBackend::resourceName, GroupNames.IGNORING_CASE,
            "Azure ignores case in resource names, so deploying one overwrites the other",
            "an NSG name is the group's name from its first letter or digit, cut to " + (NAME_CHARS - 1)
                    + " characters");

    /**
     * The address ranges Azure virtual networks give VMs (RFC 1918, RFC 6598 shared space, IPv6
     * unique local). NSG rules match a VM's private address: inbound after Azure translates a
     * public address to it, outbound before it translates back.
     */
    private static final List<IPAddressSeqRange> PRIVATE_RANGES = Stream.of("10.0.0.0/8", "172.16.0.0/12",
                    "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
            .map(block -> new IPAddressString(block).getAddress().toSequentialRange()).toList();

    @Override
    public String name() {
        return "azure";
    }

    @Override
    public List<String> formats() {
        return List.of("arm");
    }

    @Override
    public boolean forGroups() {
        return true;
    }

    @Override
    public List<TargetOption> options() {
        return List.of(TargetOption.number(MAX_RULES, 1000, 1, MOST_RULES));
    }

    /** One NSG security rule; a list of one element is written with the singular property. */
    record SecurityRule(String name, int priority, Direction direction, Action access, String protocol,
                        List<String> sourcePrefixes, List<String> sourcePorts, List<String> destinationPrefixes,
                        List<String> destinationPorts, String description) {
    }

    /** What an NSG rule matches, without its name, priority and description. */
    private record Match(String protocol, List<String> sourcePrefixes, List<String> sourcePorts,
                         List<String> destinationPrefixes, List<String> destinationPorts) {
        // Written out: a record's generated equals and hashCode are linked on their first call,
        // which a short run notices (docs/performance.md, seventh round).
        @Override
        public boolean equals(Object o) {
            return o instanceof Match m && protocol.equals(m.protocol) && sourcePrefixes.equals(m.sourcePrefixes)
                    && sourcePorts.equals(m.sourcePorts) && destinationPrefixes.equals(m.destinationPrefixes)
                    && destinationPorts.equals(m.destinationPorts);
        }

        @Override
        public int hashCode() {
            return Objects.hash(protocol, sourcePrefixes, sourcePorts, destinationPrefixes, destinationPorts);
        }
    }

    @Override
    public Artifact compile(CompileRequest request) throws CompileException {
        Nsg nsg = nsg(request);
        return Artifact.single(".json", Json.pretty(template(request, nsg)));
    }

    @Override
    public void check(CompileRequest request) throws CompileException {
        nsg(request);
    }

    /** A warning for each address of the group outside the private ranges: NSG rules naming it never match. */
    @Override
    public List<Diagnostic> warnings(CompileRequest request) {
        Group group = request.effective().policy().groups().get(request.target().name());
        List<Diagnostic> out = new ArrayList<>();
        for (Host host : group.hosts()) {
            for (IPAddress address : host.addresses()) {
                if (!isPrivate(address.toSequentialRange())) {
                    out.add(notPrivate(host.location(), "host " + host.name() + "'s address " + address));
                }
            }
        }
        for (AddressLiteral block : group.blocks()) {
            if (!isPrivate(block.range())) {
                out.add(notPrivate(block.location(), "group " + group.name() + "'s address " + block.text()));
            }
        }
        return out;
    }

    private static boolean isPrivate(IPAddressSeqRange range) {
        return PRIVATE_RANGES.stream().anyMatch(block -> block.contains(range));
    }

    private static Diagnostic notPrivate(Location location, String what) {
        return Diagnostic.warning(location, what + " is not a private address, but Azure NSG rules match a VM's"
                + " private address (inbound after Azure translates a public address, outbound before), so no NSG"
                + " rule compiled for it ever matches", "name the VM's private address in the policy (10.0.0.0/8,"
                + " 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 or fc00::/7); if the virtual network really uses"
                + " this range, ignore this warning");
    }

    // ---- the rules ----------------------------------------------------------------------

    /** The NSG's name, the policy at the group per direction, and the security rules: both directions with their defaults. */
    /** An NSG, with the deny rules left out because it cannot match them and they change nothing admitted. */
    private record Nsg(String name, List<GroupRules> directions, List<SecurityRule> rules, Set<Rule> leftOut) {
    }

    /** The group's NSG, or the reason the group cannot be one. */
    private static Nsg nsg(CompileRequest request) throws CompileException {
        StatefulPlatform.require(request.effective(), "an Azure NSG",
                "compile it for azure without the 'stateless' setting");
        Target group = request.target();
        String name = NAMES.of(request.effective(), group.name());
        List<SecurityRule> rules = new ArrayList<>();
        List<GroupRules> directions = new ArrayList<>();
        // A rule left out in both directions is said once.
        Set<Rule> leftOut = new LinkedHashSet<>();
        for (Direction direction : Direction.values()) {
            GroupRules groupRules = GroupRules.of(request.effective(), group, direction);
            directions.add(groupRules);
            List<SecurityRule> compiled = rules(groupRules, leftOut);
            int limit = DEFAULT_PRIORITY - FIRST_PRIORITY;
            if (compiled.size() > limit) {
                throw new LimitExceeded("azure", group, direction.name().toLowerCase()
                        + " rules (priorities " + FIRST_PRIORITY + "-" + (DEFAULT_PRIORITY - 1) + ")",
                        compiled.size(), limit);
            }
            rules.addAll(compiled);
            rules.add(defaultRule(groupRules));
        }
        int maxRules = request.options().number(MAX_RULES);
        if (rules.size() > maxRules) {
            throw new LimitExceeded("azure", group, "security rules", rules.size(), maxRules, MAX_RULES, MOST_RULES);
        }
        requireAddressesWithinLimit(group, "source", rules.stream().map(SecurityRule::sourcePrefixes));
        requireAddressesWithinLimit(group, "destination", rules.stream().map(SecurityRule::destinationPrefixes));
        return new Nsg(name, directions, rules, leftOut);
    }

    /** Refuses an NSG whose rules name more than {@link #MAX_ADDRESSES} addresses and ranges on one side. */
    private static void requireAddressesWithinLimit(Target group, String side, Stream<List<String>> prefixes)
            throws LimitExceeded {
        // '*' (the defaults' every address) names no address or range.
        long count = prefixes.flatMap(List::stream).filter(prefix -> !prefix.equals("*")).count();
        if (count > MAX_ADDRESSES) {
            throw new LimitExceeded("azure", group, side + " IP addresses and ranges", (int) count, MAX_ADDRESSES);
        }
    }

    private static List<SecurityRule> rules(GroupRules groupRules, Set<Rule> leftOut) throws CompileException {
        Direction direction = groupRules.direction();
        List<SecurityRule> out = new ArrayList<>();
        int priority = FIRST_PRIORITY;
        for (GroupRules.Written<Set<Match>> written : groupRules.writeInOrder(d -> matches(d, groupRules), leftOut::add)) {
            Rule rule = written.rule();
            String description = description(rule);
            int n = 0;
            for (Match match : written.written()) {
                n++;
                out.add(new SecurityRule(ruleName(direction, "rule" + rule.index() + "-" + n), priority++, direction,
                        rule.action() == Action.ALLOW ? Action.ALLOW : Action.DENY, match.protocol(),
                        match.sourcePrefixes(), match.sourcePorts(), match.destinationPrefixes(),
                        match.destinationPorts(), description));
            }
        }
        return out;
    }

    /** What a decisive rule matches at the group, as NSG rules' matches. */
    private static Set<Match> matches(GroupRules.Decisive decisive, GroupRules groupRules) throws CompileException {
        Set<Match> matches = new LinkedHashSet<>();
        for (PacketCube cube : decisive.matchedCubes()) {
            for (ProtocolPart part : ProtocolPart.of(cube)) matches.add(match(cube, part, decisive.rule(), groupRules));
        }
        return matches;
    }

    /** The policy's default for every packet of the direction, before Azure's own defaults. */
    private static SecurityRule defaultRule(GroupRules groupRules) {
        Action action = groupRules.defaultAction();
        String word = action.name().toLowerCase();
        String description = "default " + groupRules.direction().name().toLowerCase() + " " + word
                + (action == Action.REJECT ? " (reject as Deny: an NSG cannot answer)" : "")
                + "; Azure's default rules are never reached";
        return new SecurityRule(ruleName(groupRules.direction(), "default"), DEFAULT_PRIORITY, groupRules.direction(),
                action == Action.ALLOW ? Action.ALLOW : Action.DENY, "*", List.of("*"), List.of("*"), List.of("*"),
                List.of("*"), description);
    }

    private static String ruleName(Direction direction, String what) {
        return "portpolicy-" + (direction == Direction.INBOUND ? "in" : "out") + "-" + what;
    }

    /** One block's part as an NSG rule match: peers on the far side, the group's own addresses on its side. */
    private static Match match(PacketCube cube, ProtocolPart part, Rule rule, GroupRules groupRules)
            throws CompileException {
        List<String> sources = prefixes(cube.sources(), groupRules);
        List<String> destinations = prefixes(cube.destinations(), groupRules);
        if (part.isAll()) return new Match("*", sources, List.of("*"), destinations, List.of("*"));
        if (part.hasPorts()) {
            return new Match(part.protocol() == ProtocolPart.TCP ? "Tcp" : "Udp", sources, ports(part.sourcePorts()),
                    destinations, ports(part.destinationPorts()));
        }
        // ICMP only in IPv4 blocks, the one family Azure documents Icmp for: the policy's icmp is
        // IPv4 only, and ICMP in an IPv6 packet is matched by 'any' alone, a block of every protocol.
        if (part.protocol() == ProtocolPart.ICMP) {
            if (!part.everyIcmpType() || !part.everyIcmpCode()) throw GroupRules.icmpTypesRefused(rule, part, PLATFORM);
            return new Match("Icmp", sources, List.of("*"), destinations, List.of("*"));
        }
        if (part.protocol() == ProtocolPart.ICMPV6) {
            throw new CompileException(rule, PLATFORM + " rules cannot match ICMPv6: Azure documents that \"ICMPv6"
                    + " isn't currently supported in Network Security Groups\" (What is IPv6 for Azure Virtual Network?,"
                    + " Limitations). Allow every protocol to these peers, or leave ICMPv6 out of the policy compiled"
                    + " for azure");
        }
        throw new CompileException(rule, PLATFORM + " rules name only TCP, UDP, ICMP or every protocol (*), not"
                + " protocol " + part.protocol() + " in " + (cube.family() == Family.IPV4 ? "IPv4" : "IPv6"));
    }

    /** CIDR prefixes of the ranges; the whole address space of the family as {@code 0.0.0.0/0} or {@code ::/0}. */
    private static List<String> prefixes(List<IPAddressSeqRange> ranges, GroupRules groupRules) {
        List<String> out = new ArrayList<>();
        for (IPAddressSeqRange range : ranges) {
            for (IPAddress block : groupRules.prefixBlocks(range)) out.add(HostRules.prefixBlock(block));
        }
        return out;
    }

    /** Port ranges as Azure writes them ({@code 22}, {@code 1000-2000}), or {@code *} for every port. */
    private static List<String> ports(List<ValueRange> values) {
        List<String> ports = HostRules.portList(values);
        return ports.isEmpty() ? List.of("*") : ports;
    }

    /** {@code FILE:LINE} with the rule's comment, owner and ticket, and what the NSG does differently, in Azure's limit. */
    private static String description(Rule rule) {
        String note = (rule.action() == Action.REJECT ? " (reject as Deny: an NSG cannot answer)" : "")
                + (rule.options().log() ? " (log: NSG rules cannot log; use flow logs)" : "");
        return HostRules.describe(rule, note, DESCRIPTION_BYTES, Text.Measure.UTF8_BYTES);
    }

    /**
     * User text as an ARM template string: one line, cut to {@code maxBytes} of UTF-8 on a code
     * point boundary, and a value that would read as a template expression ({@code [...]})
     * escaped with a second {@code [}, which Azure removes when it deploys the template.
     */
    public static String literal(String text, int maxBytes) {
        String line = Text.cutBytes(Text.oneLine(text), maxBytes);
        return line.startsWith("[") && line.endsWith("]") ? "[" + line : line;
    }

    /**
     * The group's name as an NSG name, as Azure's naming rules have it: letters, digits, '_', '.'
     * and '-', starting with a letter or digit (so leading '_', '.' and '-' go) and ending with
     * one or '_'; empty when the group's name has no letter or digit.
     */
    static String resourceName(String group) {
        String name = Text.ascii(group, "._-").replaceFirst("^[^A-Za-z0-9]+", "");
        if (name.isEmpty()) return name;
        name = Text.cutChars(name, NAME_CHARS - 1);
        char last = name.charAt(name.length() - 1);
        return last == '.' || last == '-' ? name + "_" : name;
    }

    // ---- the template -------------------------------------------------------------------

    private static ObjectNode template(CompileRequest request, Nsg nsg) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode template = json.objectNode();
        template.put("$schema", TEMPLATE_SCHEMA);
        template.put("contentVersion", "1.0.0.0");
        ArrayNode notes = template.putObject("metadata").putArray("portpolicy");
        for (String line : Header.lines(request, "azure")) notes.add(literal(line, Integer.MAX_VALUE));
        for (String note : notes(nsg)) notes.add(note);
        ObjectNode resource = template.putArray("resources").addObject();
        resource.put("type", "Microsoft.Network/networkSecurityGroups");
        resource.put("apiVersion", API_VERSION);
        resource.put("name", nsg.name());
        resource.put("location", "[resourceGroup().location]");
        ArrayNode securityRules = resource.putObject("properties").putArray("securityRules");
        for (SecurityRule rule : nsg.rules()) {
            ObjectNode node = securityRules.addObject();
            node.put("name", rule.name());
            ObjectNode properties = node.putObject("properties");
            properties.put("description", literal(rule.description(), DESCRIPTION_BYTES));
            properties.put("priority", rule.priority());
            properties.put("direction", rule.direction() == Direction.INBOUND ? "Inbound" : "Outbound");
            properties.put("access", rule.access() == Action.ALLOW ? "Allow" : "Deny");
            properties.put("protocol", rule.protocol());
            list(properties, "sourceAddressPrefix", rule.sourcePrefixes());
            list(properties, "sourcePortRange", rule.sourcePorts());
            list(properties, "destinationAddressPrefix", rule.destinationPrefixes());
            list(properties, "destinationPortRange", rule.destinationPorts());
        }
        return template;
    }

    /** {@code name: value} for one value, {@code names: [values]} for several, as the NSG API takes them. */
    private static void list(ObjectNode properties, String name, List<String> values) {
        if (values.size() == 1) {
            properties.put(name, values.get(0));
        } else {
            ArrayNode array = properties.putArray(name + (name.endsWith("Prefix") ? "es" : "s"));
            values.forEach(array::add);
        }
    }

    private static List<String> notes(Nsg nsg) {
        List<String> notes = new ArrayList<>();
        notes.add("Azure NSG: rules by priority, first match. Each direction ends with the policy's default at priority "
                + DEFAULT_PRIORITY + ", so Azure's default rules (65000 and up) are never reached.");
        notes.add("The policy is stateful, as an NSG is: replies to admitted flows are admitted.");
        boolean reject = false;
        boolean log = false;
        for (GroupRules direction : nsg.directions()) {
            reject |= direction.defaultAction() == Action.REJECT;
            for (GroupRules.Decisive d : direction.decisive()) {
                reject |= d.rule().action() == Action.REJECT;
                log |= d.rule().options().log();
            }
        }
        if (reject) notes.add("reject is compiled as Deny: an NSG drops the packet and cannot answer.");
        if (log) notes.add("log is compiled without logging: NSG rules cannot log one by one (NSG flow logs record"
                + " all); the admitted packets are the same.");
        for (Rule rule : nsg.leftOut()) notes.add(literal(GroupRules.leftOutNote(rule, PLATFORM), Integer.MAX_VALUE));
        return notes;
    }
}
