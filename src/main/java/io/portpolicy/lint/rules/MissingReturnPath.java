package io.portpolicy.lint.rules;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.diag.Severity;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

@RuleInfo(id = "PP201", name = "missing-return-path", severity = Severity.ERROR,
        summary = "In a stateless policy, a TCP or UDP flow a rule allows whose reply (from the server port to "
                + "the client's ephemeral ports) is not allowed.",
        rationale = "Without connection tracking nothing lets replies through by itself: a request that is "
                + "allowed but whose answer is dropped is a connection that hangs until it times out. The "
                + "reply must leave the server (its outbound rules) and enter the client (its inbound "
                + "rules) wherever those are hosts of the policy.",
        securitySeverity = "2.0")
public final class MissingReturnPath implements LintRule {

    /** What one request rule misses: per protocol and client port range, the server ports and clients. */
    private static final class Missing {
        final Map<String, Protocol> protocols = new LinkedHashMap<>();
        final Map<String, List<PortRange>> serverPorts = new LinkedHashMap<>();
        final Map<String, List<IPAddressSeqRange>> clients = new LinkedHashMap<>();
        final Map<String, List<PortRange>> clientPorts = new LinkedHashMap<>();
        final Set<String> leaving = new LinkedHashSet<>();
        final Set<String> entering = new LinkedHashSet<>();
        /** The deny and reject rules that drop some of the replies: a return rule must come before them. */
        final Set<Rule> droppedBy = new TreeSet<>(Comparator.comparingInt(Rule::index));
    }

    @Override
    public List<Finding> check(LintContext context) {
        Policy policy = context.policy();
        if (!policy.settings().isStateless()) return List.of();
        Map<Rule, Missing> byRule = new LinkedHashMap<>();
        for (Map<Direction, DirectedPolicy> layer : ReturnTraffic.layers(context)) {
            if (layer.size() < 2) continue;
            for (Direction direction : Direction.values()) {
                DirectedPolicy request = layer.get(direction);
                DirectedPolicy other = layer.get(ReturnTraffic.opposite(direction));
                PacketSet self = request.space().selfTraffic();
                for (RuleRegion region : request.rules()) {
                    Rule rule = region.rule();
                    if (rule.action() != Action.ALLOW) continue;
                    for (Protocol protocol : List.of(Protocol.TCP, Protocol.UDP)) {
                        PacketSet flows = region.decided().intersect(request.space().protocol(protocol)).minus(self);
                        if (flows.isEmpty()) continue;
                        // Replies, and packets only to clients' ports, are no requests that need one.
                        if (ReturnTraffic.areReplies(policy, flows, protocol)
                                || ReturnTraffic.toClientPorts(policy, flows, protocol)) {
                            continue;
                        }
                        flows = allowedAtOtherEnd(flows, other, protocol);
                        if (flows.isEmpty()) continue;
                        check(policy, flows, layer, protocol, byRule, rule);
                    }
                }
            }
        }
        List<Finding> found = new ArrayList<>();
        byRule.forEach((rule, missing) -> found.add(finding(context, rule, missing)));
        return found;
    }

    /**
     * The flows the other end lets through as well: when the other end is a target of the
     * layer and drops the request, there is no connection to answer.
     */
    private static PacketSet allowedAtOtherEnd(PacketSet flows, DirectedPolicy other, Protocol protocol) {
        PacketSet there = ReturnTraffic.carry(flows, other.space(), protocol);
        PacketSet blocked = there.minus(other.decidedAs(Action.ALLOW));
        if (blocked.isEmpty()) return flows;
        return flows.minus(ReturnTraffic.carry(blocked, flows.space(), protocol));
    }

    private static void check(Policy policy, PacketSet flows, Map<Direction, DirectedPolicy> layer, Protocol protocol,
                              Map<Rule, Missing> byRule, Rule rule) {
        DirectedPolicy out = layer.get(Direction.OUTBOUND);
        DirectedPolicy in = layer.get(Direction.INBOUND);
        // The replies, per ephemeral range of the clients they go to.
        Map<PortRange, PacketSet[]> replies = new LinkedHashMap<>();
        for (PacketCube cube : flows.describe()) {
            for (ReturnTraffic.Clients clients : ReturnTraffic.split(policy, cube.sources())) {
                List<ValueRange> ephemeral = List.of(new ValueRange(clients.ephemeral().low(), clients.ephemeral().high()));
                PacketSet[] reply = replies.computeIfAbsent(clients.ephemeral(),
                        e -> new PacketSet[] {out.space().none(), in.space().none()});
                reply[0] = reply[0].union(ReturnTraffic.build(out.space(), protocol, cube.destinationPorts(), ephemeral,
                        cube.destinations(), clients.ranges()));
                reply[1] = reply[1].union(ReturnTraffic.build(in.space(), protocol, cube.destinationPorts(), ephemeral,
                        cube.destinations(), clients.ranges()));
            }
        }
        PacketSet missingOut = out.space().none();
        PacketSet missingIn = in.space().none();
        for (Map.Entry<PortRange, PacketSet[]> entry : replies.entrySet()) {
            PacketSet notOut = entry.getValue()[0].minus(out.decidedAs(Action.ALLOW));
            PacketSet notIn = entry.getValue()[1].minus(in.decidedAs(Action.ALLOW));
            if (notOut.isEmpty() && notIn.isEmpty()) continue;
            missingOut = missingOut.union(notOut);
            missingIn = missingIn.union(notIn);
            Missing missing = byRule.computeIfAbsent(rule, r -> new Missing());
            String key = protocol.keyword() + " " + entry.getKey();
            missing.protocols.put(key, protocol);
            for (PacketSet part : List.of(notOut, notIn)) {
                for (PacketCube cube : part.describe()) {
                    missing.clientPorts.computeIfAbsent(key, p -> new ArrayList<>())
                            .addAll(ReturnTraffic.toPorts(cube.destinationPorts()));
                    missing.serverPorts.computeIfAbsent(key, p -> new ArrayList<>())
                            .addAll(ReturnTraffic.toPorts(cube.sourcePorts()));
                    missing.clients.computeIfAbsent(key, p -> new ArrayList<>()).addAll(cube.destinations());
                }
            }
        }
        if (missingOut.isEmpty() && missingIn.isEmpty()) return;
        Missing missing = byRule.get(rule);
        missing.leaving.addAll(Exposure.targetsOf(missingOut, out));
        missing.entering.addAll(Exposure.targetsOf(missingIn, in));
        missing.droppedBy.addAll(droppingRules(out, missingOut));
        missing.droppedBy.addAll(droppingRules(in, missingIn));
    }

