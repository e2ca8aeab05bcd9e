package io.portpolicy.diff;

import io.portpolicy.cli.Main;
import io.portpolicy.testing.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code diff --git REV FILE} in a throw-away repository: FILE and what it includes and
 * imports are read as of REV, compared with the working tree, and located as {@code REV:path}.
 */
class DiffGitTest {

    @TempDir
    Path repository;

    /** Where a diff run in a JVM of its own writes its output: not in the repository. */
    @TempDir
    Path scratch;

    private record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void repositoryWithOneCommit() throws Exception {
        Git.require("diff --git");
        git("init", "-q");
        write("site/main.policy", """
                default inbound deny
                host web1 = 10.10.1.11
                include "rules.policy"
                import "inventory.yaml"
                allow tcp/22 from 10.0.0.5 to web1 comment "ssh from the bastion"
                """);
        write("site/rules.policy", "allow tcp/443 from 10.0.0.0/8 to web1 comment \"internal site\"\n");
        write("site/inventory.yaml", "hosts:\n  db1: { addresses: [10.10.2.21] }\n");
        git("add", ".");
        git("commit", "-q", "-m", "first");
    }

    @Test
    void unchangedWorkingTreeIsNoAccessChange() throws Exception {
        Run run = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(0, run.exit, run.err);
        assertTrue(run.out.contains("no access change"), run.out);
    }

    @Test
    void anUnchangedFindingNamingALineIsTheSameOnBothSides() throws Exception {
        // The old side's message names HEAD:site/rules.policy:1, the new side's site/rules.policy:1.
        write("site/rules.policy", "allow tcp/443 from 10.0.0.0/8 to web1 comment \"internal site\"\n"
                + "allow tcp/443 from 10.1.0.0/16 to web1 comment \"one office\"\n");
        git("commit", "-q", "-a", "-m", "second");
        Run run = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(0, run.exit, run.err);
        assertFalse(run.out.contains("introduced") || run.out.contains("resolved"), run.out);
    }

    @Test
    void aChangeInAnIncludedFileIsReadAsOfTheRevision() throws Exception {
        write("site/rules.policy", "allow tcp/443 from any to web1 comment \"public site\"\n");
        Run run = diff("--git", "HEAD", file("site/main.policy"), "--today", "2026-11-21");
        assertEquals(1, run.exit, run.err);
        assertTrue(run.out.contains("opened: tcp port 443"), run.out);
        assertTrue(run.out.contains("after:  allowed by " + file("site/rules.policy") + ":1"), run.out);
        assertTrue(run.out.contains("before: denied by default inbound deny"), run.out);
    }

    @Test
    void theOldSideIsLocatedAsRevisionColonPath() throws Exception {
        String committed = Files.readString(repository.resolve("site/rules.policy"));
        write("site/rules.policy", "deny tcp/443 from any to web1 comment \"site closed\"\n");
        // From the repository's top, as a CI job runs it: git show HEAD:site/rules.policy shows the old side.
        Run run = diffIn(repository, Map.of(), "--git", "HEAD", "site/main.policy");
        assertEquals(1, run.exit, run.err);
        assertTrue(run.out.contains("before: allowed by HEAD:site/rules.policy:1"), run.out);
        assertTrue(run.out.contains("after:  denied by site/rules.policy:1"), run.out);
        assertEquals(committed, gitShow(repository, "HEAD:site/rules.policy"));
        // From outside the repository (a CI job's checkout into a directory of its workspace), no
        // path as typed is a path of the revision: the old side is named from the repository's top.
        String typed = repository.getFileName() + "/site/";
        Run outside = diffIn(repository.getParent(), Map.of(), "--git", "HEAD", typed + "main.policy");
        assertTrue(outside.out.contains("before: allowed by HEAD:site/rules.policy:1"), outside.out);
        assertTrue(outside.out.contains("after:  denied by " + typed + "rules.policy:1"), outside.out);
        // So is an absolute path, from anywhere: HEAD:/... is no path of the revision either.
        Run absolute = diffIn(repository.resolve("site"), Map.of(), "--git", "HEAD", file("site/main.policy"));
        assertTrue(absolute.out.contains("before: allowed by HEAD:site/rules.policy:1"), absolute.out);
        assertTrue(absolute.out.contains("after:  denied by " + file("site/rules.policy") + ":1"), absolute.out);
    }

