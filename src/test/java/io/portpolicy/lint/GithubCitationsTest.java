package io.portpolicy.lint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A line of a policy that a finding cites ("allow at FILE:LINE") is named in a workflow
 * annotation by its path in the repository, as the annotation's own file is: the annotation is
 * read on the pull request, where the path the tool was given means nothing.
 */
class GithubCitationsTest {

    @TempDir
    Path repo;

    @Test
    void aCitedLineIsNamedByItsPathInTheRepository() throws IOException {
        Path file = LintFixtures.policyRepeatingAnIncludedRule(repo);
        LintFixtures.Run run = LintFixtures.run("lint", "--today", "2026-11-21", "--format", "github",
                file.toAbsolutePath().toString());
        assertTrue(run.out().contains("::warning file=p.policy,line=3,col=1,endColumn=6,title=PP302::redundant-rule:"
                + " redundant: earlier rules already allow every packet it matches: allow at sub/shared.policy:1"
                + " (allow tcp/22 from 10.0.0.9 to web)"), run.out());
        assertFalse(run.out().contains(repo.toString()), run.out());
    }
}
