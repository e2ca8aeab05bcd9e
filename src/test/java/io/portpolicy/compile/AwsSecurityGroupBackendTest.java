package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.portpolicy.compile.aws.AwsSecurityGroupBackend;
import io.portpolicy.compile.cloud.BotocoreShapes;
import io.portpolicy.compile.cloud.GroupPackets;
import io.portpolicy.compile.cloud.LimitExceeded;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Packet;
import io.portpolicy.engine.Target;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.testing.RandomPolicies;
import org.approvaltests.Approvals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compile --target aws: every format, read back by {@link SecurityGroupReader} and evaluated as
 * AWS documents security groups, admits exactly what the engine admits at the group, for every
 * example group that compiles and for random policies; the three formats hold the same rules;
 * the output validates against the EC2 API model (botocore) and the CloudFormation resource
 * schema; refusals and quota errors are the documented ones.
 */
class AwsSecurityGroupBackendTest {

    private static final AwsSecurityGroupBackend BACKEND = new AwsSecurityGroupBackend();
    private static final List<String> FORMATS = List.of("json", "cloudformation", "terraform");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final BotocoreShapes EC2 = BotocoreShapes.load("/schemas/aws/botocore-ec2-securitygroup-subset.json");
    private static final Pattern AWS_TEXT = Pattern.compile("[a-zA-Z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*]{0,255}");
    /** The documented CloudFormation entry that keeps AWS from adding its allow-all egress rule. */
    private static final String NO_EGRESS = "out -1 null null 127.0.0.1/32";

    static String compile(EffectivePolicy effective, Target group, String format, TargetOptions options)
            throws CompileException {
        return BACKEND.compile(new CompileRequest(effective, group, format, "TEST", options)).parts().get(0).text();
    }

    static TargetOptions maxRules(int limit) {
        return TargetOptions.of(BACKEND.options(), Map.of("max-rules", Integer.toString(limit)));
    }

    static List<Target> groups(EffectivePolicy effective) {
        return effective.policy().groups().keySet().stream().sorted().map(n -> effective.target(n).orElseThrow()).toList();
    }

    // ---- the cross-check ----------------------------------------------------------------

