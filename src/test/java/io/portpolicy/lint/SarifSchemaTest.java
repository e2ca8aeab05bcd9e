package io.portpolicy.lint;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.portpolicy.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SARIF output validates against the official SARIF 2.1.0 schema (see its PROVENANCE file). */
class SarifSchemaTest {

    private static JsonSchema schema() throws IOException {
        try (InputStream in = SarifSchemaTest.class.getResourceAsStream("sarif-schema-2.1.0.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
    }

    @Test
    void everyPolicyValidates() throws IOException {
        JsonSchema schema = schema();
        for (String file : LintOutputApprovalTest.policies()) {
            LintFixtures.Run run = LintFixtures.run("lint", "--today", "2026-11-21", "--format", "sarif", file);
            JsonNode log = Json.MAPPER.readTree(run.out());
            Set<ValidationMessage> errors = schema.validate(log);
            assertTrue(errors.isEmpty(), file + ": " + errors);
        }
    }

    @Test
    void theSchemaRejectsWhatItShould() throws IOException {
        // Guards against a validator that accepts everything (a draft mismatch, say).
        JsonNode broken = Json.MAPPER.readTree("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {}}]}");
        assertTrue(!schema().validate(broken).isEmpty());
    }

    @Test
    void resultsCarryWhatCodeScanningReads() throws IOException {
        LintFixtures.Run run = LintFixtures.run("lint", "--today", "2026-11-21", "--format", "sarif",
                LintOutputApprovalTest.FIXTURE);
        JsonNode runNode = Json.MAPPER.readTree(run.out()).get("runs").get(0);
        JsonNode rules = runNode.get("tool").get("driver").get("rules");
        assertEquals(RuleCatalog.rules().size(), rules.size());
        for (JsonNode rule : rules) {
            for (String field : new String[] {"id", "name", "shortDescription", "fullDescription", "help"}) {
                assertTrue(rule.has(field), rule.get("id") + " lacks " + field);
            }
            double severity = Double.parseDouble(rule.get("properties").get("security-severity").asText());
            assertTrue(severity >= 0.1 && severity <= 10.0, rule.toString());
        }
        boolean suppressed = false;
        for (JsonNode result : runNode.get("results")) {
            JsonNode physical = result.get("locations").get(0).get("physicalLocation");
            assertEquals(LintOutputApprovalTest.FIXTURE, physical.get("artifactLocation").get("uri").asText());
            assertTrue(physical.get("region").get("startLine").asInt() > 0);
            suppressed |= result.has("suppressions");
        }
        assertTrue(suppressed, "the fixture's waived finding carries suppressions");
    }

    @Test
    void aPolicyThatDoesNotCheckMakesAFailedRunNotACleanOne(@TempDir Path dir) throws IOException {
        Path policy = Files.writeString(dir.resolve("pe.policy"),
                "host h = 10.0.0.1 os linux\nallow tcp/23 from any\nallow ssh from jumpost\n");
        LintFixtures.Run run = LintFixtures.run("lint", "--format", "sarif", policy.toString());
        assertEquals(2, run.exit(), run.err());
        JsonNode log = Json.MAPPER.readTree(run.out());
        assertTrue(schema().validate(log).isEmpty(), schema().validate(log).toString());
        JsonNode invocation = log.get("runs").get(0).get("invocations").get(0);
        assertFalse(invocation.get("executionSuccessful").asBoolean(), invocation.toString());
        assertEquals(2, invocation.get("exitCode").asInt());
        JsonNode notification = invocation.get("toolExecutionNotifications").get(0);
        assertEquals("error", notification.get("level").asText());
        assertTrue(notification.get("message").get("text").asText().startsWith("unknown name 'jumpost'\nHint: "),
                notification.toString());
        JsonNode region = notification.get("locations").get(0).get("physicalLocation").get("region");
        assertEquals(3, region.get("startLine").asInt());
        assertEquals(16, region.get("startColumn").asInt());
    }

    @Test
    void aConfigurationOrBaselineThatCannotBeUsedMakesAFailedRunNotASilentOne(@TempDir Path dir) throws IOException {
        Path policy = Files.writeString(dir.resolve("p.policy"), "host h = 10.0.0.1 os linux\n");
        Path badConfig = Files.writeString(dir.resolve("c.yaml"), "rules:\n  PP999: off\n");
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--config", dir.resolve("nosuch.yaml").toString()),
                "cannot read configuration " + dir.resolve("nosuch.yaml") + ": no such file");
        cases.put(List.of("--config", badConfig.toString()), "unknown rule ID or name 'PP999'");
        cases.put(List.of("--baseline", dir.resolve("nosuch.json").toString()),
                "cannot read baseline " + dir.resolve("nosuch.json") + ": no such file\nHint: record one with");
        JsonSchema schema = schema();
        for (Map.Entry<List<String>, String> failure : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of("lint", "--format", "sarif"));
            args.addAll(failure.getKey());
            args.add(policy.toString());
            LintFixtures.Run run = LintFixtures.run(args.toArray(String[]::new));
            assertEquals(2, run.exit(), run.err());
            String message = failure.getValue();
            assertTrue(run.err().contains(message.replace("\nHint:", "\n  hint:")), run.err());
            assertFalse(run.out().isEmpty(), failure.getKey() + ": no SARIF log");
            JsonNode log = Json.MAPPER.readTree(run.out());
            assertTrue(schema.validate(log).isEmpty(), schema.validate(log).toString());
            JsonNode invocation = log.get("runs").get(0).get("invocations").get(0);
            assertFalse(invocation.get("executionSuccessful").asBoolean(), invocation.toString());
            assertEquals(2, invocation.get("exitCode").asInt());
            JsonNode notification = invocation.get("toolExecutionNotifications").get(0);
            assertEquals("error", notification.get("level").asText());
            assertTrue(notification.get("message").get("text").asText().startsWith(message), notification.toString());
            assertEquals(0, log.get("runs").get(0).get("results").size(), "no policy is linted without them");
        }
    }