    @Test
    void anInventoryChangeIsSeen() throws Exception {
        write("site/inventory.yaml", "hosts:\n  db1: { addresses: [10.10.2.22] }\n");
        Run run = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(1, run.exit, run.err);
        assertTrue(run.out.contains("db1"), run.out);
    }

    @Test
    void aFileDeletedFromTheWorkingTreeIsStillReadAtTheRevision() throws Exception {
        Files.delete(repository.resolve("site/rules.policy"));
        write("site/main.policy", Files.readString(repository.resolve("site/main.policy"))
                .replace("include \"rules.policy\"\n", ""));
        Run run = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(1, run.exit, run.err);
        assertTrue(run.out.contains("closed: tcp port 443"), run.out);
    }

    @Test
    void aFileAddedSinceTheRevisionIsComparedWithNothing() throws Exception {
        // A pull request that adds a policy: everything it admits is what it opens.
        write("site/new.policy", "host web9 = 10.10.1.19\ninclude \"extra.policy\"\n");
        write("site/extra.policy", "allow tcp/22 from 10.0.0.5 to web9\n");
        Run run = diff("--git", "HEAD", file("site/new.policy"));
        assertEquals(1, run.exit, run.err);
        assertTrue(run.out.contains("opened: tcp port 22 (ssh) from 10.0.0.5 to web9"), run.out);
        assertTrue(run.out.contains("before: not judged: no host named web9"), run.out);
        assertEquals("portpolicy: note: " + file("site/new.policy") + " does not exist at HEAD, so it is compared with an"
                + " empty policy (git does not track it, so it cannot tell whether it was renamed: git add it to find out)\n",
                run.err);
        // Tracked, and no file at the revision it could come from: still new, and said so.
        git("add", "site/new.policy", "site/extra.policy");
        Run added = diff("--git", "HEAD", file("site/new.policy"));
        assertEquals(1, added.exit, added.err);
        assertTrue(added.out.contains("before: not judged: no host named web9"), added.out);
        assertTrue(added.err.startsWith("portpolicy: note: " + file("site/new.policy") + " does not exist at HEAD, so it is"
                + " compared with an empty policy (git finds no file there it was renamed from"), added.err);
        // A file the old side names is still read at the revision, and still an error when missing there.
        write("site/main.policy", "include \"gone.policy\"\n");
        git("commit", "-q", "-a", "-m", "broken");
        write("site/main.policy", "host web1 = 10.10.1.11\n");
        Run missing = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(2, missing.exit, missing.out);
        assertTrue(missing.err.contains("cannot read 'HEAD:site/gone.policy': no such file"), missing.err);
    }

    @Test
    void aRenamedFileIsComparedWithItsOldVersion() throws Exception {
        // A pull request that renames a policy and changes one rule in the same commit: only that rule's change shows.
        git("mv", "site/main.policy", "site/edge.policy");
        write("site/edge.policy", Files.readString(repository.resolve("site/edge.policy")).replace(
                "allow tcp/22 from 10.0.0.5", "allow tcp/22 from 10.0.0.6"));
        commit("main.policy is the edge's policy");

        Run run = diff("--git", "HEAD~1", file("site/edge.policy"));
        assertEquals(1, run.exit, run.err);
        assertEquals("portpolicy: note: " + file("site/edge.policy") + " was " + file("site/main.policy") + " at HEAD~1"
                + " (renamed), so it is compared with HEAD~1:site/main.policy\n", run.err);
        assertTrue(run.out.contains("opened: tcp port 22 (ssh) from 10.0.0.6 to web1"), run.out);
        assertTrue(run.out.contains("closed: tcp port 22 (ssh) from 10.0.0.5 to web1"), run.out);
        // The HTTPS rule is unchanged: no block of port 443 (the temporary directory's name may hold the digits).
        assertFalse(run.out.contains("port 443"), run.out);
        // The old side is named by its old path, which git shows as of the revision.
        assertTrue(run.out.contains("before: allowed by HEAD~1:site/main.policy:5"), run.out);
        assertTrue(run.out.contains("after:  allowed by " + file("site/edge.policy") + ":5"), run.out);
    }

