package io.portpolicy.cli;

import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.DiagnosticRenderer;
import io.portpolicy.diag.Diagnostics;

import java.io.InputStream;
import java.io.PrintWriter;

/**
 * The streams a command talks to, passed in so tests can run the whole CLI in-process.
 *
 * @param colour whether standard error is a terminal that wants colour
 */
public record Io(InputStream in, PrintWriter out, PrintWriter err, boolean colour) {

    public void report(Diagnostics diagnostics) {
        DiagnosticRenderer renderer = new DiagnosticRenderer(colour);
        for (Diagnostic d : diagnostics.sorted()) err.print(renderer.render(d));
        err.flush();
    }
}
