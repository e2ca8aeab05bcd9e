package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import inet.ipaddr.IPAddressString;
import io.portpolicy.compile.azure.AzureBackend;
import io.portpolicy.compile.cloud.GroupPackets;
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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compile --target azure: the generated ARM template, read by {@link AzureNsgEvaluator} (a
 * model of NSG evaluation written from Azure's documentation), decides every boundary and random
 * packet at the group's addresses as the engine does, for the example groups and random
 * policies, and no packet ever reaches Azure's own default rules.
 *
 * <p>Every example policy allows some ICMP type (echo-request, path MTU discovery), which an
 * NSG cannot match, so every example group is refused, naming that rule. The examples are also
 * compiled with their ICMP types widened to the whole of ICMP and their ICMPv6 services left out
 * ({@link #withoutIcmpTypes}), which every group compiles, so the examples' structure is still
 * cross-checked and approved.
 */
class AzureBackendTest {

    private static final AzureBackend BACKEND = new AzureBackend();
    static final Path WIDENED = Path.of("target", "azure-examples");

    static String compile(EffectivePolicy effective, Target group) throws CompileException {
        return BACKEND.compile(new CompileRequest(effective, group, "arm", "TEST", TargetOptions.defaults(BACKEND)))
                .parts().get(0).text();
    }

    static List<Target> groups(EffectivePolicy effective) {
        return effective.policy().groups().keySet().stream().sorted()
                .map(name -> effective.target(name).orElseThrow()).toList();
    }

    // ---- the cross-check ----------------------------------------------------------------

    /** Checks one group; returns the number of packets compared. */
    static int crossCheck(String label, EffectivePolicy effective, Target group, long seed) throws CompileException {
        String template = compile(effective, group);
        AzureNsgEvaluator nsg = new AzureNsgEvaluator(template);
        Random random = new Random(seed);
        int count = 0;
        List<String> mismatches = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            for (Packet packet : packets(effective, group, direction, random)) {
                Action engine = effective.decide(group, direction, packet).action();
                AzureNsgEvaluator.NsgRule decided = nsg.decide(direction, packet);
                count++;
                assertTrue(decided.priority() <= AzureBackendTest.DEFAULT_PRIORITY,
                        label + " " + direction + " " + packet + " reached Azure's default rule " + decided.name());
                if (decided.allow() != (engine == Action.ALLOW) && mismatches.size() < 20) {
                    mismatches.add(label + " " + direction + " " + packet + ": azure " + decided.name() + ", engine "
                            + effective.decide(group, direction, packet).reason());
                }
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches) + "\n" + Text.cutChars(template, 6000));
        return count;
    }

    static final int DEFAULT_PRIORITY = 4096;

    /** Packets at the group's addresses (GroupPackets), with Azure's load balancer and a link-local address as peers. */
    static List<Packet> packets(EffectivePolicy effective, Target group, Direction direction, Random random) {
        return GroupPackets.of(effective, group, direction, random,
                List.of(AzureNsgEvaluator.AZURE_LOAD_BALANCER, "fe80::1"), packet -> true);
    }

    // ---- the examples -------------------------------------------------------------------

    /** Why a stateless example is refused (an NSG admits replies by itself): no rule is to blame. */
    static final String STATELESS = "stateless";

    /** Example file and group → the rule (FILE:LINE) an NSG cannot express, or {@link #STATELESS}. */
    static final Map<String, String> REFUSED = new TreeMap<>(Map.ofEntries(
            Map.entry("policies-examples/bastion.policy bastions", "policies-examples/bastion.policy:27"),
            Map.entry("policies-examples/bastion.policy staff", "policies-examples/bastion.policy:27"),
            Map.entry("policies-examples/cloud-tiers.policy app", "policies-examples/cloud-tiers.policy:23"),
            Map.entry("policies-examples/cloud-tiers.policy db", "policies-examples/cloud-tiers.policy:23"),
            Map.entry("policies-examples/cloud-tiers.policy tiers", "policies-examples/cloud-tiers.policy:23"),
            Map.entry("policies-examples/cloud-tiers.policy web", "policies-examples/cloud-tiers.policy:23"),
            Map.entry("policies-examples/database.policy databases", "policies-examples/database.policy:34"),
            Map.entry("policies-examples/inventory-site/site.policy backends", "policies-examples/inventory-site/common.policy:17"),
            Map.entry("policies-examples/inventory-site/site.policy databases", "policies-examples/inventory-site/common.policy:17"),
            Map.entry("policies-examples/inventory-site/site.policy frontends", "policies-examples/inventory-site/common.policy:17"),
            Map.entry("policies-examples/inventory-site/site.policy on_call", "policies-examples/inventory-site/common.policy:17"),
            Map.entry("policies-examples/stateless.policy api", STATELESS),
            Map.entry("policies-examples/web-tier.policy web", "policies-examples/web-tier.policy:30"),
            Map.entry("policies-examples/windows-server.policy windows_servers", "policies-examples/windows-server.policy:24")));

    /**
     * The example policies copied under {@link #WIDENED} with {@code icmp/TYPES} widened to
     * {@code icmp} and ICMPv6 services left out (a rule of ICMPv6 only becomes a comment, so
     * line numbers stay); inventories are copied as they are. Returns the copied policy files.
     */
    static List<String> withoutIcmpTypes() {
        String items = "(/(\\{[^}]*\\}|[A-Za-z0-9:-]+))?";
        try (Stream<Path> walk = Files.walk(Path.of("policies-examples"))) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path copy = WIDENED.resolve(Path.of("policies-examples").relativize(file));
                Files.createDirectories(copy.getParent());
                List<String> lines = new ArrayList<>();
                for (String line : Files.readAllLines(file)) {
                    if (line.matches("(allow|deny|reject) .*icmp.*")) {
                        String widened = line.replaceAll("icmp/(\\{[^}]*\\}|[A-Za-z0-9:-]+)", "icmp")
                                .replaceAll(",\\s*icmpv6" + items, "").replaceAll("icmpv6" + items + "\\s*,\\s*", "");
                        line = widened.matches("\\w+ icmpv6.*") ? "# left out for azure: " + line : widened;
                    }
                    lines.add(line);
                }
                Files.write(copy, lines);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return CompileFixtures.examples().stream().map(f -> WIDENED.resolve(Path.of("policies-examples")
                .relativize(Path.of(f))).toString()).toList();
    }

    @Test
    void everyExampleGroupIsRefusedForItsIcmpTypesOrForBeingStateless() {
        Map<String, String> refused = new TreeMap<>();
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                CompileException e = assertThrows(CompileException.class, () -> compile(effective, group));
                refused.put(file + " " + group.name(), refusal(e));
            }
        }
        assertEquals(REFUSED, refused);
    }

    /** The rule (FILE:LINE) of an ICMP-type refusal, or {@link #STATELESS}; fails on any other refusal. */
    private static String refusal(CompileException e) {
        if (e.rule() == null && e.getMessage().startsWith("the policy is stateless, but an Azure NSG")) {
            return STATELESS;
        }
        assertTrue(e.getMessage().startsWith("Azure NSG rules cannot match ICMP types or codes"), e.getMessage());
        return e.rule().location().path() + ":" + e.rule().location().line();
    }

    @Test
    void everyExampleGroupWithoutIcmpTypesDecidesAsTheEngine() throws CompileException {
        int groups = 0;
        int packets = 0;
        for (String file : withoutIcmpTypes()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                if (effective.policy().settings().isStateless()) {
                    CompileException e = assertThrows(CompileException.class, () -> compile(effective, group));
                    assertEquals(STATELESS, refusal(e));
                    continue;
                }
                packets += crossCheck(file + " " + group.name(), effective, group, groups);
                groups++;
            }
        }
        assertEquals(REFUSED.values().stream().filter(r -> !r.equals(STATELESS)).count(), groups);
        assertTrue(packets > 20000, "packets checked: " + packets);
    }

    // ---- random policies ----------------------------------------------------------------

    @Test
    void randomPoliciesDecideAsTheEngine() throws CompileException {
        int policies = 0;
        int groupsChecked = 0;
        Map<String, Integer> refusals = new TreeMap<>();
        for (long seed = 0; policies < 60; seed++) {
            assertTrue(seed < 1000, "too few random policies compile: " + policies + " of " + seed + "; " + refusals);
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(new RandomPolicies(seed).policy()),
                    CompileFixtures.TODAY);
            boolean compiled = false;
            for (Target group : groups(effective)) {
                try {
                    compile(effective, group);
                } catch (CompileException e) {
                    String reason = e.rule() == null
                            ? (e.getMessage().startsWith("the policy is stateless") ? STATELESS : null)
                            : e.getMessage().startsWith("Azure NSG rules cannot match ICMP types") ? "ICMP types"
                            : e.getMessage().startsWith("Azure NSG rules cannot match ICMPv6") ? "ICMPv6" : null;
                    assertTrue(reason != null, "seed " + seed + ": " + e.getMessage());
                    refusals.merge(reason, 1, Integer::sum);
                    continue;
                }
                crossCheck("seed " + seed + " " + group.name(), effective, group, seed);
                groupsChecked++;
                compiled = true;
            }
            if (compiled) policies++;
        }
        assertTrue(groupsChecked >= 60, groupsChecked + " groups");
        assertTrue(refusals.getOrDefault(STATELESS, 0) > 0, "no stateless policy among them: " + refusals);
    }

    // ---- semantics ----------------------------------------------------------------------

    private static EffectivePolicy policy(String text) {
        return EffectivePolicy.of(CompileFixtures.checkText(text), CompileFixtures.TODAY);
    }

    /** Azure admits virtual-network traffic at 65000 unless the policy's default comes first. */
    @Test
    void theDefaultIsExplicitSoAzureDefaultsAreNeverReached() throws CompileException {
        EffectivePolicy effective = policy("default inbound deny\ndefault outbound deny\n"
                + "group web = 10.1.0.0/24\nallow tcp/443 from any to web\n");
        Target web = effective.target("web").orElseThrow();
        String template = compile(effective, web);
        Packet fromVnet = packet("10.2.0.5", "10.1.0.7", 6, 22);
        assertEquals(Action.DENY, effective.decide(web, Direction.INBOUND, fromVnet).action());
        AzureNsgEvaluator nsg = new AzureNsgEvaluator(template);
        assertEquals("portpolicy-in-default", nsg.decide(Direction.INBOUND, fromVnet).name());
        assertFalse(nsg.decide(Direction.INBOUND, fromVnet).allow());
        // Without the policy's defaults, Azure's would admit it: the evaluator models them.
        AzureNsgEvaluator bare = new AzureNsgEvaluator(template, false);
        assertEquals("AllowVnetInBound", bare.decide(Direction.INBOUND, fromVnet).name());
        assertEquals("AllowAzureLoadBalancerInBound", bare.decide(Direction.INBOUND,
                packet(AzureNsgEvaluator.AZURE_LOAD_BALANCER, "10.1.0.7", 6, 80)).name());
        assertEquals("AllowInternetOutBound", bare.decide(Direction.OUTBOUND, packet("10.1.0.7", "192.0.2.1", 6, 80)).name());
        crossCheck("default deny", effective, web, 1);

        EffectivePolicy open = policy("default inbound allow\ndefault outbound allow\ngroup web = 10.1.0.0/24\n"
                + "deny tcp/22 from any to web\n");
        AzureNsgEvaluator allowing = new AzureNsgEvaluator(compile(open, open.target("web").orElseThrow()));
        assertEquals("portpolicy-in-default", allowing.decide(Direction.INBOUND, packet("192.0.2.1", "10.1.0.7", 17, 53)).name());
        assertTrue(allowing.decide(Direction.INBOUND, packet("192.0.2.1", "10.1.0.7", 17, 53)).allow());
        crossCheck("default allow", open, open.target("web").orElseThrow(), 2);
    }

    private static Packet packet(String source, String destination, int protocol, int port) {
        return new Packet(new IPAddressString(source).getAddress(), new IPAddressString(destination).getAddress(),
                protocol, 49152, port, 0, 0);
    }

    /** NSG rules name destinations, so a rule for some members only is exact, not refused. */
    @Test
    void membersTreatedDifferentlyAreNamedByAddress() throws CompileException {
        EffectivePolicy effective = policy("default inbound deny\nhost web1 = 10.1.0.11\nhost web2 = 10.1.0.12\n"
                + "group web = web1, web2, 2001:db8:1::/64\nallow ssh from 192.0.2.0/24, 2001:db8:2::/48 to web1\n"
                + "allow https from any to web\n");
        Target web = effective.target("web").orElseThrow();
        String template = compile(effective, web);
        AzureNsgEvaluator nsg = new AzureNsgEvaluator(template);
        AzureNsgEvaluator.NsgRule ssh = nsg.rules.get(0);
        assertEquals(List.of("192.0.2.0/24"), ssh.sources());
        assertEquals(List.of("10.1.0.11"), ssh.destinations());
        assertEquals(List.of("22"), ssh.destinationPorts());
        assertEquals("Tcp", ssh.protocol());
        assertEquals(100, ssh.priority());
        // IPv4 and IPv6 never share a rule.
        for (AzureNsgEvaluator.NsgRule rule : nsg.rules) {
            List<String> prefixes = new ArrayList<>(rule.sources());
            prefixes.addAll(rule.destinations());
            prefixes.removeIf(p -> !p.contains(".") && !p.contains(":"));
            assertTrue(prefixes.stream().allMatch(p -> p.contains(":")) || prefixes.stream().noneMatch(p -> p.contains(":")),
                    rule.toString());
        }
        crossCheck("members", effective, web, 3);
    }

    @Test
    void rejectIsDenyAndLogIsANote() throws CompileException {
        EffectivePolicy effective = policy("default inbound reject\ngroup web = 10.1.0.0/24\n"
                + "reject tcp/23 from any to web\nallow tcp/443 from any to web log \"web\"\n");
        String template = compile(effective, effective.target("web").orElseThrow());
        assertTrue(template.contains("reject is compiled as Deny"), template);
        assertTrue(template.contains("log is compiled without logging"), template);
        assertTrue(template.contains("<stdin>:3 (reject as Deny: an NSG cannot answer)"), template);
        AzureNsgEvaluator nsg = new AzureNsgEvaluator(template);
        assertFalse(nsg.rules.get(0).allow());
        assertEquals("portpolicy-in-default", nsg.rules.stream().filter(r -> r.priority() == 4096
                && r.direction() == Direction.INBOUND).findFirst().orElseThrow().name());
        crossCheck("reject", effective, effective.target("web").orElseThrow(), 4);
    }

    @Test
    void icmpIsTheWholeProtocolOrRefused() throws CompileException {
        EffectivePolicy whole = policy("default inbound deny\ngroup web = 10.1.0.0/24, 2001:db8:1::/64\n"
                + "allow icmp from any to web\nallow any from 192.0.2.1 to web\n");
        String template = compile(whole, whole.target("web").orElseThrow());
        AzureNsgEvaluator nsg = new AzureNsgEvaluator(template);
        assertEquals("Icmp", nsg.rules.get(0).protocol());
        assertEquals(List.of("0.0.0.0/0"), nsg.rules.get(0).sources());
        assertEquals("*", nsg.rules.get(1).protocol());
        crossCheck("icmp", whole, whole.target("web").orElseThrow(), 5);

        EffectivePolicy v6 = policy("group web = 2001:db8:1::/64\nallow icmpv6 from any6 to web\n");
        CompileException e = assertThrows(CompileException.class, () -> compile(v6, v6.target("web").orElseThrow()));
        assertTrue(e.getMessage().contains("\"ICMPv6 isn't currently supported in Network Security Groups\""),
                e.getMessage());
        assertEquals(2, e.rule().location().line());

        CompileFixtures.Run run = CompileFixtures.runWithInput("group web = 10.1.0.0/24\nallow icmp/echo-request to web\n",
                "compile", "-", "--target", "azure", "--group", "web");
        assertEquals(2, run.exit());
        assertTrue(run.err().startsWith("<stdin>:2:1: error: cannot compile for azure at group web: Azure NSG rules cannot"
                + " match ICMP types or codes (icmp/8)"), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    /**
     * ICMP types are judged at the group's addresses: one of the family the group does not have
     * reaches no member and compiles to nothing. An ICMPv6 type at a dual-stack group is refused
     * as ICMPv6, which no NSG rule names, not with the advice to allow all of ICMPv6.
     */
    @Test
    void icmpTypesAreRefusedOnlyWhereTheyReachTheGroup() throws CompileException {
        String rules = "allow tcp/22, icmpv6/echo-request from any to web\nallow icmp/echo-request from any to web6\n";
        EffectivePolicy single = policy("group web = 10.1.0.0/24\ngroup web6 = 2001:db8:1::/64\n" + rules);
        crossCheck("icmpv6 type, IPv4 group", single, single.target("web").orElseThrow(), 21);
        crossCheck("icmp type, IPv6 group", single, single.target("web6").orElseThrow(), 22);

        EffectivePolicy dual = policy("group web = 10.1.0.0/24, 2001:db8:1::/64\ngroup web6 = 2001:db8:2::/64\n" + rules);
        CompileException e = assertThrows(CompileException.class, () -> compile(dual, dual.target("web").orElseThrow()));
        assertTrue(e.getMessage().startsWith("Azure NSG rules cannot match ICMPv6: "), e.getMessage());
        assertFalse(e.getMessage().contains("allow the whole protocol (icmpv6)"), e.getMessage());
        assertEquals(3, e.rule().location().line());
    }

    /**
     * A deny an NSG cannot write (ICMP types, ICMPv6) is left out where nothing after it would
     * admit what it denies, and the notes say so; otherwise it is refused with a hint that does
     * not widen access (deny the whole protocol, never allow it).
     */
    @Test
    void aDenyTheNsgCannotWriteIsLeftOutWhereItChangesNothingAdmitted() throws CompileException, IOException {
        String deny = "deny icmp/echo-request, icmpv6/echo-request from 198.51.100.0/24, 2001:db8:7::/48 to web\n";
        EffectivePolicy idle = policy("group web = 10.1.0.0/24, 2001:db8:1::/64\ndefault inbound deny\n" + deny
                + "allow tcp/443 from any to web\n");
        Target web = idle.target("web").orElseThrow();
        crossCheck("idle icmp-type deny", idle, web, 33);
        JsonNode template = new ObjectMapper().readTree(compile(idle, web));
        assertTrue(template.get("metadata").get("portpolicy").toString().contains("<stdin>:3 left out: Azure NSG rules"
                + " cannot match it, and without it the rules admit the same"), template.toPrettyString());

        EffectivePolicy matters = policy("group web = 10.1.0.0/24\ndefault inbound deny\n"
                + "deny icmp/echo-request from 198.51.100.0/24 to web\nallow icmp from any to web\n");
        CompileException e = assertThrows(CompileException.class, () -> compile(matters, matters.target("web").orElseThrow()));
        assertEquals(3, e.rule().location().line());
        assertTrue(e.getMessage().contains("(icmp/8); deny the whole protocol (icmp) if that is acceptable"), e.getMessage());
        assertFalse(e.getMessage().contains("allow"), e.getMessage());
    }

    /**
     * Icmp only with IPv4 prefixes, the one family Azure documents it for: ICMP in an IPv6
     * packet is matched by 'any' alone, so by a rule of every protocol, as the engine decides it.
     */
    @Test
    void icmpInIpv6PacketsIsMatchedByEveryProtocolOnly() throws CompileException {
        EffectivePolicy effective = policy("default inbound deny\ngroup web = 10.1.0.0/24, 2001:db8:1::/64\n"
                + "deny tcp/23 from any\nallow icmp from any to web\nallow any from 192.0.2.0/24, 2001:db8:99::/48 to web\n");
        Target web = effective.target("web").orElseThrow();
        AzureNsgEvaluator nsg = new AzureNsgEvaluator(compile(effective, web));
        assertTrue(nsg.rules.stream().anyMatch(rule -> rule.protocol().equals("Icmp")), nsg.rules.toString());
        var member6 = new IPAddressString("2001:db8:1::5").getAddress();
        var anyPeer6 = new IPAddressString("2001:db8:99::7").getAddress();
        var otherPeer6 = new IPAddressString("2001:db8:5::7").getAddress();
        assertTrue(nsg.admits(Direction.INBOUND, new Packet(anyPeer6, member6, 1, 0, 0, 0, 0)));
        assertFalse(nsg.admits(Direction.INBOUND, new Packet(otherPeer6, member6, 1, 0, 0, 0, 0)));
        crossCheck("icmp families", effective, web, 13);
    }

    @Test
    void theEvaluatorRefusesIcmpWithPrefixesThatAreNotIpv4() {
        String ipv6 = """
                {"resources": [{"properties": {"securityRules": [{"name": "r", "properties": {"direction": "Inbound",
                 "access": "Allow", "priority": 100, "protocol": "Icmp", "sourceAddressPrefix": "::/0",
                 "sourcePortRange": "*", "destinationAddressPrefix": "2001:db8:1::/64", "destinationPortRange": "*"}}]}}]}
                """;
        assertThrows(IllegalArgumentException.class, () -> new AzureNsgEvaluator(ipv6));
        String ipv4 = ipv6.replace("::/0", "0.0.0.0/0").replace("2001:db8:1::/64", "10.1.0.0/24");
        new AzureNsgEvaluator(ipv4);
        assertThrows(IllegalArgumentException.class, () -> new AzureNsgEvaluator(ipv4.replace("\"0.0.0.0/0\"", "\"*\"")));
        assertThrows(IllegalArgumentException.class,
                () -> new AzureNsgEvaluator(ipv4.replace("\"0.0.0.0/0\"", "\"VirtualNetwork\"")));
    }

    // ---- addresses an NSG never sees ------------------------------------------------------

    /**
     * NSG rules match a VM's private address: a member whose address is not private gets a
     * warning at its definition (the host's, or the address in the group), once per run; the
     * template and the exit status are as without it.
     */
    @Test
    void aMemberWithoutAPrivateAddressIsWarnedAbout(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("web.policy");
        Files.writeString(file, """
                default inbound deny
                host web1 = 10.0.0.5
                host web2 = 203.0.113.5
                group web = web1, web2, 198.51.100.0/28, 2001:db8:20::/64
                group both = web2, 10.0.1.0/24
                allow https from any to web
                """);
        CompileFixtures.Run run = CompileFixtures.run("compile", file.toString(), "--target", "azure", "--group", "web");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("Microsoft.Network/networkSecurityGroups"), run.out());
        assertTrue(run.err().startsWith(file + ":3:6: warning: host web2's address 203.0.113.5 is not a private address,"
                + " but Azure NSG rules match a VM's private address"), run.err());
        assertTrue(run.err().contains(file + ":4:25: warning: group web's address 198.51.100.0/28 is not a private"
                + " address"), run.err());
        assertTrue(run.err().contains(file + ":4:42: warning: group web's address 2001:db8:20::/64 is not a private"
                + " address"), run.err());
        assertTrue(run.err().contains("hint: name the VM's private address in the policy"), run.err());
        assertFalse(run.err().contains("10.0.0.5") || run.err().contains("Exception"), run.err());

        Path out = dir.resolve("out");
        CompileFixtures.Run all = CompileFixtures.run("compile", file.toString(), "--target", "azure", "--all", "-o",
                out.toString());
        assertEquals(0, all.exit(), all.err());
        assertEquals(1, all.err().split("host web2's address", -1).length - 1, "once per run: " + all.err());
        assertTrue(Files.exists(out.resolve("both.json")) && Files.exists(out.resolve("web.json")));
    }

    /**
     * A range is private only if all of it is: 10.0.0.0/7 runs on past 10.0.0.0/8 into
     * 11.0.0.0/8, and 192.168.255.0-192.169.0.10 past 192.168.0.0/16. These ranges are the
     * private blocks' edges themselves, so unlike other tests they leave the documentation ranges.
     */
    @Test
    void aRangeReachingPastAPrivateBlockIsWarnedAbout(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("web.policy");
        Files.writeString(file, """
                default inbound deny
                group web = 10.0.0.0/7, 192.168.255.0-192.169.0.10
                allow https from 10.0.0.0/8 to self
                """);
        CompileFixtures.Run run = CompileFixtures.run("compile", file.toString(), "--target", "azure", "--group", "web");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().startsWith(file + ":2:13: warning: group web's address 10.0.0.0/7 is not a private"
                + " address"), run.err());
        assertTrue(run.err().contains(file + ":2:25: warning: group web's address 192.168.255.0-192.169.0.10 is not"
                + " a private address"), run.err());
    }

    // ---- limits -------------------------------------------------------------------------

    private static String manyRules(int count) {
        StringBuilder policy = new StringBuilder("default inbound deny\ngroup web = 10.1.0.0/24\n");
        for (int port = 1; port <= count; port++) policy.append("allow tcp/").append(port).append(" from 192.0.2.1 to web\n");
        return policy.toString();
    }

    @Test
    void overTheRuleQuotaIsPP503(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        CompileFixtures.Run run = CompileFixtures.runWithInput(manyRules(999), "compile", "-", "--target", "azure",
                "--group", "web");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().startsWith("<stdin>:2:7: error: PP503 target-limit: group web needs 1001 security rules on azure,"
                + " 1 over the limit of 1000"), run.err());
        assertTrue(run.err().contains("targets: { azure: { max-rules: N } }"), run.err());
        assertEquals("", run.out());

        Path config = dir.resolve(".portpolicy.yaml");
        Files.writeString(config, "targets:\n  azure:\n    max-rules: 4\n");
        CompileFixtures.Run small = CompileFixtures.runWithInput(manyRules(3), "compile", "-", "--target", "azure",
                "--group", "web", "--config", config.toString());
        assertEquals(2, small.exit(), small.err());
        assertTrue(small.err().contains("PP503 target-limit: group web needs 5 security rules on azure, 1 over the limit of 4"),
                small.err());
        CompileFixtures.Run fits = CompileFixtures.runWithInput(manyRules(2), "compile", "-", "--target", "azure",
                "--group", "web", "--config", config.toString());
        assertEquals(0, fits.exit(), fits.err());
    }

    @Test
    void overThePriorityRangeIsPP503(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path config = dir.resolve(".portpolicy.yaml");
        Files.writeString(config, "targets:\n  azure:\n    max-rules: 4000\n");
        CompileFixtures.Run run = CompileFixtures.runWithInput(manyRules(3997), "compile", "-", "--target", "azure",
                "--group", "web", "--config", config.toString());
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("PP503 target-limit: group web needs 3997 inbound rules (priorities 100-4095) on"
                + " azure, 1 over the limit of 3996; merge or narrow rules\n"), run.err());
    }

    /**
     * {@code count} single addresses, none next to another, as a network {@code peers} that web
     * allows in from and out to: each is one prefix in the sources of the inbound rule and in
     * the destinations of the outbound one, where web's own block is the other side's one.
     */
    private static String manyPeers(int count) {
        StringBuilder policy = new StringBuilder("default inbound deny\ndefault outbound deny\ngroup web = 10.1.0.0/24\n"
                + "network peers = ");
        for (int i = 0; i < count; i++) {
            policy.append(i == 0 ? "" : ", ").append("10.").append(2 + i / 250).append('.').append(i % 250).append(".7");
        }
        return policy.append("\nallow tcp/22 from peers to web\nallow tcp/443 from web to peers\n").toString();
    }

    /** 4,000 addresses and ranges as sources and 4,000 as destinations: each side at Azure's limit, which counts them apart. */
    @Test
    void addressesAtTheLimitOnEachSideCompile() throws IOException {
        CompileFixtures.Run run = CompileFixtures.runWithInput(manyPeers(3999), "compile", "-", "--target", "azure",
                "--group", "web");
        assertEquals(0, run.exit(), run.err());
        int sources = 0;
        int destinations = 0;
        for (JsonNode rule : new ObjectMapper().readTree(run.out()).at("/resources/0/properties/securityRules")) {
            sources += prefixes(rule.get("properties"), "sourceAddressPrefix");
            destinations += prefixes(rule.get("properties"), "destinationAddressPrefix");
        }
        assertEquals(List.of(4000, 4000), List.of(sources, destinations));
    }

    /** The prefixes a rule names on one side, {@code *} (every address) not among them. */
    private static int prefixes(JsonNode properties, String singular) {
        if (properties.has(singular + "es")) return properties.get(singular + "es").size();
        return properties.get(singular).asText().equals("*") ? 0 : 1;
    }

    @Test
    void moreAddressesThanAzureTakesArePP503AndNothingIsWritten(@TempDir Path dir) throws IOException {
        Path policy = dir.resolve("peers.policy");
        Files.writeString(policy, manyPeers(4000));
        Path out = dir.resolve("web.json");
        CompileFixtures.Run run = CompileFixtures.run("compile", policy.toString(), "--target", "azure", "--group", "web",
                "-o", out.toString());
        assertEquals(2, run.exit(), run.err());
        assertEquals(policy + ":3:7: error: PP503 target-limit: group web needs 4001 source IP addresses and ranges on"
                + " azure, 1 over the limit of 4000; merge or narrow rules\n", run.err().lines().findFirst().orElse("") + "\n");
        assertFalse(Files.exists(out), "nothing is written");

        CompileFixtures.Run lint = CompileFixtures.run("lint", policy.toString());
        assertTrue(lint.out().contains(policy + ":3:7: error PP503 target-limit: group web needs 4001 source IP addresses"
                + " and ranges on azure, 1 over the limit of 4000; merge or narrow rules\n    fix: split the group, or"
                + " merge neighbouring ranges and ports (azure gives no account that many, so raising its limit cannot"
                + " help)\n"), lint.out());
    }

    // ---- hostile text -------------------------------------------------------------------

    static final String EVIL = "[concat('x')] ${env:HOME} $(rm -rf /) \\\" \\\\ ' <script> "
            + "\ud83d\udd25 ]";

    @Test
    void hostileTextStaysALiteralString(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException, CompileException {
        // A policy may not hold a line separator or a bidirectional override (U+202E); a file name may.
        Path file = dir.resolve("[evil] \"quote\" ${x}\u2028\u2029\u202e.policy");
        String comment = EVIL.repeat(4);
        Files.writeString(file, "group web-.- = 10.1.0.0/24\ndefault inbound deny\n"
                + "allow tcp/22 from 192.0.2.0/24 to web-.- comment \"" + comment + "\" owner \"" + EVIL + "\" ticket \""
                + EVIL + "\"\n");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
        Target web = effective.target("web-.-").orElseThrow();
        String template = compile(effective, web);
        AzureNsgEvaluator nsg = new AzureNsgEvaluator(template);
        var rule = nsg.template.get("resources").get(0).get("properties").get("securityRules").get(0);
        String description = rule.get("properties").get("description").asText();
        // The file name and line stay; the directories and the text's end give way.
        assertTrue(description.startsWith("...[evil] \"quote\" ${x} .policy:3 [concat('x')]"), description);
        assertTrue(Text.utf8Bytes(description) <= 140 && Text.utf8Bytes(description) > 136, description);
        assertTrue(description.contains("[concat('x')] ${env:HOME} $(rm -rf /) \" \\ '"), description);
        assertFalse(template.contains("\u2028") || template.contains("\u2029") || template.contains("\r"), template);
        assertEquals("web-.-_", nsg.template.get("resources").get(0).get("name").asText());
        assertEquals(1, template.lines().filter(l -> l.contains("\"location\"")).count());
        crossCheck("hostile", effective, web, 6);

        // A value Azure would evaluate as a template expression gets a second '[' (and still fits).
        assertEquals("[[concat('x')]", AzureBackend.literal("[concat('x')]", 140));
        assertEquals("[[" + "a".repeat(138) + "]", AzureBackend.literal("[" + "a".repeat(138) + "]", 140));
        assertEquals("[ab", AzureBackend.literal("[ab]", 3));
        assertEquals("x [y]", AzureBackend.literal("x\u2028[y]", 140));
        assertEquals("a\ud83d\udd25", AzureBackend.literal("a\ud83d\udd25b", 5));
    }

    /**
     * Azure's API says only "Restricted to 140 chars"; Terraform's azurerm provider counts
     * UTF-8 bytes (Go's len), Azure's own .NET service UTF-16 units. Cut to the strictest: 140
     * bytes of UTF-8, between code points, so no reading finds it too long or a pair split.
     */
    @Test
    void descriptionsFitInAzuresLimitCountedInUtf8Bytes() throws CompileException {
        // 100 code points, 200 bytes of UTF-8; then 20 emoji, 40 UTF-16 units, 80 bytes.
        String comment = "\u00e9".repeat(100) + "\ud83d\udd25".repeat(20);
        EffectivePolicy effective = policy("group web = 10.1.0.0/24\ndefault inbound deny\n"
                + "allow tcp/22 from 192.0.2.0/24 to web comment \"" + comment + "\"\n");
        AzureNsgEvaluator nsg = new AzureNsgEvaluator(compile(effective, effective.target("web").orElseThrow()));
        String description = nsg.template.get("resources").get(0).get("properties").get("securityRules").get(0)
                .get("properties").get("description").asText();
        assertTrue(description.startsWith("<stdin>:3 \u00e9\u00e9"), description);
        assertTrue(Text.utf8Bytes(description) <= 140 && Text.utf8Bytes(description) > 136, description);
        assertEquals(description, new String(description.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
                "no surrogate pair is split");
        // An escaped expression's '[' is Azure's to remove; the text after it fits.
        assertEquals("[[" + "\u00e9".repeat(68) + "]", AzureBackend.literal("[" + "\u00e9".repeat(68) + "]", 140));
        assertEquals("a", AzureBackend.literal("a\ud83d\udd25", 4));
    }

    // ---- approvals ----------------------------------------------------------------------

    @Test
    void approvedOutputForEveryExampleGroup() throws IOException {
        StringBuilder approved = new StringBuilder();
        List<String> files = new ArrayList<>(CompileFixtures.examples());
        files.addAll(withoutIcmpTypes());
        for (String file : files) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                String[] args = {"compile", file, "--target", "azure", "--group", group.name(), "--today=2026-11-21"};
                CompileFixtures.Run run = CompileFixtures.run(args);
                CompileFixtures.Run again = CompileFixtures.run(args);
                assertEquals(run, again, "not byte-stable: " + file + " " + group.name());
                boolean compiles = file.startsWith(WIDENED.toString()) && !effective.policy().settings().isStateless();
                assertEquals(compiles ? 0 : 2, run.exit(), run.err());
                approved.append("=== ").append(file).append(" --group ").append(group.name()).append(" ===\n")
                        .append(run.exit() == 0 ? run.out().replace("portpolicy " + CompileApprovalTest.version() + " (",
                                "portpolicy VERSION (") : "exit 2: " + run.err());
            }
        }
        Approvals.verify(approved.toString());
    }
}
