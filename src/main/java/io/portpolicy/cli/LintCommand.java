package io.portpolicy.cli;

import io.portpolicy.check.Checker;
import io.portpolicy.check.Confinement;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Baseline;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintConfig;
import io.portpolicy.lint.Linter;
import io.portpolicy.lint.format.GithubReport;
import io.portpolicy.lint.format.JsonReport;
import io.portpolicy.lint.format.SarifReport;
import io.portpolicy.lint.format.TextReport;
import io.portpolicy.model.Policy;
import io.portpolicy.source.FileErrors;
import io.portpolicy.source.FileStore;
import io.portpolicy.source.SourceFile;
import io.portpolicy.source.Utf8Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code portpolicy lint FILE...}: checks each policy with its includes and imports, then lints it. */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Check policies and report problems. Each FILE is one policy with its includes and imports.",
                "Exit code: 0 no finding at or above --fail-on, 1 findings, 2 errors in the input or the command."})
final class LintCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "policy files; - reads standard input")
    List<String> files;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, json, sarif or github (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--fail-on", paramLabel = "LEVEL", defaultValue = "error",
            description = "exit 1 when a finding is at least this severe: error, warning, note or never (default: ${DEFAULT-VALUE})")
    String failOn;

    @Option(names = "--config", paramLabel = "FILE", description = {"configuration", Io.CONFIG_DEFAULT})
    Path config;

    @Option(names = "--today", paramLabel = "YYYY-MM-DD", description = "the date expiry is judged by; default today")
    LocalDate today;

    @Option(names = "--no-waivers", description = "ignore the policies' inline 'waive' options")
    boolean noWaivers;

    @Option(names = "--baseline", paramLabel = "FILE", description = "report only findings not recorded in FILE")
    Path baseline;

    @Option(names = "--write-baseline", paramLabel = "FILE", description = "record the current findings in FILE")
    Path writeBaseline;

    /** The command line running this command, whose error stream usage errors must go to. */
    @Spec
    CommandSpec spec;

    private final Io io;

    /** Every diagnostic reported so far, in any policy of the run. */
    private final Set<Diagnostic> alreadyReported = new HashSet<>();

    LintCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        Severity threshold = threshold();
        String formatName = Main.oneOf("--format", format, List.of("text", "json", "sarif", "github"), spec);
        Main.standardInputAtMostOnce(files, spec);
        if (writeBaseline != null && writeBaseline.toString().equals("-")) {
            throw Main.usage(spec, "--write-baseline writes a file, not standard output, which carries the findings"
                    + " (a file named - is ./-)");
        }
        // Reported on stderr, and in the machine formats too, where a missing finding must not pass for a clean run.
        List<Diagnostic> problems = new ArrayList<>();
        Diagnostics setup = new Diagnostics();
        Optional<LintConfig> lintConfig = Io.config(config, setup);
        Optional<Baseline> accepted = baseline == null ? Optional.empty() : readBaseline(setup);
        report(setup, problems);

        List<Finding> findings = new ArrayList<>();
        List<SourceFile> linted = new ArrayList<>();
        InputFiles inputs = new InputFiles();
        // Without the configuration or the baseline asked for, the findings would not be the ones asked for.
        if (!setup.hasErrors()) {
            Linter linter = new Linter(lintConfig.get(), Main.dayOr(today), !noWaivers);
            inputs.add(Io.configFile(config));
            for (String file : files) {
                Diagnostics diagnostics = new Diagnostics();
                Optional<Policy> policy = Checker.check(file, io.in(), diagnostics, inputs);
                report(diagnostics, problems);
                policy.ifPresent(p -> {
                    linted.addAll(p.files());
                    findings.addAll(linter.lint(p));
                });
            }
        }
        List<Finding> found = once(findings);
        if (writeBaseline != null) report(writeBaseline(found, inputs, hasErrors(problems)), problems);
        boolean errors = hasErrors(problems);
        List<Finding> reported = accepted.map(b -> b.newFindings(found)).orElse(found);
        boolean failing = threshold != null
                && reported.stream().anyMatch(f -> !f.waived() && f.severity().atLeast(threshold));
        int exitCode = errors ? Main.ERROR : failing ? Main.FINDINGS : Main.OK;
        io.out().print(switch (formatName) {
            case "json" -> JsonReport.render(reported);
            case "sarif" -> SarifReport.render(reported, problems, lintConfig.orElse(LintConfig.DEFAULT),
                    Main.Version.number(), exitCode, linted);
            case "github" -> GithubReport.render(reported, problems, linted);
            default -> TextReport.render(reported, files.size(), !errors, found.size() - reported.size());
        });
        io.out().flush();
        return exitCode;
    }

    /**
     * Each finding once: policies checked together that include one file (or one policy named
     * twice) find the same thing at the same place in it for each of them.
     */
    private static List<Finding> once(List<Finding> findings) {
        Map<List<Object>, Finding> distinct = new LinkedHashMap<>();
        for (Finding f : findings) {
            distinct.putIfAbsent(List.of(f.location().path(), f.location().line(), f.location().column(), f.ruleId(),
                    f.severity(), f.message(), f.waived()), f);
        }
        return new ArrayList<>(distinct.values());
    }

    /**
     * Reports the diagnostics not reported yet: policies checked together that include one file
     * find its errors for each of them, and each is said once, as a finding is.
     */
    private void report(Diagnostics diagnostics, List<Diagnostic> problems) {
        Diagnostics unreported = new Diagnostics();
        diagnostics.sorted().stream().filter(alreadyReported::add).forEach(unreported::add);
        io.report(unreported);
        problems.addAll(unreported.sorted());
    }

    private static boolean hasErrors(List<Diagnostic> problems) {
        return problems.stream().anyMatch(d -> d.severity() == Severity.ERROR);
    }

    /**
     * Records the findings in the --write-baseline file, unless the run has errors: a policy
     * that does not check has no findings, and a baseline without them would report them all
     * as new once it checks again. What kept it from being written, if anything.
     */
    private Diagnostics writeBaseline(List<Finding> findings, InputFiles inputs, boolean errors) {
        Diagnostics diagnostics = new Diagnostics();
        try {
            inputs.refuseToReplace(List.of(writeBaseline));
            if (errors) {
                diagnostics.add(Diagnostic.warning(null, "baseline " + writeBaseline + " not written: a run with errors"
                                + " does not lint every policy, and the baseline would lose the findings of those it could"
                                + " not lint",
                        "fix the errors, then write the baseline again"));
            } else {
                AtomicWrite.write(writeBaseline, Baseline.of(findings, writeBaseline).toJson());
            }
        } catch (CannotWrite e) {
            diagnostics.error(null, e.getMessage(), e.hint());
        }
        return diagnostics;
    }

    /** The --fail-on severity; {@code null} for never. */
    private Severity threshold() {
        String level = Main.oneOf("--fail-on", failOn, List.of("error", "warning", "note", "never"), spec);
        return level.equals("never") ? null : Severity.valueOf(level.toUpperCase(Locale.ROOT));
    }

    /** Recording one, unless '-' was meant for standard input: --write-baseline - is refused, so it cannot be the fix. */
    private String missingBaselineHint() {
        return baseline.toString().equals("-")
                ? "--baseline reads a file, not standard input (a file named - is ./-)"
                : "record one with --write-baseline " + baseline;
    }

    /** The --baseline file, or empty when it cannot be used; why, in {@code diagnostics}. */
    private Optional<Baseline> readBaseline(Diagnostics diagnostics) {
        Optional<Confinement.Refusal> refusal = Confinement.judgeNamed(baseline, FileStore.DISK);
        if (refusal.isPresent()) {
            diagnostics.error(null, "cannot read baseline " + baseline + ": " + refusal.get().reason(),
                    refusal.get().hint());
            return Optional.empty();
        }
        SourceFile text;
        try {
            // As every input: UTF-8 only, refused at its first bad byte; a byte-order mark is dropped.
            text = Utf8Text.read(baseline);
        } catch (Utf8Text.NotUtf8 e) {
            diagnostics.error(e.at(), "cannot read baseline " + baseline + ": " + e.getMessage(),
                    "a baseline is the UTF-8 JSON file --write-baseline writes");
            return Optional.empty();
        } catch (IOException e) {
            String hint = FileErrors.hint(e);
            if (hint == null && e instanceof NoSuchFileException) hint = missingBaselineHint();
            diagnostics.error(null, "cannot read baseline " + baseline + ": " + FileErrors.describe(e), hint);
            return Optional.empty();
        }
        try {
            return Optional.of(Baseline.parse(text));
        } catch (Baseline.Unusable e) {
            diagnostics.error(e.at(), e.getMessage(), "a baseline is the JSON file --write-baseline writes");
            return Optional.empty();
        }
    }
}
