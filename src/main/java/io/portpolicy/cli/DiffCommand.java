package io.portpolicy.cli;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diff.DiffReport;
import io.portpolicy.diff.PolicyDiff;
import io.portpolicy.model.Policy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code portpolicy diff OLD NEW}: what the change admits that it did not, and the reverse. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare what two policies admit, not their text: the access a change opens or closes.",
                "At every host and group of either policy: the packets newly allowed, no longer allowed, or moved "
                        + "between deny and reject, with the deciding rule on each side, and the lint findings the "
                        + "change introduces or resolves.",
                "Exit code: 0 no access change, 1 access changed, 2 errors."})
final class DiffCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OLD", description = "the policy before the change; - reads standard input")
    String before;

    @Parameters(index = "1", paramLabel = "NEW", description = "the policy after the change")
    String after;

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
        if (!format.equals("text") && !format.equals("markdown") && !format.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--format must be text, markdown or json, not '" + format + "'");
        }
        if (before.equals("-") && after.equals("-")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "only one of OLD and NEW can be standard input");
        }
        Diagnostics diagnostics = new Diagnostics();
        Optional<Policy> old = Checker.check(before, io.in(), diagnostics);
        Optional<Policy> neu = Checker.check(after, io.in(), diagnostics);
        io.report(diagnostics);
        if (old.isEmpty() || neu.isEmpty()) return Main.ERROR;
        PolicyDiff.Result result = PolicyDiff.compare(old.get(), neu.get(), today != null ? today : LocalDate.now());
        DiffReport report = new DiffReport(result, neu.get().services().values());
        io.out().print(switch (format) {
            case "markdown" -> report.markdown();
            case "json" -> report.json();
            default -> report.text();
        });
        io.out().flush();
        return result.accessChanged() ? Main.FINDINGS : Main.OK;
    }
}
