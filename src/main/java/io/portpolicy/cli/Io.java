package io.portpolicy.cli;

import io.portpolicy.check.Confinement;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.DiagnosticRenderer;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Severity;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.diag.VisibleText;

import io.portpolicy.lint.ConfigReader;
import io.portpolicy.lint.LintConfig;
import io.portpolicy.source.FileErrors;
import io.portpolicy.source.FileStore;
import io.portpolicy.source.SourceFile;
import io.portpolicy.source.Utf8Text;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The streams a command talks to, passed in so tests can run the whole CLI in-process.
 *
 * @param colour whether standard error is a terminal that wants colour
 */
public record Io(InputStream in, PrintWriter out, PrintWriter err, boolean colour) {

    /**
     * The most errors shown for one file, as compilers stop after a screenful: past that they
     * are mostly one mistake repeated, and a generated file can hold a million.
     */
    static final int MAX_ERRORS_PER_FILE = 100;

    public void report(Diagnostics diagnostics) {
        DiagnosticRenderer renderer = new DiagnosticRenderer(colour);
        Map<String, Integer> errorsByFile = new LinkedHashMap<>();
        for (Diagnostic d : diagnostics.sorted()) {
            boolean counted = d.severity() == Severity.ERROR && d.location() != null;
            if (counted && errorsByFile.merge(d.location().path(), 1, Integer::sum) > MAX_ERRORS_PER_FILE) continue;
            err.print(renderer.render(d));
        }
        errorsByFile.forEach((path, errors) -> {
            if (errors > MAX_ERRORS_PER_FILE) {
                err.print(renderer.render(Diagnostic.error(null, "too many errors in " + path + ": "
                        + (errors - MAX_ERRORS_PER_FILE) + " more not shown", "fix the first "
                        + MAX_ERRORS_PER_FILE + " and run again")));
            }
        });
        err.flush();
    }

    /** A line on standard error about how the command read its input, which changes no exit status. */
    public void note(String message) {
        err.println("portpolicy: note: " + VisibleText.ofLine(message));
        err.flush();
    }

    /** An error that has no place in a file: one line, and the hint on the next when there is one. */
    public void error(String message, String hint) {
        // Paths and arguments are the user's text, which may not act on the terminal or break the line.
        err.println("portpolicy: error: " + VisibleText.ofLine(message));
        if (hint != null) err.println("  hint: " + VisibleText.ofLine(hint));
        err.flush();
    }

    /**
     * The default of every --config, as the second line of its description: a line of its own,
     * where help does not break the file's name at its dot as it may within a longer line.
     */
    public static final String CONFIG_DEFAULT = "default: " + ConfigReader.FILE_NAME
            + " in the current directory or the nearest parent";

    /**
     * The configuration file: {@code explicit} when given, else {@value ConfigReader#FILE_NAME}
     * in the current directory or its nearest parent; {@code null} when there is none.
     */
    public static Path configFile(Path explicit) {
        if (explicit != null) return explicit;
        // Named from the current directory, as a policy named on the command line is: a compiled
        // header then reads alike wherever the checkout lies, and shows no home directory.
        Path here = Path.of("").toAbsolutePath();
        Path found = ConfigReader.find(here);
        return found == null ? null : here.relativize(found);
    }

    /**
     * The configuration read from {@link #configFile}, else the default; empty after reporting
     * why a file cannot be used.
     */
    public Optional<LintConfig> config(Path explicit) {
        Diagnostics diagnostics = new Diagnostics();
        Optional<LintConfig> read = config(explicit, diagnostics);
        report(diagnostics);
        return read;
    }

    /**
     * The configuration read from {@link #configFile}, else the default; empty when a file
     * cannot be used.
     *
     * @param diagnostics empty; receives why the file cannot be used, and any warnings
     */
    public static Optional<LintConfig> config(Path explicit, Diagnostics diagnostics) {
        Path file = configFile(explicit);
        if (file == null) return Optional.of(LintConfig.DEFAULT);
        Optional<Confinement.Refusal> refusal = Confinement.judgeNamed(file, FileStore.DISK);
        if (refusal.isPresent()) {
            diagnostics.error(null, "cannot read configuration " + file + ": " + refusal.get().reason(),
                    refusal.get().hint());
            return Optional.empty();
        }
        SourceFile source;
        try {
            source = Utf8Text.read(file);
        } catch (Utf8Text.NotUtf8 e) {
            diagnostics.error(e.at(), "cannot read configuration " + file + ": " + e.getMessage(), Utf8Text.HINT);
            return Optional.empty();
        } catch (IOException e) {
            String hint = FileErrors.hint(e);
            if (hint == null && e instanceof NoSuchFileException) hint = Suggestions.similarFile(file, FileStore.DISK);
            diagnostics.error(null, "cannot read configuration " + file + ": " + FileErrors.describe(e), hint);
            return Optional.empty();
        }
        LintConfig read = ConfigReader.read(source, diagnostics);
        return diagnostics.hasErrors() ? Optional.empty() : Optional.of(read);
    }
}