    @Test
    void aFileMovedToAnotherDirectoryReadsItsIncludesFromItsOldDirectory(@TempDir Path elsewhere) throws Exception {
        // Moved with its inventory, its rules left behind: at HEAD, "rules.policy" was site/rules.policy.
        Files.createDirectories(repository.resolve("prod"));
        git("mv", "site/main.policy", "prod/main.policy");
        git("mv", "site/inventory.yaml", "prod/inventory.yaml");
        write("prod/main.policy", Files.readString(repository.resolve("prod/main.policy"))
                .replace("include \"rules.policy\"", "include \"../site/rules.policy\""));

        Run unchanged = diffIn(repository, Map.of(), "--git", "HEAD", "prod/main.policy");
        assertEquals(0, unchanged.exit, unchanged.err);
        assertEquals("no access change\n", unchanged.out);
        assertEquals("portpolicy: note: prod/main.policy was site/main.policy at HEAD (renamed), so it is compared with"
                + " HEAD:site/main.policy\n", unchanged.err);

        write("site/rules.policy", "deny tcp/443 from any to web1 comment \"site closed\"\n");
        Run changed = diffIn(repository.resolve("prod"), Map.of(), "--git", "HEAD", "main.policy");
        assertEquals(1, changed.exit, changed.err);
        assertTrue(changed.out.contains("before: allowed by HEAD:../site/rules.policy:1"), changed.out);
        assertTrue(changed.out.contains("after:  denied by ../site/rules.policy:1"), changed.out);
        assertTrue(changed.err.contains("compared with HEAD:../site/main.policy\n"), changed.err);

        // From outside the repository, its old path is named from the repository's top, as git names it.
        String typed = repository.getFileName() + "/prod/main.policy";
        Run outside = diffIn(repository.getParent(), Map.of(), "--git", "HEAD", typed);
        assertEquals(1, outside.exit, outside.err);
        assertEquals("portpolicy: note: " + typed + " was " + repository.getFileName() + "/site/main.policy at HEAD"
                + " (renamed), so it is compared with HEAD:site/main.policy\n", outside.err);
        assertTrue(outside.out.contains("before: allowed by HEAD:site/rules.policy:1"), outside.out);

        // Through a link to the new directory, ".." climbs from where the link leads.
        Path link = Files.createSymbolicLink(elsewhere.resolve("prod"), repository.resolve("prod"));
        Run linked = diff("--git", "HEAD", link.resolve("main.policy").toString());
        assertEquals(1, linked.exit, linked.err);
        assertTrue(linked.err.contains(" was " + link + "/../site/main.policy at HEAD (renamed), so it is compared with"
                + " HEAD:site/main.policy\n"), linked.err);
    }

    @Test
    void aRenamedFileMostlyRewrittenIsANewFile() throws Exception {
        // Git sees a rename only when at least half of the file is unchanged.
        git("mv", "site/main.policy", "site/edge.policy");
        write("site/edge.policy", """
                default inbound deny
                host edge1 = 10.10.1.21
                host edge2 = 10.10.1.22
                group edges = edge1, edge2
                allow tcp/443 from any to edges comment "public site"
                allow tcp/22 from 10.0.0.5 to edges comment "ssh from the bastion"
                """);
        commit("the edge replaces web1");

        Run run = diff("--git", "HEAD~1", file("site/edge.policy"));
        assertEquals(1, run.exit, run.err);
        assertTrue(run.err.startsWith("portpolicy: note: " + file("site/edge.policy") + " does not exist at HEAD~1, so it"
                + " is compared with an empty policy (git finds no file there it was renamed from"), run.err);
        assertTrue(run.out.contains("before: not judged: no host named edge1"), run.out);
    }

    @Test
    void gitFailingToLookForARenameIsAnError() throws Exception {
        write("site/new.policy", "host web9 = 10.10.1.19\n");
        Files.writeString(repository.resolve(".git/index"), "not an index");
        Run run = diff("--git", "HEAD", file("site/new.policy"));
        assertEquals(2, run.exit, run.out);
        assertEquals("portpolicy: error: git cannot compare HEAD with the working tree, to find whether "
                + file("site/new.policy") + " was renamed since (git diff-index HEAD says why)\n", run.err);
    }

