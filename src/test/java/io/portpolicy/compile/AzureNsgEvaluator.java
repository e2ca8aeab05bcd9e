package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.Packet;
import io.portpolicy.json.Json;
import io.portpolicy.model.Direction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A test-side model of an Azure network security group, built from a generated ARM template
 * and written from Azure's documentation, not from the backend:
 * <ul>
 *   <li>"Network security groups" (learn.microsoft.com/azure/virtual-network/network-security-groups-overview):
 *       rules are processed in priority order, lower numbers first, and processing stops at the
 *       first rule that matches; priorities 100-4096; source and destination are Any ({@code *}),
 *       an IP address, a CIDR block or a service tag; the default rules AllowVNetInBound (65000),
 *       AllowAzureLoadBalancerInBound (65001), DenyAllInbound (65500), AllowVnetOutBound (65000),
 *       AllowInternetOutBound (65001), DenyAllOutBound (65500); security rules are stateful: the
 *       reply to an admitted flow is admitted without a rule.</li>
 *   <li>"How network security groups filter network traffic"
 *       (learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works): inbound
 *       traffic is judged by the rules of the inbound direction, outbound by the outbound ones.</li>
 *   <li>The NSG REST API (SecurityRulePropertiesFormat, 2024-05-01): {@code protocol} is Tcp, Udp,
 *       Icmp, Esp, Ah or {@code *}; ports are a number or a range {@code a-b} from 0 to 65535, or
 *       {@code *}; a prefix property holds one value, the plural property a list.</li>
 *   <li>"What is IPv6 for Azure Virtual Network?" (learn.microsoft.com/azure/virtual-network/ip-services/ipv6-overview),
 *       Limitations: "ICMPv6 isn't currently supported in Network Security Groups". Nothing Azure
 *       documents says what {@code Icmp} matches in IPv6 packets, so an {@code Icmp} rule with a
 *       prefix that is not IPv4 (an IPv6 one, {@code *}, a service tag) fails the read.</li>
 * </ul>
 * Service tags, which Azure resolves from the deployment, are fixed here: VirtualNetwork is
 * 10.0.0.0/8 and 2001:db8::/32 (a virtual network, its peers and on-premises space holding the
 * test addresses), AzureLoadBalancer is 168.63.129.16, Internet is every address outside
 * VirtualNetwork. Ports are read only for TCP and UDP: a rule that names ports matches no other
 * protocol. {@code Icmp} is read as IPv4's ICMP (protocol 1).
 */
final class AzureNsgEvaluator {

    static final List<String> VIRTUAL_NETWORK = List.of("10.0.0.0/8", "2001:db8::/32");
    static final String AZURE_LOAD_BALANCER = "168.63.129.16";

    /** One rule as the NSG holds it: the template's rules and Azure's default rules. */
    record NsgRule(String name, int priority, Direction direction, boolean allow, String protocol,
                   List<String> sources, List<String> sourcePorts, List<String> destinations,
                   List<String> destinationPorts) {
    }

    /** A flow an admitted first packet opened: its reply is admitted in the other direction. */
    private record Flow(Direction direction, String source, String destination, int protocol, int sourcePort,
                        int destinationPort) {
    }

    final JsonNode template;
    final List<NsgRule> rules = new ArrayList<>();
    private final Set<Flow> flows = new HashSet<>();

    AzureNsgEvaluator(String templateText) {
        this(templateText, true);
    }

    AzureNsgEvaluator(String templateText, boolean keepPolicyDefaults) {
        try {
            template = Json.MAPPER.readTree(templateText);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode resources = template.get("resources");
        if (resources.size() != 1) throw new IllegalArgumentException("one NSG per template expected");
        for (JsonNode rule : resources.get(0).get("properties").get("securityRules")) {
            NsgRule read = read(rule);
            if (keepPolicyDefaults || read.priority() != 4096) rules.add(read);
        }
        rules.add(azureDefault("AllowVnetInBound", 65000, Direction.INBOUND, true, "VirtualNetwork", "VirtualNetwork"));
        rules.add(azureDefault("AllowAzureLoadBalancerInBound", 65001, Direction.INBOUND, true, "AzureLoadBalancer", "*"));
        rules.add(azureDefault("DenyAllInBound", 65500, Direction.INBOUND, false, "*", "*"));
        rules.add(azureDefault("AllowVnetOutBound", 65000, Direction.OUTBOUND, true, "VirtualNetwork", "VirtualNetwork"));
        rules.add(azureDefault("AllowInternetOutBound", 65001, Direction.OUTBOUND, true, "*", "Internet"));
        rules.add(azureDefault("DenyAllOutBound", 65500, Direction.OUTBOUND, false, "*", "*"));
        rules.sort(Comparator.comparing(NsgRule::direction).thenComparingInt(NsgRule::priority));
        for (int i = 1; i < rules.size(); i++) {
            NsgRule a = rules.get(i - 1);
            NsgRule b = rules.get(i);
            if (a.direction() == b.direction() && a.priority() == b.priority()) {
                throw new IllegalArgumentException("two rules at priority " + a.priority() + ": " + a.name() + ", " + b.name());
            }
        }
    }

    private static NsgRule azureDefault(String name, int priority, Direction direction, boolean allow, String source,
                                        String destination) {
        return new NsgRule(name, priority, direction, allow, "*", List.of(source), List.of("*"), List.of(destination),
                List.of("*"));
    }

    private static NsgRule read(JsonNode rule) {
        JsonNode p = rule.get("properties");
        Direction direction = switch (p.get("direction").asText()) {
            case "Inbound" -> Direction.INBOUND;
            case "Outbound" -> Direction.OUTBOUND;
            default -> throw new IllegalArgumentException("direction " + p.get("direction"));
        };
        boolean allow = switch (p.get("access").asText()) {
            case "Allow" -> true;
            case "Deny" -> false;
            default -> throw new IllegalArgumentException("access " + p.get("access"));
        };
        NsgRule read = new NsgRule(rule.get("name").asText(), p.get("priority").asInt(), direction, allow,
                p.get("protocol").asText(), values(p, "sourceAddressPrefix", "sourceAddressPrefixes"),
                values(p, "sourcePortRange", "sourcePortRanges"),
                values(p, "destinationAddressPrefix", "destinationAddressPrefixes"),
                values(p, "destinationPortRange", "destinationPortRanges"));
        if (read.protocol().equals("Icmp")) {
            for (List<String> side : List.of(read.sources(), read.destinations())) {
                for (String prefix : side) {
                    if (!ipv4(prefix)) throw new IllegalArgumentException(read.name() + ": Icmp with the prefix " + prefix);
                }
            }
        }
        return read;
    }

    /** An IPv4 address or CIDR block: not {@code *}, a service tag or IPv6. */
    private static boolean ipv4(String prefix) {
        IPAddress address = prefix.equals("*") ? null : new IPAddressString(prefix).getAddress();
        return address != null && address.isIPv4();
    }

    /** The singular property or the plural one, never both, never neither. */
    private static List<String> values(JsonNode properties, String one, String many) {
        boolean single = properties.has(one);
        boolean list = properties.has(many);
        if (single == list) throw new IllegalArgumentException("exactly one of " + one + " and " + many + ": " + properties);
        if (single) return List.of(properties.get(one).asText());
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = properties.get(many).elements(); it.hasNext(); ) out.add(it.next().asText());
        if (out.isEmpty()) throw new IllegalArgumentException("empty " + many);
        return out;
    }

