package io.portpolicy.lint;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.AddressResolver;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressText;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;
import io.portpolicy.parallel.Concurrently;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Who may reach what, read off the exact engine, for the exposure rules (PP101-PP107) and the
 * ephemeral-port rules: which rule admits a set of packets, at which targets, from which
 * sources, and whether from the whole world.
 */
public final class Exposure {

    /** Ranges that are not public: RFC 1918, RFC 4193, loopback, link-local, documentation. */
    private static final List<IPAddressSeqRange> NOT_PUBLIC = ranges("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
            "127.0.0.0/8", "169.254.0.0/16", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
            "fc00::/7", "::1/128", "fe80::/10", "2001:db8::/32");

    /** RFC 1918 and RFC 4193 (unique local) only. */
    private static final List<IPAddressSeqRange> PRIVATE = ranges("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
            "fc00::/7");

    /**
     * IPv6 prefix lengths are the IPv4 ones plus this many bits: a /24 of IPv4 and a /48 of
     * IPv6 are both one site's allocation.
     */
    public static final int V6_EXTRA_BITS = 24;

    private Exposure() {
    }

    /**
     * The policies of one direction to judge: the hosts when the policy has hosts, else the
     * groups its rules name (cloud policies), as the anomaly analysis does.
     */
    public static List<DirectedPolicy> layers(LintContext context, Direction direction) {
        return context.effective().analysisLayers().stream().filter(d -> d.space().direction() == direction).toList();
    }

    /**
     * What one allow rule admits of a set of packets, summed over every layer. (An allow
     * default is PP108's finding, not an exposure of any rule.)
     *
     * @param rule    the allow rule
     * @param world   whether it shares in admitting packets from every peer of an IP version
     * @param peers   the peers it admits (implicit rules left out)
     * @param targets the targets it admits them to, by name
     * @param worldTargets those of the targets the whole world reaches through it (empty where it
     *                  is not a world exposure)
     * @param admitted what it admits, per layer
     * @param fromWorld the part of that the whole world may send, per layer (empty where it is
     *                  not a world exposure)
     * @param widePeers the public parts wider than /24 (IPv6 /48) of the peers it admits, layer
     *                  after layer, not merged
     */
    public record Hit(Rule rule, boolean world, List<IPAddressSeqRange> peers, Set<String> targets,
                      Set<String> worldTargets, List<PacketSet> admitted, List<PacketSet> fromWorld,
                      List<IPAddressSeqRange> widePeers) {

        /** The targets a finding names: those the whole world reaches when it does, else all it admits to. */
        public Set<String> exposedTargets() {
            return world ? worldTargets : targets;
        }

        /** The finding, at the admitting rule (whose waivers then apply), from the world when the hit is. */
        public Finding finding(LintContext context, LintRule check, String message, String hint) {
            return context.finding(check, rule, rule.location(), message, hint).fromTheWorld(world);
        }
    }

    /**
     * For every allow rule that decides packets of {@code service}: the targets, the peers and
     * whether the world may send them. A deny before the allow already took its packets out of
     * the rule's decided set. {@code service} must not depend on the peer address (it names
     * protocols, ports, targets), so "every peer" can be judged within it.
     */
    public static List<Hit> hits(LintContext context, Direction direction, Function<PacketSpace, PacketSet> service) {
        return hits(context, direction, service, UnaryOperator.identity());
    }

    /**
     * As {@link #hits(LintContext, Direction, Function)}, what each rule admits in each layer
     * first narrowed by {@code counted} to the packets that count (it may be called on two
     * threads at once).
     */
    public static List<Hit> hits(LintContext context, Direction direction, Function<PacketSpace, PacketSet> service,
                                 UnaryOperator<PacketSet> counted) {
        // Each layer has a BDD of its own: half of them are read on a second thread.
        List<List<Part>> byLayer = Concurrently.eachInHalves(layers(context, direction),
                layer -> parts(layer, service, counted));
        Map<Rule, Hit> byRule = new LinkedHashMap<>();
        for (List<Part> parts : byLayer) for (Part part : parts) add(byRule, part);
        return new ArrayList<>(byRule.values());
    }

    /** Reads one part of a hit: {@code hit.admitted().get(part)} and {@code hit.fromWorld().get(part)}. */
    @FunctionalInterface
    public interface PartReader<T> {
        T read(Hit hit, int part);
    }

