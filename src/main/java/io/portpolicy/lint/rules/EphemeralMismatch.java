package io.portpolicy.lint.rules;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.diag.Severity;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
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
import io.portpolicy.model.Setting;
import io.portpolicy.source.Location;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

@RuleInfo(id = "PP203", name = "ephemeral-mismatch", severity = Severity.ERROR,
        summary = "A return rule whose replies the policy admits to only part of the client's ephemeral range "
                + "(e.g. 32768-60999, Linux's range, for a Windows client).",
        rationale = "Operating systems pick client ports from different ranges: Linux 32768-60999, Windows, "
                + "BSD and macOS 49152-65535. A stateless return rule written with one system's range drops "
                + "the replies to connections another system opens from the ports outside it, which shows up "
                + "as connections that fail now and then. 'port ephemeral' always uses the right range.",
        securitySeverity = "2.0")
public final class EphemeralMismatch implements LintRule {

    /** What the replies of one return rule miss, and the ports the rule admits. */
    private static final class Missed {
        final List<PortRange> admitted = new ArrayList<>();
        final Set<String> parts = new LinkedHashSet<>();
    }

    @Override
    public List<Finding> check(LintContext context) {
        Policy policy = context.policy();
        if (!policy.settings().isStateless()) return List.of();
        List<PortRange> ephemeralRanges = ReturnTraffic.ephemeralRanges(policy);
        String setting = ephemeralSource(context);
        Map<Rule, Missed> byRule = new LinkedHashMap<>();
        for (Map<Direction, DirectedPolicy> layer : ReturnTraffic.layers(context)) {
            for (DirectedPolicy directed : layer.values()) {
                for (RuleRegion region : directed.rules()) {
                    Rule rule = region.rule();
                    if (rule.action() != Action.ALLOW) continue;
                    for (Protocol protocol : List.of(Protocol.TCP, Protocol.UDP)) {
                        PacketSet replies = ReturnTraffic.flows(region, protocol);
                        if (replies.isEmpty() || !ReturnTraffic.areReplies(replies, protocol)) continue;
                        // Replies to clients' ports, not a server's (dns from port 53 to port 53).
                        List<PortRange> ports = Exposure.openPorts(replies, protocol);
                        if (ephemeralRanges.stream().noneMatch(e -> ReturnTraffic.covered(e, ports) > 0)) continue;
                        List<String> parts = missed(policy, directed, region, replies, protocol, setting);
                        if (parts.isEmpty()) continue;
                        Missed missed = byRule.computeIfAbsent(rule, r -> new Missed());
                        missed.admitted.addAll(ports);
                        missed.parts.addAll(parts);
                    }
                }
            }
        }
        List<Finding> found = new ArrayList<>();
        byRule.forEach((rule, missed) -> {
            List<String> parts = List.copyOf(missed.parts);
            String list = parts.size() > 4 ? String.join("; ", parts.subList(0, 4)) + " and "
                    + (parts.size() - 4) + " more" : String.join("; ", parts);
            found.add(context.finding(this, rule, rule.location(), "the return rule admits ports "
                    + Exposure.ports(Exposure.mergePorts(missed.admitted)) + ", and no rule admits its replies to "
                    + list, "write 'port ephemeral' to use each client's own range"));
        });
        return found;
    }

    /**
     * Where the range of clients without an os comes from: the policy's 'ephemeral', else the
     * configuration's (FILE:LINE), else the language's default.
     */
    private static String ephemeralSource(LintContext context) {
        if (context.policy().settings().ephemeral().written()) return "the policy's 'ephemeral' setting";
        Setting<PortRange> configured = context.config().ephemeral();
        if (configured == null) return "the language's default 'ephemeral'";
        Location at = configured.location();
        return "the configuration's 'ephemeral' setting, " + at.path() + ":" + at.line();
    }

    /**
     * The parts of the clients' ephemeral ranges that the policy does not admit replies to on
     * the return rule's flows (its addresses and server ports), as the message names them.
     * Inbound, the clients are the targets the replies enter; outbound, the peers they leave
     * for, those that are hosts of the policy or targets of the layer judged where the replies
     * enter them.
     */
    private static List<String> missed(Policy policy, DirectedPolicy directed, RuleRegion region, PacketSet replies,
                                       Protocol protocol, String setting) {
        PacketSpace space = directed.space();
        List<String> parts = new ArrayList<>();
        if (space.direction() == Direction.INBOUND) {
            for (Target target : space.owners(replies)) {
                PortRange ephemeral = ReturnTraffic.ephemeralOf(policy, target);
                PacketSet missing = notAdmitted(directed, replies.intersect(space.at(target)), ephemeral, region.matched());
                if (missing.isEmpty()) continue;
                String os = target.os() != null ? target.os().keyword() : setting;
                parts.add(part(missing, protocol, ephemeral, target.name() + " (" + os + ")"));
            }
        } else {
            // Peers that are targets too are told where the replies enter them.
            List<IPAddressSeqRange> peers = ReturnTraffic.notTargets(policy, space.layer().targets(),
                    replies.peerAddresses());
            if (peers.isEmpty()) return parts;
            PortRange ephemeral = policy.settings().ephemeral().value();
            PacketSet missing = notAdmitted(directed, replies.intersect(space.peers(peers)), ephemeral, region.matched());
            if (missing.isEmpty()) return parts;
            parts.add(part(missing, protocol, ephemeral,
                    Exposure.addresses(missing.peerAddresses()) + " (" + setting + ")"));
        }
        return parts;
    }

    /**
     * The replies on the flows to every port of the clients' ephemeral range that the direction
     * does not admit and the return rule does not name ({@code named}, what it matches). Ports
     * it names but an earlier deny drops first are no mismatch of its range: missing-return-path
     * (PP201) names the deny, and writing 'port ephemeral' would not bring them back.
     */
    private static PacketSet notAdmitted(DirectedPolicy directed, PacketSet flows, PortRange ephemeral,
                                         PacketSet named) {
        PacketSet toEphemeral = flows.anyDestinationPort().intersect(flows.space().destinationPorts(ephemeral));
        return toEphemeral.minus(directed.decidedAs(Action.ALLOW)).minus(named);
    }

    private static String part(PacketSet missing, Protocol protocol, PortRange ephemeral, String clients) {
        return Exposure.ports(Exposure.openPorts(missing, protocol)) + " of the ephemeral range " + ephemeral + " of "
                + clients;
    }
}
