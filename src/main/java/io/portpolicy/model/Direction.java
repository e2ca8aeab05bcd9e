package io.portpolicy.model;

import java.util.Locale;

/** Seen from the host being configured: traffic coming in, or going out. */
public enum Direction {
    INBOUND, OUTBOUND;

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
