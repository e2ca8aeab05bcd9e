package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import inet.ipaddr.IPAddressString;
import io.portpolicy.compile.cloud.GroupPackets;
import io.portpolicy.compile.gcp.GcpBackend;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compile --target gcp: every generated Firewall resource validates against the compute v1
 * discovery schema; the rules, read by {@link GcpFirewallModel} and evaluated as Google
 * documents (priority, deny over allow at equal priority, implied rules, target tags), decide
 * every boundary and random packet at the group's addresses as the engine does, also with the
 * default network's pre-populated rules present; the Terraform output holds the same rules.
 */
class GcpBackendTest {

    private static final GcpBackend BACKEND = new GcpBackend();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final GcpDiscoverySchema SCHEMA = GcpDiscoverySchema.load();

    static Artifact compile(EffectivePolicy effective, Target group, String format, TargetOptions options)
            throws CompileException {
        return BACKEND.compile(new CompileRequest(effective, group, format, "TEST", options));
    }

    static Artifact compile(EffectivePolicy effective, Target group, String format) throws CompileException {
        return compile(effective, group, format, TargetOptions.defaults(BACKEND));
    }

    static EffectivePolicy effective(String text) {
        return EffectivePolicy.of(CompileFixtures.checkText(text), CompileFixtures.TODAY);
    }

    // ---- the cross-check ----------------------------------------------------------------

