package io.portpolicy.compile;

import io.portpolicy.diag.Quote;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One target's settings: its {@link TargetOption} defaults with what the configuration changed. */
public final class TargetOptions {

    private final Map<String, String> values;

    private TargetOptions(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The defaults of {@code options} overridden by {@code configured} (already validated). */
    public static TargetOptions of(List<TargetOption> options, Map<String, String> configured) {
        Map<String, String> values = new HashMap<>();
        for (TargetOption option : options) values.put(option.name(), configured.getOrDefault(option.name(), option.defaultValue()));
        return new TargetOptions(values);
    }

    /** A backend's defaults. */
    public static TargetOptions defaults(Backend backend) {
        return of(backend.options(), Map.of());
    }

    public String text(String name) {
        String value = values.get(name);
        if (value == null) throw new IllegalArgumentException("no target option " + Quote.of(name));
        return value;
    }

    public int number(String name) {
        return Integer.parseInt(text(name));
    }
}
