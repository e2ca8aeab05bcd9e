package io.portpolicy.engine;

/** An inclusive range of a header field's values (protocol numbers, ports, ICMP types or codes). */
public record ValueRange(int low, int high) {

    public boolean isSingle() {
        return low == high;
    }

    // Written out: a record's generated equals and hashCode are linked on their first call,
    // which a short run notices (docs/performance.md, seventh round).
    @Override
    public boolean equals(Object o) {
        return o instanceof ValueRange r && low == r.low && high == r.high;
    }

    @Override
    public int hashCode() {
        return 31 * low + high;
    }

    @Override
    public String toString() {
        return low == high ? Integer.toString(low) : low + "-" + high;
    }
}