    /** The rule that decides the first packet of a flow (every packet has one: DenyAll* match everything). */
    NsgRule decide(Direction direction, Packet packet) {
        for (NsgRule rule : rules) {
            if (rule.direction() == direction && matches(rule, packet)) return rule;
        }
        throw new IllegalStateException("Azure's DenyAll rules match every packet");
    }

    /**
     * Whether the NSG lets the packet through, remembering admitted flows: a packet that answers
     * a flow admitted in the other direction is admitted whatever the rules say (stateful).
     */
    boolean admits(Direction direction, Packet packet) {
        Flow reply = new Flow(direction == Direction.INBOUND ? Direction.OUTBOUND : Direction.INBOUND,
                text(packet.destination()), text(packet.source()), packet.protocol(), packet.destinationPort(),
                packet.sourcePort());
        if (flows.contains(reply)) return true;
        boolean allow = decide(direction, packet).allow();
        if (allow) {
            flows.add(new Flow(direction, text(packet.source()), text(packet.destination()), packet.protocol(),
                    packet.sourcePort(), packet.destinationPort()));
        }
        return allow;
    }

    private static boolean matches(NsgRule rule, Packet packet) {
        if (!protocol(rule.protocol(), packet)) return false;
        if (!addresses(rule.sources(), packet.source()) || !addresses(rule.destinations(), packet.destination())) {
            return false;
        }
        boolean hasPorts = packet.protocol() == 6 || packet.protocol() == 17;
        boolean namesPorts = !rule.sourcePorts().equals(List.of("*")) || !rule.destinationPorts().equals(List.of("*"));
        if (!hasPorts) return !namesPorts;
        return ports(rule.sourcePorts(), packet.sourcePort()) && ports(rule.destinationPorts(), packet.destinationPort());
    }

    private static boolean protocol(String protocol, Packet packet) {
        return switch (protocol) {
            case "*" -> true;
            case "Tcp" -> packet.protocol() == 6;
            case "Udp" -> packet.protocol() == 17;
            case "Icmp" -> packet.protocol() == 1;
            case "Esp" -> packet.protocol() == 50;
            case "Ah" -> packet.protocol() == 51;
            default -> throw new IllegalArgumentException("protocol " + protocol);
        };
    }

    private static boolean addresses(List<String> prefixes, IPAddress address) {
        for (String prefix : prefixes) {
            if (address(prefix, address)) return true;
        }
        return false;
    }

    private static boolean address(String prefix, IPAddress address) {
        return switch (prefix) {
            case "*" -> true;
            case "VirtualNetwork" -> inVirtualNetwork(address);
            case "Internet" -> !inVirtualNetwork(address);
            case "AzureLoadBalancer" -> address.equals(new IPAddressString(AZURE_LOAD_BALANCER).getAddress());
            default -> {
                IPAddress block = new IPAddressString(prefix).getAddress();
                if (block == null) throw new IllegalArgumentException("not an address or CIDR: " + prefix);
                if (block.isIPv4() != address.isIPv4()) yield false;
                yield block.toPrefixBlock().contains(address);
            }
        };
    }

    private static boolean inVirtualNetwork(IPAddress address) {
        return VIRTUAL_NETWORK.stream().map(p -> new IPAddressString(p).getAddress())
                .anyMatch(block -> block.isIPv4() == address.isIPv4() && block.contains(address));
    }

    private static boolean ports(List<String> ranges, int port) {
        for (String range : ranges) {
            if (range.equals("*")) return true;
            String[] ends = range.split("-", -1);
            int low = Integer.parseInt(ends[0]);
            int high = Integer.parseInt(ends[ends.length - 1]);
            if (ends.length > 2 || low > high || high > 65535) throw new IllegalArgumentException("port range " + range);
            if (low <= port && port <= high) return true;
        }
        return false;
    }

    private static String text(IPAddress address) {
        return address.withoutPrefixLength().toCanonicalString();
    }
}
