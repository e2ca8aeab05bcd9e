package io.portpolicy.diag;

import io.portpolicy.source.Location;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the diagnostics of one run, so that one run reports every problem it can find. */
public final class Diagnostics {

    private final List<Diagnostic> items = new ArrayList<>();

    private int errors;

    public void add(Diagnostic diagnostic) {
        items.add(diagnostic);
        if (diagnostic.severity() == Severity.ERROR) errors++;
    }

    public void error(Location location, String message) {
        add(Diagnostic.error(location, message));
    }

    public void error(Location location, String message, String hint) {
        add(Diagnostic.error(location, message, hint));
    }

    public boolean hasErrors() {
        return errors > 0;
    }

    /** How many errors there are: a part checked is in error when this grew, not when a warning was added. */
    public int errors() {
        return errors;
    }

    /** In file, line and column order; problems without a location come first. */
    public List<Diagnostic> sorted() {
        return items.stream()
                .sorted(Comparator.comparing(Diagnostic::location,
                        Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
    }

    public int size() {
        return items.size();
    }
}