    /**
     * For each hit, what {@code reader} finds in each of its parts, in the order of its parts.
     * Each layer's sets live in a BDD of its own, so the layers are read on two threads, half of
     * them each: {@code readerFor} makes one reader per layer (it may keep that layer's sets, such
     * as a service, to reuse), which must share nothing it writes with the other layers' readers.
     */
    public static <T> List<List<T>> eachPart(List<Hit> hits, Function<PacketSpace, PartReader<T>> readerFor) {
        Map<PacketSpace, List<int[]>> partsByLayer = new IdentityHashMap<>();
        List<PacketSpace> layers = new ArrayList<>();
        for (int h = 0; h < hits.size(); h++) {
            List<PacketSet> admitted = hits.get(h).admitted();
            for (int part = 0; part < admitted.size(); part++) {
                PacketSpace space = admitted.get(part).space();
                partsByLayer.computeIfAbsent(space, s -> {
                    layers.add(s);
                    return new ArrayList<>();
                }).add(new int[] {h, part});
            }
        }
        List<List<T>> byLayer = Concurrently.eachInHalves(layers, space -> {
            PartReader<T> reader = readerFor.apply(space);
            List<T> found = new ArrayList<>();
            for (int[] at : partsByLayer.get(space)) found.add(reader.read(hits.get(at[0]), at[1]));
            return found;
        });
        List<List<T>> byHit = new ArrayList<>();
        for (Hit hit : hits) byHit.add(new ArrayList<>(Collections.nCopies(hit.admitted().size(), null)));
        for (int layer = 0; layer < layers.size(); layer++) {
            List<int[]> parts = partsByLayer.get(layers.get(layer));
            for (int i = 0; i < parts.size(); i++) {
                int[] at = parts.get(i);
                byHit.get(at[0]).set(at[1], byLayer.get(layer).get(i));
            }
        }
        return byHit;
    }

    /** What one allow rule admits in one layer, and of that what the world may send (possibly nothing). */
    private record Part(Rule rule, List<IPAddressSeqRange> peers, List<IPAddressSeqRange> widePeers,
                        List<String> targets, List<String> worldTargets, PacketSet admitted, PacketSet fromWorld) {
    }

    /** The parts the allow rules of one layer admit, in rule order. */
    private static List<Part> parts(DirectedPolicy directed, Function<PacketSpace, PacketSet> service,
                                    UnaryOperator<PacketSet> counted) {
        List<Part> parts = new ArrayList<>();
        PacketSpace space = directed.space();
        PacketSet wanted = service.apply(space);
        // A host talking to its own addresses is implicit, so no rule decides it; the members of
        // a group talking to each other are different machines, which the group's rules expose.
        List<RuleRegion> regions = directed.rules();
        for (int i = 0; i < regions.size(); i++) {
            RuleRegion region = regions.get(i);
            if (region.rule().action() != Action.ALLOW) continue;
            // Every packet wanted (most callers): no walk over both sets to see that they meet.
            if (wanted.isAll() ? region.decided().isEmpty() : !region.decided().intersects(wanted)) continue;
            PacketSet part = counted.apply(wanted.isAll() ? region.decided() : region.decided().intersect(wanted));
            if (!part.isEmpty()) parts.add(part(directed, i, part));
        }
        return parts;
    }

    /**
     * What rule {@code index} admits in one layer. The rule shares in a world exposure when the
     * world may send some of its packets (every peer is admitted there, by it or by other rules
     * or the implicit ones; an allow default is PP108's finding and does not count) and the rule
     * itself admits a wide public part of those senders: a rule for a few addresses (from
     * self, from the office) is not made "open to the world" by a later 'from any' beside it.
     */
    private static Part part(DirectedPolicy directed, int index, PacketSet part) {
        List<IPAddressSeqRange> peers = part.peerAddresses();
        List<IPAddressSeqRange> widePeers = widePublic(peers);
        PacketSet fromWorld = part.space().none();
        if (!widePeers.isEmpty()) {
            PacketSet candidate = worldPart(directed, index, part);
            List<IPAddressSeqRange> candidatePeers = candidate.peerAddresses();
            Set<Family> wide = Family.of(widePublic(candidatePeers));
            // Judged per IP version: 'from any6, 10.0.0.37' admits a few addresses, not the
            // world, at an IPv4-only host, wherever else it admits the IPv6 world.
            if (wide.containsAll(Family.of(candidatePeers))) fromWorld = candidate;
            else if (!wide.isEmpty()) fromWorld = candidate.intersect(part.space().ofFamily(wide.iterator().next()));
        }
        List<String> worldTargets = fromWorld.isEmpty() ? List.of() : targetsOf(fromWorld, directed);
        return new Part(directed.rules().get(index).rule(), peers, widePeers, targetsOf(part, directed), worldTargets,
                part, fromWorld);
    }

