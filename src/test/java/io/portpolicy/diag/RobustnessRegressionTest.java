package io.portpolicy.diag;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inputs that once crashed, hung or misreported; each now gives plain diagnostics. */
class RobustnessRegressionTest {

    @TempDir
    Path dir;

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void endlessInputIsTooLargeNotOutOfMemory() throws IOException {
        // Every file was read to its end before its size was checked: /dev/zero filled the heap.
        Path endless = Path.of("/dev/zero");
        String tooLarge = "it is larger than 64 MiB, the most an input file may hold";
        Path policy = Files.writeString(dir.resolve("p.policy"), "host h = 10.0.0.1\n");
        // An include or import of it is refused before it is read (IncludeConfinementTest).
        String[][] runs = {
            {"lint", endless.toString()},
            {"lint", "--config", endless.toString(), policy.toString()},
            {"lint", "--baseline", endless.toString(), policy.toString()},
            {"fmt", "--check", endless.toString()},
        };
        for (String[] args : runs) {
            CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRun.run(false, args));
            assertEquals(2, run.exit(), String.join(" ", args) + "\n" + run.err());
            assertTrue(run.err().contains("/dev/zero") && run.err().contains(tooLarge),
                    String.join(" ", args) + "\n" + run.err());
        }
    }

    @Test
    void aLongTokenIsQuotedCutInItsMessage() throws IOException {
        // A ten-megabyte name or port used to be quoted whole: megabytes on standard error.
        String name = "h".repeat(1_000_000);
        CliRun run = CliRun.lint(dir, "main.policy", "allow ssh from 10.0.0.2 to " + name + "\n"
                + "allow tcp/" + "9".repeat(1_000_000) + " from 10.0.0.2\n");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("unknown name '" + "h".repeat(80) + "... (999920 more characters)'"), run.err());
        assertTrue(run.err().contains("port " + "9".repeat(80) + "... (999920 more characters) is out of range"), run.err());
        assertTrue(run.err().length() < 2_000, run.err());
    }

    @Test
    void aLongYamlValueIsQuotedCutInItsMessage() throws IOException {
        CliRun run = CliRun.lint(dir, "main.policy", "import \"hosts.yaml\"\nallow ssh from 10.0.0.2 to web1\n",
                "hosts.yaml", "hosts:\n  web1: { addresses: [10.0.0.1], os: \"" + "x".repeat(100_000) + "\" }\n");
        assertTrue(run.err().contains("unknown os '" + "x".repeat(80) + "... (99920 more characters)'"), run.err());
        assertTrue(run.err().length() < 2_000, run.err());
    }

    @Test
    void aLineFeedInAYamlValueStaysOnTheMessagesLine() throws IOException {
        // A raw line feed used to start a line of its own on standard error, which a GitHub
        // runner reads as a workflow command.
        CliRun run = CliRun.lint(dir, "main.policy", "import \"hosts.yaml\"\nallow ssh from 10.0.0.2 to web1\n",
                "hosts.yaml", "hosts:\n  web1: { addresses: [10.0.0.1], os: \"linux\\n::stop-commands::pp\\tx\" }\n");
        assertTrue(run.err().contains("unknown os 'linux<U+000A>::stop-commands::pp<U+0009>x'"), run.err());
        assertFalse(run.err().contains("\n::stop-commands"), run.err());
    }

    @Test
    void errorsPastAHundredInOneFileAreCounted() throws IOException {
        // 50,000 errors used to print 18 MB; the first hundred say what is wrong.
        String policy = "host h = 10.0.0.1\nallow ssh from 10.0.0.2 to h" + " comment \"c\"".repeat(151) + "\n";
        CliRun run = CliRun.lint(dir, "main.policy", policy);
        assertEquals(2, run.exit());
        assertEquals(101, count(run.err(), ": error: "), run.err());
        assertTrue(run.err().contains("portpolicy: error: too many errors in " + dir.resolve("main.policy")
                + ": 50 more not shown\n  hint: fix the first 100 and run again\n"), run.err());
    }

    @Test
    void strayTokenAfterACompleteStatement() throws IOException {
        // Skipping the stray '}' outside any rule used to throw NullPointerException.
        CliRun run = CliRun.lint(dir, "main.policy", "allow tcp/22 from any }\nallow tcp/80 from any\n");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("main.policy:1:23: error: unexpected '}'"), run.err());
        assertEquals(1, count(run.err(), ": error: "), run.err());
    }

    @Test
    void errorBeforeAStatementKeywordKeepsTheNextStatement() throws IOException {
        // Recovery used to skip the 'allow' it stopped at, and with it the whole next rule.
        CliRun run = CliRun.lint(dir, "main.policy", "allow tcp/22 from\nallow tcp/80 from jumphots\n");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("main.policy:1:18: error: the rule ends after 'from'; expected an address"),
                run.err());
        assertTrue(run.err().contains("main.policy:2:19: error: unknown name 'jumphots'"), run.err());
    }

    @Test
    void oneSyntaxErrorIsReportedOnce() throws IOException {
        // After a bad name, the rest of the definition used to add "expected '='" at the end of file.
        CliRun run = CliRun.lint(dir, "main.policy", "host from = 10.0.0.5\n");
        assertEquals(1, count(run.err(), ": error: "), run.err());
    }

    @Test
    void aMisspeltStatementAfterABrokenLineIsReported() throws IOException {
        // Recovery used to skip to the next statement keyword, so the 'alow' line, which has
        // none, went with the broken line before it.
        CliRun run = CliRun.lint(dir, "main.policy", "host a = 10.0.0.1\nallow tcp/22 from to a\nalow tcp/80 to a\n"
                + "deny tcp/1 frm a\nallow tcp/23 from a to a\n");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("main.policy:2:19: error: unexpected 'to' in rule after 'from'"), run.err());
        assertTrue(run.err().contains("main.policy:3:1: error: unexpected 'alow' after 'a'"), run.err());
        assertTrue(run.err().contains("hint: did you mean 'allow'?"), run.err());
        assertTrue(run.err().contains("main.policy:4:12: error: unexpected 'frm' after '1'"), run.err());
        assertEquals(3, count(run.err(), ": error: "), run.err());
    }

    @Test
    void aLineLeftUnfinishedIsReportedThereNotWhereTheNextLineBreaks() throws IOException {
        // Newlines are whitespace: 'default inbound' took the next line's 'allow' as its action,
        // and 'from' the misspelt 'alow' as an address, so the error fell on the next line's
        // second word, 'default inbound' counted as set, and 'alow' as an unknown name.
        CliRun run = CliRun.lint(dir, "main.policy", "host web = 10.0.0.5\n"
                + "default inbound\n"
                + "allow tcp/81 from any to web\n"
                + "default inbound deny\n"
                + "allow tcp/22 from\n"
                + "alow tcp/80 from any to web\n"
                + "allow tcp from any port 443 to web port\n"
                + "  ephemeral\n"
                + "allow tcp/23 from nosuch to web\n");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("main.policy:2:16: error: 'default inbound' is unfinished at the end of line 2, so"
                + " 'allow' starting line 3 was read as part of it"), run.err());
        assertTrue(run.err().contains("hint: finish it on line 2: newlines are whitespace"), run.err());
        assertTrue(run.err().contains("main.policy:5:18: error: 'allow tcp/22 from' is unfinished at the end of line 5,"
                + " so 'alow' starting line 6 was read as part of it"), run.err());
        assertTrue(run.err().contains("hint: did you mean 'allow'? If so, finish line 5's statement there"), run.err());
        // A statement that goes on over a line still reads; good lines after the broken ones are still checked.
        assertTrue(run.err().contains("main.policy:9:19: error: unknown name 'nosuch'"), run.err());
        assertEquals(3, count(run.err(), ": error: "), run.err());
    }

    @Test
    void aBrokenLineIsNotReadOnFromAKeywordInsideIt() throws IOException {
        // Recovery used to resume at the 'allow' or 'deny' inside the line, and read the rest of
        // the line as a rule of its own: an unknown name, or a second syntax error, for one mistake.
        CliRun run = CliRun.lint(dir, "main.policy", "host a = 10.0.0.1\n"
                + "allow tcp/22 from ( to a allow tcp/80 to webb\n"
                + "allow tcp/22 from ( to a deny from a\n"
                + "allow tcp/23 from a to a\n");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("main.policy:2:19: error: unexpected character '('"), run.err());
        assertTrue(run.err().contains("main.policy:3:19: error: unexpected character '('"), run.err());
        assertEquals(2, count(run.err(), ": error: "), run.err());
    }

    @Test
    void aBrokenStatementOverSeveralLinesIsOneError() throws IOException {
        // Newlines are whitespace: the lines that go on with a broken statement are not each a stray.
        CliRun run = CliRun.lint(dir, "main.policy", "host a = 10.0.0.1\n"
                + "allow tcp/22 from (\n    to a\n    comment \"x\"\n"
                + "group g = a,,\n    10.0.0.2,\n    a\n"
                + "allow tcp/23 from a to g\n");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("main.policy:2:19: error: unexpected character '('"), run.err());
        assertTrue(run.err().contains("main.policy:5:13: error: unexpected ','"), run.err());
        assertEquals(2, count(run.err(), ": error: "), run.err());
    }

    @Test
    void aHostWhoseAddressIsRefusedClaimsNoAddress() throws IOException {
        // 'host b = 10.0.0.2/24' used to be read as host b = 10.0.0.2 with a stray '/24' after
        // it, so host c was told 10.0.0.2 was b's. The broken host's name is still known.
        CliRun run = CliRun.lint(dir, "main.policy", "host b = 10.0.0.2/24\nhost c = 10.0.0.2\n"
                + "allow tcp/443 from any to b, c\n");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("main.policy:1:10: error: a host holds single addresses, not the CIDR"),
                run.err());
        assertEquals(1, count(run.err(), ": error: "), run.err());
    }

    @Test
    void longServiceAndGroupChains() throws IOException {
        // Resolving names recursively overflowed the stack on chains a few thousand long.
        StringBuilder policy = new StringBuilder();
        int depth = 50_000;
        for (int i = 0; i < depth; i++) {
            policy.append("service s").append(i).append(" = s").append(i + 1).append('\n');
            policy.append("group g").append(i).append(" = g").append(i + 1).append('\n');
        }
        policy.append("service s").append(depth).append(" = tcp/22\n");
        policy.append("group g").append(depth).append(" = 10.0.0.1\n");
        policy.append("allow s0 from g0\n");
        CliRun run = CliRun.lint(dir, "main.policy", policy.toString());
        assertEquals(0, run.exit(), run.err());
    }

    @Test
    void longCycleIsReportedBriefly() throws IOException {
        StringBuilder policy = new StringBuilder();
        for (int i = 0; i < 50_000; i++) policy.append("group g").append(i).append(" = g").append((i + 1) % 50_000).append('\n');
        CliRun run = CliRun.lint(dir, "main.policy", policy.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("error: group cycle: g0 -> g1 -> g2 -> g3 -> g4 -> ... (49990 more) -> "
                + "g49995 -> g49996 -> g49997 -> g49998 -> g49999 -> g0"), run.err());
    }

    @Test
    void servicesThatNameTheNextTwiceDoNotDouble() throws IOException {
        // s0 = s1, s1; s1 = s2, s2; ... used to expand to 2^depth terms.
        StringBuilder policy = new StringBuilder();
        for (int i = 0; i < 64; i++) policy.append("service s").append(i).append(" = s").append(i + 1)
                .append(", s").append(i + 1).append('\n');
        policy.append("service s64 = tcp/22\nallow s0 from any\n");
        CliRun run = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> CliRun.lint(dir, "main.policy", policy.toString()));
        assertEquals(0, run.exit(), run.err());
    }

    @Test
    void includeOfAPathNoFileCanHave() throws IOException {
        // A NUL in an include path threw InvalidPathException out of the loader; now the NUL,
        // a control character, is refused before the statement is read.
        CliRun run = CliRun.lint(dir, "main.policy", "include \"a\u0000b.policy\"\nimport \"x\u0000.yaml\"\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("main.policy:1:11: error: a control character <U+0000> in the policy"), run.err());
        assertTrue(run.err().contains("main.policy:2:10: error: a control character <U+0000> in the policy"), run.err());
    }

    /** f0.policy (the root) includes f1.policy, which includes f2.policy, ... down to f{levels}. */
    private CliRun lintIncludeChain(int levels) throws IOException {
        for (int level = 0; level < levels; level++) {
            Files.writeString(dir.resolve("f" + level + ".policy"), "include \"f" + (level + 1) + ".policy\"\n");
        }
        Files.writeString(dir.resolve("f" + levels + ".policy"), "host web1 = 10.0.1.11\nallow ssh from 10.0.0.5 to web1\n");
        return CliRun.run(false, "lint", dir.resolve("f0.policy").toString());
    }

    @Test
    void includesNestedBeyondTheLimitAreAnErrorAtTheInclude() throws IOException {
        // A long enough chain of includes used to end in a stack overflow, reported without a place.
        CliRun tooDeep = lintIncludeChain(65);
        assertEquals(2, tooDeep.exit(), tooDeep.err());
        assertTrue(tooDeep.err().contains("f64.policy:1:9: error: includes nested too deeply: 'f65.policy' would be"
                + " level 65 below the root file; the limit is 64"), tooDeep.err());
        assertTrue(tooDeep.err().contains("hint: include shared files from the root file"), tooDeep.err());

        CliRun atTheLimit = lintIncludeChain(64);
        assertFalse(atTheLimit.err().contains("nested too deeply"), atTheLimit.err());
    }

    @Test
    void textThatIsNotUtf8IsLocatedAtItsFirstInvalidByte() throws IOException {
        // The error used to name the file only, leaving the user to hunt for the byte.
        Files.writeString(dir.resolve("main.policy"), "include \"latin.policy\"\nimport \"inv.yaml\"\n");
        Files.writeString(dir.resolve("latin.policy"), "host h = 10.0.0.1 # \u20ac\n\nhost g = 10.0.0.2 # caf");
        Files.write(dir.resolve("latin.policy"), new byte[] {(byte) 0xE9, '\n'}, StandardOpenOption.APPEND);
        // After a byte-order mark, which is not counted: it is not part of the text.
        Files.write(dir.resolve("inv.yaml"), new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', (byte) 0xC3, '\n'});
        CliRun run = CliRun.run(false, "lint", dir.resolve("main.policy").toString());
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("latin.policy:3:24: error: cannot read '" + dir.resolve("latin.policy")
                + "': it is not UTF-8 text (byte 0xE9)\n  host g = 10.0.0.2 # caf\uFFFD\n"), run.err());
        assertTrue(run.err().contains("inv.yaml:1:2: error: cannot read '" + dir.resolve("inv.yaml")
                + "': it is not UTF-8 text (byte 0xC3)"), run.err());
        assertTrue(run.err().contains("hint: policy files, inventories and configurations are UTF-8"), run.err());
    }

    @Test
    void emojiAcrossSnakeYamlsBufferBoundary() throws IOException {
        // SnakeYAML read past its 1024-char buffer when a chunk ended inside a surrogate pair.
        String yaml = "hosts:\n" + "#" + "\uD83D\uDE00".repeat(1000) + "\n  web1: { addresses: [10.0.1.999] }\n";
        CliRun run = CliRun.lint(dir, "main.policy", "import \"inv.yaml\"\n", "inv.yaml", yaml);
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("inv.yaml:3:23: error: invalid IPv4 address '10.0.1.999'"), run.err());
    }
}