    @Test
    void aFileTooLargeAtTheRevisionIsRefusedAsOnDisk() throws Exception {
        // One byte past the cap every input file has; git's output is not read to its end.
        Path big = repository.resolve("site/big.policy");
        try (var out = Files.newOutputStream(big)) {
            byte[] comments = "# padding\n".repeat(1024 * 1024 / 10).getBytes(StandardCharsets.US_ASCII);
            for (long written = 0; written <= 64L * 1024 * 1024; written += comments.length) out.write(comments);
        }
        commit("big");
        write("site/big.policy", "host web9 = 10.10.1.19\n");
        Run run = diff("--git", "HEAD", file("site/big.policy"));
        assertEquals(2, run.exit, run.out);
        assertTrue(run.err.contains("cannot read 'HEAD:site/big.policy': it is larger than 64 MiB"), run.err);
    }

    @Test
    void aSymbolicLinkInTheRevisionIsFollowed() throws Exception {
        // Git stores a link as a blob holding its target; that text used to be read as the policy.
        write("shared/rules.policy", Files.readString(repository.resolve("site/rules.policy")));
        Files.delete(repository.resolve("site/rules.policy"));
        Files.createSymbolicLink(repository.resolve("site/rules.policy"), Path.of("../shared/rules.policy"));
        commit("rules shared through a link");
        Run unchanged = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(0, unchanged.exit, unchanged.err);
        assertTrue(unchanged.out.contains("no access change"), unchanged.out);

        write("shared/rules.policy", "deny tcp/443 from any to web1 comment \"site closed\"\n");
        Run changed = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(1, changed.exit, changed.err);
        assertTrue(changed.out.contains("before: allowed by HEAD:site/rules.policy:1"), changed.out);
    }

    @Test
    void aSymbolicLinkInTheRevisionMustStayInTheRepository() throws Exception {
        Files.delete(repository.resolve("site/rules.policy"));
        Files.createSymbolicLink(repository.resolve("site/rules.policy"), Path.of("../../outside.policy"));
        Files.delete(repository.resolve("site/inventory.yaml"));
        Files.createSymbolicLink(repository.resolve("site/inventory.yaml"), Path.of("loop.yaml"));
        Files.createSymbolicLink(repository.resolve("site/loop.yaml"), Path.of("inventory.yaml"));
        commit("links that lead nowhere");
        Run run = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(2, run.exit, run.err);
        assertTrue(run.err.contains("error: cannot read 'HEAD:site/rules.policy': the symbolic link 'site/rules.policy'"
                + " at HEAD points to '../../outside.policy', outside the repository"), run.err);
        assertTrue(run.err.contains("error: cannot read 'HEAD:site/inventory.yaml': it leads through more than 40"
                + " symbolic links at HEAD"), run.err);
    }

    @Test
    void anIncludeOutsideTheRepositoryIsSaidToBeOutsideIt(@TempDir Path elsewhere) throws Exception {
        Path outside = Files.writeString(elsewhere.resolve("objects.policy"), "host db9 = 10.10.2.29\n");
        Files.writeString(elsewhere.resolve("more.policy"), "host db8 = 10.10.2.28\n");
        String relative = repository.resolve("site").relativize(elsewhere.resolve("more.policy")).toString();
        String main = Files.readString(repository.resolve("site/main.policy"));
        write("site/main.policy", main + "include \"" + outside + "\"\ninclude \"" + relative + "\"\n");
        commit("includes from outside");
        Run run = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(2, run.exit, run.err);
        for (Path include : List.of(outside, elsewhere.resolve("more.policy"))) {
            assertTrue(run.err.contains("error: cannot read '" + include + "': it is outside the repository at "
                    + repository.toRealPath() + ": --git reads every file of the policy as of HEAD"), run.err);
        }
        // No path of the revision: not HEAD:PATH.
        assertFalse(run.err.contains("no such file") || run.err.contains("HEAD:" + elsewhere), run.err);
    }

