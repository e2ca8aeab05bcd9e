package io.portpolicy.lint;

import org.approvaltests.Approvals;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The approved output of every format for every example policy, plus a fixture with findings
 * of every rule, linted on a fixed day. One approved file per format, one section per policy.
 */
class LintOutputApprovalTest {

    static final String FIXTURE = "src/test/resources/io/portpolicy/lint/findings.policy";
    /** The rules that need an inbound default of deny, which FIXTURE cannot have. */
    static final String DENY_FIXTURE = "src/test/resources/io/portpolicy/lint/findings-deny.policy";

    static List<String> policies() throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(Path.of("policies-examples"))) {
            walk.filter(p -> p.toString().endsWith(".policy")).map(Path::toString).sorted().forEach(files::add);
        }
        assertFalse(files.isEmpty(), "no example policies found from " + Path.of("").toAbsolutePath());
        files.add(FIXTURE);
        files.add(DENY_FIXTURE);
        return files;
    }

    private static void verify(String format) throws IOException {
        StringBuilder approved = new StringBuilder();
        for (String file : policies()) {
            LintFixtures.Run run = LintFixtures.run("lint", "--today", "2026-11-21", "--format", format, file);
            assertTrue(run.err().isEmpty(), run.err());
            approved.append("=== ").append(file).append(": exit ").append(run.exit()).append(" ===\n").append(run.out());
        }
        Approvals.verify(approved.toString());
    }

    @Test
    void text() throws IOException {
        verify("text");
    }

    @Test
    void json() throws IOException {
        verify("json");
    }

    @Test
    void sarif() throws IOException {
        verify("sarif");
    }

    @Test
    void github() throws IOException {
        verify("github");
    }
}
