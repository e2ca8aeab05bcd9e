package io.portpolicy.lint;

import com.fasterxml.jackson.databind.JsonNode;
import io.portpolicy.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A line of a policy that a finding cites ("allow at FILE:LINE") is a SARIF embedded link to a
 * related location: code scanning shows it as a link to that line, by its path in the
 * repository, however the tool was given the file (here by an absolute path).
 */
class SarifLinksTest {

    @TempDir
    Path repo;

    @Test
    void aCitedLineIsALinkToARelatedLocationByItsPathInTheRepository() throws IOException {
        Path file = LintFixtures.policyRepeatingAnIncludedRule(repo);
        LintFixtures.Run run = LintFixtures.run("lint", "--today", "2026-11-21", "--format", "sarif",
                file.toAbsolutePath().toString());
        JsonNode redundant = null;
        for (JsonNode result : Json.MAPPER.readTree(run.out()).get("runs").get(0).get("results")) {
            if (result.get("ruleId").asText().equals("PP302")
                    && result.get("message").get("text").asText().startsWith("redundant: ")) {
                redundant = result;
            }
        }
        assertTrue(redundant != null, run.out());
        String text = redundant.get("message").get("text").asText();
        assertTrue(text.contains("allow at [sub/shared.policy:1](1) (allow tcp/22 from 10.0.0.9 to web)"), text);
        assertTrue(!text.contains(repo.toString()), text);
        JsonNode related = redundant.get("relatedLocations");
        assertEquals(1, related.size(), related::toString);
        assertEquals(1, related.get(0).get("id").asInt());
        JsonNode physical = related.get(0).get("physicalLocation");
        assertEquals("sub/shared.policy", physical.get("artifactLocation").get("uri").asText());
        assertEquals("%SRCROOT%", physical.get("artifactLocation").get("uriBaseId").asText());
        assertEquals(1, physical.get("region").get("startLine").asInt());
    }

    @Test
    void userTextCitingNoLineOfTheFileIsNoLinkAndKeepsItsColumn() throws IOException {
        Files.createDirectories(repo.resolve(".git"));
        Path file = repo.resolve("x.policy");
        Files.writeString(file, "host web = 10.0.0.5 os linux\nallow tcp/22 from 10.0.0.9 to web\n"
                + "allow tcp/22 from 10.0.0.9 to web comment \"moved from " + file + ":999 and " + file + ":2:40 [old]\"\n");
        LintFixtures.Run run = LintFixtures.run("lint", "--today", "2026-11-21", "--format", "sarif", file.toString());
        String all = run.out();
        assertTrue(!all.contains("\"startLine\" : 999"), all);
        for (JsonNode result : Json.MAPPER.readTree(all).get("runs").get(0).get("results")) {
            String text = result.get("message").get("text").asText();
            if (!text.contains("moved from")) continue;
            assertTrue(text.contains("moved from " + file + ":999 and [x.policy:2:40]("), text);
            // Brackets of the text itself are escaped, so they are no link.
            assertTrue(text.contains("\\[old\\]"), text);
        }
    }
}
