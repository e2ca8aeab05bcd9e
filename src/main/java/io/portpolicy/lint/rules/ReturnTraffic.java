package io.portpolicy.lint.rules;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.engine.AddressResolver;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.LintContext;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Host;
import io.portpolicy.model.Os;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Requests and their replies for the ephemeral-port rules (PP201-PP203), and the replies the
 * exposure rules leave to them: which packets are which, and whose ephemeral range a client
 * uses. A reply goes from the server port to the client's ephemeral range; the engine turns
 * requests into replies ({@link PacketSpace#repliesTo}, {@link PacketSpace#atOtherEnd}).
 */
final class ReturnTraffic {

    /** The ports servers listen on and clients never use as their own. */
    private static final PortRange WELL_KNOWN = new PortRange(1, 1023);

    /**
     * At most this many source ports in all are a server's (a port or a few). The sender chooses
     * its source port, so a wider choice, even outside every ephemeral range (1024-32767,
     * 1-1023), names no server: it lets anyone in.
     */
    private static final int SERVER_PORTS = 30;

    /** Every port a service can listen on. */
    private static final PortRange EVERY_PORT = new PortRange(1, PortRange.MAX);

    private ReturnTraffic() {
    }

    /** The inbound and outbound policies of each analysis layer. */
    static List<Map<Direction, DirectedPolicy>> layers(LintContext context) {
        Map<Object, Map<Direction, DirectedPolicy>> byLayer = new LinkedHashMap<>();
        for (DirectedPolicy directed : context.effective().analysisLayers()) {
            byLayer.computeIfAbsent(directed.space().layer(), k -> new EnumMap<>(Direction.class))
                    .put(directed.space().direction(), directed);
        }
        return new ArrayList<>(byLayer.values());
    }

    static Direction opposite(Direction direction) {
        return direction == Direction.INBOUND ? Direction.OUTBOUND : Direction.INBOUND;
    }

    /**
     * What a rule decides of one protocol in its region's space. A host's traffic with itself is
     * implicit, so no rule decides it; a group's members talking to each other are different
     * machines, whose requests need replies like any other.
     */
    static PacketSet flows(RuleRegion region, Protocol protocol) {
        return region.decided().intersect(region.decided().space().protocol(protocol));
    }

    /** Client addresses with the ephemeral range they use. */
    record Clients(List<IPAddressSeqRange> ranges, PortRange ephemeral) {
    }

    /**
     * The ranges split by the ephemeral range of their owner: a host's {@code os}, else the
     * policy's {@code ephemeral} setting (also for hosts without an os).
     */
    static List<Clients> split(Policy policy, List<IPAddressSeqRange> ranges) {
        PortRange fallback = policy.settings().ephemeral().value();
        Map<PortRange, List<IPAddressSeqRange>> byRange = new LinkedHashMap<>();
        List<IPAddressSeqRange> rest = new ArrayList<>(ranges);
        for (Host host : policy.hosts().values()) {
            if (host.os() == null) continue;
            for (IPAddress address : host.addresses()) {
                IPAddressSeqRange own = address.withoutPrefixLength().toSequentialRange();
                List<IPAddressSeqRange> next = new ArrayList<>();
                for (IPAddressSeqRange part : rest) {
                    if (part.getLower().isIPv4() != own.getLower().isIPv4() || !part.overlaps(own)) {
                        next.add(part);
                        continue;
                    }
                    byRange.computeIfAbsent(host.os().ephemeral(), k -> new ArrayList<>()).add(part.intersect(own));
                    next.addAll(List.of(part.subtract(own)));
                }
                rest = next;
            }
        }
        if (!rest.isEmpty()) byRange.computeIfAbsent(fallback, k -> new ArrayList<>()).addAll(rest);
        List<Clients> result = new ArrayList<>();
        byRange.forEach((range, parts) -> result.add(new Clients(Exposure.merge(parts), range)));
        return result;
    }

    /**
     * The parts of the ranges that neither a host of the policy nor one of {@code targets} (the
     * groups of a layer of a policy without hosts) owns.
     */
    static List<IPAddressSeqRange> notTargets(Policy policy, List<Target> targets, List<IPAddressSeqRange> ranges) {
        // A set: in a layer of hosts the targets are those hosts, whose addresses are not taken out twice.
        Set<IPAddressSeqRange> owned = new LinkedHashSet<>();
        for (Host host : policy.hosts().values()) {
            for (IPAddress address : host.addresses()) owned.add(address.withoutPrefixLength().toSequentialRange());
        }
        for (Target target : targets) owned.addAll(target.addresses());
        return Exposure.merge(AddressResolver.minus(ranges, List.copyOf(owned)));
    }

    /** A target's ephemeral range: its os, else the policy's setting. */
    static PortRange ephemeralOf(Policy policy, Target target) {
        return policy.settings().ephemeralFor(target.os());
    }

    /**
     * Whether a rule's packets of one protocol (what it decides) are replies rather than
     * requests: they come from servers' ports, at most {@value #SERVER_PORTS} source ports in
     * all ({@code from X port 443}, {@code port {80,443}}, {@code port 8000-8029}). Packets
     * from more source ports are requests: from clients' ephemeral ports ({@code port
     * 1024-65535}), from any source port (no {@code port}, or {@code port 0-65535}), or from a
     * wide range a sender may just as well choose ({@code port 1024-32767}, {@code port
     * 1-1023}). Every rule that tells a return rule from a request (PP101-PP106, PP201-PP203)
     * asks this.
     */
    static boolean areReplies(PacketSet packets, Protocol protocol) {
        List<PortRange> sourcePorts = sourcePorts(packets, protocol);
        return !sourcePorts.isEmpty() && areServers(sourcePorts);
    }

    /** Whether the source ports are a server's: at most {@value #SERVER_PORTS} in all. */
    static boolean areServers(List<PortRange> sourcePorts) {
        return sourcePorts.stream().mapToInt(PortRange::size).sum() <= SERVER_PORTS;
    }

    /**
     * The server's ports among the source ports a rule names, where it names some beside wider
     * ones ({@code port {443,1024-65535}}: 443); else none.
     */
    static List<PortRange> namedServerPorts(Endpoint from) {
        if (from.ports() == null) return List.of();
        List<PortRange> narrow = from.ports().ranges().stream().filter(r -> r.size() <= SERVER_PORTS).toList();
        return areServers(narrow) ? narrow : List.of();
    }

    /**
     * Of {@code set}, some of the packets a rule admits in one layer ({@code admitted}), those of
     * one protocol that let a sender open a connection. The sender chooses its source port, so
     * in a stateful policy that is all of them. In a stateless one a return rule's replies to
     * the target's own ephemeral ports are what the rule is for (PP202 and PP203 judge them):
     * only its other ports are open. The exposure rules (PP101-PP106) count these.
     */
    static PacketSet opening(Policy policy, PacketSet admitted, PacketSet set, Protocol protocol) {
        if (!policy.settings().isStateless() || !areReplies(admitted, protocol)) return set;
        return set.minus(toOwnEphemeral(policy, set.intersect(set.space().protocol(protocol))));
    }

    /** What the allow rules admit inbound of the packets of {@code service}, counting what {@link #opening} leaves. */
    static List<Exposure.Hit> openingHits(LintContext context, Function<PacketSpace, PacketSet> service) {
        Policy policy = context.policy();
        return Exposure.hits(context, Direction.INBOUND, service, admitted -> {
            PacketSet open = admitted;
            for (Protocol protocol : List.of(Protocol.TCP, Protocol.UDP)) {
                open = opening(policy, admitted, open, protocol);
            }
            return open;
        });
    }

    /** The source ports of the set's packets of one protocol, merged. */
    static List<PortRange> sourcePorts(PacketSet packets, Protocol protocol) {
        // Addresses left free: a few blocks of ports to read.
        PacketSet ports = packets.intersect(packets.space().protocol(protocol)).anyPeer().anyOwn();
        List<PortRange> sourcePorts = new ArrayList<>();
        for (PacketCube cube : ports.describe()) sourcePorts.addAll(toPorts(cube.sourcePorts()));
        return Exposure.mergePorts(sourcePorts);
    }

    /**
     * Whether packets of one protocol go to clients' ports only: most of some ephemeral range
     * and no well-known port ({@code to self port ephemeral}, {@code tcp/1024-65535}). Sent
     * from any port, they are still written for replies (PP202 judges them), not requests.
     */
    static boolean toClientPorts(Policy policy, PacketSet packets, Protocol protocol) {
        List<PortRange> ports = Exposure.openPorts(packets, protocol);
        if (covered(WELL_KNOWN, ports) > 0) return false;
        return ephemeralRanges(policy).stream().anyMatch(e -> 2L * covered(e, ports) > e.size());
    }

    /**
     * The ports a client with the ephemeral range {@code ephemeral} sends requests from, of the
     * source ports a request rule admits: where the replies go. Source ports as many as the
     * range or more are a wide choice, as if the rule named none (PP201 counts it a request
     * all the same): the client picks from its range, those of it the rule admits. Fewer
     * ports, or only ports outside the range, are ports the author chose for clients that bind
     * them: the client uses those.
     */
    static List<PortRange> clientPorts(List<PortRange> sourcePorts, PortRange ephemeral) {
        List<PortRange> inRange = ephemeral.minus(ephemeral.minus(sourcePorts));
        int admitted = sourcePorts.stream().mapToInt(PortRange::size).sum();
        return inRange.isEmpty() || admitted < ephemeral.size() ? sourcePorts : inRange;
    }

    /** The packets of an inbound set to the ephemeral range of the target they enter: what a return rule is for. */
    static PacketSet toOwnEphemeral(Policy policy, PacketSet set) {
        PacketSpace space = set.space();
        PacketSet replies = space.none();
        for (Target target : space.owners(set)) {
            replies = replies.union(set.intersect(space.at(target))
                    .intersect(space.destinationPorts(ephemeralOf(policy, target))));
        }
        return replies;
    }

    /** Every ephemeral range in use: each os's and the policy's setting. */
    static List<PortRange> ephemeralRanges(Policy policy) {
        List<PortRange> ranges = new ArrayList<>();
        for (Os os : Os.values()) if (!ranges.contains(os.ephemeral())) ranges.add(os.ephemeral());
        PortRange setting = policy.settings().ephemeral().value();
        if (!ranges.contains(setting)) ranges.add(setting);
        return ranges;
    }

    /** One side of a rule as written, without its ports. */
    static String side(Endpoint endpoint) {
        String text = endpoint.addresses().stream().map(Object::toString).collect(Collectors.joining(", "));
        if (!endpoint.except().isEmpty()) {
            text += " except " + endpoint.except().stream().map(Object::toString).collect(Collectors.joining(", "));
        }
        return text;
    }

    /** Ports in the language's syntax: N, N-M or {a,b-c}. */
    static String portSyntax(List<PortRange> ports) {
        String list = ports.stream().map(PortRange::toString).collect(Collectors.joining(","));
        return ports.size() == 1 ? list : "{" + list + "}";
    }

    static List<PortRange> toPorts(List<ValueRange> ranges) {
        return ranges.stream().map(r -> new PortRange(r.low(), r.high())).toList();
    }

    /** How many ports of {@code range} the ports cover. */
    static int covered(PortRange range, List<PortRange> ports) {
        int missing = range.minus(ports).stream().mapToInt(PortRange::size).sum();
        return range.size() - missing;
    }

    /** Whether the ports are every port a service can listen on, however written (tcp, tcp/0-65535, tcp/1-65535). */
    static boolean everyPort(List<PortRange> ports) {
        return covered(EVERY_PORT, ports) == EVERY_PORT.size();
    }
}
