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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Characters that act on a terminal or reorder text (control characters, bidirectional
 * overrides) are refused in policy files, and shown as {@code <U+XXXX>} wherever user text
 * is printed, so a policy, a file name or an argument cannot hide text from whoever reads
 * the output.
 */
class HiddenCharactersTest {

    /**
     * Clears the screen, reverses what follows and, in some terminals, breaks the line: a file
     * name no one should see acted on.
     */
    private static final String HIDDEN_NAME = "p\u001b[2J\u202eycilop\u2028.policy";
    private static final String SHOWN_NAME = "p<U+001B>[2J<U+202E>ycilop<U+2028>.policy";

    @TempDir
    Path dir;

    private static void assertVisible(String output) {
        assertTrue(output.codePoints().noneMatch(VisibleText::isHidden), output);
    }

    // ---- in policy files ---------------------------------------------------------------

    @Test
    void aVerticalTabInACommentIsAnErrorWhereItIs() throws IOException {
        // cat shows the rule after the vertical tab on a line of its own, below the comment.
        CliRun run = CliRun.lint(dir, "main.policy", "host h = 10.0.0.1  # note\u000b allow tcp/23 from any to h\n");
        assertEquals(2, run.exit(), run.err());
        assertVisible(run.err());
        assertEquals("""
                        TMP/main.policy:1:26: error: a control character <U+000B> in the policy
                          host h = 10.0.0.1  # note<U+000B> allow tcp/23 from any to h
                                                   ^~~~~~~~
                          hint: remove it; it can hide text from reviewers
                        """,
                run.err().replace(dir.toString(), "TMP"));
    }

    @Test
    void everyControlCharacterAndBidiOverrideIsRefusedOncePerLine() throws IOException {
        int[] hidden = {0x00, 0x07, 0x08, 0x0C, 0x1B, 0x7F, 0x85, 0x9B, 0x2028, 0x2029, 0x202A, 0x202D, 0x202E, 0x2066,
            0x2069};
        for (int character : hidden) {
            String c = Character.toString(character);
            CliRun run = CliRun.lint(dir, "main.policy",
                    "host h = 10.0.0.1\nallow ssh from any to h comment \"a" + c + "b" + c + "\"\n");
            assertEquals(2, run.exit(), run.err());
            assertVisible(run.err());
            String shown = String.format("<U+%04X>", character);
            assertTrue(run.err().contains("main.policy:2:35: error: ") && run.err().contains(shown + " in the policy"),
                    run.err());
            assertEquals(1, run.err().lines().filter(l -> l.contains(": error: ")).count(), run.err());
        }
        String bidi = CliRun.lint(dir, "main.policy", "allow ssh comment \"\u202e\"\n").err();
        assertTrue(bidi.contains("error: a bidirectional text control character <U+202E> in the policy"), bidi);
    }

    @Test
    void aLineSeparatorInACommentIsAnErrorWhereItIs() throws IOException {
        // Editors that break the line at U+2028 show the commented-out rule as a rule of its own.
        CliRun run = CliRun.lint(dir, "main.policy", "host h = 10.0.0.1  # note\u2028allow tcp/23 from any to h\n");
        assertEquals(2, run.exit(), run.err());
        assertVisible(run.err());
        assertEquals("""
                        TMP/main.policy:1:26: error: a line separator <U+2028> in the policy
                          host h = 10.0.0.1  # note<U+2028>allow tcp/23 from any to h
                                                   ^~~~~~~~
                          hint: remove it; it can hide text from reviewers
                        """,
                run.err().replace(dir.toString(), "TMP"));
        String paragraph = CliRun.lint(dir, "main.policy", "# note\u2029allow tcp/23\n").err();
        assertTrue(paragraph.contains("main.policy:1:7: error: a paragraph separator <U+2029> in the policy"),
                paragraph);
    }

    @Test
    void tabsAndCrLfLineEndsAreFine() throws IOException {
        CliRun run = CliRun.lint(dir, "main.policy", "host\th = 10.0.0.1\r\nallow ssh from 10.0.0.0/8 to h\r\n");
        assertEquals(0, run.exit(), run.err());
    }

    // ---- in YAML: inventories and the lint configuration --------------------------------

    @Test
    void aNelInAnInventoryCommentCannotDefineAHiddenHost() throws IOException {
        // YAML reads NEL as a line end: after it, 'evil' would be a host no reviewer sees.
        CliRun run = CliRun.lint(dir, "main.policy", "import \"smuggle.yaml\"\nallow ssh from admins to web\n",
                "smuggle.yaml", "hosts:\n  web1: { addresses: [10.0.0.1], groups: [web] }  # CMDB id 1234\u0085"
                        + "  evil: { addresses: [10.0.0.66], groups: [admins] }\ngroups:\n  admins: [10.0.0.5]\n");
        assertEquals(2, run.exit(), run.err());
        assertVisible(run.err());
        assertTrue(run.err().contains("smuggle.yaml:2:65: error: a control character <U+0085> in the YAML file"),
                run.err());
        assertTrue(run.err().contains("hint: remove it; it can hide text from reviewers"), run.err());
    }

