package io.portpolicy.lint.format;

import io.portpolicy.cli.Main;
import io.portpolicy.source.SourceFile;
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
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files are named from the top of the checkout GitHub resolves paths in, built here with git as
 * a CI job gets it: a submodule ({@code actions/checkout} with {@code submodules: true}), a
 * linked worktree, and an independent repository cloned inside another checkout.
 */
class RepositoryPathTest {

    /** PP302 finds line 3 redundant and cites line 2. */
    private static final String POLICY = "host web = 10.0.0.5 os linux\n"
            + "allow tcp/22 from 10.0.0.9 to web\nallow tcp/22 from 10.0.0.9 to web\n";

    @TempDir
    static Path dir;

    /**
     * The superproject, built once: pol/x.policy, vendor/policies/x.policy in a submodule,
     * nested/inner/x.policy in a repository of its own; its linked worktrees are ../elsewhere
     * and .worktrees/feature.
     */
    private static Path superproject;

    @BeforeEach
    void checkouts() throws Exception {
        // Before each test, not all: a test skipped for want of git says so in the report.
        Git.require("naming files in submodules and worktrees");
        if (superproject == null) superproject = build();
    }

    private static Path build() throws Exception {
        Path policies = dir.resolve("policies");
        Files.createDirectories(policies);
        Files.writeString(policies.resolve("x.policy"), POLICY);
        Git.run(policies, "init", "-q");
        Git.run(policies, "add", ".");
        Git.run(policies, "commit", "-q", "-m", "policies");

        Path superproject = dir.resolve("super");
        Files.createDirectories(superproject.resolve("pol"));
        Files.writeString(superproject.resolve("pol/x.policy"), POLICY);
        Git.run(superproject, "init", "-q");
        // A local path is a file:// remote, which git refuses for submodules unless told.
        Git.run(superproject, "-c", "protocol.file.allow=always", "submodule", "add", "-q", policies.toString(), "vendor/policies");
        Git.run(superproject, "add", ".");
        Git.run(superproject, "commit", "-q", "-m", "superproject");

        Path inner = superproject.resolve("nested/inner");
        Files.createDirectories(inner);
        Files.writeString(inner.resolve("x.policy"), POLICY);
        Git.run(inner, "init", "-q");
        // A repository of its own whose .git is a file, as a submodule's is.
        Path separate = superproject.resolve("nested/separate");
        Files.createDirectories(separate);
        Files.writeString(separate.resolve("x.policy"), POLICY);
        Git.run(separate, "init", "-q", "--separate-git-dir", dir.resolve("separate.git").toString());

        Git.run(superproject, "worktree", "add", "-q", dir.resolve("elsewhere").toString());
        // Inside the main checkout, as some keep their worktrees.
        Git.run(superproject, "worktree", "add", "-q", ".worktrees/feature");
        Git.run(superproject.resolve(".worktrees/feature"), "-c", "protocol.file.allow=always",
                "submodule", "update", "-q", "--init");
        return superproject;
    }

    private static Optional<String> named(Path file) {
        assertTrue(Files.isRegularFile(file), file + " is in the fixture");
        return RepositoryPath.of(new SourceFile(file.toString(), file, POLICY).at(1, 1, 1));
    }

    @Test
    void aFileOfTheRepositoryIsNamedFromItsTop() {
        assertEquals(Optional.of("pol/x.policy"), named(superproject.resolve("pol/x.policy")));
    }

    @Test
    void aFileInASubmoduleIsNamedFromTheSuperprojectsTopWhereTheWorkspaceHasIt() throws IOException {
        Path file = superproject.resolve("vendor/policies/x.policy");
        assertTrue(Files.readString(file.resolveSibling(".git")).startsWith("gitdir: "), "a submodule has a .git file");
        assertEquals(Optional.of("vendor/policies/x.policy"), named(file));
    }

    @Test
    void aFileInALinkedWorktreeIsNamedFromTheWorktreesTop() {
        assertEquals(Optional.of("pol/x.policy"), named(dir.resolve("elsewhere/pol/x.policy")));
        // Not .worktrees/feature/pol/x.policy: the main checkout around it is another checkout.
        Path feature = superproject.resolve(".worktrees/feature");
        assertEquals(Optional.of("pol/x.policy"), named(feature.resolve("pol/x.policy")));
        assertEquals(Optional.of("vendor/policies/x.policy"), named(feature.resolve("vendor/policies/x.policy")));
    }

    @Test
    void aFileOfAnIndependentRepositoryInsideACheckoutIsNamedFromItsOwnTop() {
        // The path code scanning of that repository knows it by; the outer checkout is another repository.
        assertEquals(Optional.of("x.policy"), named(superproject.resolve("nested/inner/x.policy")));
        assertEquals(Optional.of("x.policy"), named(superproject.resolve("nested/separate/x.policy")));
    }

    @Test
    void annotationsAndSarifNameAFileInASubmoduleAndTheLinesItCitesFromTheSuperprojectsTop() {
        String file = superproject.resolve("vendor/policies/x.policy").toString();
        String github = lint("--format", "github", file);
        assertTrue(github.contains("::warning file=vendor/policies/x.policy,line=3,col=1,endColumn=6,title=PP302::redundant-rule:"
                + " redundant: earlier rules already allow every packet it matches: allow at vendor/policies/x.policy:2"), github);
        String sarif = lint("--format", "sarif", file);
        assertTrue(sarif.contains("\"uri\": \"vendor/policies/x.policy\""), sarif);
        assertFalse(sarif.contains("\"uri\": \"x.policy\""), sarif);
        assertTrue(sarif.contains("allow at [vendor/policies/x.policy:2](1)"), sarif);
    }

    private static String lint(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] all = new String[args.length + 3];
        all[0] = "lint";
        all[1] = "--today";
        all[2] = "2026-11-21";
        System.arraycopy(args, 0, all, 3, args.length);
        Main.run(all, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        return out.toString(StandardCharsets.UTF_8);
    }
}
