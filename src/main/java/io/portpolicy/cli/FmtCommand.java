package io.portpolicy.cli;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.VisibleText;
import io.portpolicy.fmt.Formatter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code portpolicy fmt FILE... [--check]}: rewrites policy files in canonical layout, keeping comments. */
@Command(name = "fmt", mixinStandardHelpOptions = true,
        description = {"Rewrite policy files in canonical layout, keeping every comment.",
                "Each FILE is formatted on its own (includes are not followed); - formats standard input to standard output.",
                "Exit code: 0 done (with --check: every file is formatted), 1 with --check: a file would change, 2 errors."})
final class FmtCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "policy files; - reads standard input")
    List<String> files;

    @Option(names = "--check", description = "change nothing; list the files that would change and exit 1 if any would")
    boolean check;

    @Spec
    CommandSpec spec;

    private final Io io;

    FmtCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        Main.standardInputAtMostOnce(files, spec);
        int result = Main.OK;
        for (String file : files) {
            Diagnostics diagnostics = new Diagnostics();
            Checker.TextFile read = Checker.read(file, io.in(), diagnostics);
            Optional<String> formatted = read == null ? Optional.empty() : Formatter.format(read.source(), diagnostics);
            io.report(diagnostics);
            if (formatted.isEmpty()) {
                result = Main.ERROR;
                continue;
            }
            // The canonical form has no byte-order mark: a file with one changes even if its text does not.
            boolean changes = read.byteOrderMark() || !formatted.get().equals(read.source().text());
            if (check) {
                if (changes) {
                    // Named as lint and the errors name it: standard input as <stdin>.
                    String shown = VisibleText.ofLine(read.source().displayPath());
                    io.out().println(VisibleText.of(shown + ": would be reformatted"));
                    if (result == Main.OK) result = Main.FINDINGS;
                }
            } else if (file.equals("-")) {
                io.out().print(formatted.get());
            } else if (changes) {
                try {
                    AtomicWrite.write(Path.of(file), formatted.get());
                } catch (CannotWrite e) {
                    io.error(e.getMessage(), e.hint());
                    result = Main.ERROR;
                }
            }
        }
        io.out().flush();
        return result;
    }
}
