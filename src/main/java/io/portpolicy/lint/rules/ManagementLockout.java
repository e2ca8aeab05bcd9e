package io.portpolicy.lint.rules;

import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Severity;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.Target;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Host;
import io.portpolicy.model.Os;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

@RuleInfo(id = "PP501", name = "management-lockout", severity = Severity.WARNING,
        summary = "A host whose inbound default is deny or reject allows no management access (SSH for "
                + "linux, bsd and macos; RDP or WinRM for windows) from anywhere.",
        rationale = "Loading a configuration that refuses every management connection cuts off the "
                + "administrators, and the automation that would roll it back, the moment it is applied; "
                + "recovery then needs console access. If the lockout is intended (an appliance managed "
                + "out of band), turn the rule off for that policy.",
        securitySeverity = "3.0")
public final class ManagementLockout implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        if (context.policy().settings().defaultInbound().value() == Action.ALLOW) return List.of();
        EffectivePolicy effective = context.effective();
        List<Finding> found = new ArrayList<>();
        // Per layer and os: the hosts to which some rule admits that os's management access.
        Map<DirectedPolicy, Map<Optional<Os>, Set<Target>>> reachable = new HashMap<>();
        for (Host host : context.policy().hosts().values().stream()
                .sorted(java.util.Comparator.comparing(Host::name)).toList()) {
            Target target = effective.target(host.name()).orElseThrow();
            DirectedPolicy inbound = effective.directed(target, Direction.INBOUND);
            List<PortRange> ports = managementPorts(context.policy(), host.os());
            Set<Target> managed = reachable.computeIfAbsent(inbound, d -> new HashMap<>())
                    .computeIfAbsent(Optional.ofNullable(host.os()), os -> {
                        PacketSpace space = inbound.space();
                        PacketSet admitted = inbound.decidedAs(Action.ALLOW, tcp(space, ports))
                                .minus(inbound.implicit());
                        return new HashSet<>(space.owners(admitted));
                    });
            if (managed.contains(target)) continue;
            String what = "management access (" + names(host.os()) + ", "
                    + (ports.isEmpty() ? "no TCP port" : "tcp/" + Exposure.ports(ports)) + ")";
            found.add(context.finding(this, host.location(),
                    "host " + Quote.of(host.name()) + " admits no " + what + " from anywhere: loading its configuration "
                            + "locks the administrators out",
                    "allow " + (host.os() == Os.WINDOWS ? "rdp or winrms" : "ssh") + " from the admin network or "
                            + "jump host to " + host.name() + " (or turn PP501 off if it is managed out of band)"));
        }
        return found;
    }

    /** The services an administrator of a host with this os connects to (any of them without an os). */
    private static List<String> services(Os os) {
        if (os == null) return List.of("ssh", "rdp", "winrm", "winrms");
        return os == Os.WINDOWS ? List.of("rdp", "winrm", "winrms") : List.of("ssh");
    }

    /**
     * The TCP ports of those services as the policy means them ({@link PolicyServices}). Only
     * TCP counts: a session needs it (RDP's UDP transport only joins a TCP session).
     */
    private static List<PortRange> managementPorts(Policy policy, Os os) {
        List<PortRange> ports = new ArrayList<>();
        for (String name : services(os)) ports.addAll(PolicyServices.ports(policy, name, Protocol.TCP));
        return Exposure.mergePorts(ports);
    }

    private static PacketSet tcp(PacketSpace space, List<PortRange> ports) {
        PacketSet onPorts = space.none();
        for (PortRange range : ports) onPorts = onPorts.union(space.destinationPorts(range));
        return space.protocol(Protocol.TCP).intersect(onPorts);
    }

    private static String names(Os os) {
        if (os == null) return "SSH, RDP or WinRM";
        return os == Os.WINDOWS ? "RDP or WinRM" : "SSH";
    }
}