    @Test
    void theOldSideRefusesGitsOwnFilesAsTheWorkingTreeDoes() throws Exception {
        // Git tracks no .git, so the revision has no such file; it is refused all the same, as on the new side.
        String main = Files.readString(repository.resolve("site/main.policy"));
        write("site/main.policy", main + "include \"../.git/config\"\n");
        commit("includes git's configuration");
        Run run = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(2, run.exit, run.err);
        assertTrue(run.err.contains("HEAD:site/main.policy:6:9: error: cannot include 'HEAD:.git/config': it is in a .git"
                + " directory"), run.err);
        assertTrue(run.err.contains(file("site/main.policy") + ":6:9: error: cannot include '" + file(".git/config")
                + "': it is in a .git directory"), run.err);
        assertFalse(run.err.contains("no such file"), run.err);
    }

    @Test
    void gitMissingFromPathIsOneLineWithoutJavaWords() throws Exception {
        Run run = diffIn(repository, Map.of("PATH", repository.resolve("no-bin").toString()),
                "--git", "HEAD", file("site/main.policy"));
        assertEquals(2, run.exit, run.err);
        assertEquals("portpolicy: error: cannot run git: is it installed and on PATH?\n", run.err);
    }

    @Test
    void fromASubdirectoryEachFileHasOneNameOnBothSides() throws Exception {
        // The old side's files were named from the repository's top (HEAD:site/main.policy), the
        // new side's from where the user is (main.policy): one file under two names in one report.
        write("shared/web.policy", "allow tcp/80 from any to web1 comment \"legacy site\"\n");
        write("site/main.policy", Files.readString(repository.resolve("site/main.policy"))
                + "include \"../shared/web.policy\"\n");
        commit("a site shared with another directory");
        String committed = Files.readString(repository.resolve("site/main.policy"));
        write("shared/web.policy", "allow tcp/8443 from any to web1 comment \"new site\"\n");
        write("site/main.policy", Files.readString(repository.resolve("site/main.policy")).replace(
                "allow tcp/22 from 10.0.0.5 to web1 comment \"ssh from the bastion\"",
                "allow tcp/3306 from any to web1 comment \"replica\""));
        Path site = repository.resolve("site");

        Run text = diffIn(site, Map.of(), "--git", "HEAD", "main.policy", "--today", "2026-11-21");
        assertEquals(1, text.exit, text.err);
        // As typed from here, REV: before the old side's; ./ so that git reads it from here too.
        assertTrue(text.out.contains("before: allowed by HEAD:./main.policy:5"), text.out);
        assertTrue(text.out.contains("after:  allowed by main.policy:5"), text.out);
        assertTrue(text.out.contains("before: allowed by HEAD:../shared/web.policy:1"), text.out);
        assertTrue(text.out.contains("after:  allowed by ../shared/web.policy:1"), text.out);
        assertTrue(text.out.contains("\n  HEAD:../shared/web.policy:1:1: warning PP105"), text.out);
        assertTrue(text.out.contains("\n  main.policy:5:1: error PP104"), text.out);
        assertFalse(text.out.contains("HEAD:site/") || text.out.contains("HEAD:shared/"), text.out);
        assertEquals(committed, gitShow(site, "HEAD:./main.policy"));
        assertEquals("allow tcp/80 from any to web1 comment \"legacy site\"\n", gitShow(site, "HEAD:../shared/web.policy"));

        Run json = diffIn(site, Map.of(), "--git", "HEAD", "main.policy", "--today", "2026-11-21", "--format", "json");
        assertEquals(1, json.exit, json.err);
        for (String named : List.of("\"decidedBy\": \"HEAD:./main.policy:5\"", "\"decidedBy\": \"main.policy:5\"",
                "\"decidedBy\": \"HEAD:../shared/web.policy:1\"", "\"decidedBy\": \"../shared/web.policy:1\"",
                "\"file\": \"HEAD:../shared/web.policy\"", "\"file\": \"main.policy\"")) {
            assertTrue(json.out.contains(named), named + " in " + json.out);
        }
        Run markdown = diffIn(site, Map.of(), "--git", "HEAD", "main.policy", "--today", "2026-11-21", "--format", "markdown");
        assertEquals(1, markdown.exit, markdown.err);
        assertTrue(markdown.out.contains("| allowed by HEAD:./main.policy:5 |"), markdown.out);
        assertTrue(markdown.out.contains("| allowed by ../shared/web.policy:1 |"), markdown.out);
        assertTrue(markdown.out.contains("\n- HEAD:../shared/web.policy:1:1: warning PP105"), markdown.out);
    }

