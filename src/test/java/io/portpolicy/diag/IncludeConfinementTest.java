package io.portpolicy.diag;

import io.portpolicy.cli.Main;
import io.portpolicy.source.WorkTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A hostile policy cannot make the job that lints it print other files of the machine (their
 * lines would be quoted by the syntax errors) or hang it: includes and imports read regular
 * files only, never git's own files or the system's views, and stay within the checkout the root
 * file is in. A repository is marked here by its {@code .git}, as git and the tool find it.
 */
class IncludeConfinementTest {

    /** What a checkout's .git/config holds after actions/checkout: the token must never be printed. */
    private static final String SECRET = "extraheader = AUTHORIZATION: basic c2VjcmV0LXRva2Vu";

    @TempDir
    Path dir;

    @Test
    void aFileInDotGitIsRefusedAtTheIncludeAndNothingOfItIsPrinted() throws IOException {
        Path repo = repository();
        Files.writeString(repo.resolve(".git/config"), "[http]\n\t" + SECRET + "\n");
        CliRun run = CliRun.lint(repo, "pol/main.policy", "host web1 = 10.0.1.11\ninclude \"../.git/config\"\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains(repo.resolve("pol/main.policy") + ":2:9: error: cannot include '"
                + repo.resolve(".git/config") + "': it is in a .git directory"), run.err());
        assertTrue(run.err().contains("  include \"../.git/config\"\n          ^~~~"), run.err());
        assertTrue(run.err().contains("hint: git's files are never policy"), run.err());
        assertFalse(run.err().contains("basic"), run.err());
    }

    @Test
    void aFileOutsideTheRepositoryIsRefusedHoweverItIsNamed() throws IOException {
        Path repo = repository();
        Path outside = Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
        CliRun run = CliRun.lint(repo, "main.policy", "include \"../secret.txt\"\nimport \"" + outside + "\"\n");
        assertEquals(2, run.exit(), run.err());
        String top = repo.toRealPath().toString();
        assertTrue(run.err().contains(":1:9: error: cannot include '" + outside
                + "': it is outside the repository at " + top + "\n"), run.err());
        assertTrue(run.err().contains(":2:8: error: cannot import '" + outside
                + "': it is outside the repository at " + top + "\n"), run.err());
        assertTrue(run.err().contains("hint: included and imported files are kept inside the repository, so a policy"
                + " cannot read other files of the machine that lints it; copy the file into the repository"), run.err());
        assertFalse(run.err().contains("basic"), run.err());
    }

    @Test
    void aLinkInTheRepositoryLeadingOutOfItIsRefused() throws IOException {
        Path repo = repository();
        Path outside = Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
        Files.createSymbolicLink(repo.resolve("shared.policy"), outside);
        CliRun run = CliRun.lint(repo, "main.policy", "include \"shared.policy\"\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("error: cannot include '" + repo.resolve("shared.policy")
                + "': it is outside the repository at " + repo.toRealPath() + " (it leads to " + outside.toRealPath() + ")"),
                run.err());
        assertFalse(run.err().contains("basic"), run.err());
    }

    @Test
    void aRootFileThatIsALinkIntoDotGitOrOutOfTheRepositoryIsRefused() throws IOException {
        Path repo = repository();
        Files.writeString(repo.resolve(".git/config"), "[http]\n\t" + SECRET + "\n");
        Path outside = Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
        Files.createDirectories(repo.resolve("pol"));
        // What a pull request can do to the file a job lints: make it a link.
        Path intoGit = Files.createSymbolicLink(repo.resolve("pol/site.policy"), Path.of("../.git/config"));
        Path outOfRepo = Files.createSymbolicLink(repo.resolve("pol/other.policy"), outside);
        CliRun git = CliRun.run(false, "lint", intoGit.toString());
        assertEquals(2, git.exit(), git.err());
        assertTrue(git.err().contains("error: cannot read '" + intoGit + "': it is in a .git directory"), git.err());
        assertFalse(git.err().contains("basic"), git.err());
        CliRun out = CliRun.run(false, "lint", outOfRepo.toString());
        assertEquals(2, out.exit(), out.err());
        assertTrue(out.err().contains("error: cannot read '" + outOfRepo + "': it is a link out of the repository at "
                + repo + " (it leads to " + outside.toRealPath() + ")"), out.err());
        assertFalse(out.err().contains("basic"), out.err());
        // A link within the repository, and any file outside a repository, are read.
        Files.writeString(repo.resolve("pol/real.policy"), "host web1 = 10.0.1.11\n");
        Path within = Files.createSymbolicLink(repo.resolve("pol/linked.policy"), Path.of("real.policy"));
        assertFalse(CliRun.run(false, "lint", within.toString()).err().contains("error"));
        Path elsewhere = Files.writeString(dir.resolve("elsewhere.policy"), "host web1 = 10.0.1.11\n");
        assertFalse(CliRun.run(false, "lint", Files.createSymbolicLink(dir.resolve("l.policy"), elsewhere).toString())
                .err().contains("error"));
    }

    @Test
    void aConfigurationOrBaselineThatIsALinkIntoDotGitIsRefused() throws IOException {
        Path repo = repository();
        Files.writeString(repo.resolve(".git/config"), "[http]\n\t" + SECRET + "\n");
        Path policy = Files.writeString(repo.resolve("site.policy"), "host web1 = 10.0.1.11\n");
        Path config = Files.createSymbolicLink(repo.resolve("lint.yaml"), Path.of(".git/config"));
        CliRun configured = CliRun.run(false, "lint", "--config", config.toString(), policy.toString());
        assertEquals(2, configured.exit(), configured.err());
        assertTrue(configured.err().contains("error: cannot read configuration " + config + ": it is in a .git directory"),
                configured.err());
        assertFalse(configured.err().contains("basic"), configured.err());
        Path baseline = Files.createSymbolicLink(repo.resolve("baseline.json"), Path.of(".git/config"));
        CliRun based = CliRun.run(false, "lint", "--baseline", baseline.toString(), policy.toString());
        assertEquals(2, based.exit(), based.err());
        assertTrue(based.err().contains("error: cannot read baseline " + baseline + ": it is in a .git directory"),
                based.err());
        assertFalse(based.err().contains("basic"), based.err());
    }

    @Test
    void aFileIncludedByAnIncludedFileIsJudgedAlike() throws IOException {
        Path repo = repository();
        Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
        CliRun run = CliRun.lint(repo, "main.policy", "include \"sub/objects.policy\"\n",
                "sub/objects.policy", "include \"../../secret.txt\"\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains(repo.resolve("sub/objects.policy") + ":1:9: error: cannot include"), run.err());
        assertFalse(run.err().contains("basic"), run.err());
    }

    @Test
    void theSystemsViewsAreRefusedOutsideAnyRepositoryToo() throws IOException {
        assumeTrue(Files.isRegularFile(Path.of("/proc/self/environ")), "no /proc on this platform");
        CliRun run = CliRun.lint(dir, "main.policy", "include \"/proc/self/environ\"\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains(":1:9: error: cannot include '/proc/self/environ': it is in /proc, where the system"
                + " shows its state, not a file"), run.err());
        assertFalse(run.err().contains("PATH="), run.err());
        // Not read to its 64 MiB limit either: refused before.
        run = CliRun.lint(dir, "main.policy", "import \"/dev/zero\"\n");
        assertTrue(run.err().contains(":1:8: error: cannot import '/dev/zero': it is in /dev, where the system"
                + " shows its state, not a file"), run.err());
    }

    @Test
    void aNamedPipeIsRefusedInsteadOfWaitedOn() throws Exception {
        Path fifo = dir.resolve("pipe.policy");
        try {
            Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
            assumeTrue(mkfifo.waitFor() == 0, "mkfifo failed: " + new String(mkfifo.getInputStream().readAllBytes()));
        } catch (IOException noMkfifo) {
            assumeTrue(false, "no mkfifo on this platform: " + noMkfifo.getMessage());
        }
        // A daemon thread: reading a pipe no one writes cannot be interrupted, and must not keep the JVM alive.
        ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
            Thread daemon = new Thread(task);
            daemon.setDaemon(true);
            return daemon;
        });
        try {
            Future<CliRun> lint = thread.submit(() -> CliRun.lint(dir, "main.policy", "include \"pipe.policy\"\n"));
            CliRun run = lint.get(30, TimeUnit.SECONDS);
            assertEquals(2, run.exit(), run.err());
            assertTrue(run.err().contains(":1:9: error: cannot include '" + fifo
                    + "': it is not a regular file but a named pipe, socket or device"), run.err());
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void filesAnywhereInTheRepositoryAreIncludedAndImported() throws IOException {
        Path repo = repository();
        CliRun run = CliRun.lint(repo, "site/main.policy",
                "include \"../sibling/x.policy\"\nimport \"./../sibling/inv.yaml\"\nallow tcp/22 from db1 to web1\n",
                "sibling/x.policy", "host web1 = 10.0.1.11\n",
                "sibling/inv.yaml", "hosts:\n  db1: { addresses: [10.0.2.21] }\n");
        assertFalse(run.err().contains("error"), run.err());
    }

    @Test
    void outsideAnyRepositoryFilesOfOtherDirectoriesAreIncluded() throws IOException {
        CliRun run = CliRun.lint(dir, "a/main.policy", "include \"../b/x.policy\"\nallow tcp/22 from any to web1\n",
                "b/x.policy", "host web1 = 10.0.1.11\n");
        assertFalse(run.err().contains("error"), run.err());
    }

    @Test
    void aPolicyOnStandardInputIsKeptInTheRepositoryOfTheCurrentDirectory() throws IOException {
        Path top = WorkTree.top(Path.of("").toAbsolutePath().toRealPath()).orElse(null);
        assumeTrue(top != null, "the tests do not run in a checkout");
        Path outside = Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"lint", "-"},
                new ByteArrayInputStream(("include \"" + outside + "\"\n").getBytes(StandardCharsets.UTF_8)),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        String errors = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, errors);
        assertTrue(errors.contains("<stdin>:1:9: error: cannot include '" + outside + "': it is outside the repository at "
                + top), errors);
        assertFalse(errors.contains("basic"), errors);
    }

    /** dir/repo, a repository's top. */
    private Path repository() throws IOException {
        Path repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve(".git"));
        return repo;
    }
}
