package io.portpolicy.diag;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain output without a terminal, and carets that sit under the column they report. */
class RenderingTest {

    private static final Pattern HEADER = Pattern.compile("^(.+):(\\d+):(\\d+): error: .*$");

    /** Errors at many places: after tabs, after an emoji, in an include, at the end of the file, in YAML. */
    private static final String POLICY = String.join("\n",
            "host jumphost = 10.0.0.5",
            "\thost web1 = 10.0.1.11 os linx",
            "allow tcp/22 from jumphots\tto web1",
            "allow tcp/443 from any comment \"caf\u00e9 \uD83D\uDE00\" owner \"a\\qb\" expires 2026-02-30",
            "allow tcp/\uD83D\uDE00 from any",
            "include \"other.policy\"",
            "import \"inv.yaml\"",
            "allow tcp/22 from");
    private static final String OTHER = "host web1 = 10.0.0.256\n";
    private static final String YAML = "hosts:\n  db1: { addresses: [\"\uD83D\uDE00\", 10.0.0.999], role: db }\n";

    @TempDir
    Path dir;

    private CliRun lint(boolean colour) throws IOException {
        Files.writeString(dir.resolve("main.policy"), POLICY, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("other.policy"), OTHER, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("inv.yaml"), YAML, StandardCharsets.UTF_8);
        return CliRun.run(colour, "lint", dir.resolve("main.policy").toString());
    }

    @Test
    void anErrorAboutAWholeFileIsOneLineNamingTheTool() {
        // As README's "Exit codes" says, and as a baseline or output that cannot be used is reported.
        String missing = dir.resolve("missing.policy").toString();
        for (String command : List.of("lint", "fmt")) {
            CliRun run = CliRun.run(false, command, missing);
            assertEquals(2, run.exit());
            assertEquals("portpolicy: error: cannot read '" + missing + "': no such file\n", run.err(), command);
        }
        CliRun directory = CliRun.run(false, "fmt", dir.toString());
        // As gofmt's users might: the hint says how to name the policies in it.
        assertEquals("portpolicy: error: cannot read '" + dir + "': it is a directory\n"
                + "  hint: name the policy files in it, such as " + dir + "/*.policy\n", directory.err());
    }

    @Test
    void noEscapesWithoutColour() throws IOException {
        CliRun run = lint(false);
        assertEquals(2, run.exit());
        assertFalse(run.err().contains("\u001b"), run.err());
        assertFalse(run.out().contains("\u001b"), run.out());
        // The same run with colour does use escapes, so the check above means something.
        assertTrue(lint(true).err().contains("\u001b["));
    }

    @Test
    void caretsSitUnderTheReportedColumn() throws IOException {
        CliRun run = lint(false);
        List<String> lines = run.err().lines().toList();
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            Matcher header = HEADER.matcher(lines.get(i));
            if (!header.matches()) continue;
            List<String> file = Files.readAllLines(Path.of(header.group(1)), StandardCharsets.UTF_8);
            int line = Integer.parseInt(header.group(2));
            int column = Integer.parseInt(header.group(3));
            String source = file.get(line - 1);
            assertEquals("  " + source.replace("\t", "    "), lines.get(i + 1), "quoted line for " + lines.get(i));
            String caret = lines.get(i + 2);
            assertTrue(caret.matches(" *\\^~*"), caret);
            // Where the caret is drawn, in the columns of the tab-expanded quoted line.
            int[] characters = source.codePoints().toArray();
            int expected = 2;
            for (int c = 0; c < Math.min(column - 1, characters.length); c++) expected += characters[c] == '\t' ? 4 : 1;
            assertEquals(expected, caret.indexOf('^'), "caret for " + lines.get(i) + "\n" + lines.get(i + 1) + "\n" + caret);
            checked++;
        }
        // Every error above is located and quoted: 4 in main, 1 in other.policy, 3 in YAML, 1 at the end.
        assertTrue(checked >= 9, run.err());
        assertTrue(run.err().contains("main.policy:8:18: error: unexpected end of file"), run.err());
    }

    @Test
    void caretUnderlinesTheWholeName() throws IOException {
        String err = lint(false).err();
        assertTrue(err.contains("""
                  allow tcp/22 from jumphots    to web1
                                    ^~~~~~~~
                  hint: did you mean 'jumphost'?
                """), err);
    }
}
