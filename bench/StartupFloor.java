package io.portpolicy.cli;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

/**
 * What a command costs before it does its own work: each run is a fresh JVM that stops after
 * one stage, so timing the stages whole-process (with the launcher's JVM flags and class-data
 * archive) gives the floor each later stage stands on. It sits in the CLI package to build the
 * commands as {@link Main} does.
 *
 * <ul>
 *   <li>{@code none}: the JVM with the jar and its archive, and nothing else;</li>
 *   <li>{@code cli}: picocli builds the named command and parses its arguments;</li>
 *   <li>{@code check}: then the policy (the last argument) is read and checked;</li>
 *   <li>{@code all}: the whole command, as {@code portpolicy} runs it.</li>
 * </ul>
 *
 * <pre>
 *   javac -cp target/portpolicy.jar -d bench/out/floor bench/StartupFloor.java
 *   java [the launcher's flags] -XX:SharedArchiveFile=target/portpolicy.jsa \
 *       -cp target/portpolicy.jar:bench/out/floor io.portpolicy.cli.StartupFloor STAGE lint FILE
 * </pre>
 */
public final class StartupFloor {

    private static final Map<String, Function<Io, Object>> COMMANDS =
            Map.of("lint", LintCommand::new, "compile", CompileCommand::new, "diff", DiffCommand::new);

    private StartupFloor() {
    }

    public static void main(String[] args) {
        String stage = args[0];
        String[] command = Arrays.copyOfRange(args, 1, args.length);
        switch (stage) {
            case "none" -> {
                return;
            }
            case "all" -> System.exit(Main.run(command, System.in, System.out, System.err, false));
            case "cli", "check" -> {
                Io io = new Io(System.in, new PrintWriter(System.out), new PrintWriter(System.err), false);
                CommandLine cli = new CommandLine(new Main());
                cli.addSubcommand(new CommandLine(COMMANDS.get(command[0]).apply(io)));
                cli.parseArgs(command);
                if (stage.equals("check")) {
                    Checker.check(command[command.length - 1], System.in, new Diagnostics()).orElseThrow();
                }
            }
            default -> throw new IllegalArgumentException("stage is none, cli, check or all: " + stage);
        }
    }
}
