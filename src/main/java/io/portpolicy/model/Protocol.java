package io.portpolicy.model;

import java.util.Locale;
import java.util.Optional;

/** The protocols a rule can name. {@link #ANY} is every IP protocol, ports and types included. */
public enum Protocol {
    TCP(6), UDP(17), ICMP(1), ICMPV6(58), ANY(-1);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    /** The IANA protocol number; -1 for {@link #ANY}. */
    public int number() {
        return number;
    }

    public boolean hasPorts() {
        return this == TCP || this == UDP;
    }

    public boolean isIcmp() {
        return this == ICMP || this == ICMPV6;
    }

    /** The only family this protocol exists in, if it is tied to one. */
    public Optional<Family> family() {
        return switch (this) {
            case ICMP -> Optional.of(Family.IPV4);
            case ICMPV6 -> Optional.of(Family.IPV6);
            default -> Optional.empty();
        };
    }

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
