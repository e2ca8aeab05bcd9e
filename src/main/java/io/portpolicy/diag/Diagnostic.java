package io.portpolicy.diag;

import io.portpolicy.source.Location;

/**
 * A problem with the input, located precisely, with an optional hint on how to fix it.
 *
 * @param location where it is; {@code null} only for problems with no file (a missing file is
 *                 reported against the statement that named it)
 * @param hint     one line telling the user what to do, or {@code null}
 */
public record Diagnostic(Severity severity, Location location, String message, String hint) {

    public static Diagnostic error(Location location, String message) {
        return new Diagnostic(Severity.ERROR, location, message, null);
    }

    public static Diagnostic error(Location location, String message, String hint) {
        return new Diagnostic(Severity.ERROR, location, message, hint);
    }

    public static Diagnostic warning(Location location, String message, String hint) {
        return new Diagnostic(Severity.WARNING, location, message, hint);
    }
}
