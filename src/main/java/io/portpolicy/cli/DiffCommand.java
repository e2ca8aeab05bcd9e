package io.portpolicy.cli;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Severity;
import io.portpolicy.diff.DiffReport;
import io.portpolicy.diff.PolicyDiff;
import io.portpolicy.lint.LintConfig;
import io.portpolicy.model.Policy;
import io.portpolicy.source.FileStore;
import io.portpolicy.source.GitRevision;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code portpolicy diff OLD NEW} and {@code portpolicy diff --git REV FILE}: what the change
 * admits that it did not, and the reverse.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare what two policies admit, not their text: the access a change opens or closes.",
                "At every host and group of either policy: the packets newly allowed, no longer allowed, or moved "
                        + "between deny and reject, with the deciding rule on each side, and the lint findings the "
                        + "change introduces or resolves.",
                "Exit code: 0 no access change, 1 access changed, 2 errors (also when neither policy defines a host "
                        + "or group to judge access at)."})
final class DiffCommand implements Callable<Integer> {

    // Any number picocli-wise: call() says what is missing in one line and a hint, as it does for
    // a file too many; picocli would print its message and the whole usage.
    @Parameters(paramLabel = "OLD NEW | FILE", arity = "0..*", hideParamSyntax = true,
            description = {"OLD and NEW: the policy before and after the change (one may be - for standard input)",
                    "with --git: FILE, compared as of REV with the working tree"})
    List<String> files = List.of();

    @Option(names = "--git", paramLabel = "REV",
            description = "compare FILE (and what it includes and imports) as of this Git revision with the working tree")
    String revision;

    @Option(names = "--config", paramLabel = "FILE",
            description = {"configuration (the ephemeral range, and the lint findings the change introduces or resolves)",
                    Io.CONFIG_DEFAULT})
    Path config;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, markdown or json (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--today", paramLabel = "YYYY-MM-DD", description = "the date expiry is judged by; default today")
    LocalDate today;

    private final Io io;

    DiffCommand(Io io) {
        this.io = io;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String formatName = Main.oneOf("--format", format, List.of("text", "markdown", "json"), spec);
        if (revision != null && files.size() != 1) throw Main.usage(spec,
                "with --git, give one FILE: it is compared as of " + revision + " with the working tree");
        if (revision == null && files.size() != 2) throw Main.usage(spec, "give OLD and NEW, or --git REV FILE");
        String after = files.get(files.size() - 1);
        FileStore oldFiles = FileStore.DISK;
        String before;
        if (revision != null) {
            if (revision.startsWith("-")) throw Main.usage(spec, Quote.of(revision) + " is not a revision");
            if (after.equals("-")) throw Main.usage(spec,
                    "with --git, FILE must be a file of the repository, not standard input");
            try {
                GitRevision atRevision = GitRevision.of(revision, Path.of(after));
                oldFiles = atRevision;
                before = after;
                Path file = Path.of(after);
                boolean added = !atRevision.holds(file);
                if (added && !Files.isRegularFile(file)) {
                    // Not a file on either side (mistyped most likely, or a directory): the new side's
                    // read says why, and what is no file was renamed from nothing, so git is not asked.
                    oldFiles = atRevision.withEmpty(file);
                } else if (added) {
                    GitRevision.Origin origin = atRevision.origin(after);
                    if (origin.renamedFrom().isPresent()) {
                        // Its old version, read from where it was: its includes are relative to that.
                        before = origin.renamedFrom().get();
                        io.note(after + " was " + before + " at " + revision + " (renamed), so it is compared with "
                                + atRevision.display(before));
                    } else {
                        // A file added since REV is compared with nothing: all it admits is new.
                        io.note(after + " does not exist at " + revision + ", so it is compared with an empty policy"
                                + (origin.tracked() ? " (git finds no file there it was renamed from: a file renamed"
                                        + " with more than half of it rewritten is a new file to git)"
                                        : " (git does not track it, so it cannot tell whether it was renamed:"
                                        + " git add it to find out)"));
                        oldFiles = atRevision.withEmpty(file);
                    }
                }
            } catch (IOException e) {
                io.error(e.getMessage(), e instanceof GitRevision.UnknownRevision unknown ? unknown.hint() : null);
                return Main.ERROR;
            }
        } else {
            before = files.get(0);
            if (before.equals("-") && after.equals("-")) throw Main.usage(spec,
                    "only one of OLD and NEW can be standard input");
        }
        Optional<LintConfig> settings = io.config(config);
        if (settings.isEmpty()) return Main.ERROR;
        Diagnostics oldDiagnostics = new Diagnostics();
        Optional<Policy> old = Checker.check(before, io.in(), oldDiagnostics, oldFiles);
        Diagnostics diagnostics = new Diagnostics();
        Optional<Policy> neu = Checker.check(after, io.in(), diagnostics);
        // The old side's warnings are not actionable (the change is what can still be fixed) and
        // would repeat each warning the change keeps: only its errors, which stop the diff, are told.
        for (Diagnostic d : oldDiagnostics.sorted()) {
            if (d.severity() == Severity.ERROR) diagnostics.add(d);
        }
        io.report(diagnostics);
        if (old.isEmpty() || neu.isEmpty()) return Main.ERROR;
        Policy oldPolicy = settings.get().configured(old.get());
        Policy newPolicy = settings.get().configured(neu.get());
        if (judgedNowhere(oldPolicy) && judgedNowhere(newPolicy)) {
            // Rules apply only at hosts and groups: with none on either side, "no access change"
            // would be an answer to a question that was never asked.
            io.error("neither " + oldPolicy.root().displayPath() + " nor " + newPolicy.root().displayPath()
                    + " defines a host or group: there is nowhere to judge access at, so whether it changed"
                    + " cannot be told", "diff the policies that include them and define the hosts and groups"
                    + " their rules apply at");
            return Main.ERROR;
        }
        PolicyDiff.Result result = PolicyDiff.compare(oldPolicy, newPolicy, Main.dayOr(today), settings.get());
        DiffReport report = new DiffReport(result, newPolicy.services().values(),
                settings.get().sensitivePorts());
        io.out().print(switch (formatName) {
            case "markdown" -> report.markdown();
            case "json" -> report.json();
            default -> report.text();
        });
        io.out().flush();
        return result.accessChanged() ? Main.FINDINGS : Main.OK;
    }

    private static boolean judgedNowhere(Policy policy) {
        return policy.hosts().isEmpty() && policy.groups().isEmpty();
    }
}
