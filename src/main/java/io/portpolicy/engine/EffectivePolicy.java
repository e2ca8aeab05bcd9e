package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.Network;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.Setting;

import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * What a policy does, exactly: for every target (each host, and each group for cloud targets)
 * and direction, the partition of packet space into allowed, denied and rejected packets, and
 * which rule (or implicit rule, or default) decided each part. Every consumer reads this.
 *
 * <p>Order of evaluation at a target: the implicit rules (hosts only: loopback and IPv6
 * neighbour discovery), then the rules top to bottom, first match wins, with expired rules
 * left out, then the direction's default. Rules match only the target's own addresses on the
 * target's side, so packets whose own address is not the target's get the implicit rules or
 * the default.
 *
 * <p>All hosts are judged in one layer (no address has two owners), or in two for a large
 * stateful policy ({@link #hostLayers()}). Groups may share addresses, so each group asked for
 * is judged in a layer of its own, built when first needed.
 */
public final class EffectivePolicy {

    private final Policy policy;
    private final LocalDate today;
    /** Where this policy's atoms are cut (null when it shares its spaces, which cut at both policies' ranges). */
    private final AtomCuts cuts;
    /** The spaces shared with another policy, or null when this policy's layers have their own. */
    private final SharedSpaces shared;
    /** Whether each host asked about is judged in a layer of its own instead of the hosts' one. */
    private final boolean hostsApart;
    /**
     * Built layers. Concurrent: lint rule PP503 asks for groups' layers from two threads (each
     * group's layer has a BDD of its own, so only these maps are shared).
     */
    private final Map<TargetLayer, Map<Direction, DirectedPolicy>> layers = new ConcurrentHashMap<>();
    /** Layers built with some rules only ({@link #directedFocused}), by layer and direction. */
    private final Map<TargetLayer, Map<Direction, DirectedPolicy>> focused = new ConcurrentHashMap<>();
    /** Each layer's atoms, made once for both directions (not for shared spaces, which keep their own). */
    private final Map<TargetLayer, OwnAtoms> ownAtoms = new ConcurrentHashMap<>();
    private final Map<String, Target> groupTargets = new HashMap<>();
    /** The hosts' layers (see {@link #hostLayers()}), and the one each host is judged in. */
    private List<TargetLayer> hostLayers;
    /** How many layers the hosts are judged in, or 0 to choose by the policy ({@link #hostLayers()}). */
    private final int hostLayerCount;
    private final Map<Target, TargetLayer> hostLayerOf = new HashMap<>();
    private List<Rule> compiledRules;
    private RuleOverlaps overlaps;
    private final Map<Direction, RulesByOwnAddress> rulesByOwnAddress = new ConcurrentHashMap<>();
    /** What {@link #view} made, by key. */
    private final Map<Object, Object> views = new ConcurrentHashMap<>();

    /** From this many rules a stateful policy's hosts are judged in two layers ({@link #hostLayers()}). */
    private static final int RULES_FOR_TWO_HOST_LAYERS = 3000;

    private EffectivePolicy(Policy policy, LocalDate today, SharedSpaces shared, boolean hostsApart,
                            int hostLayerCount) {
        this.policy = policy;
        this.today = today;
        this.shared = shared;
        this.hostsApart = hostsApart;
        this.hostLayerCount = hostLayerCount;
        cuts = shared == null ? new AtomCuts(namedRanges(policy)) : null;
    }

    public static EffectivePolicy of(Policy policy, LocalDate today) {
        return new EffectivePolicy(policy, today, null, false, 0);
    }

    /**
     * The same verdicts, with the hosts judged in {@code hostLayers} layers (1 or 2) whatever
     * the policy's size (see {@link #hostLayers()}): for checking that the split changes
     * nothing, and for measuring it.
     */
    public static EffectivePolicy of(Policy policy, LocalDate today, int hostLayers) {
        if (hostLayers < 1 || hostLayers > 2) throw new IllegalArgumentException("1 or 2 host layers, not " + hostLayers);
        return new EffectivePolicy(policy, today, null, false, hostLayers);
    }

    /**
     * The same verdicts, for commands that ask about one or two targets (compiling one host, a
     * query): each host asked about is judged in a layer of its own, so only the rules that
     * apply at it are encoded in full and its sets carry no other host. The anomaly analysis
     * still judges all hosts together ({@link #analysisLayers()}).
     */
    public static EffectivePolicy forFewTargets(Policy policy, LocalDate today) {
        return new EffectivePolicy(policy, today, null, true, 0);
    }

    /**
     * The effective policies of two policies whose layers of the same targets share one BDD
     * space per direction (atoms cut at both policies' boundaries), so that what each decides
     * can be compared node for node ({@link PacketSet#samePackets}).
     */
    public static List<EffectivePolicy> sharingSpaces(Policy before, Policy after, LocalDate today) {
        SharedSpaces shared = new SharedSpaces(before, after);
        return List.of(new EffectivePolicy(before, today, shared, false, 1),
                new EffectivePolicy(after, today, shared, false, 1));
    }

    /**
     * The node table's starting size for one direction of a layer in which {@code rules} rules
     * are encoded: what the work is measured to need, with room to spare. A table that fills
     * up is garbage-collected (every live node marked, every node rehashed) and, when that
     * frees under half of it, doubled (copied and rehashed again); the rules' sets and regions
     * live to the end, so a collection frees little. Tables that started at half or a quarter
     * of the need did both twice in a 10,000-rule lint, 1.9 s of CPU (docs/performance.md,
     * eighth round). Measured at the end of lints of 1,000 to 10,000 generated rules: a layer
     * of hosts holds 240-340 nodes per rule inbound and 90-120 outbound, whether it has every
     * host or half of them (a rule's set hardly grows with the number of targets, since the
     * own address is an atom index at the bottom of the order); a host judged apart, 26
     * inbound and 37 outbound per rule of the policy. A layer of groups keeps the earlier
     * estimate. A diff encodes only the rules near its change, so its tables start small:
     * making a large one costs more than the work a diff then does in it.
     */
    private static int nodesFor(TargetLayer layer, Direction direction, int rules) {
        boolean inbound = direction == Direction.INBOUND;
        long perRule = layer.targets().size() == 1 ? 60
                : layer.hosts() ? (inbound ? 400 : 150)
                : 200;
        return (int) Math.min((1L << 14) + perRule * rules, 1 << 23);
    }

    /** Every range the policy names: atoms of target space never straddle their ends. */
    private static List<IPAddressSeqRange> namedRanges(Policy policy) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (Host host : policy.hosts().values()) host.addresses().forEach(a -> ranges.add(a.toSequentialRange()));
        for (Network network : policy.networks().values()) network.blocks().forEach(b -> ranges.add(b.range()));
        for (Group group : policy.groups().values()) {
            // Direct members only: nested groups' literals are their own members, networks are above.
            for (AddressTerm member : group.members()) {
                if (member instanceof AddressLiteral literal) ranges.add(literal.range());
            }
        }
        for (Rule rule : policy.rules()) {
            for (List<AddressTerm> terms : List.of(rule.from().addresses(), rule.from().except(),
                    rule.to().addresses(), rule.to().except())) {
                for (AddressTerm term : terms) if (term instanceof AddressLiteral literal) ranges.add(literal.range());
            }
        }
        return ranges;
    }

    public Policy policy() {
        return policy;
    }

    /** The date expiry is judged by: a rule whose {@code expires} is before it is not compiled. */
    public LocalDate today() {
        return today;
    }

    /** The rules that are compiled: all but the expired ones, in order. */
    public List<Rule> compiledRules() {
        if (compiledRules == null) compiledRules = policy.rules().stream().filter(r -> !r.expiredOn(today)).toList();
        return compiledRules;
    }

    /**
     * Which compiled rules may share packets: the same for every layer and direction, made
     * once, when the first direction asks (directions may ask from threads of their own).
     */
    private synchronized RuleOverlaps overlaps() {
        if (overlaps == null) overlaps = new RuleOverlaps(compiledRules());
        return overlaps;
    }

    /**
     * What {@code maker} reads off the policy, made the first time {@code key} asks for it and
     * kept as long as this object: an index that every group would otherwise build again by
     * reading every other group. {@code key} is a constant of the caller's.
     */
    @SuppressWarnings("unchecked")
    public <T> T view(Object key, Function<Policy, T> maker) {
        return (T) views.computeIfAbsent(key, k -> maker.apply(policy));
    }

    /**
     * Which compiled rules may match at a layer in the direction: made once, for every layer to
     * ask. Not under this object's lock: a thread building a layer would wait there while
     * another makes {@link #overlaps()}.
     */
    private RulesByOwnAddress rulesByOwnAddress(Direction direction) {
        return rulesByOwnAddress.computeIfAbsent(direction, d -> new RulesByOwnAddress(compiledRules(), d));
    }

    /** Hosts by name, then groups by name. */
    public List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        hostLayers().forEach(layer -> targets.addAll(layer.targets()));
        policy.groups().keySet().stream().sorted().forEach(name -> targets.add(groupTarget(name)));
        return targets;
    }

    public Optional<Target> target(String name) {
        Host host = policy.hosts().get(name);
        if (host != null) return Optional.of(Target.of(host));
        return policy.groups().containsKey(name) ? Optional.of(groupTarget(name)) : Optional.empty();
    }

    private Target groupTarget(String name) {
        return groupTargets.computeIfAbsent(name, n -> Target.of(policy.groups().get(n)));
    }

    /**
     * The hosts, by name, in one layer; or, for a large stateful policy, in two (the first half
     * of the names and the second), so that its analysis (the anomalies, the exposure rules)
     * works on the two at the same time, one per thread. The two cost more in all (a rule for
     * every host is encoded in both) but take about a quarter less time on two cores
     * (docs/performance.md, fifth round). A stateless policy keeps one: its return-path rules
     * follow a flow from host to host within a layer. Two policies sharing their spaces (a diff)
     * keep one, so that their layers pair up. {@link #of(Policy, LocalDate, int)} chooses instead.
     */
    private List<TargetLayer> hostLayers() {
        if (hostLayers == null) {
            List<Target> hosts = policy.hosts().values().stream().sorted(Comparator.comparing(Host::name))
                    .map(Target::of).toList();
            boolean split = hostLayerCount == 0
                    ? !policy.settings().isStateless() && policy.rules().size() >= RULES_FOR_TWO_HOST_LAYERS
                    : hostLayerCount == 2;
            split &= hosts.size() > 1;
            hostLayers = split
                    ? List.of(new TargetLayer(hosts.subList(0, hosts.size() / 2), true),
                            new TargetLayer(hosts.subList(hosts.size() / 2, hosts.size()), true))
                    : List.of(new TargetLayer(hosts, true));
            hostLayers.forEach(layer -> layer.targets().forEach(host -> hostLayerOf.put(host, layer)));
        }
        return hostLayers;
    }

    /** The directed policy of the layer the target is judged in (both directions are built together). */
    public DirectedPolicy directed(Target target, Direction direction) {
        return layer(layerOf(target)).get(direction);
    }

    /**
     * One direction of the target's layer in which only the rules at {@code positions} (in
     * {@link #compiledRules()}) are encoded; the others are taken to match nothing. Exact only
     * for packets that no rule outside {@code positions} matches: a diff reads a changed target
     * only within the packets of the rules that differ, where every rule that matches a packet
     * overlaps one of those rules, so it asks for those rules and their {@link #mayOverlap}
     * neighbours. Kept apart from the full layers; {@link #forget} drops it too.
     */
    public DirectedPolicy directedFocused(Target target, Direction direction, Set<Integer> positions) {
        TargetLayer layer = layerOf(target);
        return focused.computeIfAbsent(layer, key -> new EnumMap<>(Direction.class)).computeIfAbsent(direction,
                d -> new DirectedPolicy(policy, compiledRules(), this::overlaps, space(layer, d, positions.size()),
                        positions::contains));
    }

    /**
     * The positions of the compiled rules that may share a packet with the rule at {@code
     * position} (a superset of those that do), in ascending order.
     */
    public int[] mayOverlap(int position) {
        RuleOverlaps overlaps = overlaps();
        int[] earlier = overlaps.earlier(position);
        int[] later = overlaps.later(position);
        int[] both = Arrays.copyOf(earlier, earlier.length + later.length);
        System.arraycopy(later, 0, both, earlier.length, later.length);
        return both;
    }

    private TargetLayer layerOf(Target target) {
        if (target.isGroup() || hostsApart) return new TargetLayer(List.of(target), !target.isGroup());
        List<TargetLayer> hosts = hostLayers();
        TargetLayer layer = hosts.size() == 1 ? hosts.get(0) : hostLayerOf.get(target);
        if (layer == null) throw new IllegalArgumentException("not a host of this policy: " + target.name());
        return layer;
    }

    /**
     * The layers anomaly analysis judges the rules at. A policy with hosts describes host
     * firewalls: it is judged at its hosts. A policy without hosts is a cloud policy: it is
     * judged at its {@link #cloudTargets}, packed into as few layers of groups sharing no
     * address as a greedy pass finds.
     */
    public List<DirectedPolicy> analysisLayers() {
        List<TargetLayer> chosen = new ArrayList<>();
        if (!policy.hosts().isEmpty()) {
            chosen.addAll(hostLayers());
        } else {
            List<List<Target>> packed = new ArrayList<>();
            // Each layer's addresses, merged: a group is checked against a layer with a lookup, not
            // against each of its groups (with thousands of disjoint groups, one layer holds them all).
            List<AddressSet> held = new ArrayList<>();
            for (String name : cloudTargets()) {
                Target group = groupTarget(name);
                int home = 0;
                while (home < packed.size() && held.get(home).holdsAnyOf(group.addresses())) home++;
                if (home == packed.size()) {
                    packed.add(new ArrayList<>());
                    held.add(new AddressSet());
                }
                packed.get(home).add(group);
                group.addresses().forEach(held.get(home)::add);
            }
            packed.forEach(l -> chosen.add(new TargetLayer(l, false)));
        }
        List<DirectedPolicy> result = new ArrayList<>();
        for (TargetLayer layer : chosen) result.addAll(layer(layer).values());
        return result;
    }

    /**
     * The groups a policy without hosts is judged at, sorted: those its rules name, and those
     * holding an address a network or address literal of a rule names (a rule 'to 10.2.0.0/24'
     * applies at the group of 10.2.0.0/24 as surely as one naming it); or every group when its
     * rules name none (rules without 'to', or to 'any', apply at each). Not every group always:
     * a policy may define thousands of nested groups, and each judged group is a layer of its
     * own when they overlap.
     */
    public TreeSet<String> cloudTargets() {
        TreeSet<String> names = new TreeSet<>();
        List<IPAddressSeqRange> named = new ArrayList<>();
        for (Rule rule : policy.rules()) {
            for (List<AddressTerm> terms : List.of(rule.from().addresses(), rule.to().addresses())) {
                for (AddressTerm term : terms) {
                    if (term instanceof AddressTerm.GroupRef ref) names.add(ref.group().name());
                    if (term instanceof AddressTerm.NetworkRef || term instanceof AddressLiteral) {
                        named.addAll(AddressResolver.resolve(List.of(term), null));
                    }
                }
            }
        }
        if (names.isEmpty()) return new TreeSet<>(policy.groups().keySet());
        for (String group : policy.groups().keySet()) {
            if (!names.contains(group) && AddressResolver.overlap(groupTarget(group).addresses(), named)) names.add(group);
        }
        return names;
    }

    /** Addresses as disjoint intervals, by family: whether it holds any of some ranges is a lookup per range. */
    private static final class AddressSet {
        private final Map<Boolean, TreeMap<BigInteger, BigInteger>> byFamily =
                Map.of(true, new TreeMap<>(), false, new TreeMap<>());

        void add(IPAddressSeqRange range) {
            TreeMap<BigInteger, BigInteger> intervals = byFamily.get(range.getLower().isIPv4());
            BigInteger low = range.getLower().getValue();
            BigInteger high = range.getUpper().getValue();
            for (Map.Entry<BigInteger, BigInteger> met = intervals.floorEntry(high);
                 met != null && met.getValue().compareTo(low) >= 0; met = intervals.floorEntry(high)) {
                low = low.min(met.getKey());
                high = high.max(met.getValue());
                intervals.remove(met.getKey());
            }
            intervals.put(low, high);
        }

        boolean holdsAnyOf(List<IPAddressSeqRange> ranges) {
            for (IPAddressSeqRange range : ranges) {
                // The intervals are disjoint: only the last one starting at or before the range's end can reach it.
                Map.Entry<BigInteger, BigInteger> last = byFamily.get(range.getLower().isIPv4())
                        .floorEntry(range.getUpper().getValue());
                if (last != null && last.getValue().compareTo(range.getLower().getValue()) >= 0) return true;
            }
            return false;
        }
    }

    /**
     * Drops what was built for a target judged in a layer of its own (a group, or a host of
     * {@link #forFewTargets}), so that a command visiting every group in turn (a diff) holds
     * one group's sets at a time instead of all of them. Asking about the target again builds
     * them again.
     */
    public void forget(Target target) {
        if (!target.isGroup() && !hostsApart) return;
        TargetLayer layer = new TargetLayer(List.of(target), !target.isGroup());
        layers.remove(layer);
        focused.remove(layer);
        ownAtoms.remove(layer);
        if (shared != null) shared.forget(layer);
    }

    /**
     * Both directions of a layer, encoded at the same time ({@link BothDirections}). Built
     * outside the map's lock: a layer takes seconds and starts a thread of its own, and PP503
     * builds two groups' layers at once. Two threads asking for the same layer at once would
     * each build it, and both get the one stored first.
     */
    private Map<Direction, DirectedPolicy> layer(TargetLayer layer) {
        Map<Direction, DirectedPolicy> built = layers.get(layer);
        if (built != null) return built;
        Map<Direction, PacketSpace> spaces = new EnumMap<>(Direction.class);
        List<Rule> rules = compiledRules();
        Map<Direction, IntPredicate> encoded = new EnumMap<>(Direction.class);
        for (Direction direction : Direction.values()) {
            // A layer of one target encodes only the rules that may match there, in a BDD sized for
            // them: every group encoding every rule, in tables sized for all, took time growing with
            // the square of the groups. A layer of many targets encodes every rule, in tables tuned
            // for it: most rules may match at one of its targets, and finding which took 2% of a
            // 10,000-rule diff's CPU (docs/performance.md, twenty-second round).
            if (layer.targets().size() == 1) {
                BitSet mayMatch = rulesByOwnAddress(direction).mayMatchAt(layer.addresses());
                encoded.put(direction, mayMatch::get);
                spaces.put(direction, space(layer, direction, mayMatch.cardinality()));
            } else {
                encoded.put(direction, position -> true);
                spaces.put(direction, space(layer, direction, rules.size()));
            }
        }
        built = BothDirections.compute(direction -> new DirectedPolicy(policy, rules, this::overlaps,
                spaces.get(direction), encoded.get(direction)));
        Map<Direction, DirectedPolicy> first = layers.putIfAbsent(layer, built);
        return first == null ? built : first;
    }

    /** A new space for one direction of the layer (a shared one when this policy shares its spaces). */
    private PacketSpace space(TargetLayer layer, Direction direction, int rulesEncoded) {
        if (shared != null) return shared.space(layer, direction, rulesEncoded);
        OwnAtoms atoms = ownAtoms.computeIfAbsent(layer, key -> new OwnAtoms(key.addresses(), cuts));
        return new PacketSpace(layer, atoms, direction, nodesFor(layer, direction, rulesEncoded));
    }

    /**
     * One BDD per layer and direction for two policies: the atoms are cut at the boundaries of
     * both, over the addresses either gives the layer's targets (all hosts, or the same-named
     * groups).
     */
    private static final class SharedSpaces {
        private final List<Policy> policies;
        private final AtomCuts cuts;
        private final Map<List<String>, OwnAtoms> atoms = new HashMap<>();
        private final Map<List<String>, Map<Direction, Bdd>> bdds = new HashMap<>();

        SharedSpaces(Policy before, Policy after) {
            policies = List.of(before, after);
            List<IPAddressSeqRange> named = new ArrayList<>();
            policies.forEach(p -> named.addAll(namedRanges(p)));
            cuts = new AtomCuts(named);
        }

        PacketSpace space(TargetLayer layer, Direction direction, int rulesEncoded) {
            List<String> key = key(layer);
            OwnAtoms common = atoms.computeIfAbsent(key, k -> new OwnAtoms(addresses(k), cuts));
            int nodes = nodesFor(layer, direction, rulesEncoded);
            Bdd bdd = bdds.computeIfAbsent(key, k -> new EnumMap<>(Direction.class))
                    .computeIfAbsent(direction, d -> PacketSpace.newBdd(common, nodes));
            return new PacketSpace(layer, common, direction, bdd);
        }

        /** Forgets the layer's shared BDDs; a policy still holding the layer keeps them alive until it forgets it too. */
        void forget(TargetLayer layer) {
            atoms.remove(key(layer));
            bdds.remove(key(layer));
        }

        private static List<String> key(TargetLayer layer) {
            return layer.hosts() ? List.of() : layer.targets().stream().map(Target::name).toList();
        }

        /** Every host's addresses (no group names), or those of the named groups, in either policy. */
        private List<IPAddressSeqRange> addresses(List<String> groups) {
            List<IPAddressSeqRange> all = new ArrayList<>();
            for (Policy policy : policies) {
                if (groups.isEmpty()) {
                    policy.hosts().values().forEach(h -> all.addAll(Target.of(h).addresses()));
                }
                for (String name : groups) {
                    Group group = policy.groups().get(name);
                    if (group != null) all.addAll(Target.of(group).addresses());
                }
            }
            return all;
        }
    }

    /** The verdict for one packet judged at a target, and what decided it. */
    public Verdict decide(Target target, Direction direction, Packet packet) {
        IPAddress own = direction == Direction.INBOUND ? packet.destination() : packet.source();
        if (target.owns(own)) {
            DirectedPolicy directed = directed(target, direction);
            if (directed.implicit().contains(packet)) return implicit(direction, packet);
            for (RuleRegion region : directed.rules()) {
                if (region.decided().contains(packet)) {
                    Rule rule = region.rule();
                    return new Verdict(rule.action(), direction, rule, rule.location() + ": " + rule.text());
                }
            }
        } else if (!target.isGroup() && (packet.source().isLoopback() || packet.destination().isLoopback()
                || isNeighbourDiscovery(packet))) {
            return implicit(direction, packet);
        }
        Setting<Action> fallback = policy.settings().defaultSetting(direction);
        String words = "default " + direction.keyword() + " " + fallback.value().keyword();
        // A default written somewhere (an included file, say) is named where, as a rule is.
        return new Verdict(fallback.value(), direction, null, fallback.written() ? fallback.location() + ": " + words : words);
    }

    private static boolean isNeighbourDiscovery(Packet packet) {
        return packet.protocol() == Protocol.ICMPV6.number() && !packet.source().isIPv4()
                && packet.icmpType() >= 133 && packet.icmpType() <= 136;
    }

    private static Verdict implicit(Direction direction, Packet packet) {
        boolean neighbourDiscovery = isNeighbourDiscovery(packet);
        return new Verdict(Action.ALLOW, direction, null, neighbourDiscovery
                ? "implicit rule: IPv6 neighbour discovery" : "implicit rule: loopback traffic");
    }
}