    /** Adds one layer's part to its rule's hit. */
    private static void add(Map<Rule, Hit> byRule, Part part) {
        Hit before = byRule.get(part.rule());
        List<IPAddressSeqRange> peers = new ArrayList<>(before == null ? List.of() : before.peers());
        peers.addAll(part.peers());
        Set<String> targets = new LinkedHashSet<>(before == null ? Set.of() : before.targets());
        targets.addAll(part.targets());
        Set<String> worldTargets = new LinkedHashSet<>(before == null ? Set.of() : before.worldTargets());
        worldTargets.addAll(part.worldTargets());
        List<PacketSet> admitted = new ArrayList<>(before == null ? List.of() : before.admitted());
        admitted.add(part.admitted());
        List<PacketSet> fromWorld = new ArrayList<>(before == null ? List.of() : before.fromWorld());
        fromWorld.add(part.fromWorld());
        List<IPAddressSeqRange> widePeers = new ArrayList<>(before == null ? List.of() : before.widePeers());
        widePeers.addAll(part.widePeers());
        boolean world = !part.fromWorld().isEmpty() || (before != null && before.world());
        byRule.put(part.rule(), new Hit(part.rule(), world, merge(peers), targets, worldTargets, admitted, fromWorld,
                widePeers));
    }

    /**
     * The part of {@code part} that the world may send: the packets at whose other fields
     * every peer is admitted (by the rules or the implicit ones). When the rule matches every
     * peer, each packet agreeing with {@code part} on the other fields is matched by it, so
     * decided by it, by an earlier rule or by the implicit rules: only an earlier deny or reject
     * can shut a peer out ({@link DirectedPolicy#openToEveryPeer}). Otherwise the admitted
     * packets of every rule that may meet the rule's, peers left free, are read.
     */
    private static PacketSet worldPart(DirectedPolicy directed, int index, PacketSet part) {
        PacketSet matched = directed.rules().get(index).matched();
        if (matched.equals(matched.anyPeer())) return directed.openToEveryPeer(index, part);
        return part.intersect(directed.decidedByRulesAtAnyPeer(Action.ALLOW, index, part.anyPeer()).everyPeer());
    }

