package io.portpolicy.model;

import io.portpolicy.source.Location;

/**
 * A setting's value and where it was set; {@code location} is {@code null} for a default the
 * policy did not write.
 */
public record Setting<T>(T value, Location location) {

    public static <T> Setting<T> implicit(T value) {
        return new Setting<>(value, null);
    }

    public boolean written() {
        return location != null;
    }
}
