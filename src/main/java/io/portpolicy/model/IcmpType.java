package io.portpolicy.model;

/**
 * One ICMP or ICMPv6 message type, optionally narrowed to one code.
 *
 * @param code the code, or {@code null} for every code of the type
 */
public record IcmpType(int type, Integer code) {

    public boolean matches(int packetType, int packetCode) {
        return type == packetType && (code == null || code == packetCode);
    }

    @Override
    public String toString() {
        return code == null ? Integer.toString(type) : type + ":" + code;
    }
}
