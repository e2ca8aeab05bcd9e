package io.portpolicy.engine;

import inet.ipaddr.IPAddressString;
import io.portpolicy.model.Action;
import io.portpolicy.model.Family;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * The effective policy in one direction at one layer of targets: at each target, the partition
 * of the packets it judges (those whose own address is the target's) into the regions decided
 * by the implicit rules, by each rule, and by the default.
 */
public final class DirectedPolicy {

    private final PacketSpace space;
    private final Supplier<RuleOverlaps> overlaps;
    private final List<RuleRegion> regions = new ArrayList<>();
    /** Per rule whose decided set was worked out, the earlier rules that took packets from it then. */
    private final int[][] taken;
    private final PacketSet implicit;
    private final Action defaultAction;
    private PacketSet defaultRegion;
    private Map<Target, List<RuleRegion>> byTarget;
    private final Map<Action, PacketSet> byAction = new EnumMap<>(Action.class);
    private final Map<Function<DirectedPolicy, ?>, Object> views = new ConcurrentHashMap<>();

    /**
     * @param rules    the rules in force (expired ones left out), in order
     * @param overlaps which of those rules may share packets (asked for only once some rule's
     *                 decided packets are)
     */
    DirectedPolicy(Policy policy, List<Rule> rules, Supplier<RuleOverlaps> overlaps, PacketSpace space) {
        this(policy, rules, overlaps, space, position -> true);
    }

    /**
     * @param encoded which rules (by position) are encoded; the others are taken to match
     *                nothing (see {@link EffectivePolicy#directedFocused})
     */
    DirectedPolicy(Policy policy, List<Rule> rules, Supplier<RuleOverlaps> overlaps, PacketSpace space,
                   IntPredicate encoded) {
        this.space = space;
        this.overlaps = overlaps;
        implicit = space.wrap(space.layer().hosts() ? implicitTraffic() : Bdd.FALSE);
        RuleEncoder encoder = new RuleEncoder(space, policy);
        for (int i = 0; i < rules.size(); i++) {
            int matched = encoded.test(i) ? encoder.encode(rules.get(i)) : Bdd.FALSE;
            regions.add(new RuleRegion(rules.get(i), space.wrap(matched), this, i));
        }
        taken = new int[rules.size()][];
        defaultAction = policy.settings().defaultFor(space.direction);
    }

    /**
     * What rule {@code position} decides: what it matches that no earlier rule matched. Only the
     * earlier rules that may overlap it can take anything away, so the rest of the policy is
     * never looked at. The implicit rules come first but are taken out last: they relate every
     * target's addresses to each other, and carving that in early makes every later step larger.
     */
    PacketSet decided(int position) {
        Bdd bdd = space.bdd;
        int rest = bdd.keep(regions.get(position).matched().node);
        int[] earlierRules = overlaps().earlier(position);
        int[] took = new int[earlierRules.length];
        int count = 0;
        for (int j : earlierRules) {
            if (rest == Bdd.FALSE) break;
            int earlier = regions.get(j).matched().node;
            if (bdd.intersects(rest, earlier)) {
                rest = bdd.minusFree(rest, earlier);
                took[count++] = j;
            }
        }
        taken[position] = Arrays.copyOf(took, count);
        if (bdd.intersects(rest, implicit.node)) rest = bdd.minusFree(rest, implicit.node);
        return space.wrap(rest);
    }

    /**
     * The earlier rules (positions, ascending) that took packets out of what rule {@code
     * position} matches when its decided set was worked out. Every earlier rule deciding part
     * of what it matches is among them: such a packet is matched by no rule before that one, so
     * it was still there to take when that rule's turn came.
     */
    int[] earlierTaking(int position) {
        regions.get(position).decided();
        return taken[position];
    }

    /**
     * The union of many sets, in pairs and then pairs of pairs: each set then takes part in
     * about log n unions of sets of similar size, instead of each being added to one ever
     * larger accumulator. The parts stay referenced; the result is referenced.
     */
    private static int union(Bdd bdd, List<Integer> parts) {
        if (parts.isEmpty()) return Bdd.FALSE;
        List<Integer> level = new ArrayList<>();
        for (int part : parts) level.add(bdd.keep(part));
        while (level.size() > 1) {
            List<Integer> next = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i + 1 < level.size(); i += 2) next.add(bdd.orFree(level.get(i), level.get(i + 1)));
            if (level.size() % 2 == 1) next.add(level.get(level.size() - 1));
            level = next;
        }
        return level.get(0);
    }

    /**
     * Loopback traffic and ICMPv6 neighbour discovery (types 133-136), within the layer.
     * Loopback is what the kernel sends over "lo": anything from or to 127.0.0.0/8 or ::1,
     * and a host talking to its own addresses.
     */
    private int implicitTraffic() {
        Bdd bdd = space.bdd;
        int loopback = Bdd.FALSE;
        for (String block : List.of("127.0.0.0/8", "::1/128")) {
            var range = new IPAddressString(block).getAddress().toSequentialRange();
            loopback = bdd.orFree(loopback, space.peerAddresses(range));
            loopback = bdd.orFree(loopback, space.ownAddresses(range));
        }
        loopback = bdd.orFree(loopback, bdd.keep(space.selfTraffic().node));
        int icmpv6 = space.equal(space.protocol, Protocol.ICMPV6.number());
        int v6 = space.family(Family.IPV6);
        int types = space.range(space.icmpType, 133, 136);
        int nd = bdd.and(icmpv6, v6);
        int neighbourDiscovery = bdd.and(nd, types);
        int traffic = bdd.or(loopback, neighbourDiscovery);
        int result = bdd.and(traffic, space.universe());
        for (int node : new int[] {loopback, icmpv6, v6, types, nd, neighbourDiscovery, traffic}) bdd.free(node);
        return result;
    }

    /**
     * What {@code maker} reads off this policy, made the first time it is asked for and kept as
     * long as the policy: a cloud group's rules as the backends read them, which PP503 asks
     * every cloud backend for in turn. {@code maker} is the key, so it must be one constant
     * function, not a new lambda per call.
     */
    @SuppressWarnings("unchecked")
    public <T> T view(Function<DirectedPolicy, T> maker) {
        return (T) views.computeIfAbsent(maker, m -> m.apply(this));
    }

    public PacketSpace space() {
        return space;
    }

    /** The compiled rules in order (expired rules are not among them). */
    public List<RuleRegion> rules() {
        return regions;
    }

    /** Packets decided by the implicit rules (hosts only). */
    public PacketSet implicit() {
        return implicit;
    }

    /** Which rules may share packets (package-private: the anomaly analysis reads it). */
    RuleOverlaps overlaps() {
        return overlaps.get();
    }

    /** Packets no rule matches, decided by the default; computed when first asked for. */
    public PacketSet defaultRegion() {
        if (defaultRegion == null) {
            Bdd bdd = space.bdd;
            List<Integer> taken = new ArrayList<>();
            taken.add(implicit.node);
            regions.forEach(region -> taken.add(region.matched().node));
            int covered = union(bdd, taken);
            defaultRegion = space.wrap(bdd.minus(space.universe(), covered));
            bdd.free(covered);
        }
        return defaultRegion;
    }

    /**
     * The rules that match some packet at the target, in order: the only ones that can decide
     * anything there. Read off each rule's own-address projection once for the whole layer.
     */
    public List<RuleRegion> rulesAt(Target target) {
        if (byTarget == null) {
            byTarget = new HashMap<>();
            boolean alone = space.layer().targets().size() == 1;
            for (RuleRegion region : regions) {
                // In a layer of one target, a rule matching anything matches it there.
                List<Target> owners = alone ? (region.matched().isEmpty() ? List.of() : space.layer().targets())
                        : space.owners(region.matched());
                for (Target owner : owners) byTarget.computeIfAbsent(owner, t -> new ArrayList<>()).add(region);
            }
        }
        return byTarget.getOrDefault(target, List.of());
    }

    /**
     * The packets judged at the target that the default decides: {@code defaultRegion()} at
     * the target, from the rules matching something there instead of the whole layer's union.
     */
    public PacketSet defaultRegionAt(Target target) {
        Bdd bdd = space.bdd;
        PacketSet here = space.at(target);
        List<Integer> taken = new ArrayList<>();
        taken.add(bdd.and(implicit.node, here.node));
        for (RuleRegion region : rulesAt(target)) taken.add(bdd.and(region.matched().node, here.node));
        int covered = union(bdd, taken);
        taken.forEach(bdd::free);
        PacketSet result = space.wrap(bdd.minus(here.node, covered));
        bdd.free(covered);
        return result;
    }

    public Action defaultAction() {
        return defaultAction;
    }

    /** Every packet decided with this action, at every target; computed when first asked for. */
    public PacketSet decidedAs(Action action) {
        return byAction.computeIfAbsent(action, a -> {
            List<Integer> parts = new ArrayList<>();
            if (a == Action.ALLOW) parts.add(implicit.node);
            for (RuleRegion region : regions) if (region.rule().action() == a) parts.add(region.decided().node);
            if (a == defaultAction) parts.add(defaultRegion().node);
            return space.wrap(union(space.bdd, parts));
        });
    }

    /**
     * The packets of {@code within} decided with this action, default included: the same as
     * {@code decidedAs(action).intersect(within)}, but reading only the rules that meet
     * {@code within}, so a question about one service never builds the whole policy's union.
     */
    public PacketSet decidedAs(Action action, PacketSet within) {
        PacketSet whole = byAction.get(action);
        if (whole != null || within.isAll()) return decidedAs(action).intersect(within);
        return decidedWithin(action, within, action == defaultAction);
    }

    /**
     * The packets of {@code part} at whose other fields no earlier deny or reject shuts a peer
     * out. {@code part} must lie in what allow rule {@code position} decides, and that rule must
     * match every peer (its matched set does not depend on the peer): every packet agreeing
     * with {@code part} on the other fields is then matched by the rule, so decided by it, by
     * the implicit rules or by an earlier rule overlapping it, and only an earlier deny or
     * reject can keep a peer out. What each of those decides, its peer left free, is taken out.
     */
    public PacketSet openToEveryPeer(int position, PacketSet part) {
        PacketSet open = part;
        for (int j : overlaps().earlier(position)) {
            if (open.isEmpty()) break;
            RuleRegion region = regions.get(j);
            if (region.rule().action() == Action.ALLOW) continue;
            PacketSet shut = region.decidedFromAnyPeer();
            if (open.intersects(shut)) open = open.minus(shut);
        }
        return open;
    }

    /**
     * The packets of {@code within} that the rules (and implicit rules) decide with this action,
     * where each packet of {@code within} agrees on every field but the peer's address with a
     * packet rule {@code position} matches (its matched set with the peer left free holds
     * {@code within}). Only the rules whose services and own side meet that rule's can decide
     * such packets, whatever their peers, so only those are read, not every rule of the policy.
     */
    public PacketSet decidedByRulesAtAnyPeer(Action action, int position, PacketSet within) {
        Bdd bdd = space.bdd;
        int w = within.node;
        List<Integer> parts = new ArrayList<>();
        if (action == Action.ALLOW) parts.add(bdd.and(implicit.node, w));
        for (int j : overlaps().meetingAtAnyPeer(position, space.ownIsSource())) {
            RuleRegion region = regions.get(j);
            if (region.rule().action() == action && bdd.intersects(region.decided().node, w)) {
                parts.add(bdd.and(region.decided().node, w));
            }
        }
        int result = union(bdd, parts);
        parts.forEach(bdd::free);
        return space.wrap(result);
    }

    private PacketSet decidedWithin(Action action, PacketSet within, boolean withDefault) {
        Bdd bdd = space.bdd;
        int w = within.node;
        List<Integer> parts = new ArrayList<>();
        List<Integer> covered = new ArrayList<>();
        if (action == Action.ALLOW) parts.add(bdd.and(implicit.node, w));
        if (withDefault) covered.add(bdd.and(implicit.node, w));
        for (RuleRegion region : regions) {
            if (region.rule().action() == action && bdd.intersects(region.decided().node, w)) {
                parts.add(bdd.and(region.decided().node, w));
            }
            if (withDefault && bdd.intersects(region.matched().node, w)) covered.add(bdd.and(region.matched().node, w));
        }
        if (withDefault) {
            int matchedByAny = union(bdd, covered);
            parts.add(bdd.minus(w, matchedByAny));
            bdd.free(matchedByAny);
        }
        int result = union(bdd, parts);
        covered.forEach(bdd::free);
        parts.forEach(bdd::free);
        return space.wrap(result);
    }
}
