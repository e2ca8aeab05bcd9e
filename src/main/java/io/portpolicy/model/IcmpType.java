package io.portpolicy.model;

import java.util.Objects;

/**
 * One ICMP or ICMPv6 message type, optionally narrowed to one code.
 *
 * @param code the code, or {@code null} for every code of the type
 */
public record IcmpType(int type, Integer code) {

    public boolean matches(int packetType, int packetCode) {
        return type == packetType && (code == null || code == packetCode);
    }

    // Written out: a record's generated equals and hashCode are linked on their first call,
    // which a short run notices (docs/performance.md, seventh round).
    @Override
    public boolean equals(Object o) {
        return o instanceof IcmpType t && type == t.type && Objects.equals(code, t.code);
    }

    @Override
    public int hashCode() {
        return 31 * type + Objects.hashCode(code);
    }

    @Override
    public String toString() {
        return code == null ? Integer.toString(type) : type + ":" + code;
    }
}
