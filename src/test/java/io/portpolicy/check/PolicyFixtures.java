package io.portpolicy.check;

import io.portpolicy.cli.Main;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.model.Policy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Checks policy text the way the CLI does, for tests of the language and its examples. */
final class PolicyFixtures {

    private PolicyFixtures() {
    }

    /** The outcome of checking one policy: the model, if any, and every diagnostic. */
    record Checked(Optional<Policy> policy, Diagnostics diagnostics) {

        Policy model() {
            if (policy.isEmpty()) fail("expected the policy to check, but got:\n" + messages());
            return policy.get();
        }

        String messages() {
            return diagnostics.sorted().stream().map(d -> d.location() + ": " + d.message()).collect(Collectors.joining("\n"));
        }

        /** Asserts the policy was refused with an error whose message contains {@code fragment}. */
        void assertError(String fragment) {
            assertTrue(policy.isEmpty(), "expected an error, but the policy checked");
            assertTrue(diagnostics.hasErrors(), "no error reported");
            assertTrue(messages().contains(fragment),
                    "expected an error containing '" + fragment + "', got:\n" + messages());
        }
    }

    /** Checks policy text given on standard input ({@code -}). */
    static Checked check(String text) {
        return check("-", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Checks a policy file with its includes and imports. */
    static Checked check(Path file) {
        return check(file.toString(), InputStream.nullInputStream());
    }

    private static Checked check(String file, InputStream in) {
        Diagnostics diagnostics = new Diagnostics();
        Optional<Policy> policy = Checker.check(file, in, diagnostics);
        // The two halves of the contract must agree: a model only when nothing is wrong.
        assertTrue(policy.isPresent() != diagnostics.hasErrors(), "model and errors disagree");
        return new Checked(policy, diagnostics);
    }

    /** Writes files (name, text, name, text, ...) into {@code dir}. */
    static void write(Path dir, String... namesAndTexts) {
        try {
            for (int i = 0; i < namesAndTexts.length; i += 2) {
                Path path = dir.resolve(namesAndTexts[i]);
                Files.createDirectories(path.getParent());
                Files.writeString(path, namesAndTexts[i + 1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What one in-process run of the CLI printed, and its exit code. */
    record Run(int exit, String out, String err) {
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void assertNoErrors(Checked checked) {
        assertFalse(checked.diagnostics().hasErrors(), checked::messages);
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }
}
