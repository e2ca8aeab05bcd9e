package io.portpolicy.compile;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.EphemeralPorts;
import io.portpolicy.engine.Packet;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.kernel.KernelLab;
import io.portpolicy.kernel.LabAddresses;
import io.portpolicy.kernel.Probe;
import io.portpolicy.kernel.ProbeResult;
import io.portpolicy.kernel.Verdict;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Host;
import io.portpolicy.model.Policy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Cross-checks a compiled host configuration against the engine in a real kernel: picks probe
 * peers from the policy's own addresses (range ends and their neighbours) and documentation
 * addresses, ports from the rules' port ranges (ends and neighbours) and at random, sends TCP,
 * UDP and ICMP echo probes and lone ICMP messages (which ask for no answer, and which
 * connection tracking calls invalid) in both directions, and predicts each observed verdict
 * from {@link EffectivePolicy#decide}: for a stateful policy the request's verdict; for a
 * stateless one the request's and its answer's (the reply, or the reset / ICMP error a reject
 * sends, which leaves through the output chain and needs the policy's permission too).
 */
final class KernelCrossCheck {

    /** How a backend's output is loaded into a lab. */
    interface Loader {
        void load(KernelLab lab, Artifact artifact);
    }

    /** What one host's check did. */
    record Outcome(String label, int probes, List<String> mismatches, java.util.Map<Verdict, Integer> seen) {
    }

    /**
     * Lone ICMP messages as {type, code}, none of which can start a connection, so connection
     * tracking calls each invalid: echo reply, router advertisement, timestamp reply,
     * fragmentation needed about no known connection, an unassigned type.
     */
    private static final List<int[]> LONE_ICMP = List.of(new int[] {0, 0}, new int[] {9, 0}, new int[] {14, 0},
            new int[] {3, 4}, new int[] {42, 0});
    /** The same for ICMPv6: echo reply, packet too big and port unreachable about no known connection, an unassigned type. */
    private static final List<int[]> LONE_ICMPV6 = List.of(new int[] {129, 0}, new int[] {2, 0}, new int[] {1, 4},
            new int[] {200, 0});

    private static final List<String> DOCUMENTATION = List.of("192.0.2.77", "198.51.100.200", "203.0.113.250",
            "10.255.1.1", "2001:db8:ffff::77", "2001:db8:abcd::1");

    private final EffectivePolicy effective;
    private final Target host;
    private final Random random;
    private final boolean stateless;
    private final EphemeralPorts ephemeral;

    KernelCrossCheck(EffectivePolicy effective, Target host, long seed) {
        this.effective = effective;
        this.host = host;
        this.random = new Random(seed);
        this.stateless = effective.policy().settings().isStateless();
        this.ephemeral = new EphemeralPorts(effective.policy());
    }

    /** Whether every address of the host may be used in a lab. */
    static boolean labReady(Target host) {
        return host.addresses().stream().allMatch(r -> r.getLower().equals(r.getUpper()) && labAllowed(r.getLower()));
    }

    private static boolean labAllowed(IPAddress a) {
        try {
            return LabAddresses.allowed(InetAddress.getByAddress(a.getBytes()));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** How long a probe that got no answer in its batch waits when it is sent again alone. */
    private static final Duration SLOW_ANSWER = Duration.ofSeconds(3);

    Outcome run(String label, Artifact artifact, Loader loader, int maxProbes) {
        List<String> own = host.addresses().stream().map(r -> text(r.getLower())).toList();
        List<String> peers = peers();
        if (peers.isEmpty()) return new Outcome(label, 0, List.of(), java.util.Map.of());
        KernelLab.Builder builder = KernelLab.builder().target(own.toArray(new String[0]));
        builder.peer(peers.toArray(new String[0]));
        List<String> mismatches = new ArrayList<>();
        int count = 0;
        java.util.Map<Verdict, Integer> seen = new java.util.EnumMap<>(Verdict.class);
        try (KernelLab lab = builder.start()) {
            loader.load(lab, artifact);
            Set<String> used = new HashSet<>();
            for (Direction direction : Direction.values()) {
                List<Probe> probes = probes(direction, own, peers, used, maxProbes / 2);
                List<ProbeResult> results = lab.probe(probes);
                count += results.size();
                for (ProbeResult first : results) {
                    ProbeResult result = first;
                    Verdict expected = expected(result.probe(), direction, result.sourcePort());
                    if (result.verdict() == Verdict.DROPPED && expected != Verdict.DROPPED) {
                        // "No answer" within the short wait of a batch may be a loaded machine: a
                        // drop counts only once a probe of its own has waited long for an answer too.
                        result = lab.probe(result.probe().withTimeout(SLOW_ANSWER));
                        expected = expected(result.probe(), direction, result.sourcePort());
                    }
                    seen.merge(result.verdict(), 1, Integer::sum);
                    if (result.verdict() != expected) {
                        mismatches.add(label + ": " + result + "   <-- expected " + expected + " ("
                                + explain(result.probe(), direction, result.sourcePort()) + ")");
                    }
                }
            }
        }
        return new Outcome(label, count, mismatches, seen);
    }

    // ---- choosing peers, ports and probes ----------------------------------------------

    /** Peer addresses: other hosts, the ends of the rules' address ranges and their neighbours, documentation addresses. */
    private List<String> peers() {
        TreeSet<String> v4 = new TreeSet<>();
        TreeSet<String> v6 = new TreeSet<>();
        List<IPAddress> candidates = new ArrayList<>();
        for (Host other : effective.policy().hosts().values()) candidates.addAll(other.addresses());
        for (Direction direction : Direction.values()) {
            HostRules rules = HostRules.of(effective, host, direction);
            for (HostRules.Compiled compiled : rules.rules()) {
                for (PacketCube cube : compiled.cubes()) {
                    for (IPAddressSeqRange range : rules.peers(cube)) {
                        IPAddress low = range.getLower().withoutPrefixLength();
                        IPAddress high = range.getUpper().withoutPrefixLength();
                        candidates.add(low);
                        candidates.add(high);
                        if (!low.isZero()) candidates.add(low.increment(-1));
                        if (!high.isMax()) candidates.add(high.increment(1));
                    }
                }
            }
        }
        for (String d : DOCUMENTATION) candidates.add(new IPAddressString(d).getAddress());
        for (IPAddress a : candidates) {
            if (a == null || !labAllowed(a) || host.owns(a)) continue;
            if (a.isIPv4()) {
                int last = a.getBytes()[3] & 0xff;
                if (last == 0 || last == 255) continue;
                v4.add(text(a));
            } else {
                if (a.isZeroHost(64) && a.getSegment(7).getSegmentValue() == 0) continue;
                v6.add(text(a));
            }
        }
        List<String> peers = new ArrayList<>();
        boolean hasV4 = host.addresses().stream().anyMatch(r -> r.getLower().isIPv4());
        boolean hasV6 = host.addresses().stream().anyMatch(r -> r.getLower().isIPv6());
        if (hasV4) peers.addAll(sample(new ArrayList<>(v4), 10));
        if (hasV6) peers.addAll(sample(new ArrayList<>(v6), 10));
        return peers;
    }

    private List<String> sample(List<String> values, int max) {
        List<String> copy = new ArrayList<>(values);
        java.util.Collections.shuffle(copy, random);
        List<String> out = new ArrayList<>(copy.subList(0, Math.min(max, copy.size())));
        java.util.Collections.sort(out);
        return out;
    }

    /** Ports worth probing: the ends of every port range the rules name, their neighbours, and some others. */
    private List<Integer> ports(boolean source) {
        Set<Integer> ports = new TreeSet<>(List.of(22, 53, 80, 443, 1024, 8080));
        for (Direction direction : Direction.values()) {
            for (HostRules.Compiled compiled : HostRules.of(effective, host, direction).rules()) {
                for (PacketCube cube : compiled.cubes()) {
                    List<ValueRange> list = new ArrayList<>(cube.destinationPorts());
                    list.addAll(cube.sourcePorts());
                    for (ValueRange v : list) {
                        if (v.low() == 0 && v.high() == 65535) continue;
                        for (int p : new int[] {v.low(), v.high(), v.low() - 1, v.high() + 1}) {
                            if (p >= 1 && p <= 65535) ports.add(p);
                        }
                    }
                }
            }
        }
        for (int i = 0; i < 4; i++) ports.add(1 + random.nextInt(65535));
        return new ArrayList<>(ports);
    }

    private List<Probe> probes(Direction direction, List<String> own, List<String> peers, Set<String> used, int max) {
        List<Integer> destinationPorts = ports(false);
        List<Integer> sourcePorts = ports(true);
        List<Probe> all = new ArrayList<>();
        for (String peer : peers) {
            for (String self : own) {
                if (peer.contains(":") != self.contains(":")) continue;
                String from = direction == Direction.INBOUND ? peer : self;
                String to = direction == Direction.INBOUND ? self : peer;
                all.add(Probe.icmpEcho(from, to));
                List<int[]> lone = peer.contains(":") ? LONE_ICMPV6 : LONE_ICMP;
                int[] message = lone.get(random.nextInt(lone.size()));
                all.add(Probe.icmpMessage(from, to, message[0], message[1]));
                for (Probe.Protocol protocol : List.of(Probe.Protocol.TCP, Probe.Protocol.UDP)) {
                    for (int port : destinationPorts) {
                        Probe base = protocol == Probe.Protocol.TCP ? Probe.tcp(from, to, port) : Probe.udp(from, to, port);
                        all.add(base);
                    }
                }
            }
        }
        java.util.Collections.shuffle(all, random);
        // Probes aimed inside each rule's blocks first, then ICMP so every pair gets an echo and
        // a lone message, then as many port probes as fit.
        List<Probe> chosen = new ArrayList<>(aimed(direction, own, peers, used));
        all.stream().filter(KernelCrossCheck::isIcmp).forEach(chosen::add);
        for (Probe p : all) {
            if (chosen.size() >= Math.max(max, peers.size())) break;
            if (isIcmp(p)) continue;
            Probe fixed = withSourcePort(p, sourcePorts, used);
            if (fixed != null) chosen.add(fixed);
        }
        return chosen;
    }

    /** One probe inside each block of each rule (where a peer of the lab falls inside it). */
    private List<Probe> aimed(Direction direction, List<String> own, List<String> peers, Set<String> used) {
        List<Probe> out = new ArrayList<>();
        HostRules rules = HostRules.of(effective, host, direction);
        for (HostRules.Compiled compiled : rules.rules()) {
            for (PacketCube cube : compiled.cubes()) {
                List<String> inside = new ArrayList<>();
                for (String peer : peers) {
                    IPAddress a = new IPAddressString(peer).getAddress();
                    if (rules.peers(cube).stream().anyMatch(r -> r.contains(a))) inside.add(peer);
                }
                List<String> mine = new ArrayList<>();
                for (String self : own) {
                    IPAddress a = new IPAddressString(self).getAddress();
                    if (rules.owns(cube).stream().anyMatch(r -> r.contains(a))) mine.add(self);
                }
                if (inside.isEmpty() || mine.isEmpty()) continue;
                String peer = inside.get(random.nextInt(inside.size()));
                String self = mine.get(random.nextInt(mine.size()));
                String from = direction == Direction.INBOUND ? peer : self;
                String to = direction == Direction.INBOUND ? self : peer;
                List<ValueRange> protocols = cube.protocols();
                if (HostRules.contains(protocols, 1) || HostRules.contains(protocols, 58)) {
                    int echo = peer.contains(":") ? 128 : 8;
                    if (HostRules.contains(cube.icmpTypes(), echo)) out.add(Probe.icmpEcho(from, to));
                    for (int[] message : loneMessagesIn(cube, peer.contains(":"))) {
                        out.add(Probe.icmpMessage(from, to, message[0], message[1]));
                    }
                }
                for (int protocol : new int[] {6, 17}) {
                    if (!HostRules.contains(protocols, protocol)) continue;
                    ValueRange d = cube.destinationPorts().get(random.nextInt(cube.destinationPorts().size()));
                    int port = Math.max(1, random.nextBoolean() ? d.low() : d.high());
                    Probe p = protocol == 6 ? Probe.tcp(from, to, port) : Probe.udp(from, to, port);
                    ValueRange sp = cube.sourcePorts().get(random.nextInt(cube.sourcePorts().size()));
                    List<Integer> sports = sp.low() == 0 && sp.high() == 65535 ? List.of()
                            : List.of(Math.max(1, sp.low()), Math.max(1, sp.high()));
                    Probe fixed = withSourcePort(p, sports.isEmpty() ? ports(true) : sports, used, !sports.isEmpty());
                    if (fixed != null) out.add(fixed);
                }
            }
        }
        return out;
    }

    /**
     * The lone messages of the block: those of {@link #LONE_ICMP} (or {@link #LONE_ICMPV6}) it
     * holds, else its first type and code that is safe to send (one the policy names, such as
     * time-exceeded), if any.
     */
    private static List<int[]> loneMessagesIn(PacketCube cube, boolean v6) {
        List<int[]> out = new ArrayList<>();
        for (int[] message : v6 ? LONE_ICMPV6 : LONE_ICMP) {
            if (HostRules.contains(cube.icmpTypes(), message[0]) && HostRules.contains(cube.icmpCodes(), message[1])) {
                out.add(message);
            }
        }
        if (!out.isEmpty()) return out;
        for (ValueRange types : cube.icmpTypes()) {
            for (int type = types.low(); type <= types.high(); type++) {
                if (!safeToSend(type, v6)) continue;
                out.add(new int[] {type, cube.icmpCodes().get(0).low()});
                return out;
            }
        }
        return out;
    }

    /**
     * Whether a lone message of this type leaves the lab's routing and neighbours alone and is
     * judged by the policy: not a redirect, not neighbour discovery or multicast listener
     * messages (the implicit rules admit some), not an echo request (the echo probes cover it).
     */
    private static boolean safeToSend(int type, boolean v6) {
        if (v6) return type != 128 && (type < 130 || type > 143);
        return type != 5 && type != 8;
    }

    private static boolean isIcmp(Probe p) {
        return p.protocol() == Probe.Protocol.ICMP_ECHO || p.protocol() == Probe.Protocol.ICMP_MESSAGE;
    }

    private Probe withSourcePort(Probe p, List<Integer> interesting, Set<String> used) {
        return withSourcePort(p, interesting, used, false);
    }

    /**
     * A source port for the probe such that no two probes of the lab share a socket or a
     * connection-tracking entry (in either orientation): half the time one of the interesting
     * ports, otherwise one of the sender's ephemeral ports.
     */
    private Probe withSourcePort(Probe p, List<Integer> interesting, Set<String> used, boolean only) {
        IPAddress source = new IPAddressString(LabAddresses.text(p.source())).getAddress();
        var range = ephemeral.of(source);
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = only || random.nextBoolean() ? interesting.get(random.nextInt(interesting.size()))
                    : range.low() + random.nextInt(range.high() - range.low() + 1);
            if (port < 1 || port == p.port()) continue;
            String a = LabAddresses.text(p.source()) + "#" + port;
            String b = LabAddresses.text(p.destination()) + "#" + p.port();
            String socket = p.protocol() + " " + a;
            String flow = p.protocol() + " " + (a.compareTo(b) < 0 ? a + " " + b : b + " " + a);
            if (used.contains(socket) || used.contains(flow)) continue;
            used.add(socket);
            used.add(flow);
            return p.fromPort(port);
        }
        return null;
    }

    // ---- predicting verdicts --------------------------------------------------------------

    Verdict expected(Probe probe, Direction direction, int sourcePort) {
        Packet request = packet(probe, sourcePort, false);
        Action first = effective.decide(host, direction, request).action();
        Direction back = direction == Direction.INBOUND ? Direction.OUTBOUND : Direction.INBOUND;
        // A lone message has no answer, and the lab does not look for the error a reject sends.
        if (probe.protocol() == Probe.Protocol.ICMP_MESSAGE) return first == Action.ALLOW ? Verdict.ALLOWED : Verdict.DROPPED;
        if (!stateless) {
            return first == Action.ALLOW ? Verdict.ALLOWED : first == Action.REJECT ? Verdict.REJECTED : Verdict.DROPPED;
        }
        switch (first) {
            case DENY:
                return Verdict.DROPPED;
            case REJECT:
                if (direction == Direction.OUTBOUND) return Verdict.REJECTED; // answered locally, through lo
                Packet error = rejection(probe, sourcePort);
                return effective.decide(host, Direction.OUTBOUND, error).action() == Action.ALLOW
                        ? Verdict.REJECTED : Verdict.DROPPED;
            default:
                Packet reply = packet(probe, sourcePort, true);
                return effective.decide(host, back, reply).action() == Action.ALLOW ? Verdict.ALLOWED : Verdict.DROPPED;
        }
    }

    private String explain(Probe probe, Direction direction, int sourcePort) {
        Packet request = packet(probe, sourcePort, false);
        String text = "request " + effective.decide(host, direction, request).reason();
        if (stateless && probe.protocol() != Probe.Protocol.ICMP_MESSAGE) {
            Direction back = direction == Direction.INBOUND ? Direction.OUTBOUND : Direction.INBOUND;
            text += "; reply " + effective.decide(host, back, packet(probe, sourcePort, true)).reason();
        }
        return text;
    }

    /** The request, or with {@code reply} its answer (SYN-ACK, UDP echo, echo reply). */
    private static Packet packet(Probe probe, int sourcePort, boolean reply) {
        IPAddress src = address(probe.source());
        IPAddress dst = address(probe.destination());
        boolean v6 = probe.isIpv6();
        switch (probe.protocol()) {
            case ICMP_ECHO: {
                int type = reply ? (v6 ? 129 : 0) : (v6 ? 128 : 8);
                return reply ? new Packet(dst, src, v6 ? 58 : 1, 0, 0, type, 0) : new Packet(src, dst, v6 ? 58 : 1, 0, 0, type, 0);
            }
            case ICMP_MESSAGE:
                return new Packet(src, dst, v6 ? 58 : 1, 0, 0, probe.icmpType(), probe.icmpCode());
            default: {
                int protocol = probe.protocol() == Probe.Protocol.TCP ? 6 : 17;
                return reply ? new Packet(dst, src, protocol, probe.port(), sourcePort, 0, 0)
                        : new Packet(src, dst, protocol, sourcePort, probe.port(), 0, 0);
            }
        }
    }

    /** What an inbound reject sends back: a TCP reset, or an ICMP administratively-prohibited error. */
    private static Packet rejection(Probe probe, int sourcePort) {
        IPAddress src = address(probe.source());
        IPAddress dst = address(probe.destination());
        if (probe.protocol() == Probe.Protocol.TCP) return new Packet(dst, src, 6, probe.port(), sourcePort, 0, 0);
        return probe.isIpv6() ? new Packet(dst, src, 58, 0, 0, 1, 1) : new Packet(dst, src, 1, 0, 0, 3, 13);
    }

    private static IPAddress address(InetAddress a) {
        return new IPAddressString(LabAddresses.text(a)).getAddress();
    }

    private static String text(IPAddress a) {
        return a.withoutPrefixLength().toCanonicalString();
    }
}
