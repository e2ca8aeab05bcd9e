package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.json.Json;
import io.portpolicy.testing.RandomPolicies;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every generated security rule checked against the NSG API's definitions (a transcribed
 * extract of the 2024-05-01 swagger, see schemas/azure/PROVENANCE.txt) and against the limits
 * Azure documents (name, priority, description). This is a guide, not proof: only a deployment
 * shows that Azure accepts a template.
 *
 * <p>The swagger definitions are used as a draft-04 schema with three changes: references to
 * files the extract does not hold become "anything", read-only properties are removed (a
 * template must not set them) and no other property is allowed (a misspelt property would be
 * ignored by Azure, not rejected).
 */
class AzureSchemaTest {

    /** Azure's naming rules for NSGs and their security rules: 1-80 characters, starting with a letter or digit. */
    private static final String NAME = "[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9_])?";
    private static final List<String> PAIRS = List.of("sourceAddressPrefix", "destinationAddressPrefix",
            "sourcePortRange", "destinationPortRange");

    static JsonSchema securityRuleSchema() throws IOException {
        JsonNode extract;
        try (InputStream in = AzureSchemaTest.class.getResourceAsStream(
                "/schemas/azure/azure-networkSecurityGroup-2024-05-01-definitions-extract.json")) {
            extract = Json.MAPPER.readTree(in);
        }
        ObjectNode definitions = (ObjectNode) extract.get("definitions").deepCopy();
        definitions.forEach(AzureSchemaTest::tighten);
        ObjectNode rule = (ObjectNode) definitions.get("SecurityRule");
        rule.remove("allOf");
        rule.putArray("required").add("name").add("properties");
        ObjectNode schema = Json.MAPPER.createObjectNode();
        schema.put("$ref", "#/definitions/SecurityRule");
        schema.set("definitions", definitions);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
    }

    /** In one schema: external references become "anything"; read-only properties go; no other property is allowed. */
    private static void tighten(JsonNode node) {
        ObjectNode schema = (ObjectNode) node;
        if (schema.has("$ref") && schema.get("$ref").asText().startsWith("./")) schema.removeAll();
        if (schema.has("items")) tighten(schema.get("items"));
        if (schema.get("properties") instanceof ObjectNode properties) {
            List<String> readOnly = new ArrayList<>();
            properties.fields().forEachRemaining(e -> {
                if (e.getValue().path("readOnly").asBoolean()) readOnly.add(e.getKey());
            });
            properties.remove(readOnly);
            properties.forEach(AzureSchemaTest::tighten);
            schema.put("additionalProperties", false);
        }
    }

    /** Checks one template; returns the number of security rules checked. */
    static int check(String label, String text, JsonSchema schema) throws IOException {
        JsonNode template = Json.MAPPER.readTree(text);
        assertTrue(template.get("$schema").asText().startsWith("https://schema.management.azure.com/schemas/"), label);
        assertTrue(template.get("contentVersion").asText().matches("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+"), label);
        assertEquals(1, template.get("resources").size(), label);
        JsonNode nsg = template.get("resources").get(0);
        assertEquals("Microsoft.Network/networkSecurityGroups", nsg.get("type").asText(), label);
        assertEquals("2024-05-01", nsg.get("apiVersion").asText(), label);
        assertTrue(nsg.get("name").asText().matches(NAME) && nsg.get("name").asText().length() <= 80, label);
        JsonNode rules = nsg.get("properties").get("securityRules");
        assertTrue(rules.size() <= 1000, label + ": " + rules.size() + " rules");
        Set<String> names = new HashSet<>();
        Set<String> priorities = new HashSet<>();
        for (JsonNode rule : rules) {
            String where = label + " " + rule.get("name");
            Set<ValidationMessage> errors = schema.validate(rule);
            assertTrue(errors.isEmpty(), where + ": " + errors);
            String name = rule.get("name").asText();
            assertTrue(name.matches(NAME) && name.length() <= 80, where);
            assertTrue(names.add(name), where + ": name used twice");
            JsonNode p = rule.get("properties");
            int priority = p.get("priority").asInt();
            assertTrue(priority >= 100 && priority <= 4096, where);
            assertTrue(priorities.add(p.get("direction").asText() + priority), where + ": priority used twice");
            String description = p.get("description").asText();
            assertFalse(description.isEmpty(), where);
            assertTrue(Text.utf8Bytes(description) <= 140, where + ": more than 140 bytes of UTF-8 in " + description);
            String protocol = p.get("protocol").asText();
            for (String one : PAIRS) {
                String many = one + (one.endsWith("Prefix") ? "es" : "s");
                assertTrue(p.has(one) != p.has(many), where + ": exactly one of " + one + ", " + many);
                if (p.has(many)) assertTrue(p.get(many).size() > 1, where + ": a list of one in " + many);
            }
            List<String> prefixes = new ArrayList<>(values(p, "sourceAddressPrefix"));
            prefixes.addAll(values(p, "destinationAddressPrefix"));
            Set<Boolean> families = new HashSet<>();
            for (String prefix : prefixes) {
                if (prefix.equals("*")) continue;
                IPAddress address = new IPAddressString(prefix).getAddress();
                assertTrue(address != null && address.toPrefixBlock().equals(address), where + ": not a CIDR: " + prefix);
                families.add(address.isIPv4());
            }
            assertTrue(families.size() <= 1, where + ": IPv4 and IPv6 in one rule");
            for (String pair : List.of("sourcePortRange", "destinationPortRange")) {
                for (String range : values(p, pair)) {
                    if (!protocol.equals("Tcp") && !protocol.equals("Udp")) {
                        assertEquals("*", range, where + ": ports for " + protocol);
                    } else if (!range.equals("*")) {
                        assertTrue(range.matches("[0-9]{1,5}(-[0-9]{1,5})?"), where + ": " + range);
                        String[] ends = range.split("-");
                        int low = Integer.parseInt(ends[0]);
                        int high = Integer.parseInt(ends[ends.length - 1]);
                        assertTrue(low <= high && high <= 65535, where + ": " + range);
                    }
                }
            }
        }
        return rules.size();
    }

