package io.portpolicy.diag;

import com.fasterxml.jackson.databind.JsonNode;
import io.portpolicy.json.Json;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.format.TextReport;
import io.portpolicy.source.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Characters that act on a terminal or reorder text (control characters, bidirectional
 * overrides) are shown as {@code <U+XXXX>} wherever user text is printed, so a policy, a file
 * name or an argument cannot hide text from whoever reads the output.
 */
class HiddenCharactersTest {

    /** Clears the screen and reverses what follows: a file name no one should see acted on. */
    private static final String HIDDEN_NAME = "p\u001b[2J\u202eycilop.policy";
    private static final String SHOWN_NAME = "p<U+001B>[2J<U+202E>ycilop.policy";

    @TempDir
    Path dir;

    private static void assertVisible(String output) {
        assertTrue(output.codePoints().noneMatch(VisibleText::isHidden), output);
    }

    // ---- in what is printed ---------------------------------------------------------------

    private Path hiddenlyNamed(String text) throws IOException {
        return Files.writeString(dir.resolve(HIDDEN_NAME), text, StandardCharsets.UTF_8);
    }

    @Test
    void diagnosticsShowAHiddenFileName() throws IOException {
        CliRun run = CliRun.run(false, "lint", hiddenlyNamed("allow ssh from bastion\n").toString());
        assertEquals(2, run.exit(), run.err());
        assertVisible(run.err());
        assertTrue(run.err().contains(SHOWN_NAME + ":1:16: error: "), run.err());
    }

    private CliRun lint(String format) throws IOException {
        String policy = hiddenlyNamed("host h = 10.0.0.1\nallow tcp/23 from any to h\n").toString();
        CliRun run = CliRun.run(false, "lint", "--format", format, policy);
        assertEquals(1, run.exit(), run.err());
        assertVisible(run.out());
        return run;
    }

    @Test
    void lintTextAndGithubReportsShowAHiddenFileName() throws IOException {
        assertTrue(lint("text").out().contains(SHOWN_NAME + ":2:1: error PP101"));
        assertTrue(lint("github").out().contains(SHOWN_NAME + ",line=2"));
    }

    @Test
    void jsonAndSarifEscapeAHiddenFileName() throws IOException {
        // Escaped in the file, the same name when read back.
        JsonNode finding = Json.MAPPER.readTree(lint("json").out()).get(0);
        assertTrue(finding.get("file").asText().endsWith(HIDDEN_NAME), finding.toString());
        lint("sarif");
    }

    @Test
    void aWaiverReasonIsShown() {
        SourceFile file = new SourceFile("w.policy", null, "allow ssh\n");
        Finding finding = new Finding("PP103", "ssh-exposed", Severity.WARNING, file.at(1, 1, 9), "SSH from the world",
                "use a jump host", null, "allow ssh", "ok\u001b[8m hidden");
        String text = TextReport.render(List.of(finding), 1, true);
        assertVisible(text);
        assertTrue(text.contains("[waived: ok<U+001B>[8m hidden]"), text);
    }

    @Test
    void queryShowsTheDecidingRulesHiddenFileName() throws IOException {
        String policy = hiddenlyNamed("host h = 10.0.0.1\nallow ssh from 10.0.0.0/8 to h\n").toString();
        CliRun run = CliRun.run(false, "query", policy, "--from", "10.0.0.5", "--to", "h", "--proto", "tcp",
                "--port", "22");
        assertEquals(0, run.exit(), run.err());
        assertVisible(run.out());
        assertTrue(run.out().contains("decided by " + dir + "/" + SHOWN_NAME + ":2:1: allow ssh"), run.out());
    }

    @Test
    void diffTextAndMarkdownShowAHiddenFileName() throws IOException {
        Path old = Files.writeString(dir.resolve("old.policy"), "host h = 10.0.0.1\n", StandardCharsets.UTF_8);
        String neu = hiddenlyNamed("host h = 10.0.0.1\nallow ssh from 10.0.0.0/8 to h\n").toString();
        for (String format : List.of("text", "markdown", "json")) {
            CliRun run = CliRun.run(false, "diff", "--format", format, old.toString(), neu);
            assertEquals(1, run.exit(), run.err());
            assertVisible(run.out());
            if (!format.equals("json")) assertTrue(run.out().contains("U+202E"), run.out());
        }
    }

    @Test
    void usageErrorsShowTheArgumentsTheyQuote() throws IOException {
        String policy = Files.writeString(dir.resolve("p.policy"), "host h = 10.0.0.1\n").toString();
        CliRun run = CliRun.run(false, "query", policy, "--from", "\u001b[2Jx", "--to", "h", "--proto", "tcp",
                "--port", "22");
        assertEquals(2, run.exit(), run.err());
        assertVisible(run.err());
        assertTrue(run.err().contains("--from '<U+001B>[2Jx' is neither an address"), run.err());
    }
}
