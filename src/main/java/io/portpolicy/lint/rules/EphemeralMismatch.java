package io.portpolicy.lint.rules;

import inet.ipaddr.IPAddressSeqRange;
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
import io.portpolicy.model.Os;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;
import io.portpolicy.model.Setting;
import io.portpolicy.source.Location;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

@RuleInfo(id = "PP203", name = "ephemeral-mismatch", severity = Severity.ERROR,
        summary = "A return rule's destination port range misses part of the client's ephemeral range "
                + "(e.g. 32768-60999, Linux's range, for a Windows client).",
        rationale = "Operating systems pick client ports from different ranges: Linux 32768-60999, Windows, "
                + "BSD and macOS 49152-65535. A stateless return rule written with one system's range drops "
                + "the replies to connections another system opens from the ports outside it, which shows up "
                + "as connections that fail now and then. 'port ephemeral' always uses the right range.",
        securitySeverity = "2.0")
public final class EphemeralMismatch implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        Policy policy = context.policy();
        if (!policy.settings().isStateless()) return List.of();
        Map<Rule, Set<String>> byRule = new LinkedHashMap<>();
        String setting = ephemeralSource(context);
        for (Map<Direction, DirectedPolicy> layer : ReturnTraffic.layers(context)) {
            for (DirectedPolicy directed : layer.values()) {
                for (RuleRegion region : directed.rules()) {
                    Rule rule = region.rule();
                    List<PortRange> ports = returnPorts(policy, rule);
                    if (ports.isEmpty()) continue;
                    PacketSet matched = region.matched();
                    if (matched.isEmpty()) continue;
                    // A request from the clients' ports is no return rule, whatever its ports.
                    boolean replies = Stream.of(Protocol.TCP, Protocol.UDP)
                            .anyMatch(protocol -> ReturnTraffic.areReplies(policy, matched, protocol));
                    if (!replies) continue;
                    List<Clients> clients = new ArrayList<>();
                    if (directed.space().direction() == Direction.INBOUND) {
                        // The clients are the targets the replies enter.
                        for (Target target : directed.space().owners(matched)) {
                            clients.add(new Clients(target.name(), target.os(), ReturnTraffic.ephemeralOf(policy, target)));
                        }
                    } else {
                        // The clients are the peers the replies leave for; those that are hosts
                        // of the policy are judged where the replies enter them (above).
                        List<IPAddressSeqRange> peers = ReturnTraffic.notHosts(policy, matched.peerAddresses());
                        if (!peers.isEmpty()) {
                            clients.add(new Clients(Exposure.addresses(peers), null,
                                    policy.settings().ephemeral().value()));
                        }
                    }
                    for (Clients client : clients) {
                        List<PortRange> missing = ReturnTraffic.missing(client.ephemeral(), ports);
                        if (missing.isEmpty()) continue;
                        String os = client.os() != null ? client.os().keyword() : setting;
                        byRule.computeIfAbsent(rule, r -> new LinkedHashSet<>()).add(Exposure.ports(missing)
                                + " of the ephemeral range " + client.ephemeral() + " of " + client.name() + " (" + os + ")");
                    }
                }
            }
        }
        List<Finding> found = new ArrayList<>();
        byRule.forEach((rule, parts) -> {
            String list = parts.size() > 4 ? String.join("; ", parts.stream().limit(4).toList()) + " and "
                    + (parts.size() - 4) + " more" : String.join("; ", parts);
            found.add(context.finding(this, rule, rule.location(), "the return rule's ports "
                    + Exposure.ports(returnPortsOrEmpty(policy, rule)) + " miss " + list,
                    "write 'port ephemeral' to use each client's own range"));
        });
        return found;
    }

    private record Clients(String name, Os os, PortRange ephemeral) {
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

    private static List<PortRange> returnPortsOrEmpty(Policy policy, Rule rule) {
        return returnPorts(policy, rule);
    }

    /**
     * The literal destination ports of a rule that may be a return rule (allow, tcp or udp to
     * ports that overlap some ephemeral range), merged; empty when the rule is not one or
     * writes {@code port ephemeral}.
     */
    static List<PortRange> returnPorts(Policy policy, Rule rule) {
        if (rule.action() != Action.ALLOW) return List.of();
        List<PortRange> ports = new ArrayList<>();
        for (ServiceMatch service : rule.services()) {
            if (service.protocol() != Protocol.TCP && service.protocol() != Protocol.UDP) continue;
            if (service.ports() == null || service.ports().ephemeral() || service.ports().isAll()) return List.of();
            ports.addAll(service.ports().ranges());
        }
        List<PortRange> merged = Exposure.mergePorts(ports);
        List<PortRange> ephemeral = new ArrayList<>();
        for (Os os : Os.values()) ephemeral.add(os.ephemeral());
        ephemeral.add(policy.settings().ephemeral().value());
        boolean overlaps = ephemeral.stream().anyMatch(e -> ReturnTraffic.covered(e, merged) > 0);
        return overlaps ? merged : List.of();
    }
}