    private static List<String> values(JsonNode properties, String one) {
        if (properties.has(one)) return List.of(properties.get(one).asText());
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = properties.get(one + (one.endsWith("Prefix") ? "es" : "s")).elements(); it.hasNext(); ) {
            out.add(it.next().asText());
        }
        return out;
    }

    @Test
    void everyExampleGroupsRulesFitTheApi() throws IOException, CompileException {
        JsonSchema schema = securityRuleSchema();
        int rules = 0;
        for (String file : AzureBackendTest.withoutIcmpTypes()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            // A stateless example is refused (AzureBackendTest asserts it): it has no rules to check.
            if (effective.policy().settings().isStateless()) continue;
            for (Target group : AzureBackendTest.groups(effective)) {
                rules += check(file + " " + group.name(), AzureBackendTest.compile(effective, group), schema);
            }
        }
        assertTrue(rules > 200, rules + " rules");
    }

    @Test
    void randomPoliciesRulesFitTheApi() throws IOException {
        JsonSchema schema = securityRuleSchema();
        int groups = 0;
        for (long seed = 0; seed < 200; seed++) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(new RandomPolicies(seed).policy()),
                    CompileFixtures.TODAY);
            for (Target group : AzureBackendTest.groups(effective)) {
                try {
                    check("seed " + seed + " " + group.name(), AzureBackendTest.compile(effective, group), schema);
                    groups++;
                } catch (CompileException refused) {
                    // Which refusals occur, and why, is AzureBackendTest's subject.
                }
            }
        }
        assertTrue(groups >= 60, groups + " groups");
    }

    /** Guards against a schema that accepts everything. */
    @Test
    void theSchemaRejectsWhatItShould() throws IOException {
        JsonSchema schema = securityRuleSchema();
        String good = "{\"name\": \"r\", \"properties\": {\"priority\": 100, \"direction\": \"Inbound\", \"access\": \"Allow\","
                + " \"protocol\": \"Tcp\", \"sourceAddressPrefix\": \"*\", \"destinationPortRange\": \"22\"}}";
        assertTrue(schema.validate(Json.MAPPER.readTree(good)).isEmpty());
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("\"protocol\": \"Tcp\"", "\"protocol\": \"Icmpv6\""),
                Map.entry("\"access\": \"Allow\"", "\"access\": \"Reject\""),
                Map.entry("\"priority\": 100", "\"priority\": \"100\""),
                Map.entry("\"direction\": \"Inbound\", ", ""),
                Map.entry("\"destinationPortRange\": \"22\"", "\"destinationPortRanges\": \"22\""),
                Map.entry("\"sourceAddressPrefix\": \"*\"", "\"sourceAddressPrefix\": \"*\", \"provisioningState\": \"x\""),
                Map.entry("\"destinationPortRange\": \"22\"", "\"destinationPort\": \"22\""))) {
            String broken = good.replace(bad.getKey(), bad.getValue());
            assertFalse(schema.validate(Json.MAPPER.readTree(broken)).isEmpty(), broken);
        }
    }
}
