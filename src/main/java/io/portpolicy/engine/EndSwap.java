package io.portpolicy.engine;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of one direction of a layer carried to the other direction with its two ends swapped:
 * packets between two targets of the layer, judged as they leave the one (whose address is
 * then the own side) and as they enter the other. The own side is numbered by atoms and the
 * peer side is an address, so each side turns into the other: a set holds the same packets for
 * every address of an atom (atoms are never cut inside by an address the policy names), so the
 * atom's first address stands for all of it. Each diagram node is worked on once: the fields
 * above the addresses are copied, and each distinct address part is swapped once.
 */
final class EndSwap {

    private static final int IPV4 = 0;
    private static final int IPV6 = 1;

    private final PacketSpace from;
    private final PacketSpace to;
    /** Results already built in {@code to}, referenced until the swap ends; keyed by source node and family. */
    private final Map<Long, Integer> copied = new HashMap<>();
    private final Map<Long, Integer> swapped = new HashMap<>();
    private final List<Integer> held = new ArrayList<>();

    private EndSwap(PacketSpace from, PacketSpace to) {
        this.from = from;
        this.to = to;
    }

    /** The set's packets between two targets, in {@code to}'s space (referenced). */
    static int swap(PacketSpace from, PacketSpace to, int node) {
        EndSwap swap = new EndSwap(from, to);
        int result;
        if (!Bdd.isTerminal(node) && from.bdd.var(node) == from.family.offset()) {
            result = to.bdd.keep(swap.above(node, -1));
        } else {
            // A diagram that does not test the family holds packets of both: swap each apart.
            int v4 = swap.below(node, IPV4);
            int v6 = swap.below(node, IPV6);
            result = to.bdd.node(to.family.offset(), v4, v6);
        }
        swap.held.forEach(to.bdd::free);
        return result;
    }

    /** Copies the fields above the addresses; {@code family} is known once the first node is passed. */
    private int above(int node, int family) {
        if (node == Bdd.FALSE) return Bdd.FALSE;
        if (node == Bdd.TRUE || from.bdd.var(node) >= from.peer.offset()) return below(node, family);
        long key = ((long) node << 2) | (family + 1);
        Integer done = copied.get(key);
        if (done != null) return done;
        int variable = from.bdd.var(node);
        boolean familyBit = variable == from.family.offset();
        int low = above(from.bdd.low(node), familyBit ? IPV4 : family);
        int high = above(from.bdd.high(node), familyBit ? IPV6 : family);
        int result = hold(to.bdd.node(variable, low, high));
        copied.put(key, result);
        return result;
    }

    /** Swaps the two address fields of one family's sub-diagram over them. */
    private int below(int node, int family) {
        if (node == Bdd.FALSE) return Bdd.FALSE;
        long key = ((long) node << 1) | family;
        Integer done = swapped.get(key);
        if (done != null) return done;
        OwnAtoms atoms = from.atoms;
        int first = family == IPV4 ? 0 : atoms.ipv4Count();
        int end = family == IPV4 ? atoms.ipv4Count() : atoms.count();
        int[] atOwnField = new int[end - first];
        int[] order = new int[end - first];
        for (int a = first; a < end; a++) order[a - first] = a;
        restrict(node, order, 0, order.length, first, atOwnField);
        // Atoms that see the same own-side set (once the peer is their address) become one block.
        Map<Integer, BitSet> byOwnSide = new LinkedHashMap<>();
        for (int i = 0; i < atOwnField.length; i++) {
            if (atOwnField[i] != Bdd.FALSE) byOwnSide.computeIfAbsent(atOwnField[i], k -> new BitSet()).set(first + i);
        }
        int result = Bdd.FALSE;
        for (Map.Entry<Integer, BitSet> entry : byOwnSide.entrySet()) {
            BitSet owners = new BitSet(atoms.count());
            from.markAtoms(entry.getKey(), 0, 0, first, end, owners);
            if (owners.isEmpty()) continue;
            int peers = to.bdd.keep(to.peersOfAtoms(owners));
            result = to.bdd.orFree(result, to.bdd.andFree(peers, to.atomBits(entry.getValue())));
        }
        hold(result);
        swapped.put(key, result);
        return result;
    }

    /**
     * For the atoms {@code order[lo..hi)}, which agree with the path so far, the node the
     * diagram reaches on the own field when the peer is the atom's first address.
     */
    private void restrict(int node, int[] order, int lo, int hi, int first, int[] atOwnField) {
        if (lo >= hi) return;
        if (Bdd.isTerminal(node) || from.bdd.var(node) >= from.own.offset()) {
            for (int i = lo; i < hi; i++) atOwnField[order[i] - first] = node;
            return;
        }
        int bit = from.bdd.var(node) - from.peer.offset();
        int split = lo;
        for (int i = lo; i < hi; i++) {
            if (!from.atoms.firstAddressBit(order[i], bit)) {
                int swap = order[split];
                order[split++] = order[i];
                order[i] = swap;
            }
        }
        restrict(from.bdd.low(node), order, lo, split, first, atOwnField);
        restrict(from.bdd.high(node), order, split, hi, first, atOwnField);
    }

    private int hold(int node) {
        held.add(node);
        return node;
    }
}