    @Test
    void aPathThatLeavesTheRepositoryAndComesBackIsNamedFromTheTop() throws Exception {
        // git reads REV:../../repo/site/main.policy as leaving the repository, and refuses it.
        String committed = Files.readString(repository.resolve("site/main.policy"));
        write("site/main.policy", committed.replace("allow tcp/22 from 10.0.0.5 to web1 comment \"ssh from the bastion\"",
                "allow tcp/3306 from any to web1 comment \"replica\""));
        Path site = repository.resolve("site");
        String roundabout = "../../" + repository.toRealPath().getFileName() + "/site/main.policy";

        Run run = diffIn(site, Map.of(), "--git", "HEAD", roundabout, "--today", "2026-11-21");
        assertEquals(1, run.exit, run.err);
        assertTrue(run.out.contains("before: allowed by HEAD:site/main.policy:5"), run.out);
        assertTrue(run.out.contains("after:  allowed by " + roundabout + ":5"), run.out);
        assertEquals(committed, gitShow(site, "HEAD:site/main.policy"));
    }

    @Test
    void fromASubdirectoryAFindingCitingAnotherDirectoryIsUnchanged() throws Exception {
        // PP302 cites the rule that makes it redundant, in a file of another directory, on both sides.
        write("shared/web.policy", "allow tcp/443 from any to web1 comment \"public site\"\n");
        write("site/rules.policy", "include \"../shared/web.policy\"\n"
                + "allow tcp/443 from 10.1.0.0/16 to web1 comment \"one office\"\n");
        commit("the office's rule made redundant");
        assertTrue(portpolicy("lint", file("site/main.policy")).out.contains("PP302 redundant-rule"), "the finding is there");
        // Every line moves: only the locations differ.
        write("shared/web.policy", "# served by the proxy\n" + Files.readString(repository.resolve("shared/web.policy")));
        write("site/rules.policy", "# rules of the site\n" + Files.readString(repository.resolve("site/rules.policy")));

        Run run = diffIn(repository.resolve("site"), Map.of(), "--git", "HEAD", "main.policy", "--today", "2026-11-21");
        assertEquals(0, run.exit, run.err);
        assertEquals("no access change\n", run.out);
    }

    @Test
    void aFileReachedThroughALinkedDirectoryIsFoundInADirectoryRenamedSince(@TempDir Path elsewhere) throws Exception {
        // Its directory gone from the working tree, the path through the link was taken for one outside the repository.
        Files.createDirectories(repository.resolve("site/old"));
        Files.move(repository.resolve("site/rules.policy"), repository.resolve("site/old/rules.policy"));
        String main = Files.readString(repository.resolve("site/main.policy"));
        write("site/main.policy", main.replace("\"rules.policy\"", "\"old/rules.policy\""));
        commit("rules in a directory of their own");
        git("mv", "site/old", "site/new");
        write("site/main.policy", main.replace("\"rules.policy\"", "\"new/rules.policy\""));
        Path link = Files.createSymbolicLink(elsewhere.resolve("repo"), repository);

        Run run = diff("--git", "HEAD", link.resolve("site/main.policy").toString());
        assertEquals(0, run.exit, run.err);
        assertTrue(run.out.contains("no access change"), run.out);
    }

    @Test
    void aRevisionAShallowCloneLacksIsAnErrorThatSaysToFetchIt() throws Exception {
        write("site/rules.policy", "allow tcp/443 from 10.0.0.0/16 to web1 comment \"internal site\"\n");
        git("commit", "-q", "-a", "-m", "second");
        // As a CI job's checkout gets it by default: the last commit only.
        Path clone = repository.resolve("clone");
        git("clone", "-q", "--depth", "1", "file://" + repository, clone.toString());

        Run run = diff("--git", "HEAD~1", clone.resolve("site/main.policy").toString());
        assertEquals(2, run.exit, run.err);
        assertTrue(run.err.contains("'HEAD~1' is not a commit of the repository at "), run.err);
        assertTrue(run.err.contains("hint: the repository is a shallow clone"), run.err);
        assertTrue(run.err.contains("fetch-depth: 0"), run.err);

        Run unknown = diff("--git", "no-such-branch", file("site/main.policy"));
        assertTrue(unknown.err.contains("hint: name a branch, a tag or a commit"), unknown.err);
    }

