package io.portpolicy.diag;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Included and imported files are told apart by what they are on disk, links followed, and
 * read as the file system reads their paths; messages name them as the user wrote them.
 */
class IncludeLinksTest {

    @TempDir
    Path dir;

    @Test
    void aFileIncludedAgainThroughALinkIsIncludedTwice() throws IOException {
        Files.createSymbolicLink(dir.resolve("alias.policy"), Path.of("common.policy"));
        CliRun run = CliRun.lint(dir, "main.policy", "include \"common.policy\"\ninclude \"alias.policy\"\n",
                "common.policy", "host web1 = 10.0.1.11\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains(dir.resolve("main.policy") + ":2:9: error: 'alias.policy' is already included at "
                + dir.resolve("main.policy") + ":1:9"), run.err());
        assertFalse(run.err().contains("defined twice"), run.err());
    }

    @Test
    void anInventoryImportedAgainThroughALinkedDirectoryIsImportedTwice() throws IOException {
        Files.createSymbolicLink(dir.resolve("same"), Path.of("."));
        CliRun run = CliRun.lint(dir, "main.policy", "import \"inv.yaml\"\nimport \"same/inv.yaml\"\n",
                "inv.yaml", "hosts:\n  web1: { addresses: [10.0.1.11] }\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains(":2:8: error: 'same/inv.yaml' is already imported at "), run.err());
    }

    @Test
    void anIncludeThroughALinkLeadingNowhereSaysSoInsteadOfSuggestingItsOwnName() throws IOException {
        Files.createSymbolicLink(dir.resolve("gone.policy"), Path.of("nowhere/gone.policy"));
        CliRun run = CliRun.lint(dir, "main.policy", "include \"gone.policy\"\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("hint: 'gone.policy' is a symbolic link to a file that does not exist"), run.err());
        assertFalse(run.err().contains("did you mean"), run.err());
    }

    @Test
    void aCycleThroughALinkIsACycle() throws IOException {
        Files.createSymbolicLink(dir.resolve("alias.policy"), Path.of("a.policy"));
        CliRun run = CliRun.lint(dir, "main.policy", "include \"a.policy\"\n",
                "a.policy", "include \"b.policy\"\nhost web1 = 10.0.1.11\n",
                "b.policy", "include \"alias.policy\"\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains(dir.resolve("b.policy")
                + ":1:9: error: include cycle: a.policy -> b.policy -> alias.policy"), run.err());
    }

    @Test
    void dotDotAfterALinkIsTheDirectoryAboveItsTarget() throws IOException {
        // As the file system reads it: sites/lnk/.. is deep/, where lnk points, not sites/.
        Files.createDirectories(dir.resolve("deep/inner"));
        Files.createDirectories(dir.resolve("sites"));
        Files.createSymbolicLink(dir.resolve("sites/lnk"), dir.resolve("deep/inner"));
        CliRun run = CliRun.lint(dir, "sites/main.policy", "include \"lnk/../objects.policy\"\nallow ssh from any to web1\n",
                "sites/objects.policy", "host web2 = 10.0.1.12\n",
                "deep/objects.policy", "host web1 = 10.0.1.11\nhost db1 = 10.0.2.300\n");
        assertEquals(2, run.exit(), run.err());
        // The file that was read, named as the user wrote it: collapsing '..' would name another.
        assertTrue(run.err().contains(dir.resolve("sites/lnk/../objects.policy")
                + ":2:12: error: invalid IPv4 address '10.0.2.300'"), run.err());
        assertFalse(run.err().contains("unknown name 'web1'"), run.err());
    }

    @Test
    void dotDotWithoutALinkIsTidied() throws IOException {
        CliRun run = CliRun.lint(dir, "sites/main.policy", "include \"../shared/./objects.policy\"\n",
                "shared/objects.policy", "host db1 = 10.0.2.300\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains(dir.resolve("shared/objects.policy") + ":1:12: error: "), run.err());
    }
}
