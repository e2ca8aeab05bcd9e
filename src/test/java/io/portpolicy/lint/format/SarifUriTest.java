package io.portpolicy.lint.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SARIF locations are URI references: names with spaces, '%', ':' or non-ASCII are escaped. */
class SarifUriTest {

    @TempDir
    Path dir;

    private static Location at(Path file, String displayPath) {
        return new SourceFile(displayPath, file, "").at(1, 1, 1);
    }

    @Test
    void aFileInARepositoryIsRelativeToItsRootWhichTheBaseNames() throws IOException {
        Files.createDirectories(dir.resolve("repo/.git"));
        Path file = dir.resolve("repo/sub dir/a#b.policy");
        ObjectNode artifact = SarifReport.artifactLocation(at(file, "./sub dir/a#b.policy"));
        assertEquals("sub%20dir/a%23b.policy", artifact.get("uri").asText());
        assertEquals("%SRCROOT%", artifact.get("uriBaseId").asText());
    }

    @Test
    void aFileOutsideEveryRepositoryIsAnAbsoluteFileUri() {
        // Given as ./ relative to wherever the tool ran, which a reader of the log cannot know.
        Path file = dir.resolve("caf\u00e9 50%.policy");
        ObjectNode artifact = SarifReport.artifactLocation(at(file, "./caf\u00e9 50%.policy"));
        URI uri = URI.create(artifact.get("uri").asText());
        assertEquals("file", uri.getScheme());
        assertEquals(file.toAbsolutePath(), Path.of(uri));
        assertTrue(artifact.get("uri").asText().endsWith("/caf%C3%A9%2050%25.policy"), artifact.toString());
        assertNull(artifact.get("uriBaseId"));
    }

    @Test
    void escapesWhatAUriCannotHoldAndKeepsSlashes() {
        assertEquals("policies/my%20file%2520.policy", SarifReport.escaped("policies/my file%20.policy"));
        assertEquals("we%2Cird%3Ana%25me.policy", SarifReport.escaped("we,ird:na%me.policy"));
        assertEquals("caf%C3%A9.policy", SarifReport.escaped("café.policy"));
        assertEquals("%3Cstdin%3E", SarifReport.escaped("<stdin>"));
    }

    @Test
    void escapedNamesReadBackAsTheSameRelativePath() {
        for (String name : new String[] {"a b/c%d:e.policy", "x,y;z=1&q#f?.policy", "ü/ß.policy"}) {
            URI uri = URI.create(SarifReport.escaped(name));
            assertNull(uri.getScheme(), name);
            assertEquals(name, uri.getPath());
        }
    }
}
