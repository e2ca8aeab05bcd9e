package io.portpolicy.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Colour only on a terminal, each stream judged on its own: diagnostics (standard error) are
 * coloured when standard error is a terminal, help (standard output) when standard output is.
 */
class ColourTest {

    private static final String ESCAPE = "\u001b[";

    @Test
    void eachStreamIsColouredOnlyWhenTheLauncherSaysItIsATerminal() {
        assertEquals(new Colour(false, true), Colour.of("false", "true", true, null), "stdout redirected");
        assertEquals(new Colour(true, false), Colour.of("true", "false", true, null), "stderr redirected");
        assertEquals(new Colour(true, true), Colour.of("true", "true", false, null), "stdin redirected");
    }

    @Test
    void withoutTheLauncherTheConsoleDecidesForBoth() {
        assertEquals(new Colour(true, true), Colour.of(null, null, true, null));
        assertEquals(Colour.NONE, Colour.of(null, null, false, null));
    }

    @Test
    void noColorTurnsColourOff() {
        assertEquals(Colour.NONE, Colour.of("true", "true", true, "1"));
        assertEquals(Colour.NONE, Colour.of(null, null, true, "1"));
    }

    @Test
    void anEmptyNoColorIsNotSet() {
        // no-color.org: only a value that is not empty turns colour off.
        assertEquals(new Colour(true, true), Colour.of("true", "true", true, ""));
        assertEquals(new Colour(true, true), Colour.of(null, null, true, ""));
    }

    @Test
    void diagnosticsFollowStandardErrorAndHelpStandardOutput() {
        String[] policyError = {"lint", "-"};
        String bad = "allow tcp/22 from nowhere\n";
        Output errOnly = run(new Colour(false, true), bad, policyError);
        assertTrue(errOnly.err().contains(ESCAPE), errOnly.err());
        Output outOnly = run(new Colour(true, false), bad, policyError);
        assertFalse(outOnly.err().contains(ESCAPE), outOnly.err());

        assertFalse(run(new Colour(false, true), "", "--help").out().contains(ESCAPE));
        assertTrue(run(new Colour(true, false), "", "--help").out().contains(ESCAPE));

        // A usage error, with the usage after it (a missing argument), goes to standard error.
        Output usage = run(new Colour(true, false), "", "lint");
        assertTrue(usage.err().contains("Usage:"), usage.err());
        assertFalse(usage.err().contains(ESCAPE), usage.err());
        assertTrue(run(new Colour(false, true), "", "lint").err().contains(ESCAPE));
        // So does one said in a line with a hint (a value that will not do).
        assertFalse(run(new Colour(true, false), "", "lint", "--format", "xml", "-").err().contains(ESCAPE));
        assertTrue(run(new Colour(false, true), "", "lint", "--format", "xml", "-").err().contains(ESCAPE));
    }

    private record Output(String out, String err) {
    }

    private static Output run(Colour colour, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                colour);
        return new Output(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
