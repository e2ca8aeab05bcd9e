package io.portpolicy.model;

import java.util.Locale;

/** What a rule or a default does with a packet. */
public enum Action {
    ALLOW, DENY, REJECT;

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
