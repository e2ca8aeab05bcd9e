package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * The address space of a set of targets, cut into atoms: the elementary intervals between
 * every boundary of every address range the policy names. Each address term then covers
 * whole atoms, and — atoms being sorted — a contiguous run of them, so on the target's own
 * side an address set is an interval of atom indices instead of a 128-bit pattern. IPv4 atoms
 * come first, then IPv6.
 */
final class OwnAtoms {

    private final List<IPAddressSeqRange> atoms;
    private final int ipv4Count;
    /** The indices of the atoms after which the next atom does not continue the addresses. */
    private final int[] blockEnds;

    /**
     * @param universe the targets' own addresses
     * @param cuts     where the ranges named anywhere in the policy begin and end; atoms never
     *                 straddle those places
     */
    OwnAtoms(Collection<IPAddressSeqRange> universe, AtomCuts cuts) {
        List<IPAddressSeqRange> v4 = new ArrayList<>();
        List<IPAddressSeqRange> v6 = new ArrayList<>();
        for (boolean ipv4 : new boolean[] {true, false}) {
            List<IPAddressSeqRange> out = ipv4 ? v4 : v6;
            for (IPAddressSeqRange block : merge(universe, ipv4)) {
                BigInteger low = block.getLower().getValue();
                BigInteger high = block.getUpper().getValue();
                for (BigInteger cut : cuts.within(ipv4, low, high)) {
                    out.add(range(low, cut.subtract(BigInteger.ONE), ipv4));
                    low = cut;
                }
                out.add(range(low, high, ipv4));
            }
        }
        atoms = new ArrayList<>(v4);
        atoms.addAll(v6);
        ipv4Count = v4.size();
        List<Integer> ends = new ArrayList<>();
        for (int i = 0; i < atoms.size(); i++) {
            boolean last = i + 1 == atoms.size() || i + 1 == ipv4Count
                    || !atoms.get(i).getUpper().getValue().add(BigInteger.ONE).equals(atoms.get(i + 1).getLower().getValue());
            if (last) ends.add(i);
        }
        blockEnds = ends.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The addresses of atoms {@code first..last} as ranges, neighbouring atoms joined: one
     * range per stretch of contiguous addresses of one IP version, found without visiting
     * every atom.
     */
    List<IPAddressSeqRange> ranges(int first, int last) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        int start = first;
        int next = java.util.Arrays.binarySearch(blockEnds, first);
        if (next < 0) next = -next - 1;
        while (start <= last) {
            int end = next < blockEnds.length ? Math.min(blockEnds[next], last) : last;
            ranges.add(atoms.get(start).getLower().toSequentialRange(atoms.get(end).getUpper()));
            start = end + 1;
            next++;
        }
        return ranges;
    }

    /** The addresses of a set of atoms as ranges, as {@link #ranges(int, int)} gives each run of them. */
    List<IPAddressSeqRange> ranges(BitSet atoms) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (int a = atoms.nextSetBit(0); a >= 0; a = atoms.nextSetBit(a + 1)) {
            int last = atoms.nextClearBit(a) - 1;
            ranges.addAll(ranges(a, last));
            a = last;
        }
        return ranges;
    }

    /** The union of the ranges of one family as disjoint sorted blocks. */
    private static List<IPAddressSeqRange> merge(Collection<IPAddressSeqRange> ranges, boolean ipv4) {
        List<IPAddressSeqRange> sorted = ranges.stream().filter(r -> r.getLower().isIPv4() == ipv4)
                .sorted((a, b) -> a.getLower().getValue().compareTo(b.getLower().getValue())).toList();
        List<IPAddressSeqRange> merged = new ArrayList<>();
        for (IPAddressSeqRange range : sorted) {
            int last = merged.size() - 1;
            if (last >= 0 && merged.get(last).getUpper().getValue().add(BigInteger.ONE)
                    .compareTo(range.getLower().getValue()) >= 0) {
                IPAddressSeqRange previous = merged.get(last);
                if (range.getUpper().getValue().compareTo(previous.getUpper().getValue()) > 0) {
                    merged.set(last, previous.getLower().toSequentialRange(range.getUpper()));
                }
            } else {
                merged.add(range);
            }
        }
        return merged;
    }

    private static IPAddressSeqRange range(BigInteger low, BigInteger high, boolean ipv4) {
        return address(low, ipv4).toSequentialRange(address(high, ipv4));
    }

    private static IPAddress address(BigInteger value, boolean ipv4) {
        return ipv4 ? new IPv4Address(value.intValue()) : new IPv6Address(value);
    }

    int count() {
        return atoms.size();
    }

    int ipv4Count() {
        return ipv4Count;
    }

    IPAddressSeqRange atom(int index) {
        return atoms.get(index);
    }

    /** Each atom's first address as the bits of a 128-bit peer field, two longs per atom; made once. */
    private long[] firstAddressBits;

    /**
     * Bit {@code bit} (0 the most significant) of the atom's first address in the peer field,
     * where an IPv4 address fills the first 32 bits and the rest are 0 (as a packet is read).
     */
    boolean firstAddressBit(int atom, int bit) {
        if (firstAddressBits == null) {
            long[] bits = new long[2 * atoms.size()];
            for (int a = 0; a < atoms.size(); a++) {
                IPAddress first = atoms.get(a).getLower();
                BigInteger field = first.getValue().shiftLeft(PacketSpace.ADDRESS_BITS - first.getBitCount());
                bits[2 * a] = field.shiftRight(64).longValue();
                bits[2 * a + 1] = field.longValue();
            }
            firstAddressBits = bits;
        }
        long word = firstAddressBits[2 * atom + (bit >>> 6)];
        return ((word >>> (63 - (bit & 63))) & 1) == 1;
    }

    /** The bits needed to number the atoms (at least one). */
    int bits() {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, atoms.size() - 1)));
    }

    /** The atom holding an address, or -1 when it is not a target address. */
    int indexOf(IPAddress address) {
        int low = address.isIPv4() ? 0 : ipv4Count;
        int high = address.isIPv4() ? ipv4Count - 1 : atoms.size() - 1;
        BigInteger value = address.getValue();
        while (low <= high) {
            int middle = (low + high) >>> 1;
            IPAddressSeqRange atom = atoms.get(middle);
            if (atom.getUpper().getValue().compareTo(value) < 0) low = middle + 1;
            else if (atom.getLower().getValue().compareTo(value) > 0) high = middle - 1;
            else return middle;
        }
        return -1;
    }

    /** The first and last index of the atoms inside a range, or null when none is. */
    int[] span(IPAddressSeqRange range) {
        boolean ipv4 = range.getLower().isIPv4();
        int from = ipv4 ? 0 : ipv4Count;
        int to = ipv4 ? ipv4Count : atoms.size();
        int first = lowerBound(from, to, range.getLower().getValue());
        int last = lowerBound(from, to, range.getUpper().getValue().add(BigInteger.ONE)) - 1;
        return first <= last ? new int[] {first, last} : null;
    }

    /** The first atom in [from, to) starting at or after value. */
    private int lowerBound(int from, int to, BigInteger value) {
        int low = from;
        int high = to;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (atoms.get(middle).getLower().getValue().compareTo(value) < 0) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}
