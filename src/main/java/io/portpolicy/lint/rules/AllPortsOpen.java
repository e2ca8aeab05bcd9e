package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

@RuleInfo(id = "PP106", name = "all-ports-open", severity = Severity.ERROR,
        summary = "Every protocol or port ('any', tcp without ports, a range of over 1024 ports) is allowed "
                + "from the whole world (error), or a range of over 30 ports (configurable) from anywhere (warning).",
        rationale = "A firewall rule should name the services a host offers. Opening every port exposes "
                + "whatever happens to listen, now or later: debug consoles, databases bound to all "
                + "interfaces, agents with default passwords. Wide port ranges usually stand for a "
                + "service list nobody wrote down.",
        securitySeverity = "8.5")
public final class AllPortsOpen implements LintRule {

    /** Over this many contiguous ports from the world is "all ports". */
    public static final int WORLD_LIMIT = 1024;

    @Override
    public List<Finding> check(LintContext context) {
        Policy policy = context.policy();
        List<Exposure.Hit> hits = context.inboundHits();
        int rangeLimit = context.config().widePortRange();
        // Only where a rule names more ports than either limit can it open too many.
        int named = Math.min(rangeLimit, WORLD_LIMIT);
        // What the world may send, part by part (the hosts of a large policy are judged in two
        // layers, read on two threads); then what the rule admits from anyone, only for the hits
        // whose ports open to the world are not already the finding.
        List<List<WorldPart>> world = Exposure.eachPart(hits, space -> {
            PacketSet known = knownProtocols(space);
            return (hit, part) -> {
                PacketSet fromWorld = hit.fromWorld().get(part);
                return new WorldPart(!known.containsAll(fromWorld), openPorts(policy, hit, part, fromWorld, named));
            };
        });
        List<Exposure.Hit> needAdmitted = new ArrayList<>();
        for (int h = 0; h < hits.size(); h++) {
            List<Ports> worldPorts = world.get(h).stream().map(WorldPart::ports).toList();
            boolean needsPortsFromAnyone = wideProtocols(hits.get(h), named).stream()
                    .anyMatch(protocol -> Exposure.widest(joined(worldPorts, protocol)) <= WORLD_LIMIT);
            if (needsPortsFromAnyone) needAdmitted.add(hits.get(h));
        }
        List<List<Ports>> admitted = Exposure.eachPart(needAdmitted,
                space -> (hit, part) -> openPorts(policy, hit, part, hit.admitted().get(part), named));
        Map<Exposure.Hit, List<Ports>> fromAnyone = new IdentityHashMap<>();
        for (int i = 0; i < needAdmitted.size(); i++) fromAnyone.put(needAdmitted.get(i), admitted.get(i));
        List<Finding> found = new ArrayList<>();
        for (int h = 0; h < hits.size(); h++) {
            Exposure.Hit hit = hits.get(h);
            Finding finding = finding(context, hit, world.get(h), fromAnyone.getOrDefault(hit, List.of()), rangeLimit,
                    named);
            if (finding != null) found.add(finding);
        }
        return found;
    }

    /**
     * The ports one part of a hit opens: of TCP and of UDP where its rule names a range of over
     * the smaller limit (elsewhere it cannot open too many).
     */
    private record Ports(Map<Protocol, List<PortRange>> byProtocol) {
    }

    /** What one part of a hit opens to the world: protocols beyond TCP, UDP, ICMP and ICMPv6, and ports. */
    private record WorldPart(boolean otherProtocols, Ports ports) {
    }

    /** The finding for one hit, from what each of its parts opens to the world and to anyone; or null. */
    private Finding finding(LintContext context, Exposure.Hit hit, List<WorldPart> fromWorld, List<Ports> fromAnyone,
                            int rangeLimit, int named) {
        List<String> world = new ArrayList<>();
        List<String> wide = new ArrayList<>();
        if (fromWorld.stream().anyMatch(WorldPart::otherProtocols)) world.add("every protocol");
        List<Ports> worldPorts = fromWorld.stream().map(WorldPart::ports).toList();
        for (Protocol protocol : wideProtocols(hit, named)) {
            List<PortRange> openToWorld = joined(worldPorts, protocol);
            if (Exposure.widest(openToWorld) > WORLD_LIMIT) {
                world.add(describe(protocol, openToWorld));
                continue;
            }
            List<PortRange> ports = joined(fromAnyone, protocol);
            if (Exposure.widest(ports) > rangeLimit) wide.add(describe(protocol, ports));
        }
        if (world.isEmpty() && wide.isEmpty()) return null;
        if (world.contains("every protocol")) world = List.of("every protocol and port");
        String to = " to " + Exposure.names(world.isEmpty() ? hit.targets() : hit.worldTargets());
        String message = world.isEmpty()
                ? "admits " + String.join(" and ", wide) + " " + Exposure.sources(hit) + to + ": a range of over "
                        + rangeLimit + " ports"
                : "admits " + String.join(" and ", world) + " from the whole world" + to;
        String hint = "allow only the ports the service listens on (tcp/443, tcp/{80,443}), not ranges";
        Finding finding = hit.finding(context, this, message, hint);
        return finding.withSeverity(world.isEmpty() ? Severity.WARNING : Severity.ERROR);
    }

    /** TCP and UDP where the rule names a range of over {@code limit} ports. */
    private static List<Protocol> wideProtocols(Exposure.Hit hit, int limit) {
        return Stream.of(Protocol.TCP, Protocol.UDP)
                .filter(protocol -> Exposure.widestNamed(hit.rule(), protocol) > limit).toList();
    }

    /**
     * The ports of {@code set}, packets of one part of a hit, that count: those that open
     * connections ({@link ReturnTraffic#opening}).
     */
    private static Ports openPorts(Policy policy, Exposure.Hit hit, int part, PacketSet set, int limit) {
        Map<Protocol, List<PortRange>> ports = new EnumMap<>(Protocol.class);
        for (Protocol protocol : wideProtocols(hit, limit)) {
            PacketSet open = ReturnTraffic.opening(policy, hit.admitted().get(part), set, protocol);
            ports.put(protocol, Exposure.openPorts(open, protocol));
        }
        return new Ports(ports);
    }

    /** The ports of the protocol that the parts open, all parts (all layers) together. */
    private static List<PortRange> joined(List<Ports> parts, Protocol protocol) {
        List<PortRange> ports = new ArrayList<>();
        for (Ports part : parts) ports.addAll(part.byProtocol().getOrDefault(protocol, List.of()));
        return Exposure.mergePorts(ports);
    }

    private static PacketSet knownProtocols(PacketSpace space) {
        return space.protocol(Protocol.TCP).union(space.protocol(Protocol.UDP))
                .union(space.protocol(Protocol.ICMP)).union(space.protocol(Protocol.ICMPV6));
    }

    private static String describe(Protocol protocol, List<PortRange> ports) {
        if (ports.size() == 1 && ports.get(0).low() <= 1 && ports.get(0).high() == PortRange.MAX) {
            return "every " + protocol.keyword() + " port";
        }
        return protocol.keyword() + "/" + Exposure.ports(ports);
    }
}
