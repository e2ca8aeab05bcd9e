package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.Packet;
import io.portpolicy.model.Direction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An AWS security group read back from what {@code compile --target aws} wrote (EC2 API JSON,
 * CloudFormation YAML or Terraform JSON), and evaluated as AWS documents security groups:
 *
 * <ul>
 * <li>Rules are allow-only and are not evaluated in order: a packet is admitted when any rule
 * of its direction matches it, and dropped otherwise; connections are tracked, so replies
 * are admitted whatever the rules say (Amazon VPC User Guide, "Security group rules" and
 * "Security group connection tracking",
 * https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html).
 * This model judges the first packet of a connection.</li>
 * <li>A rule matches on protocol, the peer's address (the source inbound, the destination
 * outbound) within its CIDR (IPv4 rules only IPv4 packets, IPv6 rules only IPv6) and, for TCP
 * and UDP, the destination port within FromPort..ToPort; for ICMP and ICMPv6 FromPort is the
 * type and ToPort the code, -1 meaning all (an ICMPv6 rule without ports: all types and
 * codes); IpProtocol -1, or a protocol number other than tcp, udp, icmp and icmpv6, matches all
 * ports (EC2 API Reference, IpPermission,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html). The reference
 * gives icmp and icmpv6 no meaning with the other family's ranges, so reading icmp with an IPv6
 * range, or icmpv6 with an IPv4 one, fails.</li>
 * </ul>
 *
 * <p>Packets from or to loopback addresses never leave an instance, so no security group sees
 * them: this model is not asked about them.
 */
final class SecurityGroupReader {

    /** One rule: one CIDR with one protocol and its ports; {@code null} ports where the output gave none. */
    record SgRule(boolean ingress, String protocol, Integer fromPort, Integer toPort, String cidr, String description) {

        /** ICMP goes with IPv4 ranges and ICMPv6 with IPv6 ranges: the EC2 API documents no other pairing. */
        SgRule {
            boolean v4 = new IPAddressString(cidr).getAddress().isIPv4();
            boolean icmp = protocol.equals("icmp") || protocol.equals("1");
            boolean icmpv6 = protocol.equals("icmpv6") || protocol.equals("58");
            if (icmp && !v4 || icmpv6 && v4) {
                throw new IllegalArgumentException(protocol + " with the " + (v4 ? "IPv4" : "IPv6") + " range " + cidr);
            }
        }

        IPAddress block() {
            return new IPAddressString(cidr).getAddress();
        }