    @Test
    void aLineSeparatorInTheConfigurationCannotTurnARuleOff() throws IOException {
        Path policy = Files.writeString(dir.resolve("p.policy"), "host h = 10.0.0.1\n", StandardCharsets.UTF_8);
        Path config = Files.writeString(dir.resolve("c.yaml"),
                "rules:\n  PP303: warning  # reviewed 2026\u2028  PP103: off\n", StandardCharsets.UTF_8);
        CliRun run = CliRun.run(false, "lint", "--config", config.toString(), policy.toString());
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("c.yaml:2:34: error: a line separator <U+2028> in the YAML file"), run.err());
    }

    @Test
    void aControlCharacterInYamlIsReportedWhereItIs() throws IOException {
        CliRun run = CliRun.lint(dir, "main.policy", "import \"nul.yaml\"\n",
                "nul.yaml", "hosts:\n  h1: { addresses: [10.0.0.1\u0000] }\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("nul.yaml:2:29: error: a control character <U+0000> in the YAML file"), run.err());
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
                "use a jump host", null, "allow ssh", true, "ok\u001b[8m hidden");
        String text = TextReport.render(List.of(finding), 1, true, 0);
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

    // ---- a line feed in a file name ------------------------------------------------------

    /** Linux allows any character but '/' and NUL in a file name: a line feed would split the line naming it. */
    private static final String LF_NAME = "a\nb.policy";
    private static final String LF_SHOWN = "a<U+000A>b.policy";

    private Path lineFeedNamed(String text) throws IOException {
        return Files.writeString(dir.resolve(LF_NAME), text, StandardCharsets.UTF_8);
    }

    /** No line of {@code output} starts with what follows a line feed of a file name. */
    private static void assertNotSplit(String output) {
        assertFalse(output.contains("\nb.policy") || output.contains("\nir/") || output.contains("\nx.policy"),
                output);
    }

    @Test
    void diagnosticsShowALineFeedInAFileNameInTheirPlaceAndMessage() throws IOException {
        CliRun inTheFile = CliRun.run(false, "lint", lineFeedNamed("allow ssh from bastion\n").toString());
        assertNotSplit(inTheFile.err());
        assertTrue(inTheFile.err().startsWith(dir + "/" + LF_SHOWN + ":1:16: error: "), inTheFile.err());

        Path including = Files.createDirectories(dir.resolve("d\nir")).resolve("main.policy");
        Files.writeString(including, "include \"common.policy\"\n", StandardCharsets.UTF_8);
        CliRun include = CliRun.run(false, "lint", including.toString());
        assertNotSplit(include.err());
        assertTrue(include.err().startsWith(dir + "/d<U+000A>ir/main.policy:1:9: error: cannot read '"
                + dir + "/d<U+000A>ir/common.policy': no such file\n"), include.err());

        CliRun missing = CliRun.run(false, "lint", dir.resolve("nope\nx.policy").toString());
        assertEquals("portpolicy: error: cannot read '" + dir + "/nope<U+000A>x.policy': no such file\n", missing.err());
    }

    @Test
    void lintTextShowsALineFeedInAFileNameAndMachineFormatsKeepIt() throws IOException {
        String policy = lineFeedNamed("host h = 10.0.0.1\nallow tcp/23 from any to h\n").toString();
        String text = CliRun.run(false, "lint", policy).out();
        assertNotSplit(text);
        assertTrue(text.startsWith(dir + "/" + LF_SHOWN + ":"), text);
        assertTrue(text.contains(LF_SHOWN + ":2:1: error PP101"), text);
        JsonNode finding = Json.MAPPER.readTree(CliRun.run(false, "lint", "--format", "json", policy).out()).get(0);
        assertEquals(policy, finding.get("file").asText());
        // GitHub's own escape for a line feed in a workflow command's property.
        assertTrue(CliRun.run(false, "lint", "--format", "github", policy).out().contains("a%0Ab.policy,line=2"));
    }

    @Test
    void queryShowsALineFeedInTheDecidingRulesFileName() throws IOException {
        String policy = lineFeedNamed("host h = 10.0.0.1\nallow ssh from 10.0.0.0/8 to h\n").toString();
        CliRun run = CliRun.run(false, "query", policy, "--from", "10.0.0.5", "--to", "h", "--proto", "tcp",
                "--port", "22");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("decided by " + dir + "/" + LF_SHOWN + ":2:1: allow ssh"), run.out());
    }

    @Test
    void diffTextAndMarkdownShowALineFeedInAFileNameAndJsonKeepsIt() throws IOException {
        Path old = Files.writeString(dir.resolve("old.policy"), "host h = 10.0.0.1\n", StandardCharsets.UTF_8);
        String neu = lineFeedNamed("host h = 10.0.0.1\nallow tcp/23 from any to h\n").toString();
        String text = CliRun.run(false, "diff", old.toString(), neu).out();
        assertNotSplit(text);
        assertTrue(text.contains("after:  allowed by " + dir + "/" + LF_SHOWN + ":2\n"), text);
        assertTrue(text.contains("  " + dir + "/" + LF_SHOWN + ":2:1: error PP101"), text);
        String markdown = CliRun.run(false, "diff", "--format", "markdown", old.toString(), neu).out();
        assertTrue(markdown.contains("allowed by " + dir + "/a\\<U+000A\\>b.policy:2 |"), markdown);
        JsonNode json = Json.MAPPER.readTree(CliRun.run(false, "diff", "--format", "json", old.toString(), neu).out());
        assertEquals(neu + ":2", json.get("changes").get(0).get("after").get("decidedBy").asText());
        assertEquals(neu, json.get("findingsIntroduced").get(0).get("file").asText());
    }

    @Test
    void fmtCheckShowsALineFeedInAFileName() throws IOException {
        String policy = lineFeedNamed("host  h = 10.0.0.1\n").toString();
        CliRun run = CliRun.run(false, "fmt", "--check", policy);
        assertEquals(dir + "/" + LF_SHOWN + ": would be reformatted\n", run.out());
    }

    @Test
    void rulesWriteDocsShowsALineFeedInItsDirectory() {
        Path docs = dir.resolve("d\nocs");
        CliRun run = CliRun.run(false, "rules", "--format", "markdown", "--write-docs", docs.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().endsWith(" files to " + dir + "/d<U+000A>ocs\n"), run.out());
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