    @Test
    void aRunThatChecksEveryPolicyIsSuccessful() throws IOException {
        LintFixtures.Run run = LintFixtures.run("lint", "--today", "2026-11-21", "--format", "sarif",
                LintOutputApprovalTest.FIXTURE);
        JsonNode invocation = Json.MAPPER.readTree(run.out()).get("runs").get(0).get("invocations").get(0);
        assertTrue(invocation.get("executionSuccessful").asBoolean(), invocation.toString());
        assertEquals(run.exit(), invocation.get("exitCode").asInt());
        assertFalse(invocation.has("toolExecutionNotifications"), invocation.toString());
    }

    @Test
    void columnsCountUtf16CodeUnitsAsTheRunSays(@TempDir Path dir) throws IOException {
        // The fire emoji is one code point and two UTF-16 code units; the waiver starts at code point 40.
        Path policy = Files.writeString(dir.resolve("col.policy"),
                "allow ssh from 10.0.0.0/8 comment \"\uD83D\uDD25\u00e9\" waive PP999 \"x\"\n");
        LintFixtures.Run run = LintFixtures.run("lint", "--today", "2026-11-21", "--format", "sarif", policy.toString());
        JsonNode runNode = Json.MAPPER.readTree(run.out()).get("runs").get(0);
        assertEquals("utf16CodeUnits", runNode.get("columnKind").asText());
        JsonNode region = null;
        for (JsonNode result : runNode.get("results")) {
            if (result.get("ruleId").asText().equals("PP405")) {
                region = result.get("locations").get(0).get("physicalLocation").get("region");
            }
        }
        assertEquals(41, region.get("startColumn").asInt(), run.out());
        assertEquals(56, region.get("endColumn").asInt(), "the span of 'waive PP999 \"x\"' ends after it");
    }
}
