package io.portpolicy.cli;

import io.portpolicy.diag.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A file name the JVM cannot make a path of (one holding a NUL; under the C locale, one outside
 * ASCII) is one line naming it, wherever it is given: never Java's exception, never the usage.
 */
class UnusableFileNameTest {

    private static final String POLICY = "policies-examples/bastion.policy";

    @Test
    void aNameNoPathCanHoldIsOneLineNamingIt() {
        Map<List<String>, String> errors = new LinkedHashMap<>();
        errors.put(List.of("lint", "a\0b.policy"), "cannot read 'a<U+0000>b.policy': nul character not allowed");
        errors.put(List.of("compile", POLICY, "--target", "nftables", "--host", "bastion1", "-o", "a\0b.nft"),
                "cannot use --output 'a<U+0000>b.nft' as a file name: nul character not allowed");
        errors.put(List.of("lint", "--config", "a\0b.yaml", POLICY),
                "cannot use --config 'a<U+0000>b.yaml' as a file name: nul character not allowed");
        errors.put(List.of("diff", "--git", "HEAD", "a\0b.policy"),
                "cannot use 'a<U+0000>b.policy' as a file name: nul character not allowed");
        errors.forEach((args, message) -> {
            CliRun run = CliRun.run(false, args.toArray(String[]::new));
            assertEquals(2, run.exit(), args + ": " + run.err());
            assertEquals("portpolicy: error: " + message + "\n", run.err(), args.toString());
        });
    }

    @Test
    void aNameThatIsNotUtf8IsSaidToBeOneNotMissing() {
        // What the JVM, under a UTF-8 locale, makes of the Latin-1 name caf\xe9.policy: the byte
        // that is not UTF-8 becomes U+FFFD, and no file has the name it then opens.
        String reason = "no file has that name; '\uFFFD' stands for bytes that are not UTF-8, and a file whose name is"
                + " not valid UTF-8 cannot be opened\n  hint: rename the file so its name is UTF-8 (convmv -f latin1 -t utf8"
                + " --notest FILE renames a Latin-1 name)\n";
        CliRun lint = CliRun.run(false, "lint", "caf\uFFFD.policy");
        assertEquals(2, lint.exit(), lint.err());
        assertEquals("portpolicy: error: cannot read 'caf\uFFFD.policy': " + reason, lint.err());
        CliRun config = CliRun.run(false, "lint", "--config", "caf\uFFFD.yaml", POLICY);
        assertEquals(2, config.exit(), config.err());
        assertEquals("portpolicy: error: cannot read configuration caf\uFFFD.yaml: " + reason, config.err());
    }

    @Test
    void anEmptyNameNamesNoFileNotTheCurrentDirectory() {
        String expected = "portpolicy: error: cannot read '': an empty name names no file\n"
                + "  hint: give the policy file's path, or - for standard input\n";
        for (List<String> args : List.of(List.of("lint", ""), List.of("fmt", "--check", ""), List.of("diff", "", POLICY),
                List.of("query", "", "--from", "10.0.0.1", "--to", "10.0.0.2", "--proto", "tcp", "--port", "22"),
                List.of("compile", "", "--target", "nftables", "--host", "bastion1"))) {
            CliRun run = CliRun.run(false, args.toArray(String[]::new));
            assertEquals(2, run.exit(), args + ": " + run.err());
            assertEquals(expected, run.err(), args.toString());
        }
    }

    @Test
    void underTheCLocaleANameOutsideAsciiSaysHowToGetRoundIt(@TempDir Path dir) throws Exception {
        Path policy = Files.copy(Path.of(POLICY), dir.resolve("ünï.policy"));
        Run lint = underCLocale("lint", policy.toString());
        assumeFalse(lint.exit() == 0, "this JVM writes file names in UTF-8 under the C locale too");
        String hint = "  hint: run with a UTF-8 locale, for example LC_ALL=C.UTF-8\n";
        assertEquals(2, lint.exit(), lint.err());
        assertTrue(lint.err().startsWith("portpolicy: error: cannot read '") && lint.err().endsWith(
                "': it has characters that file names cannot hold in this locale's character set (ANSI_X3.4-1968)\n"
                        + hint), lint.err());

        Run compile = underCLocale("compile", POLICY, "--target", "nftables", "--host", "bastion1",
                "-o", dir.resolve("rés.nft").toString());
        assertEquals(2, compile.exit(), compile.err());
        assertTrue(compile.err().startsWith("portpolicy: error: cannot use --output '" + dir)
                && compile.err().endsWith(hint) && compile.err().lines().count() == 2, compile.err());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(policy), files.toList(), "nothing was written");
        }
    }

    private record Run(int exit, String err) {
    }

    /** The CLI in a JVM of its own under the C locale, whose character set is ASCII. */
    private static Run underCLocale(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(name -> name.startsWith("LC_"));
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("LANG", "C");
        Process process = builder.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the run finished");
        return new Run(process.exitValue(), err);
    }
}
