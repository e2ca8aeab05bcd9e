package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.Packet;
import io.portpolicy.model.Direction;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A test-side model of Google Cloud VPC firewall rules, read from the generated JSON (compute
 * v1 Firewall resources) and written from Google's documentation, not from the backend:
 *
 * <ul>
 *   <li>"VPC firewall rules" (https://cloud.google.com/firewall/docs/firewalls): a rule applies
 *   to the instances whose network tags include one of its {@code targetTags}; an ingress rule
 *   matches a packet whose source is in {@code sourceRanges} (and, when given, whose
 *   destination is in {@code destinationRanges}); an egress rule one whose destination is in
 *   {@code destinationRanges} (and, when given, whose source is in {@code sourceRanges});
 *   protocols are {@code all}, a well-known name or a number, ports (TCP, UDP, SCTP only) are
 *   destination ports. Of the rules that match, the one with the lowest priority number
 *   decides; at equal priority a deny rule beats an allow rule. Implied rules at priority 65535
 *   deny all ingress and allow all egress. A rule holds IPv4 or IPv6 ranges, never both.</li>
 *   <li>The rules are stateful: a packet judged here is the first of a connection; replies to
 *   an allowed connection are admitted by connection tracking, which the engine's per-packet
 *   verdict does not model either.</li>
 *   <li>"Pre-populated rules in the default network" (same page):
 *   {@link #withDefaultNetworkRules()} adds default-allow-internal, -ssh, -rdp and -icmp at
 *   priority 65534, to show that compiled rules decide before they are reached.</li>
 *   <li>The compute v1 API reference (the Firewall resource, see
 *   src/test/resources/schemas/gcp): field names and shapes.</li>
 *   <li>ICMP by family: the API refuses {@code icmp} in a rule with IPv6 ranges ("IPv6 is not
 *   compatible with the ICMP protocol. Use the ICMPv6 protocol instead.", its error as quoted in
 *   kubernetes/kops#15298); ICMPv6 is named by its number, 58, which no Google documentation
 *   found gives a meaning with IPv4 ranges.</li>
 * </ul>
 * Reading is strict: a shape the documentation does not allow (ports on ICMP, both address
 * families in one rule, an ingress rule without sources, ICMP with IPv6 ranges or ICMPv6 with
 * IPv4 ones) is an error, not a guess.
 */
final class GcpFirewallModel {

    private static final Map<String, Integer> PROTOCOL_NAMES = Map.of("tcp", 6, "udp", 17, "icmp", 1, "esp", 50,
            "ah", 51, "ipip", 4, "sctp", 132);
    private static final Set<Integer> PORT_PROTOCOLS = Set.of(6, 17, 132);

    /** One protocol entry of {@code allowed} or {@code denied}: -1 for all; ports empty for every port. */
    record Protocol(int number, List<int[]> ports) {
        boolean matches(Packet packet) {
            if (number >= 0 && number != packet.protocol()) return false;
            if (ports.isEmpty()) return true;
            for (int[] range : ports) {
                if (range[0] <= packet.destinationPort() && packet.destinationPort() <= range[1]) return true;
            }
            return false;
        }
    }

    record FwRule(String name, int priority, boolean ingress, boolean deny, List<Protocol> protocols,
                  List<IPAddress> sources, List<IPAddress> destinations, List<String> targetTags) {

        boolean matches(Direction direction, Packet packet, String tag) {
            if (ingress != (direction == Direction.INBOUND)) return false;
            if (!targetTags.isEmpty() && !targetTags.contains(tag)) return false;
            if (!sources.isEmpty() && !within(sources, packet.source())) return false;
            if (!destinations.isEmpty() && !within(destinations, packet.destination())) return false;
            return protocols.stream().anyMatch(p -> p.matches(packet));
        }
    }

    final List<FwRule> rules = new ArrayList<>();

    static GcpFirewallModel read(JsonNode list) {
        if (!list.isArray()) throw new IllegalArgumentException("not a JSON list of Firewall resources");
        GcpFirewallModel model = new GcpFirewallModel();
        for (JsonNode node : list) model.rules.add(rule(node));
        return model;
    }

    private static FwRule rule(JsonNode node) {
        String name = node.get("name").asText();
        if (node.path("disabled").asBoolean(false)) throw new IllegalArgumentException(name + ": disabled");
        boolean ingress = switch (node.path("direction").asText("INGRESS")) {
            case "INGRESS" -> true;
            case "EGRESS" -> false;
            default -> throw new IllegalArgumentException(name + ": direction " + node.get("direction"));
        };
        if (node.has("allowed") == node.has("denied")) {
            throw new IllegalArgumentException(name + ": exactly one of allowed and denied");
        }
        boolean deny = node.has("denied");
        List<Protocol> protocols = new ArrayList<>();
        for (JsonNode entry : node.get(deny ? "denied" : "allowed")) protocols.add(protocol(name, entry));
        if (protocols.isEmpty()) throw new IllegalArgumentException(name + ": no protocol");
        List<IPAddress> sources = ranges(node.get("sourceRanges"));
        List<IPAddress> destinations = ranges(node.get("destinationRanges"));
        if (ingress && sources.isEmpty()) throw new IllegalArgumentException(name + ": an ingress rule without a source");
        if (!ingress && destinations.isEmpty()) {
            throw new IllegalArgumentException(name + ": an egress rule without destinations (we always write them)");
        }
        List<IPAddress> all = new ArrayList<>(sources);
        all.addAll(destinations);
        if (all.stream().map(IPAddress::isIPv4).distinct().count() > 1) {
            throw new IllegalArgumentException(name + ": IPv4 and IPv6 ranges in one rule");
        }
        // ICMP (1) goes with IPv4 ranges and ICMPv6 (58) with IPv6 ones only (the class comment says why).
        boolean ipv4 = all.get(0).isIPv4();
        for (Protocol protocol : protocols) {
            if (protocol.number() == (ipv4 ? 58 : 1)) {
                throw new IllegalArgumentException(name + ": protocol " + protocol.number() + " with "
                        + (ipv4 ? "IPv4" : "IPv6") + " ranges");
            }
        }
        List<String> tags = new ArrayList<>();
        node.path("targetTags").forEach(t -> tags.add(t.asText()));
        int priority = node.path("priority").asInt(1000);
        return new FwRule(name, priority, ingress, deny, protocols, sources, destinations, tags);
    }

    private static Protocol protocol(String rule, JsonNode entry) {
        String text = entry.get("IPProtocol").asText();
        int number = text.equals("all") ? -1
                : PROTOCOL_NAMES.containsKey(text) ? PROTOCOL_NAMES.get(text) : Integer.parseInt(text);
        if (number > 255) throw new IllegalArgumentException(rule + ": protocol " + text);
        List<int[]> ports = new ArrayList<>();
        for (JsonNode port : entry.path("ports")) {
            if (!PORT_PROTOCOLS.contains(number)) throw new IllegalArgumentException(rule + ": ports on " + text);
            String[] ends = port.asText().split("-");
            int low = Integer.parseInt(ends[0]);
            int high = ends.length > 1 ? Integer.parseInt(ends[1]) : low;
            if (ends.length > 2 || low < 0 || high > 65535 || low > high) {
                throw new IllegalArgumentException(rule + ": port " + port);
            }
            ports.add(new int[] {low, high});
        }
        if (entry.has("ports") && ports.isEmpty()) throw new IllegalArgumentException(rule + ": empty ports");
        return new Protocol(number, ports);
    }

    /** CIDR blocks; a block written with host bits set is refused (the API wants CIDR format). */
    private static List<IPAddress> ranges(JsonNode list) {
        List<IPAddress> out = new ArrayList<>();
        if (list == null) return out;
        for (JsonNode item : list) {
            String text = item.asText();
            IPAddress address = new IPAddressString(text).getAddress();
            if (address == null || address.getNetworkPrefixLength() == null || !text.contains("/")) {
                throw new IllegalArgumentException("not a CIDR block: " + text);
            }
            if (!address.isPrefixBlock()) throw new IllegalArgumentException("host bits set: " + text);
            out.add(address);
        }
        return out;
    }

    private static boolean within(List<IPAddress> blocks, IPAddress address) {
        for (IPAddress block : blocks) {
            if (block.isIPv4() == address.isIPv4() && block.contains(address.withoutPrefixLength())) return true;
        }
        return false;
    }

    /** A copy with the four rules Google adds to the default network (priority 65534). */
    GcpFirewallModel withDefaultNetworkRules() {
        GcpFirewallModel model = new GcpFirewallModel();
        model.rules.addAll(rules);
        IPAddress any4 = new IPAddressString("0.0.0.0/0").getAddress();
        IPAddress internal = new IPAddressString("10.128.0.0/9").getAddress();
        List<Protocol> everything = List.of(new Protocol(-1, List.of()));
        model.rules.add(new FwRule("default-allow-internal", 65534, true, false, everything, List.of(internal), List.of(), List.of()));
        model.rules.add(new FwRule("default-allow-ssh", 65534, true, false,
                List.of(new Protocol(6, List.<int[]>of(new int[] {22, 22}))), List.of(any4), List.of(), List.of()));
        model.rules.add(new FwRule("default-allow-rdp", 65534, true, false,
                List.of(new Protocol(6, List.<int[]>of(new int[] {3389, 3389}))), List.of(any4), List.of(), List.of()));
        model.rules.add(new FwRule("default-allow-icmp", 65534, true, false, List.of(new Protocol(1, List.of())),
                List.of(any4), List.of(), List.of()));
        return model;
    }

    /** GCP's verdict, "allow" or "deny", for the first packet of a connection at an instance tagged {@code tag}. */
    String verdict(Direction direction, Packet packet, String tag) {
        int best = Integer.MAX_VALUE;
        boolean deny = false;
        for (FwRule rule : rules) {
            if (!rule.matches(direction, packet, tag)) continue;
            if (rule.priority() < best) {
                best = rule.priority();
                deny = rule.deny();
            } else if (rule.priority() == best) {
                deny |= rule.deny();
            }
        }
        if (best == Integer.MAX_VALUE) return direction == Direction.INBOUND ? "deny" : "allow";
        return deny ? "deny" : "allow";
    }

    // ---- Terraform JSON -------------------------------------------------------------------

    private static final Set<String> TERRAFORM_ARGUMENTS = Set.of("name", "network", "description", "priority",
            "direction", "allow", "deny", "source_ranges", "destination_ranges", "target_tags", "log_config");

    /**
     * The google_compute_firewall resources of a {@code .tf.json} file as compute v1 Firewall
     * resources, read as Terraform would: every string is a template, where {@code $${} and
     * {@code %%{} are literal {@code ${} and {@code %{}, and any other {@code ${} or {@code %{}
     * (an interpolation or directive) is an error here, since user text must never become one.
     */
    static ArrayNode apiFromTerraform(JsonNode root) {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode out = mapper.createArrayNode();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("//") && !key.equals("resource")) throw new IllegalArgumentException("top-level " + key);
        }
        JsonNode resources = root.path("resource");
        for (Iterator<String> it = resources.fieldNames(); it.hasNext(); ) {
            String type = it.next();
            if (!type.equals("google_compute_firewall")) throw new IllegalArgumentException("resource type " + type);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = resources.path("google_compute_firewall").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> resource = it.next();
            if (!resource.getKey().matches("[A-Za-z_][A-Za-z0-9_-]*")) {
                throw new IllegalArgumentException("resource name " + resource.getKey());
            }
            JsonNode tf = resource.getValue();
            for (Iterator<String> names = tf.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!TERRAFORM_ARGUMENTS.contains(name)) throw new IllegalArgumentException("argument " + name);
            }
            ObjectNode api = out.addObject();
            api.put("name", template(tf.get("name").asText()));
            if (tf.has("description")) api.put("description", template(tf.get("description").asText()));
            api.put("network", "global/networks/" + template(tf.get("network").asText()));
            api.put("priority", tf.get("priority").asInt());
            api.put("direction", template(tf.get("direction").asText()));
            for (String[] pair : new String[][] {{"allow", "allowed"}, {"deny", "denied"}}) {
                if (!tf.has(pair[0])) continue;
                ArrayNode entries = api.putArray(pair[1]);
                for (JsonNode block : tf.get(pair[0])) {
                    ObjectNode entry = entries.addObject().put("IPProtocol", template(block.get("protocol").asText()));
                    if (block.has("ports")) {
                        ArrayNode ports = entry.putArray("ports");
                        block.get("ports").forEach(p -> ports.add(template(p.asText())));
                    }
                }
            }
            for (String[] pair : new String[][] {{"source_ranges", "sourceRanges"},
                    {"destination_ranges", "destinationRanges"}, {"target_tags", "targetTags"}}) {
                if (!tf.has(pair[0])) continue;
                ArrayNode values = api.putArray(pair[1]);
                tf.get(pair[0]).forEach(v -> values.add(template(v.asText())));
            }
            if (tf.has("log_config")) {
                JsonNode block = tf.get("log_config");
                if (block.size() != 1) throw new IllegalArgumentException("log_config blocks: " + block);
                api.putObject("logConfig").put("enable", true)
                        .put("metadata", template(block.get(0).get("metadata").asText()));
            }
        }
        return out;
    }

    /** A Terraform template string without interpolations or directives, as the literal text it stands for. */
    static String template(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c == '$' || c == '%') && i + 2 < text.length() && text.charAt(i + 1) == c && text.charAt(i + 2) == '{') {
                out.append(c).append('{');
                i += 2;
            } else if ((c == '$' || c == '%') && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                throw new IllegalArgumentException("a template sequence in " + text);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