    /** The policy's rules that drop some of the packets (the default drops the rest). */
    private static List<Rule> droppingRules(DirectedPolicy directed, PacketSet packets) {
        if (packets.isEmpty()) return List.of();
        return directed.rules().stream()
                .filter(region -> region.rule().action() != Action.ALLOW && region.decided().intersects(packets))
                .map(RuleRegion::rule).toList();
    }

    private Finding finding(LintContext context, Rule rule, Missing missing) {
        List<String> parts = new ArrayList<>();
        Map<String, List<String>> fixes = new LinkedHashMap<>();
        Map<String, Set<String>> serverPortsByProtocol = new LinkedHashMap<>();
        for (String key : missing.serverPorts.keySet()) {
            Protocol protocol = missing.protocols.get(key);
            List<PortRange> server = Exposure.mergePorts(missing.serverPorts.get(key));
            List<PortRange> client = Exposure.mergePorts(missing.clientPorts.get(key));
            boolean allServerPorts = server.size() == 1 && server.get(0).equals(PortRange.ALL);
            parts.add(protocol.keyword() + (allServerPorts ? " from any port" : " from port " + Exposure.ports(server))
                    + " to " + Exposure.addresses(Exposure.merge(missing.clients.get(key)))
                    + " port " + Exposure.ports(client));
            serverPortsByProtocol.computeIfAbsent(protocol.keyword(), k -> new LinkedHashSet<>())
                    .add(allServerPorts ? "" : ReturnTraffic.portSyntax(server));
        }
        serverPortsByProtocol.forEach((protocol, lists) -> {
            // One fix per protocol: the server ports of every part together.
            List<PortRange> all = new ArrayList<>();
            boolean any = false;
            for (String list : lists) {
                if (list.isEmpty()) any = true;
            }
            for (String key : missing.serverPorts.keySet()) {
                if (missing.protocols.get(key).keyword().equals(protocol)) all.addAll(missing.serverPorts.get(key));
            }
            List<PortRange> merged = Exposure.mergePorts(all);
            String serverSide = any || merged.equals(List.of(PortRange.ALL)) ? ""
                    : " port " + ReturnTraffic.portSyntax(merged);
            fixes.computeIfAbsent(serverSide, k -> new ArrayList<>()).add(protocol);
        });
        List<String> where = new ArrayList<>();
        if (!missing.leaving.isEmpty()) where.add("may not leave " + Exposure.names(missing.leaving));
        if (!missing.entering.isEmpty()) where.add("may not enter " + Exposure.names(missing.entering));
        String message = "stateless policy: the replies to this rule's traffic are not allowed: "
                + String.join("; ", parts) + " (" + String.join(", ", where) + ")";
        List<String> rules = new ArrayList<>();
        fixes.forEach((serverSide, protocols) -> rules.add("'allow " + String.join(", ", protocols) + " from "
                + ReturnTraffic.side(rule.to()) + serverSide + " to " + ReturnTraffic.side(rule.from())
                + " port ephemeral'"));
        return context.finding(this, rule, rule.location(), message, "add " + String.join(" and ", rules)
                + before(missing.droppedBy));
    }

    /**
     * Where the return rules must go when rules of the policy drop the replies: a return rule
     * placed after them, even one already there, never applies to what they decide first.
     */
    private static String before(Set<Rule> droppedBy) {
        if (droppedBy.isEmpty()) return "";
        String rules = String.join(" and ", droppedBy.stream()
                .map(r -> "the " + r.action().keyword() + " at " + r.location().path() + ":" + r.location().line())
                .toList());
        boolean one = droppedBy.size() == 1;
        return " before " + rules + ", which " + (one ? "drops" : "drop") + " the replies first (or narrow "
                + (one ? "it" : "them") + ")";
    }
}
