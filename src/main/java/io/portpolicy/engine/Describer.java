package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import io.portpolicy.model.Family;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a set's canonical description off its BDD. Fields are laid out one after another, so
 * at each field's start the set is some node; the field's values split into runs by the node
 * they lead to at the next field's start, and each run is paired with the description of that
 * node. Values leading to the same remainder are merged, so the result is canonical (the same
 * set always gives the same cubes) and has one cube per distinct path of remainders.
 */
final class Describer {

    private final PacketSpace space;
    private final Bdd bdd;
    private final List<Field> fields;
    private final Map<Long, List<List<List<BigInteger[]>>>> memo = new HashMap<>();

    Describer(PacketSpace space) {
        this.space = space;
        this.bdd = space.bdd;
        this.fields = List.of(space.family, space.protocol, space.destinationPort, space.sourcePort,
                space.icmpType, space.icmpCode, space.peer, space.own);
    }

    List<PacketCube> describe(int node) {
        List<PacketCube> cubes = new ArrayList<>();
        for (List<List<BigInteger[]>> values : partials(node, 0)) {
            for (BigInteger[] family : values.get(0)) {
                for (int f = family[0].intValue(); f <= family[1].intValue(); f++) {
                    cubes.add(cube(f == 0 ? Family.IPV4 : Family.IPV6, values));
                }
            }
        }
        return cubes;
    }

