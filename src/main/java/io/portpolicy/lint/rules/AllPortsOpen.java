package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.Target;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
        // that open no target too much to the world (that is the finding then).
        List<List<WorldPart>> world = Exposure.eachPart(hits, space -> {
            PacketSet known = knownProtocols(space);
            return (hit, part) -> {
                PacketSet fromWorld = hit.fromWorld().get(part);
                List<String> everyProtocol = names(space.owners(fromWorld.minus(known)));
                return new WorldPart(everyProtocol, openPorts(policy, hit, part, fromWorld, named, WORLD_LIMIT));
            };
        });
        List<List<Clause>> toWorld = new ArrayList<>();
        List<Exposure.Hit> needAdmitted = new ArrayList<>();
        for (int h = 0; h < hits.size(); h++) {
            toWorld.add(worldClauses(hits.get(h), world.get(h), named));
            if (!wideProtocols(hits.get(h), named).isEmpty() && toWorld.get(h).isEmpty()) needAdmitted.add(hits.get(h));
        }
        List<List<Ports>> admitted = Exposure.eachPart(needAdmitted, space -> (hit, part) ->
                openPorts(policy, hit, part, hit.admitted().get(part), named, rangeLimit));
        Map<Exposure.Hit, List<Ports>> fromAnyone = new IdentityHashMap<>();
        for (int i = 0; i < needAdmitted.size(); i++) fromAnyone.put(needAdmitted.get(i), admitted.get(i));
        List<Finding> found = new ArrayList<>();
        for (int h = 0; h < hits.size(); h++) {
            Exposure.Hit hit = hits.get(h);
            Finding finding = finding(context, hit, toWorld.get(h), fromAnyone.getOrDefault(hit, List.of()), rangeLimit,
                    named);
            if (finding != null) found.add(finding);
        }
        return found;
    }

    /** Some targets of one part of a hit, and the ports of one protocol it opens at each of them alike. */
    private record TargetPorts(List<String> targets, List<PortRange> ports) {
    }

    /**
     * The ports one part of a hit opens: of TCP and of UDP where its rule names a range of over
     * the smaller limit (elsewhere it cannot open too many), target by target.
     */
    private record Ports(Map<Protocol, List<TargetPorts>> byProtocol) {
    }

    /**
     * What one part of a hit opens to the world: the targets it reaches with protocols beyond
     * TCP, UDP, ICMP and ICMPv6, and ports.
     */
    private record WorldPart(List<String> everyProtocol, Ports ports) {
    }

    /** What a finding says a rule opens: ports, or every protocol, at some of its targets. */
    private record Clause(String what, Set<String> targets) {
    }

    /**
     * The finding for one hit, from what it opens to the world beyond the limits
     * ({@link #worldClauses}) and what each of its parts opens to anyone; or null.
     */
    private Finding finding(LintContext context, Exposure.Hit hit, List<Clause> world, List<Ports> fromAnyone,
                            int rangeLimit, int named) {
        String hint = "allow only the ports the service listens on (tcp/443, tcp/{80,443}), not ranges";
        if (!world.isEmpty()) {
            String message = "admits " + clauses(world, "from the whole world");
            return hit.finding(context, this, message, hint).withSeverity(Severity.ERROR);
        }
        List<Clause> wide = new ArrayList<>();
        for (Protocol protocol : wideProtocols(hit, named)) {
            wide.addAll(portClauses(hit, protocol, joined(fromAnyone, protocol), rangeLimit, Set.of()));
        }
        if (wide.isEmpty()) return null;
        String message = "admits " + clauses(wide, Exposure.sources(hit)) + ": a range of over " + rangeLimit + " ports";
        return hit.finding(context, this, message, hint).withSeverity(Severity.WARNING);
    }

    /**
     * What a hit opens to the world beyond the limits: every protocol, or more than
     * {@link #WORLD_LIMIT} ports of TCP or UDP, each at the targets where it does (not the
     * union of what several targets open).
     */
    private static List<Clause> worldClauses(Exposure.Hit hit, List<WorldPart> fromWorld, int named) {
        Set<String> everyProtocol = new LinkedHashSet<>();
        for (WorldPart part : fromWorld) everyProtocol.addAll(part.everyProtocol());
        List<Clause> clauses = new ArrayList<>();
        if (!everyProtocol.isEmpty()) clauses.add(new Clause("every protocol and port", everyProtocol));
        List<Ports> ports = fromWorld.stream().map(WorldPart::ports).toList();
        for (Protocol protocol : wideProtocols(hit, named)) {
            clauses.addAll(portClauses(hit, protocol, joined(ports, protocol), WORLD_LIMIT, everyProtocol));
        }
        return clauses;
    }

    /**
     * The ports of one protocol that targets open beyond {@code limit} ports in a row, one clause
     * per list of ports with the targets opening exactly those, in the order of the hit's
     * targets (whatever layers they were judged in); targets already said to open everything
     * are left out.
     */
    private static List<Clause> portClauses(Exposure.Hit hit, Protocol protocol, List<TargetPorts> opened, int limit,
                                            Set<String> told) {
        Map<List<PortRange>, Set<String>> targetsByPorts = new LinkedHashMap<>();
        for (TargetPorts each : opened) {
            if (Exposure.widest(each.ports()) <= limit) continue;
            for (String target : each.targets()) {
                if (!told.contains(target)) targetsByPorts.computeIfAbsent(each.ports(), p -> new LinkedHashSet<>()).add(target);
            }
        }
        Map<String, Integer> order = new HashMap<>();
        for (String target : hit.targets()) order.put(target, order.size());
        Comparator<String> byOrder = Comparator.comparing(order::get);
        List<Clause> clauses = new ArrayList<>();
        targetsByPorts.forEach((ports, targets) -> {
            Set<String> sorted = new LinkedHashSet<>(targets.stream().sorted(byOrder).toList());
            clauses.add(new Clause(describe(protocol, ports), sorted));
        });
        clauses.sort(Comparator.comparing(c -> c.targets().iterator().next(), byOrder));
        return clauses;
    }

    /**
     * "A and B FROM to T" when every clause is about the same targets, else
     * "A FROM to T1; B to T2".
     */
    private static String clauses(List<Clause> clauses, String from) {
        Set<String> first = clauses.get(0).targets();
        if (clauses.stream().allMatch(c -> c.targets().equals(first))) {
            return clauses.stream().map(Clause::what).collect(Collectors.joining(" and ")) + " " + from + " to "
                    + Exposure.names(first);
        }
        StringBuilder text = new StringBuilder(clauses.get(0).what() + " " + from + " to " + Exposure.names(first));
        for (Clause clause : clauses.subList(1, clauses.size())) {
            text.append("; ").append(clause.what()).append(" to ").append(Exposure.names(clause.targets()));
        }
        return text.toString();
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
    private static Ports openPorts(Policy policy, Exposure.Hit hit, int part, PacketSet set, int named, int limit) {
        Map<Protocol, List<TargetPorts>> ports = new EnumMap<>(Protocol.class);
        for (Protocol protocol : wideProtocols(hit, named)) {
            PacketSet open = ReturnTraffic.opening(policy, hit.admitted().get(part), set, protocol);
            ports.put(protocol, byTarget(open.anyPeer().intersect(open.space().protocol(protocol)), limit));
        }
        return new Ports(ports);
    }

    /**
     * The ports a set of one protocol's packets opens (senders left aside) at the targets owning
     * some, the targets that open the same ports together. Most rules open the same ports at
     * every target: only the targets missing some port open at another are read one by one.
     */
    private static List<TargetPorts> byTarget(PacketSet opened, int limit) {
        List<PortRange> all = Exposure.destinationPorts(opened);
        PacketSpace space = opened.space();
        List<Target> owners = space.owners(opened);
        // No target can open too many where all of them together do not.
        if (owners.size() <= 1 || Exposure.widest(all) <= limit) return List.of(new TargetPorts(names(owners), all));
        PacketSet anyPort = space.none();
        for (PortRange ports : all) anyPort = anyPort.union(space.destinationPorts(ports));
        PacketSet toPorts = opened.anySourcePort();
        Set<Target> fewer = new HashSet<>(space.owners(toPorts.anyDestinationPort().intersect(anyPort).minus(toPorts)));
        List<String> opensAll = new ArrayList<>();
        Map<List<PortRange>, List<String>> byPorts = new LinkedHashMap<>();
        for (Target target : owners) {
            if (fewer.contains(target)) {
                List<PortRange> ports = Exposure.destinationPorts(opened.intersect(space.at(target)));
                byPorts.computeIfAbsent(ports, p -> new ArrayList<>()).add(target.name());
            } else {
                opensAll.add(target.name());
            }
        }
        List<TargetPorts> each = new ArrayList<>();
        if (!opensAll.isEmpty()) each.add(new TargetPorts(opensAll, all));
        byPorts.forEach((ports, targets) -> each.add(new TargetPorts(targets, ports)));
        return each;
    }

    private static List<String> names(List<Target> targets) {
        return targets.stream().map(Target::name).toList();
    }

    /** What the parts (all layers) open of the protocol, target by target. */
    private static List<TargetPorts> joined(List<Ports> parts, Protocol protocol) {
        List<TargetPorts> ports = new ArrayList<>();
        for (Ports part : parts) ports.addAll(part.byProtocol().getOrDefault(protocol, List.of()));
        return ports;
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