    /** Checks one group in every format; returns the number of packets compared. */
    static int crossCheck(String label, EffectivePolicy effective, Target group, long seed, TargetOptions options)
            throws CompileException {
        String json = compile(effective, group, "json", options);
        String cfn = compile(effective, group, "cloudformation", options);
        String terraform = compile(effective, group, "terraform", options);
        validateEc2(label, json);
        validateCloudFormation(label, cfn);
        SecurityGroupReader sg = SecurityGroupReader.ec2Json(json);
        SecurityGroupReader fromCfn = SecurityGroupReader.cloudFormation(cfn);
        SecurityGroupReader fromTf = SecurityGroupReader.terraform(terraform);
        Set<String> rules = traffic(sg);
        Set<String> cfnRules = traffic(fromCfn);
        if (rules.stream().noneMatch(r -> r.startsWith("out "))) {
            assertTrue(cfnRules.remove(NO_EGRESS), label + ": CloudFormation needs its no-egress entry\n" + cfn);
        }
        assertEquals(rules, cfnRules, label + ": CloudFormation holds other rules");
        assertEquals(rules, traffic(fromTf), label + ": Terraform holds other rules");
        assertEquals(descriptions(sg), descriptions(fromTf), label);
        for (SecurityGroupReader reader : List.of(sg, fromCfn, fromTf)) {
            assertEquals(group.name(), reader.groupName, label);
            assertTrue(AWS_TEXT.matcher(reader.groupDescription).matches(), reader.groupDescription);
            for (SecurityGroupReader.SgRule rule : reader.rules) {
                assertTrue(rule.description() != null && AWS_TEXT.matcher(rule.description()).matches(), label + " " + rule);
                IPAddress block = rule.block();
                assertEquals(block.toPrefixBlock().toCanonicalString(), rule.cidr(), label + ": not a canonical CIDR");
            }
        }
        int perFamilyLimit = options.number("max-rules");
        for (boolean ingress : new boolean[] {true, false}) {
            for (boolean v4 : new boolean[] {true, false}) {
                long count = sg.rules.stream().filter(r -> r.ingress() == ingress && r.block().isIPv4() == v4).count();
                assertTrue(count <= perFamilyLimit, label + ": " + count + " rules");
            }
        }

        Random random = new Random(seed);
        int count = 0;
        List<String> mismatches = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            for (Packet packet : packets(effective, group, direction, random)) {
                boolean engine = effective.decide(group, direction, packet).action() == Action.ALLOW;
                boolean admits = sg.admits(direction, packet);
                count++;
                // The other family's ICMP number may be dropped where the policy admits it (aws.md, "ICMP").
                boolean mismatch = otherFamilyIcmp(packet) ? admits && !engine : engine != admits;
                if (mismatch && mismatches.size() < 20) {
                    mismatches.add(label + " " + direction + " " + packet + ": security group "
                            + (engine ? "drops" : "admits") + ", engine " + effective.decide(group, direction, packet).reason());
                }
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches) + "\n" + json);
        return count;
    }

    /** ICMPv6 in an IPv4 packet or ICMP in an IPv6 one, which a permission cannot name on its own. */
    static boolean otherFamilyIcmp(Packet packet) {
        return packet.protocol() == (packet.source().isIPv4() ? 58 : 1);
    }

    private static Set<String> traffic(SecurityGroupReader reader) {
        Set<String> out = new TreeSet<>();
        for (SecurityGroupReader.SgRule rule : reader.rules) assertTrue(out.add(rule.traffic()), "twice: " + rule);
        return out;
    }

    private static Map<String, String> descriptions(SecurityGroupReader reader) {
        Map<String, String> out = new TreeMap<>();
        for (SecurityGroupReader.SgRule rule : reader.rules) out.put(rule.traffic(), rule.description());
        return out;
    }

    /** Packets at the group's addresses (GroupPackets); never loopback, whose packets never reach a security group. */
    static List<Packet> packets(EffectivePolicy effective, Target group, Direction direction, Random random) {
        return GroupPackets.of(effective, group, direction, random, List.of("fe80::1"),
                packet -> !packet.source().isLoopback() && !packet.destination().isLoopback());
    }

    // ---- schemas --------------------------------------------------------------------------

    private static JsonNode resource(String name) {
        try (InputStream in = AwsSecurityGroupBackendTest.class.getResourceAsStream("/schemas/aws/" + name)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonSchema schema(String name) {
        JsonNode node = resource(name);
        ((ObjectNode) node).remove("$schema");
        javaPatterns(node);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(node);
    }

    /**
     * The schemas' patterns are ECMA-262 regular expressions, where '[' inside a character class
     * is a literal; Java's reads it as a nested class. Escaping it keeps the meaning.
     */
    private static void javaPatterns(JsonNode node) {
        if (node instanceof ObjectNode object && object.path("pattern").isTextual()) {
            object.put("pattern", javaPattern(object.get("pattern").asText()));
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) javaPatterns(it.next());
    }

    static String javaPattern(String ecma) {
        StringBuilder out = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < ecma.length(); i++) {
            char c = ecma.charAt(i);
            if (c == '\\' && i + 1 < ecma.length()) {
                out.append(c).append(ecma.charAt(++i));
                continue;
            }
            if (c == '[' && inClass) {
                out.append("\\[");
                continue;
            }
            if (c == '[') inClass = true;
            if (c == ']') inClass = false;
            out.append(c);
        }
        return out.toString();
    }

    private static final JsonSchema SECURITY_GROUP = schema("cfn-aws-ec2-securitygroup.json");
    private static final List<JsonSchema> RULE_EXTENSIONS = List.of(
            schema("cfnlint-ext-aws_ec2_securitygroup-all_to_and_from_ports.json"),
            schema("cfnlint-ext-aws_ec2_securitygroup-protocols_and_port_ranges_exclude.json"),
            schema("cfnlint-ext-aws_ec2_securitygroup-protocols_and_port_ranges_include.json"));

    /** The EC2 JSON: exactly the four top-level fields, the permission lists as botocore's IpPermissionList. */
    static void validateEc2(String label, String json) {
        JsonNode root = SecurityGroupReader.parse(JSON, json);
        List<String> fields = new ArrayList<>();
        root.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("GroupName", "Description", "IpPermissions", "IpPermissionsEgress"), fields, label);
        for (String list : List.of("IpPermissions", "IpPermissionsEgress")) {
            assertEquals(List.of(), EC2.validate(root.get(list), "IpPermissionList"), label + " " + list);
        }
    }

    /**
     * The template's security group properties against the CloudFormation schema (with the VPC
     * parameter's reference resolved to an id, as CloudFormation does), each rule against
     * cfn-lint's rule extensions, and cfn-lint's non-standard keywords checked here.
     */
    static void validateCloudFormation(String label, String yaml) {
        JsonNode template = SecurityGroupReader.parse(YAML, yaml);
        assertEquals("AWS::EC2::VPC::Id", template.get("Parameters").get("VpcId").get("Type").asText(), label);
        ObjectNode properties = (ObjectNode) template.get("Resources").get("SecurityGroup").get("Properties").deepCopy();
        assertEquals("{\"Ref\":\"VpcId\"}", properties.get("VpcId").toString(), label);
        properties.put("VpcId", "vpc-0123456789abcdef0");
        assertEquals(Set.of(), SECURITY_GROUP.validate(properties), label);
        Map<String, List<String>> requiredXor = Map.of(
                "SecurityGroupIngress", List.of("CidrIp", "CidrIpv6", "SourcePrefixListId", "SourceSecurityGroupId", "SourceSecurityGroupName"),
                "SecurityGroupEgress", List.of("CidrIp", "CidrIpv6", "DestinationSecurityGroupId", "DestinationPrefixListId"));
        for (Map.Entry<String, List<String>> list : requiredXor.entrySet()) {
            for (JsonNode rule : properties.path(list.getKey())) {
                assertEquals(1, list.getValue().stream().filter(rule::has).count(), label + ": requiredXor " + rule);
                for (JsonNode cidr : List.of(rule.path("CidrIp"), rule.path("CidrIpv6"))) {
                    if (!cidr.isMissingNode()) {
                        assertTrue(new IPAddressString(cidr.asText()).isPrefixed(), label + ": not a CIDR " + cidr);
                    }
                }
                for (JsonSchema extension : RULE_EXTENSIONS) {
                    assertEquals(Set.of(), extension.validate(icmpv6AsIcmp(rule)), label + " " + rule);
                }
            }
        }
        // The schema's top-level dependentRequired (a newer draft's keyword): egress needs the VPC.
        assertTrue(!properties.has("SecurityGroupEgress") || properties.has("VpcId"), label);
    }

    /**
     * cfn-lint's all_to_and_from_ports extension reads icmpv6 as a port protocol (-1 on one side
     * only is an error), but the EC2 API documents ICMPv6 like ICMP: FromPort the type, ToPort
     * the code or -1 for all codes (botocore IpPermission.ToPort). So an ICMPv6 rule is checked
     * as an ICMP one; the other extensions treat both alike already.
     */
    private static JsonNode icmpv6AsIcmp(JsonNode rule) {
        if (!rule.path("IpProtocol").asText().equals("icmpv6")) return rule;
        ObjectNode copy = rule.deepCopy();
        return copy.put("IpProtocol", "icmp");
    }

    @Test
    void theSchemasRejectWhatTheyShould() throws IOException {
        // Guards against validators that accept everything (a dialect mismatch, say).
        JsonNode badGroup = JSON.readTree("{\"GroupDescription\": \"x\\\"\", \"SecurityGroupIngress\": [{\"IpProtocol\": \"tcp\","
                + " \"FromPort\": \"22\", \"CidrIp\": \"10.0.0.0/8\", \"Color\": \"red\"}]}");
        assertEquals(3, SECURITY_GROUP.validate(badGroup).size(), SECURITY_GROUP.validate(badGroup).toString());
        JsonNode noPorts = JSON.readTree("{\"IpProtocol\": \"tcp\", \"CidrIp\": \"10.0.0.0/8\"}");
        JsonNode portsForGre = JSON.readTree("{\"IpProtocol\": \"47\", \"FromPort\": 1, \"ToPort\": 2, \"CidrIp\": \"10.0.0.0/8\"}");
        JsonNode icmpHalfAll = JSON.readTree("{\"IpProtocol\": \"icmp\", \"FromPort\": -1, \"ToPort\": 4, \"CidrIp\": \"10.0.0.0/8\"}");
        for (JsonNode rule : List.of(noPorts, portsForGre, icmpHalfAll)) {
            assertTrue(RULE_EXTENSIONS.stream().anyMatch(s -> !s.validate(rule).isEmpty()), rule.toString());
        }
        assertFalse(EC2.validate(JSON.readTree("[{\"IpProtocol\": \"tcp\", \"FromPort\": \"22\"}]"), "IpPermissionList").isEmpty());
    }

    // ---- the examples -------------------------------------------------------------------

    /**
     * The example groups AWS cannot hold, and why: a rule that treats members differently (a
     * security group applies the same rules to every member), or a stateless policy.
     */
    static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("policies-examples/cloud-tiers.policy tiers", "treats members of group tiers differently"),
            Map.entry("policies-examples/database.policy databases", "treats members of group databases differently"),
            Map.entry("policies-examples/stateless.policy api", "the policy is stateless"),
            Map.entry("policies-examples/windows-server.policy windows_servers", "treats members of group windows_servers differently"),
            Map.entry("policies-examples/inventory-site/site.policy on_call", "treats members of group on_call differently"));

    @Test
    void everyExampleGroupCompilesAndDecidesAsTheEngineOrIsRefusedForAPlatformReason() throws CompileException {
        int compiled = 0;
        int packets = 0;
        Map<String, String> refused = new TreeMap<>();
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                String label = file + " " + group.name();
                try {
                    compile(effective, group, "json", TargetOptions.defaults(BACKEND));
                } catch (CompileException e) {
                    refused.put(label, e.getMessage());
                    continue;
                }
                packets += crossCheck(label, effective, group, compiled, TargetOptions.defaults(BACKEND));
                compiled++;
            }
        }
        assertEquals(new TreeSet<>(REFUSED.keySet()), refused.keySet(), refused.toString());
        REFUSED.forEach((label, reason) -> assertTrue(refused.get(label).contains(reason), label + ": " + refused.get(label)));
        assertEquals(9, compiled, "groups compiled");
        assertTrue(packets > 10000, "packets checked: " + packets);
    }

    /** The kinds of refusal the doc page lists; anything else is a bug. */
    static boolean documentedRefusal(CompileException e) {
        String m = e.getMessage();
        return e instanceof LimitExceeded || m.contains("the policy is stateless") || m.contains("treats members of group")
                || m.contains("cannot match source ports");
    }

    @Test
    void randomPoliciesDecideAsTheEngine() throws CompileException {
        int compiled = 0;
        int refused = 0;
        for (long seed = 0; seed < 1000 && compiled < 80; seed++) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(new RandomPolicies(seed).policy()),
                    CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                // A high quota, so that the long enumerations (every protocol but one) are cross-checked too.
                TargetOptions options = maxRules(1000);
                try {
                    compile(effective, group, "json", options);
                } catch (CompileException e) {
                    assertTrue(documentedRefusal(e), "seed " + seed + " " + group.name() + ": " + e.getMessage());
                    refused++;
                    continue;
                }
                crossCheck("seed " + seed + " " + group.name(), effective, group, seed, options);
                compiled++;
            }
        }
        assertTrue(compiled >= 60, compiled + " groups compiled, " + refused + " refused");
        assertTrue(compiled >= refused / 3, compiled + " groups compiled, " + refused + " refused");
    }

    @Test
    void approvedOutputForEveryExampleGroup() {
        StringBuilder approved = new StringBuilder();
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                for (String format : FORMATS) {
                    CompileFixtures.Run run = CompileFixtures.run("compile", file, "--target", "aws", "--group", group.name(),
                            "--format", format, "--today=2026-11-21");
                    CompileFixtures.Run again = CompileFixtures.run("compile", file, "--target", "aws", "--group", group.name(),
                            "--format", format, "--today=2026-11-21");
                    assertEquals(run, again, "not deterministic");
                    approved.append("==== ").append(file).append(" --group ").append(group.name()).append(" --format ")
                            .append(format).append(" (exit ").append(run.exit()).append(")\n")
                            .append(run.out()).append(run.err());
                }
            }
        }
        Approvals.verify(approved.toString());
    }

    // ---- semantics ------------------------------------------------------------------------

    private static EffectivePolicy policy(String text) {
        return EffectivePolicy.of(CompileFixtures.checkText(text), CompileFixtures.TODAY);
    }

    @Test
    void earlierDenialsAreCutOutOfAllowsAndEntriesOverlap() throws CompileException {
        EffectivePolicy effective = policy("group web = 10.20.1.0/24\ndefault inbound deny\ndefault outbound deny\n"
                + "deny tcp/22 from 10.0.0.0/9\nallow tcp/22 from 10.128.0.0/10\n"
                + "allow tcp/22 from 10.192.0.0/10 comment \"second\"\nallow tcp from 10.1.0.0/16\n");
        Target web = effective.target("web").orElseThrow();
        SecurityGroupReader sg = SecurityGroupReader.ec2Json(compile(effective, web, "json", TargetOptions.defaults(BACKEND)));
        Set<String> traffic = traffic(sg);
        // Two allows join into one CIDR; TCP from 10.1.0.0/16 is every port but the denied 22.
        assertEquals(Set.of("in tcp 22 22 10.128.0.0/9", "in tcp 0 21 10.1.0.0/16", "in tcp 23 65535 10.1.0.0/16"), traffic);
        crossCheck("overlap", effective, web, 3, TargetOptions.defaults(BACKEND));
        SecurityGroupReader.SgRule rule = sg.rules.stream().filter(r -> r.cidr().equals("10.128.0.0/9")).findFirst().orElseThrow();
        assertEquals("_stdin_:5; _stdin_:6 second", rule.description());
    }

    @Test
    void defaultAllowIsAnEntryNamedAfterTheDefault() throws CompileException {
        EffectivePolicy effective = policy("group web = 10.20.1.0/24, 2001:db8:20::/64\ndefault inbound allow\n"
                + "default outbound deny\nreject tcp/23\n");
        Target web = effective.target("web").orElseThrow();
        String json = compile(effective, web, "json", maxRules(1000));
        SecurityGroupReader sg = SecurityGroupReader.ec2Json(json);
        assertTrue(sg.rules.stream().allMatch(r -> r.description().equals("default inbound allow")), json);
        assertTrue(sg.rules.stream().anyMatch(r -> r.protocol().equals("tcp") && r.fromPort() == 0 && r.toPort() == 22), json);
        assertTrue(sg.groupDescription.contains("reject compiled as drop"), sg.groupDescription);
        assertTrue(compile(effective, web, "cloudformation", maxRules(1000))
                .contains("# note: reject is compiled as drop"));
        crossCheck("default allow", effective, web, 4, maxRules(1000));
    }

    /** A policy's path is cut to fit AWS's 255 characters, never the hash that names its content. */
    @Test
    void aLongPolicyPathLeavesTheHashWhole(@TempDir Path dir) throws IOException, CompileException {
        Path file = Files.createDirectories(dir.resolve("d".repeat(200))).resolve("p".repeat(100) + ".policy");
        Files.writeString(file, "group web = 10.20.1.0/24\nallow https from any to web\n");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
        CompileRequest request = new CompileRequest(effective, effective.target("web").orElseThrow(), "json", "TEST",
                TargetOptions.defaults(BACKEND));
        SecurityGroupReader sg = SecurityGroupReader.ec2Json(compile(effective, request.target(), "json",
                TargetOptions.defaults(BACKEND)));
        assertTrue(sg.groupDescription.length() <= 255, sg.groupDescription);
        assertTrue(sg.groupDescription.contains("sha256 " + Header.contentHash(request) + ": group web"),
                sg.groupDescription);
    }

    /**
     * Each permission pairs icmp with IPv4 ranges and icmpv6 with IPv6 ranges: the other family's
     * ICMP number, which a partial 'any' admits, gets no permission of its own and is dropped.
     */
    @Test
    void icmpAndIcmpv6GoWithTheirOwnFamilyOnly() throws CompileException {
        EffectivePolicy effective = policy("group web = 10.20.1.0/24, 2001:db8:20::/64\ndefault inbound deny\n"
                + "deny tcp/23 from any\nallow any from 192.0.2.0/24, 2001:db8:99::/48 to web\n");
        Target web = effective.target("web").orElseThrow();
        String json = compile(effective, web, "json", maxRules(1000));
        for (JsonNode permission : SecurityGroupReader.parse(JSON, json).get("IpPermissions")) {
            String protocol = permission.get("IpProtocol").asText();
            if (protocol.equals("icmp")) assertFalse(permission.has("Ipv6Ranges"), permission.toString());
            if (protocol.equals("icmpv6")) assertFalse(permission.has("IpRanges"), permission.toString());
        }
        SecurityGroupReader sg = SecurityGroupReader.ec2Json(json);
        IPAddress v4 = new IPAddressString("10.20.1.5").getAddress();
        IPAddress v6 = new IPAddressString("2001:db8:20::5").getAddress();
        IPAddress peer4 = new IPAddressString("192.0.2.7").getAddress();
        IPAddress peer6 = new IPAddressString("2001:db8:99::7").getAddress();
        assertTrue(sg.admits(Direction.INBOUND, new Packet(peer4, v4, 1, 0, 0, 8, 0)));
        assertTrue(sg.admits(Direction.INBOUND, new Packet(peer6, v6, 58, 0, 0, 128, 0)));
        assertFalse(sg.admits(Direction.INBOUND, new Packet(peer6, v6, 1, 0, 0, 0, 0)));
        assertFalse(sg.admits(Direction.INBOUND, new Packet(peer4, v4, 58, 0, 0, 0, 0)));
        crossCheck("icmp families", effective, web, 12, maxRules(1000));
    }

    @Test
    void theReaderRefusesIcmpWithTheOtherFamilysRanges() {
        String icmpWithIpv6 = "{\"GroupName\": \"g\", \"Description\": \"d\", \"IpPermissionsEgress\": [],"
                + " \"IpPermissions\": [{\"IpProtocol\": \"icmp\", \"FromPort\": -1, \"ToPort\": -1,"
                + " \"Ipv6Ranges\": [{\"CidrIpv6\": \"2001:db8::/32\"}]}]}";
        assertThrows(IllegalArgumentException.class, () -> SecurityGroupReader.ec2Json(icmpWithIpv6));
        String icmpv6WithIpv4 = icmpWithIpv6.replace("\"icmp\"", "\"icmpv6\"")
                .replace("\"Ipv6Ranges\": [{\"CidrIpv6\": \"2001:db8::/32\"}]", "\"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}]");
        assertThrows(IllegalArgumentException.class, () -> SecurityGroupReader.ec2Json(icmpv6WithIpv4));
    }

    /** A rule's share and the default's share together are every packet: one all-protocols entry, naming both. */
    @Test
    void sharesThatMakeEverythingTogetherAreOneEntry() throws CompileException {
        EffectivePolicy effective = policy("group g = 10.0.0.1\nallow tcp/22 from g\n");
        Target g = effective.target("g").orElseThrow();
        List<SecurityGroupReader.SgRule> egress = SecurityGroupReader.ec2Json(compile(effective, g, "json",
                TargetOptions.defaults(BACKEND))).rules.stream().filter(r -> !r.ingress()).toList();
        assertEquals(1, egress.size(), egress.toString());
        assertEquals("out -1 null null 0.0.0.0/0", egress.get(0).traffic());
        assertEquals("_stdin_:2; default outbound allow", egress.get(0).description());
        crossCheck("shares", effective, g, 9, TargetOptions.defaults(BACKEND));
    }

    /** Peers admitted every protocol beside others admitted one are one all-protocols entry, not one per protocol. */
    @Test
    void everyProtocolFromSomePeersIsOneEntryBesideOthers() throws CompileException {
        EffectivePolicy effective = policy("host a = 10.0.1.11\ngroup g = a\ndefault inbound deny\n"
                + "default outbound deny\nallow icmp/8 from 192.0.2.0/24 to g\nallow any from 198.51.100.1 to g\n");
        Target g = effective.target("g").orElseThrow();
        Set<String> traffic = traffic(SecurityGroupReader.ec2Json(compile(effective, g, "json",
                TargetOptions.defaults(BACKEND))));
        assertEquals(Set.of("in icmp 8 -1 192.0.2.0/24", "in -1 null null 198.51.100.1/32"), traffic);
        crossCheck("every protocol", effective, g, 10, TargetOptions.defaults(BACKEND));
    }

    @Test
    void noOutboundTrafficIsExactInEveryFormat() throws CompileException {
        EffectivePolicy effective = policy("group web = 10.20.1.0/24\ndefault inbound deny\ndefault outbound deny\n"
                + "allow https from 192.0.2.0/24 to web\n");
        Target web = effective.target("web").orElseThrow();
        assertTrue(SecurityGroupReader.ec2Json(compile(effective, web, "json", TargetOptions.defaults(BACKEND))).rules.stream()
                .allMatch(SecurityGroupReader.SgRule::ingress));
        String terraform = compile(effective, web, "terraform", TargetOptions.defaults(BACKEND));
        assertFalse(terraform.contains("aws_vpc_security_group_egress_rule"), terraform);
        assertFalse(terraform.contains("\"egress\""), terraform);
        JsonNode cfn = SecurityGroupReader.parse(YAML, compile(effective, web, "cloudformation", TargetOptions.defaults(BACKEND)));
        JsonNode egress = cfn.get("Resources").get("SecurityGroup").get("Properties").get("SecurityGroupEgress");
        assertEquals(1, egress.size());
        assertEquals("127.0.0.1/32", egress.get(0).get("CidrIp").asText());
        assertEquals("-1", egress.get(0).get("IpProtocol").asText());
        crossCheck("no egress", effective, web, 5, TargetOptions.defaults(BACKEND));
    }

    @Test
    void icmpTypesAndCodesBecomeAwsPairs() throws CompileException {
        EffectivePolicy effective = policy("group web = 10.20.1.0/24, 2001:db8:20::/64\ndefault inbound deny\n"
                + "default outbound deny\nallow icmp/3:4, icmp/echo-request, icmpv6\ndeny icmp/5, icmp/6\n"
                + "allow icmp from 192.0.2.0/24\n");
        Target web = effective.target("web").orElseThrow();
        // Every ICMP type but two: AWS has no type ranges, so one entry per type, over the default quota.
        LimitExceeded over = assertThrows(LimitExceeded.class,
                () -> compile(effective, web, "json", TargetOptions.defaults(BACKEND)));
        assertTrue(over.needed() > 250, over.getMessage());
        Set<String> traffic = traffic(SecurityGroupReader.ec2Json(compile(effective, web, "json", maxRules(1000))));
        assertTrue(traffic.contains("in icmp 3 4 0.0.0.0/0"), traffic.toString());
        assertTrue(traffic.contains("in icmp 8 -1 0.0.0.0/0"), traffic.toString());
        assertTrue(traffic.contains("in icmpv6 -1 -1 ::/0"), traffic.toString());
        assertTrue(traffic.contains("in icmp 7 -1 192.0.2.0/24"), traffic.toString());
        assertFalse(traffic.stream().anyMatch(t -> t.startsWith("in icmp 5 ") || t.startsWith("in icmp 6 ")), traffic.toString());
        crossCheck("icmp", effective, web, 6, maxRules(1000));
    }


    /** Every other port, from {@code sources} single addresses: one entry per port and address. */
    private static EffectivePolicy everyOtherPort(int ports, int sources) {
        String portList = IntStream.range(0, ports).mapToObj(p -> Integer.toString(2 * p + 1)).collect(Collectors.joining(","));
        String sourceList = IntStream.range(0, sources).mapToObj(s -> "10.1." + s / 128 + "." + s % 128 * 2)
                .collect(Collectors.joining(","));
        return policy("group h = 10.0.0.1\nallow tcp/{" + portList + "} from " + sourceList + " to h\n");
    }

    /**
     * Past the most entries any account allows the count stops: 200 sources on every other port
     * are 6.5 million entries, and finding each (every atom against every box) took minutes and
     * gigabytes before the refusal (docs/performance.md, seventeenth round).
     */
    @Test
    void farOverTheMostRulesIsRefusedWithoutCountingEveryEntry() {
        EffectivePolicy effective = everyOtherPort(32768, 200);
        Target h = effective.target("h").orElseThrow();
        LimitExceeded over = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(LimitExceeded.class, () -> compile(effective, h, "json", maxRules(1000))));
        assertTrue(over.getMessage().contains("needs more than 1000 inbound IPv4 rules on aws, over the limit of 1000;"),
                over.getMessage());
        assertFalse(over.raisable(), over.getMessage());
    }

    /** Exactly the most entries compile; one more is refused as more than the most. */
    @Test
    void theMostRulesCompileAndOneMoreIsRefused() throws CompileException {
        EffectivePolicy most = everyOtherPort(1000, 1);
        Set<String> traffic = traffic(SecurityGroupReader.ec2Json(
                compile(most, most.target("h").orElseThrow(), "json", maxRules(1000))));
        assertEquals(1000, traffic.stream().filter(t -> t.startsWith("in tcp ")).count(), traffic.toString());
        EffectivePolicy oneMore = everyOtherPort(1001, 1);
        LimitExceeded over = assertThrows(LimitExceeded.class,
                () -> compile(oneMore, oneMore.target("h").orElseThrow(), "json", maxRules(1000)));
        assertTrue(over.getMessage().contains("needs more than 1000 inbound IPv4 rules"), over.getMessage());
    }
    @Test
    void aSourcePortRuleChangingNothingAdmittedIsNoReasonToRefuse() throws CompileException {
        // Nothing allows UDP, so the deny of replies from port 53 admits what the default does.
        EffectivePolicy idle = policy("group web = 10.20.1.0/24\ndefault inbound deny\n"
                + "deny udp from 192.0.2.0/24 port 53 to web\nallow tcp/443 from any to web\n");
        Target web = idle.target("web").orElseThrow();
        assertTrue(crossCheck("idle source-port deny", idle, web, 7, TargetOptions.defaults(BACKEND)) > 0);

        // Here it takes source port 53 out of an allow: a security group cannot say that.
        EffectivePolicy carving = policy("group web = 10.20.1.0/24\ndefault inbound deny\n"
                + "deny udp from 192.0.2.0/24 port 53 to web\nallow udp/1000-2000 from any to web\n");
        CompileException e = assertThrows(CompileException.class, () -> compile(carving,
                carving.target("web").orElseThrow(), "json", TargetOptions.defaults(BACKEND)));
        assertEquals(3, e.rule().location().line());
        assertTrue(e.getMessage().contains("cannot match source ports"), e.getMessage());

        // The rule blamed is the one the admitted set depends on, not the idle deny above it.
        EffectivePolicy both = policy("group web = 10.20.1.0/24\ndefault inbound deny\n"
                + "deny udp from 10.0.0.0/8 port 53 to web\nallow tcp from any port 1-1023 to web\n");
        e = assertThrows(CompileException.class, () -> compile(both,
                both.target("web").orElseThrow(), "json", TargetOptions.defaults(BACKEND)));
        assertEquals(4, e.rule().location().line());
    }

    @Test
    void refusalsNameTheRule() {
        EffectivePolicy sourcePort = policy("group web = 10.20.1.0/24\nallow tcp from 192.0.2.0/24 port 53 to web\n");
        CompileException e = assertThrows(CompileException.class,
                () -> compile(sourcePort, sourcePort.target("web").orElseThrow(), "json", TargetOptions.defaults(BACKEND)));
        assertEquals(2, e.rule().location().line());
        assertTrue(e.getMessage().contains("cannot match source ports"), e.getMessage());

        EffectivePolicy members = policy("group web = 10.20.1.0/24\nallow ssh from 192.0.2.0/24 to 10.20.1.7\n");
        e = assertThrows(CompileException.class,
                () -> compile(members, members.target("web").orElseThrow(), "json", TargetOptions.defaults(BACKEND)));
        assertEquals(2, e.rule().location().line());

        // Outbound at a group holding its peers, each rule applies only at the members it names as
        // sources. The allow admits what the default (allow) admits at every other member; the deny
        // is what makes members differ, and the refusal names it.
        EffectivePolicy everything = policy("group g = 0.0.0.0/0, ::/0\nallow tcp/22 from 192.0.2.0/24 to g\n"
                + "deny tcp/81 from 198.51.100.0/24 to g\n");
        e = assertThrows(CompileException.class,
                () -> compile(everything, everything.target("g").orElseThrow(), "json", TargetOptions.defaults(BACKEND)));
        assertEquals(3, e.rule().location().line());
        assertTrue(e.getMessage().contains("treats members of group g differently"), e.getMessage());

        CompileFixtures.Run run = CompileFixtures.runWithInput("stateless\ngroup web = 10.20.1.0/24\nallow ssh to web\n",
                "compile", "-", "--target", "aws", "--group", "web");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("the policy is stateless"), run.err());
        assertEquals("", run.out());
    }

    // ---- the quota ------------------------------------------------------------------------

    /** 61 single ports from one network: 61 inbound IPv4 rules. */
    static final String SIXTY_ONE = "default inbound deny\ngroup web = 10.20.1.0/24\nallow tcp/{"
            + String.join(",", java.util.stream.IntStream.range(0, 61).mapToObj(i -> Integer.toString(8001 + 2 * i)).toList())
            + "} from 192.0.2.0/24 to web comment \"app listeners\"\n";

    @Test
    void overTheQuotaIsPP503WithExit2AndARaisedQuotaCompiles(@TempDir Path dir) throws IOException {
        Path policy = dir.resolve("wide.policy");
        Files.writeString(policy, SIXTY_ONE);
        Path empty = dir.resolve(".portpolicy.yaml");
        Files.writeString(empty, "targets: {}\n");
        CompileFixtures.Run run = CompileFixtures.run("compile", policy.toString(), "--target", "aws", "--group", "web",
                "--config", empty.toString());
        assertEquals(2, run.exit(), run.err());
        assertEquals("", run.out());
        assertTrue(run.err().contains(policy + ":2:7: error: PP503 target-limit: group web needs 61 inbound IPv4 rules on aws,"
                + " 1 over the limit of 60"), run.err());

        CompileFixtures.Run lint = CompileFixtures.run("lint", policy.toString(), "--config", empty.toString());
        assertTrue(lint.out().contains("PP503 target-limit: group web needs 61 inbound IPv4 rules on aws, 1 over the limit of 60"),
                lint.out() + lint.err());
        // One finding for aws (aws-nacl, with its own quota, reports the same group separately).
        assertEquals(1, countMatches(lint.out(), " on aws, "), lint.out());
        assertEquals(1, lint.exit(), lint.out());

        Path raised = dir.resolve("raised.yaml");
        Files.writeString(raised, "targets: { aws: { max-rules: 100 } }\n");
        run = CompileFixtures.run("compile", policy.toString(), "--target", "aws", "--group", "web", "--config", raised.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(61, SecurityGroupReader.ec2Json(run.out()).rules.stream().filter(SecurityGroupReader.SgRule::ingress).count());
        lint = CompileFixtures.run("lint", policy.toString(), "--config", raised.toString());
        assertFalse(lint.out().contains(" on aws, "), lint.out());
    }

    private static int countMatches(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }

    @Test
    void theExplanationsBadExampleIsOverTheQuotaAndItsGoodExampleIsNot() throws IOException {
        String page;
        try (InputStream in = getClass().getResourceAsStream("/io/portpolicy/lint/explanations/PP503.md")) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher bad = Pattern.compile("## Bad\n```policy\n(.*?)```", Pattern.DOTALL).matcher(page);
        Matcher good = Pattern.compile("## Good\n```policy\n(.*?)```", Pattern.DOTALL).matcher(page);
        assertTrue(bad.find() && good.find(), page);
        CompileFixtures.Run badLint = CompileFixtures.runWithInput(bad.group(1), "lint", "-");
        assertTrue(badLint.out().contains("PP503 target-limit: group web needs 62 inbound IPv4 rules on aws"), badLint.out());
        CompileFixtures.Run goodLint = CompileFixtures.runWithInput(good.group(1), "lint", "-");
        assertFalse(goodLint.out().contains("PP503"), goodLint.out());
    }

    // ---- hostile text ---------------------------------------------------------------------

    static final String EVIL = "x\\\" ${file(\\\"/etc/passwd\\\")} %{ if true }pwn%{ endif } \\\\ "
            + "'; DROP ALL -- \\\" ]} {\\\"IpProtocol\\\": \\\"-1\\\"} \n- IpProtocol: '-1' # \u00fcn\u00efc\u00f8d\u00e9 \ud83d\udd25 ";

    @Test
    void hostileTextStaysText(@TempDir Path dir) throws IOException, CompileException {
        // A policy may not hold a line separator or a control character such as NEL (U+0085); a file name may.
        Path file = dir.resolve("evil\"${x}%{y}\\ \u2028\u2029\u0085 '.policy");
        String text = EVIL.replace("\n", " ").repeat(12);
        Files.writeString(file, "group evil = 10.20.1.0/24, 2001:db8:20::/64\ndefault inbound deny\ndefault outbound deny\n"
                + "allow tcp/22 from 192.0.2.0/24, 2001:db8:1::/48 log \"" + text + "\" comment \"" + text + "\" owner \""
                + text + "\" ticket \"" + text + "\"\nreject tcp/23 comment \"" + text + "\"\n");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
        Target group = effective.target("evil").orElseThrow();
        crossCheck("hostile", effective, group, 8, TargetOptions.defaults(BACKEND));
        String json = compile(effective, group, "json", TargetOptions.defaults(BACKEND));
        SecurityGroupReader sg = SecurityGroupReader.ec2Json(json);
        assertEquals(2, sg.rules.size(), json);
        for (SecurityGroupReader.SgRule rule : sg.rules) {
            // At most 255 (the cut may end at a space, which goes), and the file name and line stay
            // (after the file name's '\', which reads as a directory separator).
            assertTrue(rule.description().length() >= 254 && rule.description().length() <= 255, rule.description());
            assertTrue(rule.description().startsWith("... _.policy:4 x_"), rule.description());
            assertTrue(rule.description().contains("${file(_/etc/passwd_)}"), rule.description());
        }
        String terraform = compile(effective, group, "terraform", TargetOptions.defaults(BACKEND));
        JsonNode tf = SecurityGroupReader.parse(JSON, terraform);
        List<String> strings = new ArrayList<>();
        collectStrings(tf, strings);
        for (String s : strings) {
            if (s.startsWith("${aws_security_group.") || s.startsWith("${var.")) continue;
            SecurityGroupReader.literal(s); // throws on a live ${ or %{
        }
        String cfn = compile(effective, group, "cloudformation", TargetOptions.defaults(BACKEND));
        for (String line : cfn.split("\n", -1)) {
            assertFalse(line.contains("\r") || line.contains("\u2028") || line.contains("\u2029") || line.contains("\u0085"), line);
        }
        JsonNode template = SecurityGroupReader.parse(YAML, cfn);
        List<String> keys = new ArrayList<>();
        template.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("AWSTemplateFormatVersion", "Description", "Parameters", "Resources", "Outputs"), keys);
        assertEquals(2, template.get("Resources").get("SecurityGroup").get("Properties").get("SecurityGroupIngress").size());
    }

    private static void collectStrings(JsonNode node, List<String> out) {
        if (node.isTextual()) out.add(node.asText());
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) collectStrings(it.next(), out);
    }
}