    /** The peer addresses of the set's packets, one list of ranges per cube, without building the cubes. */
    List<IPAddressSeqRange> peers(int node) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (List<List<BigInteger[]>> values : partials(node, 0)) {
            for (BigInteger[] family : values.get(0)) {
                for (int f = family[0].intValue(); f <= family[1].intValue(); f++) {
                    ranges.addAll(peerRanges(values.get(6), f == 0 ? Family.IPV4 : Family.IPV6));
                }
            }
        }
        return ranges;
    }

    /** For each path from the node: one list of value runs per remaining field. */
    private List<List<List<BigInteger[]>>> partials(int node, int fieldIndex) {
        if (node == Bdd.FALSE) return List.of();
        if (fieldIndex == fields.size()) return List.of(new ArrayList<>());
        long key = ((long) node << 8) | fieldIndex;
        List<List<List<BigInteger[]>>> known = memo.get(key);
        if (known != null) return known;
        Map<Integer, List<BigInteger[]>> runs = new LinkedHashMap<>();
        walk(node, fields.get(fieldIndex), 0, 0L, 0L, runs);
        List<List<List<BigInteger[]>>> result = new ArrayList<>();
        runs.forEach((child, values) -> {
            for (List<List<BigInteger[]>> rest : partials(child, fieldIndex + 1)) {
                List<List<BigInteger[]>> path = new ArrayList<>();
                path.add(values);
                path.addAll(rest);
                result.add(path);
            }
        });
        memo.put(key, result);
        return result;
    }

    /**
     * Collects, in ascending order, the runs of the field's values and the node each leads to.
     * The first {@code bit} bits of the value read so far are {@code top} (up to 64) followed by
     * {@code rest}: plain longs, so only a run's two ends become BigIntegers.
     */
    private void walk(int node, Field field, int bit, long top, long rest, Map<Integer, List<BigInteger[]>> runs) {
        if (node == Bdd.FALSE) return;
        if (bit == field.width() || Bdd.isTerminal(node) || bdd.var(node) >= field.end()) {
            int free = field.width() - bit;
            BigInteger low = prefix(top, rest, bit).shiftLeft(free);
            BigInteger high = low.add(BigInteger.ONE.shiftLeft(free)).subtract(BigInteger.ONE);
            List<BigInteger[]> values = runs.computeIfAbsent(node, n -> new ArrayList<>());
            BigInteger[] last = values.isEmpty() ? null : values.get(values.size() - 1);
            if (last != null && last[1].add(BigInteger.ONE).equals(low)) last[1] = high;
            else values.add(new BigInteger[] {low, high});
            return;
        }
        boolean inTop = bit < Long.SIZE;
        long topZero = inTop ? top << 1 : top;
        long restZero = inTop ? rest : rest << 1;
        long topOne = inTop ? topZero | 1 : topZero;
        long restOne = inTop ? restZero : restZero | 1;
        if (bdd.var(node) == field.offset() + bit) {
            walk(bdd.low(node), field, bit + 1, topZero, restZero, runs);
            walk(bdd.high(node), field, bit + 1, topOne, restOne, runs);
        } else {
            // This bit is not tested here: both halves lead on with the same node.
            walk(node, field, bit + 1, topZero, restZero, runs);
            walk(node, field, bit + 1, topOne, restOne, runs);
        }
    }

    /** The value of a {@code bits}-bit prefix held as its first 64 bits and the rest (fields are at most 128 bits). */
    private static BigInteger prefix(long top, long rest, int bits) {
        if (bits <= Long.SIZE) return unsigned(top);
        return unsigned(top).shiftLeft(bits - Long.SIZE).or(unsigned(rest));
    }

    private static BigInteger unsigned(long value) {
        BigInteger result = BigInteger.valueOf(value & Long.MAX_VALUE);
        return value < 0 ? result.setBit(Long.SIZE - 1) : result;
    }

    private PacketCube cube(Family family, List<List<BigInteger[]>> values) {
        List<IPAddressSeqRange> peers = peerRanges(values.get(6), family);
        List<IPAddressSeqRange> owns = ownRanges(values.get(7), family);
        boolean ownIsSource = space.ownIsSource();
        return new PacketCube(family, small(values.get(1)), small(values.get(2)), small(values.get(3)),
                small(values.get(4)), small(values.get(5)), ownIsSource ? owns : peers, ownIsSource ? peers : owns);
    }

    private static List<ValueRange> small(List<BigInteger[]> runs) {
        return runs.stream().map(r -> new ValueRange(r[0].intValue(), r[1].intValue())).toList();
    }

    /** IPv4 peers live in the top 32 bits of the 128-bit field. */
    private static List<IPAddressSeqRange> peerRanges(List<BigInteger[]> runs, Family family) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (BigInteger[] run : runs) {
            if (family == Family.IPV4) {
                ranges.add(address(run[0].shiftRight(96), true).toSequentialRange(address(run[1].shiftRight(96), true)));
            } else {
                ranges.add(address(run[0], false).toSequentialRange(address(run[1], false)));
            }
        }
        return ranges;
    }

    /** Atom index runs back to addresses, neighbouring atoms joined. */
    private List<IPAddressSeqRange> ownRanges(List<BigInteger[]> runs, Family family) {
        OwnAtoms atoms = space.atoms;
        int from = family == Family.IPV4 ? 0 : atoms.ipv4Count();
        int to = family == Family.IPV4 ? atoms.ipv4Count() : atoms.count();
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (BigInteger[] run : runs) {
            int first = Math.max(from, run[0].min(BigInteger.valueOf(Integer.MAX_VALUE)).intValue());
            int last = Math.min(to - 1, run[1].min(BigInteger.valueOf(Integer.MAX_VALUE)).intValue());
            if (first > last) continue;
            for (IPAddressSeqRange range : atoms.ranges(first, last)) {
                int end = ranges.size() - 1;
                if (end >= 0 && ranges.get(end).getUpper().getValue().add(BigInteger.ONE)
                        .equals(range.getLower().getValue())) {
                    ranges.set(end, ranges.get(end).getLower().toSequentialRange(range.getUpper()));
                } else {
                    ranges.add(range);
                }
            }
        }
        return ranges;
    }

    private static IPAddress address(BigInteger value, boolean ipv4) {
        return ipv4 ? new IPv4Address(value.intValue()) : new IPv6Address(value);
    }
}
