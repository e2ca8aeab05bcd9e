package io.portpolicy.model;

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
