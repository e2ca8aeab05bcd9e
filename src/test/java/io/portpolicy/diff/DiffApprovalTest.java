package io.portpolicy.diff;

import io.portpolicy.cli.Main;
import org.approvaltests.Approvals;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The diff of before/after pairs (src/test/resources/io/portpolicy/diff), through the CLI on a
 * fixed day, in all three formats with their exit codes.
 */
class DiffApprovalTest {

    private static final String DIR = "src/test/resources/io/portpolicy/diff/";

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        return "exit " + exit + "\n" + out.toString(StandardCharsets.UTF_8);
    }

    private static String all(String before, String after) {
        StringBuilder out = new StringBuilder();
        for (String format : new String[] {"text", "markdown", "json"}) {
            out.append("=== diff ").append(before).append(' ').append(after).append(" --format ").append(format)
                    .append(" ===\n")
                    .append(run("diff", DIR + before, DIR + after, "--format", format, "--today", "2026-11-21"));
        }
        return out.toString();
    }

    @Test
    void sshOpenedToTheWorld() {
        Approvals.verify(all("ssh-world/old.policy", "ssh-world/new.policy"));
    }

    @Test
    void sourceNarrowed() {
        Approvals.verify(all("source-narrowed/old.policy", "source-narrowed/new.policy"));
    }

    @Test
    void pureReorderIsNoAccessChange() {
        String text = run("diff", DIR + "reorder/old.policy", DIR + "reorder/new.policy", "--today", "2026-11-21");
        assertEquals("exit 0\nno access change\n", text);
        Approvals.verify(all("reorder/old.policy", "reorder/new.policy"));
    }

    @Test
    void newDenyShadowsAnAllow() {
        Approvals.verify(all("deny-shadows/old.policy", "deny-shadows/new.policy"));
    }

    @Test
    void changeInsideAnIncludedFile() {
        Approvals.verify(all("include/old/site.policy", "include/new/site.policy"));
    }

    @Test
    void changedInventoryAddress() {
        Approvals.verify(all("inventory/old/site.policy", "inventory/new/site.policy"));
    }

    /**
     * Policies with neither hosts nor groups admit nothing anywhere, whatever their rules: the
     * diff cannot tell whether access changed, so it says so and exits 2 rather than claim "no
     * access change".
     */
    @Test
    void nowhereToJudgeIsAnError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"diff", DIR + "no-targets/old.policy", DIR + "no-targets/new.policy"},
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        assertEquals(2, exit);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals("portpolicy: error: neither " + DIR + "no-targets/old.policy nor " + DIR
                + "no-targets/new.policy defines a host or group: there is nowhere to judge access at, so whether"
                + " it changed cannot be told\n  hint: diff the policies that include them and define the hosts and"
                + " groups their rules apply at\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void errorsExitTwo() {
        assertEquals(2, Main.run(new String[] {"diff", DIR + "missing.policy", DIR + "reorder/new.policy"},
                new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), false));
        assertEquals(2, Main.run(new String[] {"diff", DIR + "reorder/old.policy", DIR + "reorder/new.policy",
                        "--format", "xml"}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()), false));
    }
}
