package io.portpolicy.model;

import java.util.ArrayList;
import java.util.List;

/** An inclusive range of TCP or UDP ports, 0-65535. */
public record PortRange(int low, int high) implements Comparable<PortRange> {

    public static final int MAX = 65535;
    public static final PortRange ALL = new PortRange(0, MAX);

    public PortRange {
        if (low < 0 || high > MAX || low > high) {
            throw new IllegalArgumentException("bad port range " + low + "-" + high);
        }
    }

    public static PortRange single(int port) {
        return new PortRange(port, port);
    }

    public boolean contains(int port) {
        return low <= port && port <= high;
    }

    public int size() {
        return high - low + 1;
    }

    /** The parts of this range that none of {@code ports} holds, lowest first. */
    public List<PortRange> minus(List<PortRange> ports) {
        List<PortRange> left = new ArrayList<>();
        int next = low;
        for (PortRange p : ports.stream().sorted().toList()) {
            if (p.high < next || p.low > high) continue;
            if (p.low > next) left.add(new PortRange(next, p.low - 1));
            next = Math.max(next, p.high + 1);
            if (next > high) break;
        }
        if (next <= high) left.add(new PortRange(next, high));
        return left;
    }

    // Written out: a record's generated equals and hashCode are linked on their first call,
    // which a short run notices (docs/performance.md, sixth round).
    @Override
    public boolean equals(Object o) {
        return o instanceof PortRange r && low == r.low && high == r.high;
    }

    @Override
    public int hashCode() {
        return low * 65537 + high;
    }

    @Override
    public int compareTo(PortRange o) {
        return low != o.low ? Integer.compare(low, o.low) : Integer.compare(high, o.high);
    }

    @Override
    public String toString() {
        return low == high ? Integer.toString(low) : low + "-" + high;
    }
}
