package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.engine.Target;
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
import io.portpolicy.model.ServiceMatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@RuleInfo(id = "PP202", name = "broad-ephemeral-inbound", severity = Severity.ERROR,
        summary = "An inbound rule admits most of a host's ephemeral port range: from source ports that are "
                + "not a server's in a stateless policy (warning), or at all in a stateful one (error).",
        rationale = "Ephemeral ports are where clients receive replies; nothing should be listening there. "
                + "A stateful firewall already admits the replies to connections the host opened, so an "
                + "inbound rule for the ephemeral range only lets strangers reach whatever binds there. "
                + "A stateless return rule must at least name the server's port as the source port, or "
                + "it admits connections from any port on the other side.",
        securitySeverity = "6.5")
public final class BroadEphemeralInbound implements LintRule {

    /** What a rule admits of one target's ephemeral ports of one protocol, as the message says it. */
    private record Admitted(Protocol protocol, String target, String text) {
    }

    /** By protocol, then target: the same order however the hosts are split into layers. */
    private static final Comparator<Admitted> ORDER =
            Comparator.comparing(Admitted::protocol).thenComparing(Admitted::target);

    @Override
    public List<Finding> check(LintContext context) {
        Policy policy = context.policy();
        boolean stateless = policy.settings().isStateless();
        Map<Rule, List<Admitted>> byRule = new LinkedHashMap<>();
        List<PortRange> ephemeralRanges = ReturnTraffic.ephemeralRanges(policy);
        for (DirectedPolicy directed : Exposure.layers(context, Direction.INBOUND)) {
            for (RuleRegion region : directed.rules()) {
                Rule rule = region.rule();
                if (rule.action() != Action.ALLOW) continue;
                for (Protocol protocol : List.of(Protocol.TCP, Protocol.UDP)) {
                    if (!mayCoverEphemeral(rule, protocol, ephemeralRanges)) continue;
                    PacketSet part = region.decided().intersect(directed.space().protocol(protocol));
                    if (part.isEmpty()) continue;
                    // Stateless, replies from a server's port are what the ephemeral ports are
                    // for. Stateful, the source port protects nothing: the sender chooses it.
                    if (stateless && ReturnTraffic.areReplies(part, protocol)) continue;
                    for (Target target : directed.space().owners(part)) {
                        PacketSet at = part.space().at(target);
                        PortRange ephemeral = ReturnTraffic.ephemeralOf(policy, target);
                        int covered = ReturnTraffic.covered(ephemeral, Exposure.openPorts(part.intersect(at), protocol));
                        if (2L * covered <= ephemeral.size()) continue;
                        // A rule matching every port of the protocol is all-ports-open's (PP106)
                        // finding, also where an earlier rule decides some of them first (a deny
                        // of tcp/23 above it, as PP101 advises).
                        List<PortRange> matched = Exposure.openPorts(region.matched().intersect(at), protocol);
                        if (ReturnTraffic.everyPort(matched)) continue;
                        byRule.computeIfAbsent(rule, r -> new ArrayList<>()).add(new Admitted(protocol,
                                target.name(), protocol.keyword() + " " + covered + " of the " + ephemeral.size()
                                + " ephemeral ports " + ephemeral + " of " + target.name()));
                    }
                }
            }
        }
        List<Finding> found = new ArrayList<>();
        byRule.forEach((rule, admitted) -> {
            List<String> parts = admitted.stream().sorted(ORDER).map(Admitted::text).toList();
            String list = parts.size() > 4 ? String.join(", ", parts.stream().limit(4).toList()) + " and "
                    + (parts.size() - 4) + " more" : String.join(", ", parts);
            Finding finding = stateless
                    ? context.finding(this, rule, rule.location(),
                            "admits, from source ports that are not a server's, " + list,
                            serverPortHint(rule, admitted.stream().map(Admitted::protocol).distinct().toList()))
                    : context.finding(this, rule, rule.location(), "admits " + list
                            + " in a stateful policy, where replies are already allowed",
                            "remove the rule: connection tracking admits the replies to the host's own connections");
            found.add(finding.withSeverity(stateless ? Severity.WARNING : Severity.ERROR));
        });
        return found;
    }

    /**
     * How to restrict the rule's source ports, naming its own peers: to the server's port it
     * names beside wider ones, else to a port of the user's choosing, with examples that are
     * whole clauses rather than placeholders, of services answering over the protocols the
     * finding names (an HTTPS example would mislead a reader of a UDP rule).
     */
    private static String serverPortHint(Rule rule, List<Protocol> protocols) {
        String peers = ReturnTraffic.side(rule.from());
        List<PortRange> named = ReturnTraffic.namedServerPorts(rule.from());
        if (!named.isEmpty()) {
            return "restrict the source port to the server's: 'from " + peers + " port "
                    + ReturnTraffic.portSyntax(named) + "'";
        }
        String examples = protocols.equals(List.of(Protocol.UDP))
                ? "'from " + peers + " port 53' for DNS replies or 'from " + peers + " port 161' for SNMP"
                : "'from " + peers + " port 443' for HTTPS replies or 'from " + peers + " port 53' for DNS";
        return "restrict the source port to the one the servers in '" + peers + "' answer from, as " + examples;
    }

    /**
     * Whether the ports the rule names for the protocol cover more than half of some ephemeral
     * range in use. What a rule admits at any target lies within the ports it names, so a rule
     * that cannot is never reported and needs no set operations.
     */
    private static boolean mayCoverEphemeral(Rule rule, Protocol protocol, List<PortRange> ephemeralRanges) {
        List<PortRange> ports = new ArrayList<>();
        for (ServiceMatch service : rule.services()) {
            if (service.protocol() != protocol) continue;
            if (service.ports() == null || service.ports().ephemeral()) return true;
            ports.addAll(service.ports().ranges());
        }
        return ephemeralRanges.stream().anyMatch(e -> 2L * ReturnTraffic.covered(e, ports) > e.size());
    }
}
