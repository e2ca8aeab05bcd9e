package io.portpolicy.compile.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The botocore shape check accepts what the EC2 model describes and names what it does not. */
class BotocoreShapesTest {

    private static final BotocoreShapes EC2 = BotocoreShapes.load("/schemas/aws/botocore-ec2-securitygroup-subset.json");

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void aValidPermissionListPasses() throws Exception {
        JsonNode permissions = json("[{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,"
                + " \"IpRanges\": [{\"CidrIp\": \"192.0.2.0/24\", \"Description\": \"x.policy:3\"}],"
                + " \"Ipv6Ranges\": [{\"CidrIpv6\": \"2001:db8::/32\"}]}]");
        assertEquals(List.of(), EC2.validate(permissions, "IpPermissionList"));
    }

    @Test
    void wrongShapesAreNamedWithTheirPath() throws Exception {
        JsonNode permissions = json("[{\"IpProtocol\": 6, \"FromPort\": \"22\", \"Ports\": [],"
                + " \"IpRanges\": {\"CidrIp\": \"192.0.2.0/24\"}, \"Ipv6Ranges\": [{\"CidrIpv6\": \"::/0\", \"Cidr\": 1}]}]");
        List<String> problems = EC2.validate(permissions, "IpPermissionList");
        assertTrue(problems.contains("$[0]: IpPermission has no member Ports"), problems.toString());
        assertTrue(problems.contains("$[0].IpProtocol: String must be a string, not 6"), problems.toString());
        assertTrue(problems.contains("$[0].FromPort: Integer must be a whole number, not \"22\""), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("$[0].IpRanges: IpRangeList must be an array")), problems.toString());
        assertTrue(problems.contains("$[0].Ipv6Ranges[0]: Ipv6Range has no member Cidr"), problems.toString());
        assertEquals(5, problems.size(), problems.toString());
    }

    @Test
    void requiredMembersAndEnumsAreChecked() throws Exception {
        JsonNode entry = json("{\"NetworkAclId\": \"acl-1\", \"RuleNumber\": 100, \"Protocol\": \"6\","
                + " \"RuleAction\": \"permit\", \"PortRange\": {\"From\": 22, \"To\": 22}}");
        List<String> problems = EC2.validate(entry, "CreateNetworkAclEntryRequest");
        assertTrue(problems.contains("$: CreateNetworkAclEntryRequest requires Egress"), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("$.RuleAction: RuleAction must be one of")), problems.toString());
        assertEquals(2, problems.size(), problems.toString());
    }
}
