package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.portpolicy.compile.cloud.BotocoreShapes;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.testing.RandomPolicies;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every generated network ACL entry is what AWS accepts: the EC2 API model's
 * {@code NetworkAclEntry} shape (an entry as DescribeNetworkAcls returns it) and its
 * {@code CreateNetworkAclEntryRequest} with the caller's {@code NetworkAclId} added (botocore,
 * via {@link BotocoreShapes}); and, mapped to CloudFormation's property names (IcmpTypeCode is
 * {@code Icmp}, Protocol an integer), the {@code AWS::EC2::NetworkAclEntry} resource schema.
 */
class AwsNaclSchemaTest {

    private static final BotocoreShapes EC2 = BotocoreShapes.load("/schemas/aws/botocore-ec2-securitygroup-subset.json");
    private static final JsonSchema CLOUDFORMATION = cloudFormation();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACL_ID = "acl-0123456789abcdef0";

    private static JsonSchema cloudFormation() {
        try (InputStream in = AwsNaclSchemaTest.class.getResourceAsStream("/schemas/aws/cfn-aws-ec2-networkaclentry.json")) {
            JsonNode schema = new ObjectMapper().readTree(in);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The problems of one entry against the three schemas; empty when AWS accepts it. */
    static List<String> problems(JsonNode entry) {
        List<String> problems = new ArrayList<>(EC2.validate(entry, "NetworkAclEntry"));
        ObjectNode request = JSON.createObjectNode().put("NetworkAclId", ACL_ID);
        request.setAll((ObjectNode) entry.deepCopy());
        problems.addAll(EC2.validate(request, "CreateNetworkAclEntryRequest"));
        ObjectNode properties = request.deepCopy();
        if (!properties.path("Protocol").asText().matches("-?[0-9]+")) {
            problems.add("Protocol is not a number: " + properties.get("Protocol"));
        } else {
            properties.put("Protocol", Integer.parseInt(properties.get("Protocol").asText()));
        }
        if (properties.has("IcmpTypeCode")) properties.set("Icmp", properties.remove("IcmpTypeCode"));
        for (ValidationMessage message : CLOUDFORMATION.validate(properties)) problems.add("CloudFormation: " + message);
        if (properties.has("CidrBlock") == properties.has("Ipv6CidrBlock")) {
            problems.add("CloudFormation requiredXor: exactly one of CidrBlock and Ipv6CidrBlock");
        }
        return problems;
    }

    private static int checkAll(String label, String json) {
        AwsNaclReader acl = AwsNaclReader.read(json);
        for (AwsNaclReader.NaclEntry entry : acl.entries) {
            List<String> problems = problems(entry.entry());
            assertTrue(problems.isEmpty(), label + ": " + entry.entry() + "\n" + String.join("\n", problems));
        }
        return acl.entries.size();
    }

    @Test
    void everyEntryOfEveryExampleGroupIsValid() throws CompileException {
        int entries = 0;
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : AwsNaclBackendTest.groups(effective)) {
                if (AwsNaclBackendTest.REFUSED.containsKey(file + " " + group.name())) continue;
                entries += checkAll(file + " " + group.name(), AwsNaclBackendTest.json(effective, group));
            }
        }
        assertTrue(entries > 100, "entries checked: " + entries);
    }

    @Test
    void everyEntryOfRandomPoliciesIsValid() {
        Set<String> protocols = new java.util.TreeSet<>();
        int entries = 0;
        for (long seed = 0; seed < 60; seed++) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(new RandomPolicies(seed).policy()),
                    CompileFixtures.TODAY);
            for (Target group : AwsNaclBackendTest.groups(effective)) {
                String json;
                try {
                    json = AwsNaclBackendTest.compile(effective, group, 40).parts().get(0).text();
                } catch (CompileException e) {
                    continue;
                }
                entries += checkAll("seed " + seed + " " + group.name(), json);
                AwsNaclReader.read(json).entries.forEach(e -> protocols.add(e.entry().get("Protocol").asText()));
            }
        }
        assertTrue(entries > 100, "entries checked: " + entries);
        assertTrue(protocols.containsAll(Set.of("-1", "1", "6", "17", "58")), "protocols seen: " + protocols);
    }

    @Test
    void theChecksCanFail() throws IOException {
        JsonNode good = JSON.readTree("{\"RuleNumber\":100,\"Protocol\":\"6\",\"RuleAction\":\"allow\",\"Egress\":false,"
                + "\"CidrBlock\":\"192.0.2.0/24\",\"PortRange\":{\"From\":22,\"To\":22}}");
        assertEquals(List.of(), problems(good));
        for (String broken : List.of(
                "{\"RuleNumber\":100,\"Protocol\":\"6\",\"RuleAction\":\"reject\",\"Egress\":false,\"CidrBlock\":\"192.0.2.0/24\"}",
                "{\"RuleNumber\":\"100\",\"Protocol\":\"6\",\"RuleAction\":\"allow\",\"Egress\":false,\"CidrBlock\":\"192.0.2.0/24\"}",
                "{\"RuleNumber\":100,\"RuleAction\":\"allow\",\"Egress\":false,\"CidrBlock\":\"192.0.2.0/24\"}",
                "{\"RuleNumber\":100,\"Protocol\":\"tcp\",\"RuleAction\":\"allow\",\"Egress\":false,\"CidrBlock\":\"192.0.2.0/24\"}",
                "{\"RuleNumber\":100,\"Protocol\":\"6\",\"RuleAction\":\"allow\",\"Egress\":false}",
                "{\"RuleNumber\":100,\"Protocol\":\"1\",\"RuleAction\":\"allow\",\"Egress\":false,\"CidrBlock\":\"192.0.2.0/24\","
                        + "\"IcmpTypeCode\":{\"Type\":3,\"Kode\":4}}",
                "{\"RuleNumber\":100,\"Protocol\":\"6\",\"RuleAction\":\"allow\",\"Egress\":false,\"CidrBlock\":\"192.0.2.0/24\","
                        + "\"Comment\":\"not an API field\"}")) {
            assertFalse(problems(JSON.readTree(broken)).isEmpty(), broken);
        }
    }
}