    @Test
    void badRevisionsAreRefusedWithoutRunningThemAsOptions() throws Exception {
        Run unknown = diff("--git", "no-such-branch", file("site/main.policy"));
        assertEquals(2, unknown.exit);
        assertTrue(unknown.err.contains("'no-such-branch' is not a commit"), unknown.err);

        Run option = diff("--git=--output=" + repository.resolve("pwned"), file("site/main.policy"));
        assertEquals(2, option.exit);
        assertTrue(option.err.contains("is not a revision"), option.err);
        assertFalse(Files.exists(repository.resolve("pwned")), "a revision must never reach git as an option");
    }

    @Test
    void aWarningIsReportedOnceWhereTheNewSideWritesIt() throws Exception {
        write("site/legacy.policy", "host web1 = 10.10.1.11\nhost legacy = ::ffff:10.0.0.77\n");
        commit("a host written as an IPv4-mapped address");
        String warning = "legacy.policy:2:15: warning: '::ffff:10.0.0.77' is an IPv4-mapped IPv6 address";
        Run git = diff("--git", "HEAD", file("site/legacy.policy"));
        assertEquals(0, git.exit, git.err);
        assertEquals(1, git.err.split("warning:", -1).length - 1, git.err);
        assertTrue(git.err.startsWith(file("site/" + warning)), git.err);
        Run files = diff(file("site/legacy.policy"), file("site/legacy.policy"));
        assertEquals(1, files.err.split("warning:", -1).length - 1, files.err);
        // Fixed since the revision: the old side's warning is nothing left to act on.
        write("site/legacy.policy", "host web1 = 10.10.1.11\nhost legacy = 10.0.0.77\n");
        Run fixed = diff("--git", "HEAD", file("site/legacy.policy"));
        assertEquals("", fixed.err);
    }

    @Test
    void aDirectoryAtTheRevisionIsSaidToBeOneAsOnDisk() throws Exception {
        write("site/sub/extra.policy", "host db2 = 10.10.2.22\n");
        write("site/main.policy", "include \"sub\"\n");
        commit("an include naming a directory");
        Run include = diff("--git", "HEAD", file("site/main.policy"));
        assertEquals(2, include.exit, include.err);
        assertTrue(include.err.contains("HEAD:site/main.policy:1:9: error: cannot read 'HEAD:site/sub':"
                + " it is a directory at HEAD\n  include \"sub\"\n          ^~~~~\n"), include.err);
        assertFalse(include.err.contains("no such file") || include.err.contains("symbolic link"), include.err);

        for (String directory : List.of("site", ".")) {
            Run root = diffIn(repository, Map.of(), "--git", "HEAD", directory);
            assertEquals(2, root.exit, root.err);
            // As the working tree's side says it, with the same hint.
            assertTrue(root.err.contains("portpolicy: error: cannot read 'HEAD:" + directory + "': it is a directory at HEAD\n"
                    + "  hint: name the policy files in it, such as " + directory + "/*.policy\n"), root.err);
            assertFalse(root.err.contains("no such file"), root.err);
        }
    }

    @Test
    void aMistypedFileIsOneErrorWithoutANoteOrARenameLookup() throws Exception {
        // A corrupt index makes any look for a rename fail: none must be made for a file that is not there.
        Files.writeString(repository.resolve(".git/index"), "not an index");
        Run run = diffIn(repository, Map.of(), "--git", "HEAD", "site/mian.policy");
        assertEquals(2, run.exit, run.out);
        assertEquals("portpolicy: error: cannot read 'site/mian.policy': no such file\n"
                + "  hint: did you mean 'main.policy'?\n", run.err);
    }

