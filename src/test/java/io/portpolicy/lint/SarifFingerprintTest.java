package io.portpolicy.lint;

import com.fasterxml.jackson.databind.JsonNode;
import io.portpolicy.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Code scanning tracks an alert across commits by its rule, file and
 * {@code partialFingerprints.primaryLocationLineHash}: each result carries one, which survives
 * edits elsewhere and documenting the rule, as a baseline's key does, and which tells apart two
 * findings that are otherwise the same.
 */
class SarifFingerprintTest {

    @TempDir
    Path repo;

    private static final String POLICY = """
            host web = 10.0.0.5 os linux
            allow tcp/22 from any to web
            allow tcp/23 from any to web owner "ops"
            allow tcp/23 from any to web owner "ops"
            """;

    /** The fingerprint of each result, keyed by rule, line and column. */
    private Map<String, String> fingerprints(String policy) throws IOException {
        Files.createDirectories(repo.resolve(".git"));
        Path file = repo.resolve("p.policy");
        Files.writeString(file, policy);
        LintFixtures.Run run = LintFixtures.run("lint", "--today", "2026-11-21", "--format", "sarif", file.toString());
        Map<String, String> byFinding = new LinkedHashMap<>();
        for (JsonNode result : Json.MAPPER.readTree(run.out()).get("runs").get(0).get("results")) {
            JsonNode region = result.get("locations").get(0).get("physicalLocation").get("region");
            String hash = result.path("partialFingerprints").path("primaryLocationLineHash").asText("");
            assertTrue(!hash.isEmpty(), "no primaryLocationLineHash: " + result);
            byFinding.put(result.get("ruleId").asText() + "@" + region.get("startLine").asInt() + ":"
                    + region.get("startColumn").asInt(), hash);
        }
        return byFinding;
    }

    @Test
    void everyResultHasOneAndIdenticalRulesGetDistinctOnes() throws IOException {
        Map<String, String> byFinding = fingerprints(POLICY);
        Set<String> perRule = new HashSet<>();
        for (Map.Entry<String, String> e : byFinding.entrySet()) {
            String rule = e.getKey().substring(0, e.getKey().indexOf('@'));
            assertTrue(perRule.add(rule + " " + e.getValue()), "two results of one rule share " + e.getValue() + ": " + byFinding);
        }
    }

    @Test
    void aLineInsertedAboveAndACommentOnTheRuleKeepThem() throws IOException {
        Map<String, String> before = fingerprints(POLICY);
        Map<String, String> after = fingerprints("# a comment that moves every rule down\n"
                + POLICY.replace("allow tcp/22 from any to web", "allow tcp/22 from any to web comment \"reviewed\""));
        assertNotNull(before.get("PP103@2:1"), before::toString);
        assertNotNull(before.get("PP101@3:1"), before::toString);
        assertEquals(before.get("PP103@2:1"), after.get("PP103@3:1"), before + " / " + after);
        assertEquals(before.get("PP101@3:1"), after.get("PP101@4:1"), before + " / " + after);
    }
}