    /**
     * The allow rules whose own sources are the world at some target: each matches every sender
     * of an IP version for some packet, an {@code except} of addresses a host admits anyway
     * (loopback, its own addresses) left aside. Unlike {@link Hit#world()}, other rules do not
     * count: two rules from halves of the internet are each a wide range. Read at the targets,
     * not off the text: {@code any except 10.0.0.0/8} to an IPv4-only host is a wide range
     * there, its IPv6 half meeting no address of the host, and {@code any6} to it matches nothing.
     * Built once per policy ({@link LintContext#worldSourced()}).
     */
    public static Set<Rule> worldSourced(LintContext context) {
        Set<Rule> rules = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DirectedPolicy layer : layers(context, Direction.INBOUND)) {
            for (RuleRegion region : layer.rules()) {
                Rule rule = region.rule();
                // Sources that do not name the world cannot match all of it: no need to look further.
                if (rule.action() != Action.ALLOW || rules.contains(rule)
                        || !AddressSets.named(rule.from()).coversWorld()) continue;
                if (matchesEverySender(region.matched(), layer.implicit())) rules.add(rule);
            }
        }
        return rules;
    }

    /** Whether some packet of {@code matched} is in it, or in {@code implicit}, from every peer of its IP version. */
    private static boolean matchesEverySender(PacketSet matched, PacketSet implicit) {
        if (matched.isEmpty()) return false;
        // Most rules naming the world match all of it alone: the implicit rules (a large set)
        // are only joined in for the rest.
        if (!matched.everyPeer().isEmpty()) return true;
        return !matched.union(implicit).everyPeer().intersect(matched.anyPeer()).isEmpty();
    }

    /** The targets of the layer that own some packet of the set. */
    public static List<String> targetsOf(PacketSet set, DirectedPolicy directed) {
        return directed.space().owners(set).stream().map(Target::name).toList();
    }

    // ---- ports -------------------------------------------------------------------------

    public static PacketSet port(PacketSpace space, Protocol protocol, int port) {
        return space.protocol(protocol).intersect(space.destinationPorts(PortRange.single(port)));
    }

    /** The destination ports of the set's packets of one protocol, merged, sorted. */
    public static List<PortRange> openPorts(PacketSet set, Protocol protocol) {
        // The protocol does not depend on the peer: drop the peers first, then cut the smaller set.
        return destinationPorts(set.anyPeer().intersect(set.space().protocol(protocol)));
    }

    /** The destination ports of the set's packets, merged, sorted. */
    public static List<PortRange> destinationPorts(PacketSet set) {
        if (set.isEmpty()) return List.of();
        List<PortRange> ports = new ArrayList<>();
        for (PacketCube cube : set.describe()) {
            for (ValueRange r : cube.destinationPorts()) ports.add(new PortRange(r.low(), r.high()));
        }
        return mergePorts(ports);
    }

    public static List<PortRange> mergePorts(List<PortRange> ports) {
        List<PortRange> sorted = new ArrayList<>(ports);
        sorted.sort(Comparator.naturalOrder());
        List<PortRange> merged = new ArrayList<>();
        for (PortRange next : sorted) {
            PortRange last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && next.low() <= last.high() + 1) {
                merged.set(merged.size() - 1, new PortRange(last.low(), Math.max(last.high(), next.high())));
            } else {
                merged.add(next);
            }
        }
        return merged;
    }

    /**
     * The widest run of destination ports the rule names for the protocol, every port for
     * {@code any} and {@code ephemeral}: what the rule admits of that protocol is no wider.
     */
    public static int widestNamed(Rule rule, Protocol protocol) {
        List<PortRange> named = new ArrayList<>();
        for (ServiceMatch term : rule.services()) {
            if (term.protocol() == Protocol.ANY || (term.protocol() == protocol && term.ports().ephemeral())) {
                return PortRange.ALL.size();
            }
            if (term.protocol() == protocol) named.addAll(term.ports().ranges());
        }
        return widest(mergePorts(named));
    }

    public static int widest(List<PortRange> ports) {
        return ports.stream().mapToInt(PortRange::size).max().orElse(0);
    }

    public static String ports(List<PortRange> ports) {
        String text = ports.stream().limit(4).map(PortRange::toString).collect(Collectors.joining(","));
        return ports.size() > 4 ? text + ",... (" + ports.size() + " ranges)" : text;
    }

    // ---- addresses ------------------------------------------------------------------

    /**
     * The public parts of the ranges that are wider than /24 (IPv6: /48), a few addresses
     * missing from them aside ({@link #wide}).
     */
    public static List<IPAddressSeqRange> widePublic(List<IPAddressSeqRange> peers) {
        return wide(AddressResolver.minus(peers, NOT_PUBLIC), 24);
    }

    /**
     * The private (RFC 1918, RFC 4193) parts of the ranges that are wider than /16 (IPv6: /40),
     * a few addresses missing from them aside ({@link #wide}).
     */
    public static List<IPAddressSeqRange> widePrivate(List<IPAddressSeqRange> peers) {
        List<IPAddressSeqRange> parts = new ArrayList<>();
        for (IPAddressSeqRange range : peers) {
            for (IPAddressSeqRange block : PRIVATE) {
                if (range.getLower().isIPv4() != block.getLower().isIPv4()) continue;
                IPAddressSeqRange part = range.intersect(block);
                if (part != null) parts.add(part);
            }
        }
        return wide(parts, 16);
    }

    /**
     * The ranges that, with their neighbours, hold more addresses than an IPv4 /{@code bits}
     * (IPv6: /bits+24). Neighbours closer than that many addresses count as one range with
     * holes, as long as the holes are under half of it: a deny of one address above {@code
     * allow from 10.2.0.0/15}, or a host's own address inside it, leaves the rule as wide as
     * before, not two narrower ranges; a list of single partner addresses scattered over many
     * /24s stays a list.
     */
    private static List<IPAddressSeqRange> wide(List<IPAddressSeqRange> ranges, int bits) {
        List<IPAddressSeqRange> wide = new ArrayList<>();
        List<IPAddressSeqRange> group = new ArrayList<>();
        BigInteger limit = BigInteger.ZERO;
        for (IPAddressSeqRange range : merge(ranges)) {
            IPAddressSeqRange last = group.isEmpty() ? null : group.get(group.size() - 1);
            boolean neighbour = last != null && last.getLower().isIPv4() == range.getLower().isIPv4()
                    && range.getLower().getValue().subtract(last.getUpper().getValue()).compareTo(limit) <= 0;
            if (!neighbour) {
                if (isWide(group, limit)) wide.addAll(group);
                group.clear();
                int prefix = range.getLower().isIPv4() ? bits : bits + V6_EXTRA_BITS;
                limit = BigInteger.ONE.shiftLeft(range.getLower().getBitCount() - prefix);
            }
            group.add(range);
        }
        if (isWide(group, limit)) wide.addAll(group);
        return wide;
    }

    /** Whether sorted neighbouring ranges hold more than {@code limit} addresses, and at least half of their span. */
    private static boolean isWide(List<IPAddressSeqRange> group, BigInteger limit) {
        if (group.isEmpty()) return false;
        BigInteger held = BigInteger.ZERO;
        for (IPAddressSeqRange range : group) held = held.add(range.getCount());
        BigInteger span = group.get(group.size() - 1).getUpper().getValue()
                .subtract(group.get(0).getLower().getValue()).add(BigInteger.ONE);
        return held.compareTo(limit) > 0 && held.shiftLeft(1).compareTo(span) >= 0;
    }
    /** Sorted, adjacent and overlapping ranges joined. */
    public static List<IPAddressSeqRange> merge(List<IPAddressSeqRange> ranges) {
        List<IPAddressSeqRange> merged = new ArrayList<>();
        for (boolean v4 : new boolean[] {true, false}) {
            List<IPAddressSeqRange> family = ranges.stream().filter(r -> r.getLower().isIPv4() == v4)
                    .sorted(Comparator.comparing(r -> r.getLower().getValue())).toList();
            IPAddressSeqRange last = null;
            for (IPAddressSeqRange next : family) {
                if (last != null && next.getLower().getValue().compareTo(last.getUpper().getValue().add(BigInteger.ONE)) <= 0) {
                    IPAddress upper = next.getUpper().getValue().compareTo(last.getUpper().getValue()) > 0
                            ? next.getUpper() : last.getUpper();
                    last = last.getLower().toSequentialRange(upper);
                    merged.set(merged.size() - 1, last);
                } else {
                    last = next;
                    merged.add(next);
                }
            }
        }
        return merged;
    }

    /** Up to four ranges, then how many more. */
    public static String addresses(List<IPAddressSeqRange> ranges) {
        String text = ranges.stream().limit(4).map(AddressText::range).collect(Collectors.joining(", "));
        return ranges.size() > 4 ? text + " and " + (ranges.size() - 4) + " more ranges" : text;
    }

    /** Up to four names, then how many more. */
    public static String names(Set<String> names) {
        String text = names.stream().limit(4).collect(Collectors.joining(", "));
        return names.size() > 4 ? text + " and " + (names.size() - 4) + " more" : text;
    }

    /** "from the whole world" or "from RANGES". */
    public static String sources(Hit hit) {
        return hit.world() ? "from the whole world" : "from " + addresses(hit.peers());
    }

    /**
     * What a warning about wide sources says after naming every range admitted: which of them
     * are the wide ones, "a public range wider than /24 (IPv6 /48)" when all of them are, else
     * "RANGE is a public range wider than ..." or "RANGES make up public ranges wider than ...",
     * so that narrow ranges admitted beside a wide one are listed but not taken for it.
     *
     * @param wide        the wide parts of {@code admitted} ({@link #widePublic} or {@link #widePrivate})
     * @param publicRanges whether they are public ranges, else private ones
     */
    public static String wideRanges(List<IPAddressSeqRange> admitted, List<IPAddressSeqRange> wide,
                                     boolean publicRanges) {
        String kind = publicRanges ? "public range" : "private range";
        String limit = " wider than " + (publicRanges ? "/24 (IPv6 /48)" : "/16 (IPv6 /40)");
        List<IPAddressSeqRange> wideMerged = merge(wide);
        if (wideMerged.equals(merge(admitted))) return "a " + kind + limit;
        // Several ranges may be one wide range with holes (see wide): they "make up" wide ranges.
        return addresses(wideMerged) + (wideMerged.size() == 1 ? " is a " + kind : " make up " + kind + "s") + limit;
    }

    private static List<IPAddressSeqRange> ranges(String... blocks) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (String block : blocks) ranges.add(new IPAddressString(block).getAddress().toSequentialRange());
        return List.copyOf(ranges);
    }
}
