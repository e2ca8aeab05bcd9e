package io.portpolicy.diag;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run that names a command registers only that one; help and mistakes still see them all. */
class CommandRegistrationTest {

    private static final List<String> COMMANDS = List.of("lint", "query", "rules", "compile", "diff", "fmt", "help");

    @Test
    void helpListsEveryCommand() {
        CliRun run = CliRun.run(false, "--help");
        assertEquals(0, run.exit());
        for (String command : COMMANDS) assertTrue(run.out().contains("  " + command + " "), command + " in\n" + run.out());
    }

    @Test
    void helpCommandExplainsAnyCommand() {
        CliRun run = CliRun.run(false, "help", "compile");
        assertEquals(0, run.exit());
        assertTrue(run.out().contains("Usage: portpolicy compile"), run.out());
    }

    @Test
    void everyCommandsVersionOptionPrintsTheToolsVersion() {
        String version = CliRun.run(false, "--version").out();
        assertTrue(version.startsWith("portpolicy "), version);
        for (String command : COMMANDS.subList(0, COMMANDS.size() - 1)) {
            CliRun run = CliRun.run(false, command, "--version");
            assertEquals(0, run.exit(), command);
            assertEquals(version, run.out(), command);
        }
    }

    @Test
    void aCommandsOwnHelpAndErrorsReachTheStreams() {
        CliRun help = CliRun.run(false, "lint", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("Usage: portpolicy lint"), help.out());
        CliRun wrong = CliRun.run(false, "compile", "--target", "nftables", "--no-such-option", "x.policy");
        assertEquals(2, wrong.exit());
        assertTrue(wrong.err().contains("--no-such-option"), wrong.err());
    }

    @Test
    void anUnknownCommandIsAUsageErrorThatSuggests() {
        CliRun run = CliRun.run(false, "lnt", "x.policy");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("lint"), run.err());
    }
}