    /** Checks one group in both formats; returns the rules read from the JSON. */
    static JsonNode crossCheck(String label, EffectivePolicy effective, Target group, long seed, TargetOptions options)
            throws CompileException, IOException {
        JsonNode api = MAPPER.readTree(compile(effective, group, "json", options).parts().get(0).text());
        JsonNode terraform = MAPPER.readTree(compile(effective, group, "terraform", options).parts().get(0).text());
        for (JsonNode resource : api) {
            List<String> errors = SCHEMA.validate(resource, "Firewall", "compute.firewalls.insert");
            assertTrue(errors.isEmpty(), label + ": " + errors + "\n" + resource);
        }
        assertEquals(api, GcpFirewallModel.apiFromTerraform(terraform), label + ": terraform holds other rules");
        Set<String> names = new HashSet<>();
        Set<String> priorities = new HashSet<>();
        for (JsonNode resource : api) {
            assertTrue(names.add(resource.get("name").asText()), label + ": name twice " + resource.get("name"));
            assertTrue(priorities.add(resource.get("direction").asText() + resource.get("priority").asInt()),
                    label + ": priority twice " + resource);
        }
        String tag = api.get(0).get("targetTags").get(0).asText();
        GcpFirewallModel model = GcpFirewallModel.read(api);
        GcpFirewallModel defaultNetwork = model.withDefaultNetworkRules();
        Random random = new Random(seed);
        List<String> mismatches = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            for (Packet packet : packets(effective, group, direction, random)) {
                Action engine = effective.decide(group, direction, packet).action();
                String expected = engine == Action.ALLOW ? "allow" : "deny";
                String gcp = model.verdict(direction, packet, tag);
                String withDefaults = defaultNetwork.verdict(direction, packet, tag);
                if ((!expected.equals(gcp) || !expected.equals(withDefaults)) && mismatches.size() < 20) {
                    mismatches.add(label + " " + direction + " " + packet + ": gcp " + gcp + " (default network "
                            + withDefaults + "), engine " + effective.decide(group, direction, packet).reason());
                }
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches) + "\n" + Text.cutChars(api.toPrettyString(), 6000));
        return api;
    }

    static JsonNode crossCheck(String label, EffectivePolicy effective, Target group, long seed)
            throws CompileException, IOException {
        return crossCheck(label, effective, group, seed, TargetOptions.defaults(BACKEND));
    }

    /** Packets at the group's addresses (GroupPackets), TCP and UDP port 0 among them. */
    static List<Packet> packets(EffectivePolicy effective, Target group, Direction direction, Random random) {
        return GroupPackets.of(effective, group, direction, random);
    }

    static List<Target> groups(EffectivePolicy effective) {
        return effective.policy().groups().keySet().stream().sorted()
                .map(name -> effective.target(name).orElseThrow()).toList();
    }

    // ---- example policies ---------------------------------------------------------------

    /**
     * Why each example group is refused: every example allows ICMP by type (path MTU discovery,
     * echo requests), which GCP firewall rules cannot match, except the stateless example, which
     * is refused first for being stateless (GCP admits replies by itself).
     */
    private static final String ICMP_TYPES = "GCP firewall rules cannot match ICMP types or codes";
    private static final String SOURCE_PORTS = "GCP firewall rules cannot match source ports";
    private static final String STATELESS = "the policy is stateless, but a GCP VPC firewall";

    @Test
    void everyExampleGroupIsRefusedForARealPlatformLimit() {
        Map<String, String> refused = new TreeMap<>();
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                CompileException e = assertThrows(CompileException.class, () -> compile(effective, group, "json"),
                        file + " " + group.name());
                assertEquals(e.getMessage().startsWith(STATELESS), e.rule() == null, e.getMessage());
                refused.put(file + " " + group.name(), e.getMessage().startsWith(SOURCE_PORTS) ? "source ports"
                        : e.getMessage().startsWith(ICMP_TYPES) ? "ICMP types"
                        : e.getMessage().startsWith(STATELESS) ? "stateless" : e.getMessage());
            }
        }
        Map<String, String> expected = new TreeMap<>();
        for (String g : List.of("bastion.policy bastions", "bastion.policy staff", "cloud-tiers.policy app",
                "cloud-tiers.policy db", "cloud-tiers.policy tiers", "cloud-tiers.policy web",
                "database.policy databases", "inventory-site/site.policy backends",
                "inventory-site/site.policy databases", "inventory-site/site.policy frontends",
                "inventory-site/site.policy on_call", "web-tier.policy web", "windows-server.policy windows_servers")) {
            expected.put("policies-examples/" + g, "ICMP types");
        }
        expected.put("policies-examples/stateless.policy api", "stateless");
        assertEquals(expected, refused);
    }

    /** Where the examples are copied with their ICMP-type rules taken out (a fixed path: it is in approved output). */
    private static final Path WITHOUT_ICMP_TYPES = Path.of("target", "gcp-examples-without-icmp-types");

    /** The example files' paths in the copy without ICMP-type rules, in the order of {@link CompileFixtures#examples()}. */
    private static List<String> examplesWithoutIcmpTypeRules() throws IOException {
        Path examples = Path.of("policies-examples");
        try (Stream<Path> walk = Files.walk(examples)) {
            for (Path source : walk.toList()) {
                Path target = WITHOUT_ICMP_TYPES.resolve(examples.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    String text = Files.readString(source);
                    if (source.toString().endsWith(".policy")) {
                        text = text.lines().filter(l -> !l.matches("^(allow|deny|reject) .*icmp(v6)?/.*"))
                                .collect(Collectors.joining("\n", "", "\n"));
                    }
                    Files.writeString(target, text);
                }
            }
        }
        return CompileFixtures.examples().stream()
                .map(e -> WITHOUT_ICMP_TYPES.resolve(examples.relativize(Path.of(e)).toString()).toString()).toList();
    }

    /** The examples with their ICMP-type rules taken out: real policies' shapes, compiled and checked. */
    @Test
    void examplesWithoutIcmpTypeRulesDecideAsTheEngine() throws IOException, CompileException {
        int compiled = 0;
        int rules = 0;
        for (String file : examplesWithoutIcmpTypeRules()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                if (file.endsWith("stateless.policy")) {
                    CompileException e = assertThrows(CompileException.class, () -> compile(effective, group, "json"));
                    assertTrue(e.getMessage().startsWith(STATELESS), e.getMessage());
                    continue;
                }
                rules += crossCheck(file + " " + group.name(), effective, group, compiled).size();
                compiled++;
            }
        }
        assertEquals(13, compiled);
        assertTrue(rules > 100, "rules: " + rules);
    }

    /** Every example group in both formats (all refused), then the same without ICMP-type rules (compiled). */
    @Test
    void approvedOutputForEveryExampleGroup() throws IOException {
        StringBuilder approved = new StringBuilder();
        List<String> files = new ArrayList<>(CompileFixtures.examples());
        files.addAll(examplesWithoutIcmpTypeRules());
        for (String file : files) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                for (String format : BACKEND.formats()) {
                    String[] args = {"compile", file, "--target", "gcp", "--group", group.name(), "--format", format,
                        "--today=2026-11-21"};
                    CompileFixtures.Run run = CompileFixtures.run(args);
                    assertEquals(run, CompileFixtures.run(args), "not byte-stable: " + file + " " + group.name());
                    approved.append("=== ").append(file).append(" --group ").append(group.name()).append(" --format ")
                            .append(format).append(" ===\nexit ").append(run.exit()).append('\n')
                            .append(run.out().replace("portpolicy " + CompileApprovalTest.version() + " (",
                                    "portpolicy VERSION ("))
                            .append(run.err());
                }
            }
        }
        Approvals.verify(approved.toString());
    }

    // ---- random policies ----------------------------------------------------------------

    /**
     * Random policies, each with a group of all its hosts added (so every policy has a group),
     * compile or are refused only for the documented reasons; what compiles decides as the engine.
     */
    @Test
    void randomPoliciesDecideAsTheEngine() throws CompileException, IOException {
        int policies = 0;
        int groups = 0;
        int refusals = 0;
        int stateless = 0;
        for (long seed = 0; policies < 70; seed++) {
            assertTrue(seed < 400, "too few random policies compile: " + policies);
            String text = new RandomPolicies(seed).policy();
            List<String> hosts = text.lines().filter(l -> l.startsWith("host "))
                    .map(l -> l.substring(5, l.indexOf(' ', 5))).toList();
            EffectivePolicy effective = effective(text + "group all_hosts = " + String.join(", ", hosts) + "\n");
            boolean any = false;
            for (Target group : groups(effective)) {
                try {
                    compile(effective, group, "json");
                } catch (CompileException e) {
                    if (e.getMessage().startsWith(STATELESS)) {
                        stateless++;
                        continue;
                    }
                    assertTrue(e.getMessage().startsWith(SOURCE_PORTS) || e.getMessage().startsWith(ICMP_TYPES),
                            "seed " + seed + ": " + e.getMessage());
                    refusals++;
                    continue;
                }
                crossCheck("seed " + seed + " " + group.name(), effective, group, seed);
                groups++;
                any = true;
            }
            if (any) policies++;
        }
        assertTrue(groups >= 90 && refusals > 0 && stateless > 0,
                groups + " groups, " + refusals + " refusals, " + stateless + " stateless");
    }

    // ---- particular rules ---------------------------------------------------------------

    @Test
    void partialRulesNameTheMembersTheySingleOut() throws CompileException, IOException {
        EffectivePolicy effective = effective("""
                default inbound deny
                default outbound deny
                group web = 10.20.1.0/24
                group tiers = web, 10.20.2.0/24
                allow https from any to web
                allow ssh from 10.0.100.0/24 to tiers
                allow postgres from self to 10.20.3.0/24
                """);
        JsonNode api = crossCheck("tiers", effective, effective.target("tiers").orElseThrow(), 1);
        JsonNode https = api.get(0);
        assertEquals("tiers-in-0-1", https.get("name").asText());
        assertEquals("[\"10.20.1.0/24\"]", https.get("destinationRanges").toString());
        assertEquals("[\"0.0.0.0/0\"]", https.get("sourceRanges").toString());
        JsonNode ssh = api.get(1);
        assertFalse(ssh.has("destinationRanges"), ssh.toString());
        assertEquals(101, ssh.get("priority").asInt());
        JsonNode egress = byName(api, "tiers-eg-2-1");
        assertEquals(101, egress.get("priority").asInt(), "after tiers' own https to web: " + api);
        assertFalse(egress.has("sourceRanges"), egress.toString());
        assertEquals("[\"10.20.3.0/24\"]", egress.get("destinationRanges").toString());
    }

    @Test
    void defaultsAreExplicitBeforeTheDefaultNetworksRules() throws CompileException, IOException {
        EffectivePolicy effective = effective("group web = 10.20.1.0/24\nallow https from any to web\n");
        JsonNode api = crossCheck("language defaults", effective, effective.target("web").orElseThrow(), 2);
        List<String> names = new ArrayList<>();
        api.forEach(r -> names.add(r.get("name").asText() + " " + r.get("priority").asInt() + " "
                + (r.has("denied") ? "deny" : "allow")));
        assertEquals(List.of("web-in-0-1 100 allow", "web-in-default-ipv4 101 deny", "web-in-default-ipv6 102 deny",
                "web-eg-0-1 100 allow", "web-eg-default-ipv4 101 allow", "web-eg-default-ipv6 102 allow"), names);
        assertTrue(api.get(1).get("description").asText().contains("default inbound deny (not written: the language's default)"),
                api.get(2).toString());
        GcpFirewallModel model = GcpFirewallModel.read(api).withDefaultNetworkRules();
        Packet ssh = new Packet(new IPAddressString("192.0.2.1").getAddress(), new IPAddressString("10.20.1.5").getAddress(),
                6, 40000, 22, 0, 0);
        assertEquals("deny", model.verdict(Direction.INBOUND, ssh, "web"));
        assertEquals("allow", GcpFirewallModel.read(MAPPER.createArrayNode()).withDefaultNetworkRules()
                .verdict(Direction.INBOUND, ssh, "web"), "the model's default network rules admit SSH without ours");
    }

    @Test
    void rejectIsDenyWithANoteAndLogEnablesLogging() throws CompileException, IOException {
        EffectivePolicy effective = effective("""
                default inbound reject
                group web = 10.20.1.0/24
                reject tcp/23 from 192.0.2.0/24 to web log "telnet"
                allow https from any to web log
                """);
        JsonNode api = crossCheck("reject", effective, effective.target("web").orElseThrow(), 3);
        JsonNode telnet = api.get(0);
        assertTrue(telnet.has("denied"));
        assertTrue(telnet.get("description").asText().endsWith("log=telnet (reject compiled as deny: GCP drops without answering)"),
                telnet.toString());
        assertEquals("{\"enable\":true,\"metadata\":\"INCLUDE_ALL_METADATA\"}", telnet.get("logConfig").toString());
        assertTrue(api.get(1).has("logConfig"));
        JsonNode fallback = api.get(2);
        assertEquals("web-in-default-ipv4", fallback.get("name").asText());
        assertTrue(fallback.get("description").asText().contains("default inbound reject (reject compiled as deny"),
                fallback.toString());
        assertFalse(api.get(api.size() - 1).has("logConfig"));
    }

    @Test
    void protocolsPortsAndFamilies() throws CompileException, IOException {
        EffectivePolicy effective = effective("""
                default inbound deny
                group g = 10.20.1.0/24, 2001:db8:20:1::/64
                allow tcp/0-100, udp/53 from 192.0.2.0/25, 192.0.2.128/26 to g
                allow icmp, icmpv6 from 10.0.9.0/28, 2001:db8:9::/48 to g
                allow tcp/0 from 198.51.100.1 to g
                deny any from 203.0.113.0/24
                allow any
                """);
        JsonNode api = crossCheck("protocols", effective, effective.target("g").orElseThrow(), 4);
        JsonNode ports = api.get(0);
        assertEquals("[{\"IPProtocol\":\"tcp\",\"ports\":[\"0-100\"]}]", ports.get("allowed").toString(), ports.toString());
        assertEquals("[\"192.0.2.0/25\",\"192.0.2.128/26\"]", ports.get("sourceRanges").toString());
        String all = api.toString();
        assertTrue(all.contains("{\"IPProtocol\":\"udp\",\"ports\":[\"53\"]}"), all);
        assertTrue(all.contains("{\"IPProtocol\":\"icmp\"}") && all.contains("{\"IPProtocol\":\"58\"}"), all);
        assertTrue(all.contains("{\"IPProtocol\":\"tcp\",\"ports\":[\"0\"]}],\"sourceRanges\":[\"198.51.100.1/32\"]"), all);
        assertTrue(all.contains("{\"IPProtocol\":\"all\"}"), all);
    }

    /**
     * icmp goes with IPv4 ranges and ICMPv6 (58) with IPv6 ones: the API refuses icmp with IPv6
     * ranges. The other family's number (ICMP in IPv6, ICMPv6 in IPv4) is matched by 'any' only,
     * and so by "all" rules only, exactly as the engine decides it.
     */
    @Test
    void icmpGoesWithIpv4RangesAndIcmpv6WithIpv6Ones() throws CompileException, IOException {
        EffectivePolicy effective = effective("""
                default inbound deny
                group g = 10.20.1.0/24, 2001:db8:20:1::/64
                deny tcp/23 from any
                allow icmp, icmpv6 from 10.0.9.0/28, 2001:db8:9::/48 to g
                allow any from 192.0.2.0/24, 2001:db8:99::/48 to g
                deny any from g to 203.0.113.0/24, 2001:db8:bad::/48
                """);
        JsonNode api = crossCheck("icmp families", effective, effective.target("g").orElseThrow(), 12);
        for (JsonNode rule : api) {
            String ranges = rule.path("sourceRanges").toString() + rule.path("destinationRanges");
            for (JsonNode protocol : rule.path(rule.has("allowed") ? "allowed" : "denied")) {
                String name = protocol.get("IPProtocol").asText();
                if (name.equals("icmp")) assertFalse(ranges.contains(":"), rule.toString());
                if (name.equals("58")) assertTrue(ranges.contains(":"), rule.toString());
            }
        }
        GcpFirewallModel model = GcpFirewallModel.read(api);
        var member4 = new IPAddressString("10.20.1.5").getAddress();
        var member6 = new IPAddressString("2001:db8:20:1::5").getAddress();
        var icmpPeer6 = new IPAddressString("2001:db8:9::7").getAddress();
        var anyPeer6 = new IPAddressString("2001:db8:99::7").getAddress();
        var icmpPeer4 = new IPAddressString("10.0.9.1").getAddress();
        var anyPeer4 = new IPAddressString("192.0.2.7").getAddress();
        assertEquals("deny", model.verdict(Direction.INBOUND, new Packet(icmpPeer6, member6, 1, 0, 0, 0, 0), "g"));
        assertEquals("allow", model.verdict(Direction.INBOUND, new Packet(anyPeer6, member6, 1, 0, 0, 0, 0), "g"));
        assertEquals("deny", model.verdict(Direction.INBOUND, new Packet(icmpPeer4, member4, 58, 0, 0, 0, 0), "g"));
        assertEquals("allow", model.verdict(Direction.INBOUND, new Packet(anyPeer4, member4, 58, 0, 0, 0, 0), "g"));
        var blocked6 = new IPAddressString("2001:db8:bad::1").getAddress();
        assertEquals("deny", model.verdict(Direction.OUTBOUND, new Packet(member6, blocked6, 1, 0, 0, 0, 0), "g"));
        assertEquals("allow", model.verdict(Direction.OUTBOUND, new Packet(member6, anyPeer6, 1, 0, 0, 0, 0), "g"));
    }

    /**
     * A deny of ICMP types GCP cannot match is left out, as a source-port deny is, where nothing
     * after it would admit what it denies; otherwise it is refused with a hint that does not
     * widen access (deny the whole protocol, never allow it).
     */
    @Test
    void anIcmpTypeDenyChangingNothingAdmittedIsLeftOutAndOneThatMattersIsRefusedWithADenyHint()
            throws CompileException, IOException {
        String deny = "deny icmp/echo-request from 198.51.100.0/24 to web\n";
        EffectivePolicy idle = effective("group web = 10.1.0.0/24\ndefault inbound deny\n" + deny
                + "allow tcp/443 from any to web\n");
        Target web = idle.target("web").orElseThrow();
        JsonNode api = crossCheck("idle icmp-type deny", idle, web, 32);
        long ingress = 0;
        for (JsonNode resource : api) if (resource.get("direction").asText().equals("INGRESS")) ingress++;
        assertEquals(3, ingress, "the allow and the two defaults: " + api.toPrettyString());
        String terraform = compile(idle, web, "terraform").parts().get(0).text();
        assertTrue(terraform.contains("<stdin>:3 left out: GCP firewall rules cannot match it, and without it the"
                + " rules admit the same"), terraform);

        EffectivePolicy matters = effective("group web = 10.1.0.0/24\ndefault inbound deny\n" + deny
                + "allow icmp from any to web\n");
        CompileException e = assertThrows(CompileException.class,
                () -> compile(matters, matters.target("web").orElseThrow(), "json"));
        assertEquals(3, e.rule().location().line());
        assertTrue(e.getMessage().startsWith(ICMP_TYPES + " (icmp/8); deny the whole protocol (icmp) if that is"
                + " acceptable"), e.getMessage());
        assertFalse(e.getMessage().contains("allow"), e.getMessage());
    }

    /** ICMP types are judged at the group's addresses: one of the family the group does not have reaches no member. */
    @Test
    void aSourcePortDenyChangingNothingAdmittedIsLeftOut() throws CompileException, IOException {
        // Nothing after it allows UDP and the default denies: without the deny, the same is admitted.
        EffectivePolicy idle = effective("group web = 10.1.0.0/24\ndefault inbound deny\n"
                + "deny udp from 192.0.2.0/24 port 53 to web\nallow tcp/443 from any to web\n");
        JsonNode api = crossCheck("idle source-port deny", idle, idle.target("web").orElseThrow(), 31);
        // The allow and the two families' defaults: no rule for the deny.
        long ingress = 0;
        for (JsonNode resource : api) if (resource.get("direction").asText().equals("INGRESS")) ingress++;
        assertEquals(3, ingress, api.toPrettyString());

        // A later allow of UDP, or a default that allows, would admit what it denies: refused at the deny.
        for (String after : List.of("allow udp/1000-2000 from any to web\n", "deny tcp/23 to web\n")) {
            String defaults = after.startsWith("deny") ? "default inbound allow\n" : "default inbound deny\n";
            EffectivePolicy carving = effective("group web = 10.1.0.0/24\n" + defaults
                    + "deny udp from 192.0.2.0/24 port 53 to web\n" + after);
            CompileException e = assertThrows(CompileException.class,
                    () -> compile(carving, carving.target("web").orElseThrow(), "json"));
            assertEquals(3, e.rule().location().line(), after);
            assertTrue(e.getMessage().startsWith(SOURCE_PORTS), e.getMessage());
        }
    }

    @Test
    void icmpTypesAreRefusedOnlyWhereTheyReachTheGroup() throws CompileException, IOException {
        String rules = "allow tcp/22, icmpv6/echo-request from any to web\nallow icmp/echo-request from any to web6\n";
        EffectivePolicy single = effective("group web = 10.1.0.0/24\ngroup web6 = 2001:db8:1::/64\n" + rules);
        crossCheck("icmpv6 type, IPv4 group", single, single.target("web").orElseThrow(), 21);
        crossCheck("icmp type, IPv6 group", single, single.target("web6").orElseThrow(), 22);

        EffectivePolicy dual = effective("group web = 10.1.0.0/24, 2001:db8:1::/64\ngroup web6 = 2001:db8:2::/64\n" + rules);
        CompileException e = assertThrows(CompileException.class,
                () -> compile(dual, dual.target("web").orElseThrow(), "json"));
        assertTrue(e.getMessage().startsWith(ICMP_TYPES + " (icmpv6/128); allow the whole protocol (icmpv6)"),
                e.getMessage());
    }

    @Test
    void theModelRefusesIcmpWithTheOtherFamilysRanges() throws IOException {
        String icmpWithIpv6 = "[{\"name\": \"r\", \"direction\": \"INGRESS\", \"allowed\": [{\"IPProtocol\": \"icmp\"}],"
                + " \"sourceRanges\": [\"2001:db8::/32\"], \"targetTags\": [\"g\"]}]";
        assertThrows(IllegalArgumentException.class, () -> GcpFirewallModel.read(MAPPER.readTree(icmpWithIpv6)));
        JsonNode oneWithIpv6 = MAPPER.readTree(icmpWithIpv6.replace("\"icmp\"", "\"1\""));
        assertThrows(IllegalArgumentException.class, () -> GcpFirewallModel.read(oneWithIpv6));
        JsonNode icmpv6WithIpv4 = MAPPER.readTree(icmpWithIpv6.replace("\"icmp\"", "\"58\"").replace("2001:db8::/32", "10.0.0.0/8"));
        assertThrows(IllegalArgumentException.class, () -> GcpFirewallModel.read(icmpv6WithIpv4));
        GcpFirewallModel.read(MAPPER.readTree(icmpWithIpv6.replace("\"icmp\"", "\"58\"")));
    }

    /** Only 0-65535 is every port: 1-65535 is written as it is, so port 0 keeps the default's verdict. */
    @Test
    void portZeroIsAPortLikeAnyOther() throws CompileException, IOException {
        EffectivePolicy effective = effective("""
                default inbound deny
                group g = 10.20.1.0/24
                allow tcp/1-65535 from 192.0.2.0/24 to g
                allow udp from 192.0.2.0/24 to g
                """);
        Target g = effective.target("g").orElseThrow();
        JsonNode api = crossCheck("port 0", effective, g, 6);
        assertEquals("[{\"IPProtocol\":\"tcp\",\"ports\":[\"1-65535\"]}]", api.get(0).get("allowed").toString());
        assertEquals("[{\"IPProtocol\":\"udp\"}]", api.get(1).get("allowed").toString());
        GcpFirewallModel model = GcpFirewallModel.read(api);
        var peer = new IPAddressString("192.0.2.7").getAddress();
        var member = new IPAddressString("10.20.1.5").getAddress();
        assertEquals("deny", model.verdict(Direction.INBOUND, new Packet(peer, member, 6, 1024, 0, 0, 0), "g"));
        assertEquals("allow", model.verdict(Direction.INBOUND, new Packet(peer, member, 17, 1024, 0, 0, 0), "g"));
    }

    /** One rule with five peer addresses: enough rules to split and to count priorities with. */
    private static final String FIVE_PEERS_TO_WEB = """
            default inbound deny
            group web = 10.20.1.0/24
            allow https from 192.0.2.1, 192.0.2.3, 192.0.2.5, 198.51.100.7, 203.0.113.9 to web
            """;

    /** A rule with more ranges than max-ranges is several rules at consecutive priorities; past the last priority, PP503. */
    @Test
    void tooManyRangesSplitAndTooManyRulesArePp503(@TempDir Path dir) throws IOException, CompileException {
        String policy = FIVE_PEERS_TO_WEB;
        EffectivePolicy effective = effective(policy);
        Target web = effective.target("web").orElseThrow();
        TargetOptions two = TargetOptions.of(BACKEND.options(), Map.of("max-ranges", "2"));
        JsonNode api = crossCheck("split", effective, web, 5, two);
        assertEquals(List.of("web-in-0-1 100 [\"192.0.2.1/32\",\"192.0.2.3/32\"]",
                "web-in-0-2 101 [\"192.0.2.5/32\",\"198.51.100.7/32\"]", "web-in-0-3 102 [\"203.0.113.9/32\"]"),
                splitSummary(api));

        Path file = dir.resolve("web.policy");
        Files.writeString(file, policy);
        Path config = dir.resolve(".portpolicy.yaml");
        Files.writeString(config, "targets:\n  gcp: { max-ranges: 1, first-priority: 65530 }\n");
        CompileFixtures.Run run = CompileFixtures.run("compile", file.toString(), "--target", "gcp", "--group", "web",
                "--config", config.toString());
        assertEquals(2, run.exit(), run.err());
        assertEquals("", run.out());
        assertTrue(run.err().contains(file + ":2:7: error: PP503 target-limit: group web needs 7 inbound firewall rules"
                + " (one priority each, from 65530 to 65533) on gcp, 3 over the limit of 4"), run.err());
        assertTrue(run.err().contains("first-priority"), run.err());
        CompileFixtures.Run lint = CompileFixtures.run("lint", file.toString(), "--config", config.toString());
        assertTrue(lint.out().contains("PP503 target-limit: group web needs 7 inbound firewall rules"), lint.out());
        Files.writeString(config, "targets:\n  gcp: { max-ranges: 1, first-priority: 65527 }\n");
        run = CompileFixtures.run("compile", file.toString(), "--target", "gcp", "--group", "web", "--config",
                config.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(5 + 4, MAPPER.readTree(run.out()).size(), "five single-range rules and four defaults fit: " + run.out());
    }

    /**
     * 1000 is the priority the API gives a rule created without one: another team's deny there
     * would tie with our allow and win. No generated rule takes it; starting below it, every
     * rule stays below it, and a direction that would reach it is PP503.
     */
    @Test
    void noRuleTakesTheApiDefaultPriority(@TempDir Path dir) throws CompileException, IOException {
        String policy = FIVE_PEERS_TO_WEB;
        EffectivePolicy effective = effective(policy);
        Target web = effective.target("web").orElseThrow();
        JsonNode api = crossCheck("priorities", effective, web, 7);
        assertEquals(100, api.get(0).get("priority").asInt());
        api.forEach(rule -> assertTrue(rule.get("priority").asInt() < 1000, rule.toString()));
        GcpFirewallModel withOthers = GcpFirewallModel.read(api);
        withOthers.rules.add(new GcpFirewallModel.FwRule("others-deny-all", 1000, true, true,
                List.of(new GcpFirewallModel.Protocol(-1, List.of())), List.of(new IPAddressString("0.0.0.0/0").getAddress()),
                List.of(), List.of()));
        Packet https = new Packet(new IPAddressString("192.0.2.1").getAddress(), new IPAddressString("10.20.1.5").getAddress(),
                6, 40000, 443, 0, 0);
        assertEquals("allow", withOthers.verdict(Direction.INBOUND, https, "web"));

        Path file = dir.resolve("web.policy");
        Files.writeString(file, policy);
        Path config = dir.resolve(".portpolicy.yaml");
        Files.writeString(config, "targets:\n  gcp: { max-ranges: 1, first-priority: 995 }\n");
        CompileFixtures.Run run = CompileFixtures.run("compile", file.toString(), "--target", "gcp", "--group", "web",
                "--config", config.toString());
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("group web needs 7 inbound firewall rules (one priority each, from 995 to 999)"
                + " on gcp, 2 over the limit of 5"), run.err());
        Files.writeString(config, "targets:\n  gcp: { first-priority: 1000 }\n");
        run = CompileFixtures.run("compile", file.toString(), "--target", "gcp", "--group", "web", "--config",
                config.toString());
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("but not 1000, the priority GCP gives rules created without one"), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    /**
     * Too few priorities is no quota an account raises: first-priority chooses where they
     * start, so PP503 names the values of it that leave enough, in compile and in lint.
     */
    @Test
    void tooFewPrioritiesNamesTheFirstPrioritiesThatFit(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("web.policy");
        Files.writeString(file, FIVE_PEERS_TO_WEB);
        Path config = dir.resolve(".portpolicy.yaml");
        Files.writeString(config, "targets:\n  gcp: { max-ranges: 1, first-priority: 65530 }\n");
        CompileFixtures.Run run = CompileFixtures.run("compile", file.toString(), "--target", "gcp", "--group", "web",
                "--config", config.toString());
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("group web needs 7 inbound firewall rules (one priority each, from 65530 to"
                + " 65533) on gcp, 3 over the limit of 4; merge or narrow rules, or set targets: { gcp: {"
                + " first-priority: N } } in .portpolicy.yaml to N at most 993 or from 1001 to 65527"), run.err());
        assertFalse(run.err().contains("allows more for you"), run.err());
        CompileFixtures.Run lint = CompileFixtures.run("lint", file.toString(), "--config", config.toString());
        assertTrue(lint.out().contains("to N at most 993 or from 1001 to 65527"), lint.out());
        // Said once, in the message; the fix points to it.
        assertEquals(1, lint.out().split("at most 993", -1).length - 1, lint.out());
        assertTrue(lint.out().contains("fix: split the group, merge neighbouring ranges and ports, or change"
                + " first-priority as said"), lint.out());
        assertFalse(lint.out().contains("if your account allows more"), lint.out());
    }

    private static JsonNode byName(JsonNode api, String name) {
        for (JsonNode rule : api) if (rule.get("name").asText().equals(name)) return rule;
        throw new AssertionError("no rule " + name + " in " + api);
    }

    private static List<String> splitSummary(JsonNode api) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : api) {
            if (r.get("name").asText().startsWith("web-in-0-")) {
                out.add(r.get("name").asText() + " " + r.get("priority").asInt() + " " + r.get("sourceRanges"));
            }
        }
        return out;
    }

    @Test
    void groupNamesBecomeTagsAndCollisionsAreRefused() throws CompileException, IOException {
        EffectivePolicy effective = effective("""
                group Windows_Servers.EU = 10.50.0.0/24
                group a_very_long_group_name_that_goes_on_and_on_well_past_what_gcp_allows_in_a_tag = 10.60.0.0/24
                allow rdp from 10.0.100.0/24 to Windows_Servers.EU
                allow ssh from 10.0.100.0/24 to a_very_long_group_name_that_goes_on_and_on_well_past_what_gcp_allows_in_a_tag
                """);
        JsonNode windows = crossCheck("tag", effective, effective.target("Windows_Servers.EU").orElseThrow(), 6);
        assertEquals("windows-servers-eu", windows.get(0).get("targetTags").get(0).asText());
        assertEquals("windows-servers-eu-in-0-1", windows.get(0).get("name").asText());
        JsonNode longer = crossCheck("long tag", effective, effective.target(
                "a_very_long_group_name_that_goes_on_and_on_well_past_what_gcp_allows_in_a_tag").orElseThrow(), 7);
        String tag = longer.get(0).get("targetTags").get(0).asText();
        assertTrue(tag.length() == 63 && tag.matches("a-very-long-group-name-.*-[0-9a-f]{8}"), tag);
        for (JsonNode rule : longer) assertTrue(rule.get("name").asText().length() <= 63, rule.get("name").asText());

        String clash = "group web_app = 10.20.1.0/24\ngroup Web-App = 10.20.2.0/24\nallow https from any to web_app\n";
        CompileFixtures.Run run = CompileFixtures.runWithInput(clash, "compile", "-", "--target", "gcp", "--group", "web_app");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("groups 'web_app' and 'Web-App' (<stdin>:2:7) both become the GCP network tag 'web-app'"),
                run.err());
        // A tag may start with a digit, a rule's name may not.
        EffectivePolicy digit = effective("group _9web = 10.20.3.0/24\nallow https from 10.0.100.0/24 to _9web\n");
        JsonNode rules = crossCheck("digit", digit, digit.target("_9web").orElseThrow(), 8);
        assertEquals("9web", rules.get(0).get("targetTags").get(0).asText());
        for (JsonNode rule : rules) {
            assertTrue(rule.get("name").asText().matches("[a-z]([-a-z0-9]*[a-z0-9])?"), rule.get("name").asText());
        }
        run = CompileFixtures.runWithInput("group _9web = 10.20.3.0/24\ngroup g9web = 10.20.4.0/24\n"
                + "allow https from any to _9web\n", "compile", "-", "--target", "gcp", "--group", "_9web");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("become the GCP network tag '9web' / 'g9web', alike as 'g9web'"), run.err());
        run = CompileFixtures.runWithInput("group _ = 10.20.1.0/24\n", "compile", "-", "--target", "gcp");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("group '_' has no letter or digit to make the GCP network tag from"), run.err());
    }

    /**
     * Rule names keep 37 characters of a long tag and 8 hex digits (32 bits) of its hash. These
     * two groups' tags differ, but agree in those 37 characters and, as found by a search, in
     * the hash: their rules would share names, so the group is refused.
     */
    @Test
    void groupsWhoseRuleNamesWouldCollideAreRefused() {
        String first = "frontend_servers_in_the_primary_region_10021504";
        String second = "frontend_servers_in_the_primary_region_10152965";
        String policy = "group " + first + " = 10.20.1.0/24\ngroup " + second + " = 10.20.2.0/24\n"
                + "allow https from any to " + first + "\nallow https from any to " + second + "\n";
        CompileFixtures.Run run = CompileFixtures.runWithInput(policy, "compile", "-", "--target", "gcp", "--group", first);
        assertEquals(2, run.exit(), run.out());
        assertTrue(run.err().startsWith("<stdin>:1:7: error: cannot compile for gcp at group " + first + ": groups '"
                + first + "' and '" + second + "' (<stdin>:2:7)"
                + " become the GCP network tag 'frontend-servers-in-the-primary-region-10021504' /"
                + " 'frontend-servers-in-the-primary-region-10152965', alike as '"), run.err());
        assertTrue(run.err().contains("their rules the same names"), run.err());
    }

    // ---- hostile text -------------------------------------------------------------------

    static final String EVIL = "\\\" }, {\"name\": \"pwn\", \"priority\": 0, \"allowed\": [{\"IPProtocol\": \"all\"}]} "
            + "${file(\"/etc/passwd\")} %{ for x in y }x%{ endfor } $${z} <script> "
            + "' ; rm -rf / # \ud83d\udd25";

    @Test
    void hostileTextStaysLiteral(@TempDir Path dir) throws IOException, CompileException {
        // A policy may not hold a line separator, NEL (U+0085) or a bidirectional override (U+202E); a file name may.
        Path file = dir.resolve("evil\"${x}%{y}\\ \u2028\u2029\u0085\u202e.policy");
        String text = EVIL.replace("\"", "'").replace("\\", "/");
        String longText = text.repeat(40);
        Files.writeString(file, "default inbound deny\ngroup evil = 10.20.1.0/24, 2001:db8:20:1::/64\n"
                + "allow tcp/22 from 10.1.0.0/16 log \"" + text + "\" comment \"" + text + "\" owner \"" + text
                + "\" ticket \"" + text + "\"\n"
                + "reject tcp/23 comment \"" + longText + "\"\n");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
        Target group = effective.target("evil").orElseThrow();
        JsonNode api = crossCheck("hostile", effective, group, 8);
        assertEquals(1 + 2 + 2 + 2 + 2, api.size(), "ssh (IPv4), reject in and out (IPv4, IPv6), two defaults each way");
        String description = api.get(0).get("description").asText();
        assertEquals(Text.oneLine(HostRules.describe(effective.compiledRules().get(0)) + " log=" + text), description);
        assertTrue(description.contains("${file('/etc/passwd')}") && description.contains("%{ for x in y }"), description);
        String cut = api.get(2).get("description").asText();
        assertEquals(1024, cut.codePointCount(0, cut.length()), cut);
        for (Artifact.Part part : List.of(compile(effective, group, "json").parts().get(0),
                compile(effective, group, "terraform").parts().get(0))) {
            for (String line : part.text().split("\n", -1)) {
                assertFalse(line.contains("\r") || line.contains("\u2028") || line.contains("\u2029")
                        || line.contains("\u0085"), line);
            }
        }
        String terraform = compile(effective, group, "terraform").parts().get(0).text();
        assertTrue(terraform.contains("$${file('/etc/passwd')}") && terraform.contains("%%{ for x in y }"), terraform);
        assertTrue(terraform.contains("$$${z}"), "an escape the author wrote stays literal too");
    }
}
