package io.portpolicy.diff;

import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A block of packets independent of any BDD space: every combination of the listed values,
 * with addresses as plain ranges on the target's own side and on the peer's side. Two
 * policies' engine descriptions become lists of these, which are then intersected here, so
 * the comparison never mixes two spaces.
 */
record Cube(Family family, List<ValueRange> protocols, List<ValueRange> destinationPorts,
            List<ValueRange> sourcePorts, List<ValueRange> icmpTypes, List<ValueRange> icmpCodes,
            List<IPAddressSeqRange> peers, List<IPAddressSeqRange> owns) {

    static final List<ValueRange> BYTE = List.of(new ValueRange(0, 255));
    static final List<ValueRange> PORT = List.of(new ValueRange(0, 65535));

    static Cube of(PacketCube cube, Direction direction) {
        boolean inbound = direction == Direction.INBOUND;
        return new Cube(cube.family(), cube.protocols(), cube.destinationPorts(), cube.sourcePorts(),
                cube.icmpTypes(), cube.icmpCodes(), inbound ? cube.sources() : cube.destinations(),
                inbound ? cube.destinations() : cube.sources());
    }

    static IPAddressSeqRange whole(Family family) {
        return new IPAddressString(family == Family.IPV4 ? "0.0.0.0/0" : "::/0").getAddress().toSequentialRange();
    }

    /** Every packet whose own address is in the ranges (of the family), every other field free. */
    static Cube owning(Family family, List<IPAddressSeqRange> owns) {
        return new Cube(family, BYTE, PORT, PORT, BYTE, BYTE, List.of(whole(family)), owns);
    }

    /** The packets of both, or null when they share none. */
    Cube intersect(Cube other) {
        if (family != other.family) return null;
        List<ValueRange> p = values(protocols, other.protocols);
        if (p.isEmpty()) return null;
        List<ValueRange> d = values(destinationPorts, other.destinationPorts);
        if (d.isEmpty()) return null;
        List<ValueRange> s = values(sourcePorts, other.sourcePorts);
        if (s.isEmpty()) return null;
        List<ValueRange> t = values(icmpTypes, other.icmpTypes);
        if (t.isEmpty()) return null;
        List<ValueRange> c = values(icmpCodes, other.icmpCodes);
        if (c.isEmpty()) return null;
        List<IPAddressSeqRange> peer = addresses(peers, other.peers);
        if (peer.isEmpty()) return null;
        List<IPAddressSeqRange> own = addresses(owns, other.owns);
        if (own.isEmpty()) return null;
        return new Cube(family, p, d, s, t, c, peer, own);
    }

    private static List<ValueRange> values(List<ValueRange> a, List<ValueRange> b) {
        List<ValueRange> out = new ArrayList<>();
        for (ValueRange x : a) {
            for (ValueRange y : b) {
                int low = Math.max(x.low(), y.low());
                int high = Math.min(x.high(), y.high());
                if (low <= high) out.add(new ValueRange(low, high));
            }
        }
        return joinValues(out);
    }

    static List<ValueRange> joinValues(List<ValueRange> ranges) {
        List<ValueRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingInt(ValueRange::low));
        List<ValueRange> out = new ArrayList<>();
        for (ValueRange r : sorted) {
            int last = out.size() - 1;
            if (last >= 0 && out.get(last).high() + 1 >= r.low()) {
                out.set(last, new ValueRange(out.get(last).low(), Math.max(out.get(last).high(), r.high())));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** The values from 0 to {@code max} outside the ranges (joined, in order). */
    static List<ValueRange> complement(List<ValueRange> ranges, int max) {
        List<ValueRange> out = new ArrayList<>();
        int next = 0;
        for (ValueRange r : joinValues(ranges)) {
            if (r.low() > next) out.add(new ValueRange(next, r.low() - 1));
            next = r.high() + 1;
        }
        if (next <= max) out.add(new ValueRange(next, max));
        return out;
    }

    /** The addresses in both (each joined), joined. */
    static List<IPAddressSeqRange> addresses(List<IPAddressSeqRange> a, List<IPAddressSeqRange> b) {
        List<IPAddressSeqRange> out = new ArrayList<>();
        for (IPAddressSeqRange x : a) {
            for (IPAddressSeqRange y : b) {
                IPAddressSeqRange both = x.intersect(y);
                if (both != null) out.add(both);
            }
        }
        return joinAddresses(out);
    }

    static List<IPAddressSeqRange> joinAddresses(List<IPAddressSeqRange> ranges) {
        if (ranges.isEmpty()) return List.of();
        IPAddressSeqRange[] joined = IPAddressSeqRange.join(ranges.toArray(new IPAddressSeqRange[0]));
        List<IPAddressSeqRange> out = new ArrayList<>(List.of(joined));
        out.sort(Comparator.comparing(r -> r.getLower().getValue()));
        return out;
    }

    /** The own addresses of the family outside the given ranges. */
    static List<IPAddressSeqRange> outside(Family family, List<IPAddressSeqRange> ranges) {
        List<IPAddressSeqRange> rest = new ArrayList<>(List.of(whole(family)));
        for (IPAddressSeqRange r : ranges) {
            if (r.getLower().isIPv4() != (family == Family.IPV4)) continue;
            List<IPAddressSeqRange> next = new ArrayList<>();
            for (IPAddressSeqRange x : rest) next.addAll(List.of(x.subtract(r)));
            rest = next;
        }
        return rest;
    }
}
