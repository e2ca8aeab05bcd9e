package io.portpolicy.cli;

import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.DiagnosticRenderer;
import io.portpolicy.diag.Diagnostics;

import io.portpolicy.lint.ConfigReader;
import io.portpolicy.lint.LintConfig;
import io.portpolicy.source.FileErrors;
import io.portpolicy.source.SourceFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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

    /** An error that has no place in a file: one line, and the hint on the next when there is one. */
    public void error(String message, String hint) {
        err.println("portpolicy: error: " + message);
        if (hint != null) err.println("  hint: " + hint);
        err.flush();
    }

    /**
     * The configuration file: {@code explicit} when given, else {@value ConfigReader#FILE_NAME}
     * in the current directory or its nearest parent; {@code null} when there is none.
     */
    public static Path configFile(Path explicit) {
        return explicit != null ? explicit : ConfigReader.find(Path.of("").toAbsolutePath());
    }

    /**
     * The configuration read from {@link #configFile}, else the default; empty after reporting
     * why a file cannot be used.
     */
    public Optional<LintConfig> config(Path explicit) {
        Path file = configFile(explicit);
        if (file == null) return Optional.of(LintConfig.DEFAULT);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            error("cannot read configuration " + file + ": " + FileErrors.describe(e), null);
            return Optional.empty();
        }
        Diagnostics diagnostics = new Diagnostics();
        LintConfig read = ConfigReader.read(new SourceFile(file.toString(), file, text), diagnostics);
        report(diagnostics);
        return diagnostics.hasErrors() ? Optional.empty() : Optional.of(read);
    }
}
