package io.portpolicy.engine;

import inet.ipaddr.IPAddressString;
import io.portpolicy.model.Action;
import io.portpolicy.model.Family;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The effective policy in one direction at one layer of targets: at each target, the partition
 * of the packets it judges (those whose own address is the target's) into the regions decided
 * by the implicit rules, by each rule, and by the default.
 */
public final class DirectedPolicy {

    private final PacketSpace space;
    private final List<RuleRegion> regions = new ArrayList<>();
    private final PacketSet implicit;
    private final PacketSet defaultRegion;
    private final Action defaultAction;
    private final Map<Action, PacketSet> byAction = new EnumMap<>(Action.class);

    DirectedPolicy(Policy policy, PacketSpace space, LocalDate today) {
        this.space = space;
        Bdd bdd = space.bdd;
        int valid = space.universe();
        int implicitNode = space.layer().hosts() ? implicitTraffic() : Bdd.FALSE;
        implicit = space.wrap(implicitNode);

        Map<Action, List<Integer>> decided = new EnumMap<>(Action.class);
        for (Action action : Action.values()) decided.put(action, new ArrayList<>());
        decided.get(Action.ALLOW).add(implicitNode);
        RuleEncoder encoder = new RuleEncoder(space, policy);
        // The packets no earlier rule matched (always within the layer). Kept as such, not as
        // its complement, because each step then only takes the (small) rule out of it.
        int uncovered = bdd.minus(valid, implicitNode);
        for (Rule rule : policy.rules()) {
            if (rule.expiredOn(today)) continue;
            int matched = encoder.encode(rule);
            int region = bdd.and(matched, uncovered);
            int nextUncovered = bdd.minus(uncovered, matched);
            bdd.free(uncovered);
            uncovered = nextUncovered;
            decided.get(rule.action()).add(region);
            regions.add(new RuleRegion(rule, space.wrap(matched), space.wrap(region)));
        }
        defaultAction = policy.settings().defaultFor(space.direction);
        defaultRegion = space.wrap(uncovered);
        decided.get(defaultAction).add(uncovered);
        decided.forEach((action, parts) -> byAction.put(action, space.wrap(union(bdd, parts))));
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
            for (int i = 0; i + 1 < level.size(); i += 2) next.add(orFree(bdd, level.get(i), level.get(i + 1)));
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
            loopback = orFree(bdd, loopback, space.peerAddresses(range));
            loopback = orFree(bdd, loopback, space.ownAddresses(range));
        }
        loopback = orFree(bdd, loopback, bdd.keep(space.at(space.layer().targets()).node));
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

    private static int orFree(Bdd bdd, int a, int b) {
        int result = bdd.or(a, b);
        bdd.free(a);
        bdd.free(b);
        return result;
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

    /** Packets no rule matches, decided by the default. */
    public PacketSet defaultRegion() {
        return defaultRegion;
    }

    public Action defaultAction() {
        return defaultAction;
    }

    /** Every packet decided with this action, at every target. */
    public PacketSet decidedAs(Action action) {
        return byAction.get(action);
    }
}
