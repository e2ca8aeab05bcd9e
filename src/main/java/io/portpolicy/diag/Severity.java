package io.portpolicy.diag;

import java.util.Locale;

/** How bad a diagnostic or finding is, most severe first. */
public enum Severity {
    ERROR, WARNING, NOTE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean atLeast(Severity threshold) {
        return compareTo(threshold) <= 0;
    }
}
