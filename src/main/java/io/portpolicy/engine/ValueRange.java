package io.portpolicy.engine;

/** An inclusive range of a header field's values (protocol numbers, ports, ICMP types or codes). */
public record ValueRange(int low, int high) {

    public boolean isSingle() {
        return low == high;
    }

    @Override
    public String toString() {
        return low == high ? Integer.toString(low) : low + "-" + high;
    }
}
