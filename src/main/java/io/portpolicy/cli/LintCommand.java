package io.portpolicy.cli;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code portpolicy lint FILE...}: checks each policy with its includes and imports. */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = "Check policies and report problems. Each FILE is one policy with its includes and imports.")
final class LintCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "policy files; - reads standard input")
    List<String> files;

    private final Io io;

    LintCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        boolean errors = false;
        for (String file : files) {
            Diagnostics diagnostics = new Diagnostics();
            Checker.check(file, io.in(), diagnostics);
            io.report(diagnostics);
            errors |= diagnostics.hasErrors();
        }
        if (errors) return Main.ERROR;
        io.out().println("checked " + files.size() + (files.size() == 1 ? " policy" : " policies") + ": no problems");
        return Main.OK;
    }
}
