package io.portpolicy.diag;

import io.portpolicy.source.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A line wider than a screen (a generated or minified policy can be one line of megabytes) is
 * quoted only around the reported column, its cut ends marked {@code ...}, with the caret still
 * under the reported character.
 */
class LongLinesTest {

    @TempDir
    Path dir;

    /** The quoted line and the caret line of an error at {@code column} of {@code line}. */
    private static List<String> quote(String line, int column, int length) {
        SourceFile file = new SourceFile("long.policy", null, line + "\n");
        List<String> rendered = new DiagnosticRenderer(false)
                .render(Diagnostic.error(file.at(1, column, length), "an error")).lines().toList();
        assertEquals(3, rendered.size(), String.join("\n", rendered));
        return rendered.subList(1, 3);
    }

    @Test
    void aLongLineIsQuotedAroundTheColumn() {
        List<String> quoted = quote("x".repeat(1000) + "jumphots" + "y".repeat(1000), 1001, 8);
        assertEquals("  ..." + "x".repeat(53) + "jumphots" + "y".repeat(99) + "...", quoted.get(0));
        assertEquals("  " + " ".repeat(3 + 53) + "^~~~~~~~", quoted.get(1));
    }

    /** Many errors on one long line: each is quoted from its window, not by walking the line again. */
    @Test
    void manyErrorsOnOneLongLineTakeLinearTime() {
        // Not Latin-1, so the line is kept in UTF-16, where counting code points means walking them.
        String line = "comment \"\u2192\" ".repeat(40_000);
        SourceFile file = new SourceFile("long.policy", null, line + "\n");
        DiagnosticRenderer renderer = new DiagnosticRenderer(false);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int column = 1; column < line.length(); column += 13) {
                renderer.render(Diagnostic.error(file.at(1, column, 7), "an error"));
            }
        });
    }

    @Test
    void theEndsOfALongLineAreNotMarkedAsCut() {
        String line = "a".repeat(500) + "b".repeat(500);
        assertEquals(List.of("  " + "a".repeat(160) + "...", "  ^"), quote(line, 1, 1));
        // Past the last character, where the end of a file is reported.
        assertEquals(List.of("  ..." + "b".repeat(160), "  " + " ".repeat(3 + 160) + "^"), quote(line, 1001, 1));
    }

    @Test
    void aSpanLongerThanTheWindowIsUnderlinedToTheCut() {
        List<String> quoted = quote("a".repeat(100) + "b".repeat(1000), 101, 1000);
        assertEquals("  ..." + "a".repeat(53) + "b".repeat(107) + "...", quoted.get(0));
        assertEquals("  " + " ".repeat(3 + 53) + "^" + "~".repeat(106), quoted.get(1));
    }

    /** Every column of a long line of tabs, hidden characters and emoji: the caret is under its character. */
    @Test
    void everyCaretIsUnderItsCharacter() {
        String line = "ab\tc\u001b\uD83D\uDE00d\u202e ".repeat(100);
        int[] characters = line.codePoints().toArray();
        String lineShown = shown(characters, 0, characters.length);
        for (int column = 1; column <= characters.length + 1; column++) {
            List<String> quoted = quote(line, column, 1);
            int[] text = quoted.get(0).codePoints().toArray();
            String caret = quoted.get(1);
            assertTrue(text.length <= 2 + 3 + 160 + 3, quoted.get(0));
            // Cut between characters, never inside a <U+XXXX> or a tab.
            String middle = quoted.get(0).substring(2).replaceAll("^\\.\\.\\.|\\.\\.\\.$", "");
            assertTrue(lineShown.contains(middle), quoted.get(0));

            int at = caret.indexOf('^');
            String under = shown(text, at, text.length);
            if (column > characters.length) {
                assertEquals("", under, "column " + column);
                continue;
            }
            String expected = shown(characters, column - 1, column);
            assertTrue(under.startsWith(expected), "column " + column + ":\n" + quoted.get(0) + "\n" + caret);
            assertEquals(" ".repeat(at) + "^" + "~".repeat(expected.codePointCount(0, expected.length()) - 1), caret);
        }
    }

    /** Code points {@code start} to {@code end} as the renderer prints them. */
    private static String shown(int[] characters, int start, int end) {
        StringBuilder out = new StringBuilder();
        for (int i = start; i < end; i++) out.append(characters[i] == '\t' ? "    " : VisibleText.of(characters[i]));
        return out.toString();
    }

    @Test
    void aTenMegabyteLineIsNotPrintedWhole() throws IOException {
        String policy = "host h = 10.0.0.1  # " + "x".repeat(10_000_000) + "\u001b\n";
        CliRun run = CliRun.lint(dir, "main.policy", policy);
        assertEquals(2, run.exit(), run.err().substring(0, Math.min(1000, run.err().length())));
        assertTrue(run.err().length() < 1000, () -> run.err().length() + " characters printed");
        List<String> lines = run.err().lines().toList();
        assertTrue(lines.get(0).endsWith("main.policy:1:10000022: error: a control character <U+001B> in the policy"),
                lines.get(0));
        assertEquals("  ..." + "x".repeat(152) + "<U+001B>", lines.get(1));
        assertEquals("  " + " ".repeat(3 + 152) + "^~~~~~~~", lines.get(2));
    }
}
