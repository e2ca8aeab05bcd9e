package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.Packet;
import io.portpolicy.model.Direction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A model of an AWS VPC network ACL, written from AWS's documentation, not from the backend:
 * it reads the generated JSON strictly and decides packets as the ACL would.
 *
 * <ul>
 *   <li>Amazon VPC User Guide, "Network ACL rules" (docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html)
 *       and "Network ACL basics" (nacl-basics.html): rule numbers 1-32766, evaluated lowest first; the first
 *       rule that matches is applied and no other; a rule matches protocol, port range (the listening,
 *       i.e. destination, port) and the source CIDR (inbound) or destination CIDR (outbound); the ACL's last
 *       rule, {@code *}, denies what no rule matched; ACLs are stateless.</li>
 *   <li>EC2 API Reference, CreateNetworkAclEntry: Protocol "-1" is every protocol; for "-1" or a protocol
 *       other than 6, 17 and 1 every port, type and code matches; protocol 58 with an IPv4 CIDR matches every
 *       ICMP type and code; PortRange is required for 6 and 17, IcmpTypeCode for 1 and for 58 with an IPv6
 *       CIDR; Type -1 is every type, Code -1 every code of the type.</li>
 * </ul>
 * Combinations the documentation leaves open (ICMP type and code given for protocol 1 with an
 * IPv6 CIDR; ports for a protocol that has none) are refused rather than guessed.
 */
