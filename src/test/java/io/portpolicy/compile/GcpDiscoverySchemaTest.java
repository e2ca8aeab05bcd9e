package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The validator finds what the discovery schema forbids, so a generated resource that passes it means something. */
class GcpDiscoverySchemaTest {

    private static final GcpDiscoverySchema SCHEMA = GcpDiscoverySchema.load();

    private static List<String> errors(String json) throws IOException {
        JsonNode value = new ObjectMapper().readTree(json);
        return SCHEMA.validate(value, "Firewall", "compute.firewalls.insert");
    }

    @Test
    void aValidRuleHasNoErrors() throws IOException {
        assertEquals(List.of(), errors("""
                {"name": "web-in-0-1", "priority": 1000, "direction": "INGRESS", "network": "global/networks/default",
                 "allowed": [{"IPProtocol": "tcp", "ports": ["443"]}], "sourceRanges": ["0.0.0.0/0"],
                 "targetTags": ["web"], "logConfig": {"enable": true, "metadata": "INCLUDE_ALL_METADATA"}}"""));
    }

    @Test
    void eachKindOfProblemIsFound() throws IOException {
        assertEquals(List.of("$.name: 'Web_1' does not match [a-z](?:[-a-z0-9]{0,61}[a-z0-9])?",
                "$.name: 'Web_1' does not match [a-z]([-a-z0-9]*[a-z0-9])?"), errors("{\"name\": \"Web_1\"}"));
        String long64 = "a".repeat(64);
        assertEquals(2, errors("{\"name\": \"" + long64 + "\"}").size(), "too long: pattern and length");
        assertEquals(List.of("$.priority: 65536 is not between 0 and 65535"), errors("{\"name\": \"a\", \"priority\": 65536}"));
        assertEquals(List.of("$.direction: 'SIDEWAYS' is not one of [\"EGRESS\",\"INGRESS\"]"),
                errors("{\"name\": \"a\", \"direction\": \"SIDEWAYS\"}"));
        assertEquals(List.of("$: unknown property 'action'", "$: 'id' is output only"),
                errors("{\"name\": \"a\", \"action\": \"allow\", \"id\": \"1\"}"));
        assertEquals(List.of("$: 'name' is required by compute.firewalls.insert"), errors("{\"priority\": 1}"));
        assertEquals(List.of("$.allowed[0].ports: not an array", "$.logConfig.enable: not a boolean"),
                errors("{\"name\": \"a\", \"allowed\": [{\"IPProtocol\": \"tcp\", \"ports\": \"22\"}],"
                        + " \"logConfig\": {\"enable\": \"yes\"}}"));
        assertEquals(List.of("$.priority: not an integer"), errors("{\"name\": \"a\", \"priority\": \"1\"}"));
    }
}