    @Test
    void aDirectoryNamedAsFileIsOneErrorWithoutANoteOrARenameLookup() throws Exception {
        Files.createDirectories(repository.resolve("site/new"));
        Files.writeString(repository.resolve(".git/index"), "not an index");
        Run run = diffIn(repository, Map.of(), "--git", "HEAD", "site/new");
        assertEquals(2, run.exit, run.out);
        assertTrue(run.err.startsWith("portpolicy: error: cannot read 'site/new': it is a directory"), run.err);
    }

    @Test
    void lookingForARenameLeavesTheIndexAlone() throws Exception {
        git("mv", "site/main.policy", "site/edge.policy");
        // Files whose times changed since they were added: git diff would refresh the index and
        // write it (taking index.lock, which a git commit run meanwhile would fail on).
        for (String tracked : List.of("site/rules.policy", "site/inventory.yaml")) {
            Path path = repository.resolve(tracked);
            Files.setLastModifiedTime(path, FileTime.fromMillis(Files.getLastModifiedTime(path).toMillis() + 60_000));
        }
        Path index = repository.resolve(".git/index");
        byte[] before = Files.readAllBytes(index);
        FileTime modified = Files.getLastModifiedTime(index);

        Run run = diffIn(repository, Map.of(), "--git", "HEAD", "site/edge.policy");
        assertEquals(0, run.exit, run.err);
        assertEquals(renamedNote, run.err);
        assertArrayEquals(before, Files.readAllBytes(index));
        assertEquals(modified, Files.getLastModifiedTime(index));
    }

    @Test
    void lookingForARenameIgnoresTheUsersDiffConfiguration() throws Exception {
        git("mv", "site/main.policy", "site/edge.policy");
        git("config", "diff.orderFile", repository.resolve("no-such-order-file").toString());
        Run run = diffIn(repository, Map.of(), "--git", "HEAD", "site/edge.policy");
        assertEquals(0, run.exit, run.err);
        assertEquals(renamedNote, run.err);
    }

    @Test
    void gitTakesExactlyOneFile() throws Exception {
        Run run = diff("--git", "HEAD", file("site/main.policy"), file("site/rules.policy"));
        assertEquals(2, run.exit);
        assertTrue(run.err.contains("give one FILE"), run.err);
    }

    @Test
    void lintFindingsFollowTheRepositoryConfiguration() throws Exception {
        write("site/rules.policy", "allow tcp/443 from any to web1\n");
        Run plain = diff("--git", "HEAD", file("site/main.policy"));
        assertTrue(plain.out.contains("PP404"), plain.out);
        write(".portpolicy.yaml", "rules:\n  PP404: off\n");
        Run configured = diff("--git", "HEAD", file("site/main.policy"), "--config", file(".portpolicy.yaml"));
        assertEquals(1, configured.exit, configured.err);
        assertFalse(configured.out.contains("PP404"), configured.out);
    }

    // ---- helpers ------------------------------------------------------------------------

    /** What diff --git says of site/main.policy renamed to site/edge.policy since HEAD, run from the top. */
    private final String renamedNote = "portpolicy: note: site/edge.policy was site/main.policy at HEAD (renamed), so it is"
            + " compared with HEAD:site/main.policy\n";

    private void commit(String message) throws Exception {
        git("add", "-A");
        git("commit", "-q", "-m", message);
    }

    private String file(String relative) {
        return repository.resolve(relative).toString();
    }

    private void write(String relative, String text) throws IOException {
        Path path = repository.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    private static Run diff(String... args) {
        List<String> all = new ArrayList<>(List.of("diff"));
        all.addAll(List.of(args));
        return portpolicy(all.toArray(String[]::new));
    }

    private static Run portpolicy(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * diff in a JVM of its own, started in {@code directory} with {@code environment} added:
     * where the user is decides how the report names files.
     */
    private Run diffIn(Path directory, Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "diff"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(environment);
        Process diff = builder.start();
        assertTrue(diff.waitFor(120, TimeUnit.SECONDS), "diff finished");
        return new Run(diff.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** {@code git show OBJECT} run in {@code directory}, as a reviewer would to see the old side. */
    private static String gitShow(Path directory, String object) throws Exception {
        Process process = new ProcessBuilder("git", "-C", directory.toString(), "show", object)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "git show " + object + ": " + output);
        return output;
    }

    private void git(String... args) throws Exception {
        Git.run(repository, args);
    }
}