final class AwsNaclReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP = Set.of("Header", "NetworkAclName", "Entries");
    private static final Set<String> ITEM = Set.of("Rule", "Description", "Entry");
    private static final Set<String> ENTRY = Set.of("RuleNumber", "Protocol", "RuleAction", "Egress", "CidrBlock",
            "Ipv6CidrBlock", "PortRange", "IcmpTypeCode");

    /** One entry as the ACL holds it, with the wrapper's rule reference. */
    record NaclEntry(String rule, String description, JsonNode entry, int number, int protocol, boolean allow,
                     boolean egress, IPAddress block, int fromPort, int toPort, int icmpType, int icmpCode) {

        boolean matches(Packet packet, Direction direction) {
            if (egress != (direction == Direction.OUTBOUND)) return false;
            IPAddress peer = direction == Direction.INBOUND ? packet.source() : packet.destination();
            if (block.isIPv4() != peer.isIPv4() || !block.contains(peer)) return false;
            if (protocol == -1) return true;
            if (packet.protocol() != protocol) return false;
            if (protocol == 6 || protocol == 17) return fromPort <= packet.destinationPort() && packet.destinationPort() <= toPort;
            if (protocol == 1 || protocol == 58 && !block.isIPv4()) {
                if (icmpType == -1) return true;
                return icmpType == packet.icmpType() && (icmpCode == -1 || icmpCode == packet.icmpCode());
            }
            return true;
        }
    }

    final List<String> header = new ArrayList<>();
    final String name;
    final List<NaclEntry> entries = new ArrayList<>();

    private AwsNaclReader(JsonNode root) {
        expect(root.isObject() && fieldNames(root).equals(TOP), "top-level keys " + fieldNames(root));
        for (JsonNode line : root.get("Header")) {
            expect(line.isTextual(), "header line " + line);
            header.add(line.asText());
        }
        name = text(root, "NetworkAclName");
        Set<String> numbers = new HashSet<>();
        for (JsonNode item : root.get("Entries")) {
            expect(item.isObject() && fieldNames(item).equals(ITEM), "entry keys " + fieldNames(item));
            JsonNode entry = item.get("Entry");
            NaclEntry read = entry(text(item, "Rule"), text(item, "Description"), entry);
            expect(numbers.add(read.egress() + ":" + read.number()), "rule number used twice: " + entry);
            entries.add(read);
        }
        entries.sort(Comparator.comparingInt(NaclEntry::number));
    }

    static AwsNaclReader read(String json) {
        try {
            return new AwsNaclReader(JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static NaclEntry entry(String rule, String description, JsonNode entry) {
        expect(entry.isObject() && ENTRY.containsAll(fieldNames(entry)), "entry keys " + fieldNames(entry));
        int number = integer(entry, "RuleNumber");
        expect(number >= 1 && number <= 32766, "rule number " + number);
        String protocolText = text(entry, "Protocol");
        expect(protocolText.matches("-1|0|[1-9][0-9]{0,2}"), "protocol " + protocolText);
        int protocol = Integer.parseInt(protocolText);
        expect(protocol <= 255, "protocol " + protocol);
        String action = text(entry, "RuleAction");
        expect(action.equals("allow") || action.equals("deny"), "action " + action);
        JsonNode egress = entry.get("Egress");
        expect(egress != null && egress.isBoolean(), "Egress " + egress);
        expect(entry.has("CidrBlock") != entry.has("Ipv6CidrBlock"), "one CIDR: " + entry);
        boolean v4 = entry.has("CidrBlock");
        String cidr = text(entry, v4 ? "CidrBlock" : "Ipv6CidrBlock");
        IPAddress block = new IPAddressString(cidr).getAddress();
        expect(block != null && block.isIPv4() == v4 && block.isPrefixBlock() && cidr.contains("/")
                && block.toPrefixBlock().toCanonicalString().equals(cidr), "CIDR in canonical form: " + cidr);
        int from = -1;
        int to = -1;
        boolean ports = protocol == 6 || protocol == 17;
        expect(entry.has("PortRange") == ports, "PortRange exactly for TCP and UDP: " + entry);
        if (ports) {
            JsonNode range = entry.get("PortRange");
            expect(fieldNames(range).equals(Set.of("From", "To")), "port range " + range);
            from = integer(range, "From");
            to = integer(range, "To");
            expect(0 <= from && from <= to && to <= 65535, "port range " + range);
        }
        int type = -1;
        int code = -1;
        boolean icmp = protocol == 1 || protocol == 58;
        expect(!entry.has("IcmpTypeCode") || icmp, "IcmpTypeCode without ICMP: " + entry);
        expect(entry.has("IcmpTypeCode") || protocol != 1 && !(protocol == 58 && !v4), "IcmpTypeCode required: " + entry);
        if (entry.has("IcmpTypeCode")) {
            JsonNode tc = entry.get("IcmpTypeCode");
            expect(fieldNames(tc).equals(Set.of("Type", "Code")), "type and code " + tc);
            type = integer(tc, "Type");
            code = integer(tc, "Code");
            expect(-1 <= type && type <= 255 && -1 <= code && code <= 255, "type and code " + tc);
            expect(type != -1 || code == -1, "a code for every type: " + tc);
            boolean ownFamily = v4 ? protocol == 1 : protocol == 58;
            expect(ownFamily || type == -1, "ICMP type of the other family, undocumented: " + entry);
        }
        return new NaclEntry(rule, description, entry, number, protocol, action.equals("allow"), egress.asBoolean(),
                block, from, to, type, code);
    }

    /** The ACL's verdict: the lowest-numbered matching entry's action, else the {@code *} deny. */
    boolean allows(Direction direction, Packet packet) {
        for (NaclEntry entry : entries) {
            if (entry.matches(packet, direction)) return entry.allow();
        }
        return false;
    }

    List<NaclEntry> entries(Direction direction) {
        return entries.stream().filter(e -> e.egress() == (direction == Direction.OUTBOUND)).toList();
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        expect(value != null && value.isTextual(), field + " is not a string: " + node);
        return value.asText();
    }

    private static int integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        expect(value != null && value.isInt(), field + " is not an integer: " + node);
        return value.asInt();
    }

    private static void expect(boolean ok, String what) {
        if (!ok) throw new IllegalArgumentException("not a valid network ACL: " + what);
    }
}
