package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

@RuleInfo(id = "PP106", name = "all-ports-open", severity = Severity.ERROR,
        summary = "Every protocol or port ('any', tcp without ports, a range of over 1024 ports) is allowed "
                + "from the whole world (error), or a range of over 30 ports from anywhere (warning).",
        rationale = "A firewall rule should name the services a host offers. Opening every port exposes "
                + "whatever happens to listen, now or later: debug consoles, databases bound to all "
                + "interfaces, agents with default passwords. Wide port ranges usually stand for a "
                + "service list nobody wrote down.",
        securitySeverity = "8.5")
public final class AllPortsOpen implements LintRule {

    /** Over this many contiguous ports from the world is "all ports". */
    public static final int WORLD_LIMIT = 1024;
    /** Over this many contiguous ports from anyone is a warning. */
    public static final int RANGE_LIMIT = 30;

    @Override
    public List<Finding> check(LintContext context) {
        List<Finding> found = new ArrayList<>();
        Map<PacketSpace, PacketSet> knownProtocols = new HashMap<>();
        for (Exposure.Hit hit : context.inboundHits()) {
            List<String> world = new ArrayList<>();
            List<String> wide = new ArrayList<>();
            for (int i = 0; i < hit.admitted().size(); i++) {
                PacketSpace space = hit.admitted().get(i).space();
                PacketSet fromWorld = hit.fromWorld().get(i);
                if (!knownProtocols.computeIfAbsent(space, AllPortsOpen::knownProtocols).containsAll(fromWorld)) {
                    addOnce(world, "every protocol");
                }
            }
            // The ports of every layer together (the hosts of a large policy are judged in two).
            for (Protocol protocol : List.of(Protocol.TCP, Protocol.UDP)) {
                if (Exposure.widestNamed(hit.rule(), protocol) <= RANGE_LIMIT) continue;
                List<PortRange> worldPorts = openPorts(hit.fromWorld(), protocol);
                if (Exposure.widest(worldPorts) > WORLD_LIMIT) {
                    world.add(describe(protocol, worldPorts));
                    continue;
                }
                List<PortRange> ports = openPorts(hit.admitted(), protocol);
                if (Exposure.widest(ports) > RANGE_LIMIT) wide.add(describe(protocol, ports));
            }
            if (world.isEmpty() && wide.isEmpty()) continue;
            if (world.contains("every protocol")) world = List.of("every protocol and port");
            String to = " to " + Exposure.names(hit.targets());
            String message = world.isEmpty()
                    ? "admits " + String.join(" and ", wide) + " " + Exposure.sources(hit) + to + ": a range of over "
                            + RANGE_LIMIT + " ports"
                    : "admits " + String.join(" and ", world) + " from the whole world" + to;
            String hint = "allow only the ports the service listens on (tcp/443, tcp/{80,443}), not ranges";
            Finding finding = hit.finding(context, this, message, hint);
            found.add(finding.withSeverity(world.isEmpty() ? Severity.WARNING : Severity.ERROR));
        }
        return found;
    }

    private static PacketSet knownProtocols(PacketSpace space) {
        return space.protocol(Protocol.TCP).union(space.protocol(Protocol.UDP))
                .union(space.protocol(Protocol.ICMP)).union(space.protocol(Protocol.ICMPV6));
    }

    /** {@link Exposure#openPorts} of sets of several layers, merged. */
    private static List<PortRange> openPorts(List<PacketSet> sets, Protocol protocol) {
        List<PortRange> ports = new ArrayList<>();
        for (PacketSet set : sets) ports.addAll(Exposure.openPorts(set, protocol, false));
        return Exposure.mergePorts(ports);
    }

    private static String describe(Protocol protocol, List<PortRange> ports) {
        if (ports.size() == 1 && ports.get(0).low() <= 1 && ports.get(0).high() == PortRange.MAX) {
            return "every " + protocol.keyword() + " port";
        }
        return protocol.keyword() + "/" + Exposure.ports(ports);
    }

    private static void addOnce(List<String> list, String item) {
        if (!list.contains(item)) list.add(item);
    }
}