        /** The rule without its description, as a comparable key. */
        String traffic() {
            return (ingress ? "in " : "out ") + protocol + " " + fromPort + " " + toPort + " " + cidr;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    final String groupName;
    final String groupDescription;
    final List<SgRule> rules = new ArrayList<>();

    private SecurityGroupReader(String groupName, String groupDescription) {
        this.groupName = groupName;
        this.groupDescription = groupDescription;
    }

    static JsonNode parse(ObjectMapper mapper, String text) {
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The EC2 API shape: {GroupName, Description, IpPermissions, IpPermissionsEgress}. */
    static SecurityGroupReader ec2Json(String text) {
        JsonNode root = parse(JSON, text);
        SecurityGroupReader reader = new SecurityGroupReader(root.get("GroupName").asText(), root.get("Description").asText());
        for (String list : List.of("IpPermissions", "IpPermissionsEgress")) {
            for (JsonNode permission : root.get(list)) {
                for (String ranges : List.of("IpRanges", "Ipv6Ranges")) {
                    for (JsonNode range : permission.path(ranges)) {
                        reader.rules.add(new SgRule(list.equals("IpPermissions"), permission.get("IpProtocol").asText(),
                                integer(permission, "FromPort"), integer(permission, "ToPort"),
                                range.has("CidrIp") ? range.get("CidrIp").asText() : range.get("CidrIpv6").asText(),
                                range.path("Description").asText(null)));
                    }
                }
            }
        }
        return reader;
    }

    /** A CloudFormation template holding one AWS::EC2::SecurityGroup. */
    static SecurityGroupReader cloudFormation(String text) {
        JsonNode resources = parse(YAML, text).get("Resources");
        if (resources.size() != 1) throw new IllegalArgumentException("expected one resource: " + resources);
        JsonNode group = resources.elements().next();
        if (!group.get("Type").asText().equals("AWS::EC2::SecurityGroup")) throw new IllegalArgumentException(group.toString());
        JsonNode properties = group.get("Properties");
        SecurityGroupReader reader = new SecurityGroupReader(properties.get("GroupName").asText(),
                properties.get("GroupDescription").asText());
        for (String list : List.of("SecurityGroupIngress", "SecurityGroupEgress")) {
            for (JsonNode rule : properties.path(list)) {
                reader.rules.add(new SgRule(list.equals("SecurityGroupIngress"), rule.get("IpProtocol").asText(),
                        integer(rule, "FromPort"), integer(rule, "ToPort"),
                        rule.has("CidrIp") ? rule.get("CidrIp").asText() : rule.get("CidrIpv6").asText(),
                        rule.path("Description").asText(null)));
            }
        }
        return reader;
    }

    /** Terraform JSON: one aws_security_group and its aws_vpc_security_group_{ingress,egress}_rule resources. */
    static SecurityGroupReader terraform(String text) {
        JsonNode resource = parse(JSON, text).get("resource");
        JsonNode groups = resource.get("aws_security_group");
        if (groups.size() != 1) throw new IllegalArgumentException("expected one group: " + groups);
        String name = groups.fieldNames().next();
        JsonNode group = groups.get(name);
        SecurityGroupReader reader = new SecurityGroupReader(literal(group.get("name").asText()),
                literal(group.get("description").asText()));
        for (String type : List.of("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = resource.path(type).fields(); it.hasNext(); ) {
                JsonNode rule = it.next().getValue();
                if (!rule.get("security_group_id").asText().equals("${aws_security_group." + name + ".id}")) {
                    throw new IllegalArgumentException("a rule of another group: " + rule);
                }
                reader.rules.add(new SgRule(type.contains("ingress"), rule.get("ip_protocol").asText(),
                        integer(rule, "from_port"), integer(rule, "to_port"),
                        rule.has("cidr_ipv4") ? rule.get("cidr_ipv4").asText() : rule.get("cidr_ipv6").asText(),
                        literal(rule.get("description").asText())));
            }
        }
        return reader;
    }

    /** A Terraform template string's literal text; fails on an interpolation or directive the compiler did not mean. */
    static String literal(String template) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            boolean opens = (c == '$' || c == '%') && i + 1 < template.length();
            if (opens && template.charAt(i + 1) == c && i + 2 < template.length() && template.charAt(i + 2) == '{') {
                out.append(c).append('{');
                i += 2;
            } else if (opens && template.charAt(i + 1) == '{') {
                throw new IllegalArgumentException("a live template sequence in " + template);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) return null;
        if (!value.isInt()) throw new IllegalArgumentException(field + " is not a whole number: " + node);
        return value.asInt();
    }

    /** Whether the security group admits this packet (the first of its connection) at one of its members. */
    boolean admits(Direction direction, Packet packet) {
        boolean inbound = direction == Direction.INBOUND;
        IPAddress peer = inbound ? packet.source() : packet.destination();
        if (packet.source().isLoopback() || packet.destination().isLoopback()) {
            throw new IllegalArgumentException("loopback traffic never reaches a security group: " + packet);
        }
        for (SgRule rule : rules) {
            if (rule.ingress() == inbound && matches(rule, packet, peer)) return true;
        }
        return false;
    }

    private static boolean matches(SgRule rule, Packet packet, IPAddress peer) {
        IPAddress block = rule.block();
        if (block.isIPv4() != peer.isIPv4() || !block.toPrefixBlock().contains(peer)) return false;
        String protocol = rule.protocol();
        switch (protocol) {
            case "-1":
                return true;
            case "tcp": case "6":
                return packet.protocol() == 6 && inPorts(rule, packet.destinationPort());
            case "udp": case "17":
                return packet.protocol() == 17 && inPorts(rule, packet.destinationPort());
            case "icmp": case "1":
                return packet.protocol() == 1 && icmp(rule, packet, false);
            case "icmpv6": case "58":
                return packet.protocol() == 58 && icmp(rule, packet, true);
            default:
                return packet.protocol() == Integer.parseInt(protocol);
        }
    }

    private static boolean inPorts(SgRule rule, int port) {
        if (rule.fromPort() == null || rule.toPort() == null) throw new IllegalArgumentException("TCP/UDP without ports: " + rule);
        return rule.fromPort() <= port && port <= rule.toPort();
    }

    private static boolean icmp(SgRule rule, Packet packet, boolean portsOptional) {
        if (rule.fromPort() == null || rule.toPort() == null) {
            if (!portsOptional || rule.fromPort() != null || rule.toPort() != null) {
                throw new IllegalArgumentException("ICMP without type and code: " + rule);
            }
            return true;
        }
        if (rule.fromPort() == -1 && rule.toPort() != -1) throw new IllegalArgumentException("all types, one code: " + rule);
        return (rule.fromPort() == -1 || rule.fromPort() == packet.icmpType())
                && (rule.toPort() == -1 || rule.toPort() == packet.icmpCode());
    }
}
