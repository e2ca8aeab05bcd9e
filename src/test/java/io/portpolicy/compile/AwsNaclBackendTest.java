package io.portpolicy.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portpolicy.compile.awsnacl.AwsNaclBackend;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * compile --target aws-nacl: the generated network ACL, read back by {@link AwsNaclReader}
 * (a model of AWS's documented evaluation: lowest rule number first, first match, {@code *}
 * deny), decides every boundary and random packet at the group's addresses as the engine
 * does, for every example group that compiles and for random policies; the groups refused
 * are the ones a network ACL cannot express, with the reason; quota, notes, hostile text and
 * the approved output of every example group.
 */
class AwsNaclBackendTest {

    private static final AwsNaclBackend BACKEND = new AwsNaclBackend();

    static Artifact compile(EffectivePolicy effective, Target group, int maxRules) throws CompileException {
        return BACKEND.compile(new CompileRequest(effective, group, "json", "TEST",
                TargetOptions.of(BACKEND.options(), Map.of("max-rules", Integer.toString(maxRules)))));
    }

    static String json(EffectivePolicy effective, Target group) throws CompileException {
        return compile(effective, group, 20).parts().get(0).text();
    }

    /** Checks one group; returns the number of packets compared. */
    static int crossCheck(String label, EffectivePolicy effective, Target group, int maxRules, long seed)
            throws CompileException {
        String json = compile(effective, group, maxRules).parts().get(0).text();
        AwsNaclReader acl = AwsNaclReader.read(json);
        // What compiles fits: AWS counts each direction and family apart, with the ACL's own deny-all.
        for (Direction direction : Direction.values()) {
            for (boolean v4 : new boolean[] {true, false}) {
                long entries = acl.entries(direction).stream().filter(e -> e.block().isIPv4() == v4).count();
                assertTrue(entries + 1 <= maxRules, label + " " + direction + (v4 ? " IPv4: " : " IPv6: ") + entries
                        + " entries and the deny-all, over max-rules " + maxRules);
            }
        }
        Random random = new Random(seed);
        int count = 0;
        List<String> mismatches = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            for (Packet packet : GroupPackets.of(effective, group, direction, random)) {
                boolean engine = effective.decide(group, direction, packet).action() == Action.ALLOW;
                count++;
                if (engine != acl.allows(direction, packet) && mismatches.size() < 20) {
                    mismatches.add(label + " " + direction + " " + packet + ": acl " + (engine ? "denies" : "allows")
                            + ", engine " + effective.decide(group, direction, packet).reason());
                }
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches) + "\n" + Text.cutChars(json, 6000));
        return count;
    }

    static List<Target> groups(EffectivePolicy effective) {
        return effective.policy().groups().keySet().stream().sorted()
                .map(name -> effective.target(name).orElseThrow()).toList();
    }

    // ---- the cross-checks ---------------------------------------------------------------

    /** Which example groups a network ACL cannot express, and why (a real platform limit each). */
    static final Map<String, String> REFUSED = new TreeMap<>(Map.of(
            "policies-examples/cloud-tiers.policy tiers", "policies-examples/cloud-tiers.policy:18 treats members",
            "policies-examples/database.policy databases", "policies-examples/database.policy:38 treats members",
            "policies-examples/inventory-site/site.policy on_call",
            "policies-examples/inventory-site/common.policy:15 treats members",
            "policies-examples/stateless.policy api", "policies-examples/stateless.policy:34 source ports",
            "policies-examples/windows-server.policy windows_servers",
            "policies-examples/windows-server.policy:22 treats members"));

    @Test
    void everyExampleGroupDecidesAsTheEngineOrIsRefusedForAPlatformLimit() throws CompileException {
        Map<String, String> refused = new TreeMap<>();
        int groups = 0;
        int packets = 0;
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                String label = file + " " + group.name();
                try {
                    compile(effective, group, 20);
                } catch (CompileException e) {
                    assertFalse(e instanceof LimitExceeded, label + ": " + e.getMessage());
                    String why = e.getMessage().contains("treats members of group " + group.name() + " differently")
                            ? "treats members" : e.getMessage().contains("cannot match source ports") ? "source ports" : e.getMessage();
                    refused.put(label, e.rule().location().path() + ":" + e.rule().location().line() + " " + why);
                    continue;
                }
                packets += crossCheck(label, effective, group, 20, groups);
                groups++;
            }
        }
        assertEquals(REFUSED, refused);
        assertTrue(groups >= 8, "groups checked: " + groups);
        assertTrue(packets > 20000, "packets checked: " + packets);
    }

    /**
     * Random policies, each with a one-host group per host beside its own groups (so most
     * policies have a group a network ACL can hold); refusals must be the documented kinds.
     */
    @Test
    void randomPoliciesDecideAsTheEngine() throws CompileException {
        int policies = 0;
        int groups = 0;
        int refusals = 0;
        long seed = 0;
        for (; policies < 60 && seed < 400; seed++) {
            String text = new RandomPolicies(seed).policy();
            StringBuilder solo = new StringBuilder();
            for (String line : text.split("\n")) {
                if (line.startsWith("host ")) {
                    String host = line.split(" ")[1];
                    solo.append("group solo_").append(host).append(" = ").append(host).append('\n');
                }
            }
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(text + solo), CompileFixtures.TODAY);
            boolean any = false;
            for (Target group : groups(effective)) {
                try {
                    compile(effective, group, 40);
                } catch (LimitExceeded e) {
                    refusals++;
                    continue;
                } catch (CompileException e) {
                    assertTrue(e.getMessage().contains("treats members of group " + group.name() + " differently")
                            || e.getMessage().contains("cannot match source ports"), "seed " + seed + ": " + e.getMessage());
                    refusals++;
                    continue;
                }
                crossCheck("seed " + seed + " " + group.name(), effective, group, 40, seed);
                groups++;
                any = true;
            }
            if (any) policies++;
        }
        assertTrue(policies >= 60, policies + " policies compiled in " + seed + " seeds");
        assertTrue(groups > refusals, groups + " groups compiled, " + refusals + " refused");
    }

    // ---- semantics ----------------------------------------------------------------------

    private static EffectivePolicy policy(String text) {
        return EffectivePolicy.of(CompileFixtures.checkText(text), CompileFixtures.TODAY);
    }

    @Test
    void firstMatchKeepsAnEarlierAllowBeforeALaterDeny() throws CompileException {
        EffectivePolicy effective = policy("default inbound allow\ndefault outbound allow\n"
                + "group web = 10.20.1.0/24, 2001:db8:20:1::/64\n"
                + "allow tcp/22 from 10.0.100.0/24 to web\ndeny tcp/22 from any to web\nreject udp/161 from any to web\n");
        Target web = effective.target("web").orElseThrow();
        AwsNaclReader acl = AwsNaclReader.read(json(effective, web));
        List<AwsNaclReader.NaclEntry> in = acl.entries(Direction.INBOUND);
        assertEquals(List.of(100, 110, 120, 130, 140, 150, 160), in.stream().map(AwsNaclReader.NaclEntry::number).toList());
        assertEquals("10.0.100.0/24", in.get(0).entry().get("CidrBlock").asText());
        assertTrue(in.get(0).allow());
        assertEquals(List.of(false, false, false, false), in.subList(1, 5).stream().map(AwsNaclReader.NaclEntry::allow).toList());
        assertTrue(in.get(3).description().endsWith("(reject compiled as deny: a network ACL drops without answering)"),
                in.get(3).description());
        // The policy's default of allow: one allow-all per family, last.
        assertEquals("default inbound allow", in.get(5).rule());
        assertEquals("-1", in.get(5).entry().get("Protocol").asText());
        assertEquals("0.0.0.0/0", in.get(5).entry().get("CidrBlock").asText());
        assertEquals("::/0", in.get(6).entry().get("Ipv6CidrBlock").asText());
        assertTrue(acl.header.contains("note: reject is compiled as deny: a network ACL drops the packet and cannot answer."));
        crossCheck("first match", effective, web, 20, 5);
    }

    @Test
    void headerSaysLoudlyThatAStatefulPolicyGetsNoReplies() throws CompileException {
        EffectivePolicy stateful = policy("group web = 10.20.1.0/24\nallow https from any to web log\n");
        AwsNaclReader acl = AwsNaclReader.read(json(stateful, stateful.target("web").orElseThrow()));
        assertTrue(acl.header.stream().anyMatch(l -> l.startsWith("WARNING: the policy is stateful, but a network ACL "
                + "tracks no connections: replies to the connections it admits are NOT admitted")), acl.header.toString());
        assertTrue(acl.header.stream().anyMatch(l -> l.startsWith("note: log is compiled without logging")));
        EffectivePolicy stateless = policy("stateless\ndefault outbound deny\nephemeral 32768-60999\n"
                + "group web = 10.20.1.0/24\nallow https from 192.0.2.0/24 to web\n"
                + "allow tcp from web to 192.0.2.0/24 port ephemeral\n");
        acl = AwsNaclReader.read(json(stateless, stateless.target("web").orElseThrow()));
        assertTrue(acl.header.stream().noneMatch(l -> l.startsWith("WARNING")), acl.header.toString());
        assertTrue(acl.header.stream().anyMatch(l -> l.startsWith("The policy is stateless")));
        List<AwsNaclReader.NaclEntry> out = acl.entries(Direction.OUTBOUND);
        assertEquals(1, out.size(), "the return path, and no allow-all: the default denies");
        assertEquals("{\"From\":32768,\"To\":60999}", out.get(0).entry().get("PortRange").toString());
    }

    @Test
    void sourcePortsAndMembersTreatedDifferentlyAreRefusedNamingTheRule() {
        CompileFixtures.Run run = CompileFixtures.run("compile", "policies-examples/stateless.policy", "--target",
                "aws-nacl", "--group", "api", "--today=2026-11-21");
        assertEquals(2, run.exit());
        assertTrue(run.err().startsWith("policies-examples/stateless.policy:34:1: error: cannot compile for aws-nacl at "
                + "group api: AWS network ACL rules cannot match source ports; an entry matches the destination port only"),
                run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace");
        EffectivePolicy effective = policy("group g = 10.0.0.1, 10.0.0.2\nallow tcp/22 from any to 10.0.0.1\n");
        CompileException e = assertThrows(CompileException.class, () -> json(effective, effective.target("g").orElseThrow()));
        assertEquals(2, e.rule().location().line());
        assertTrue(e.getMessage().contains("treats members of group g differently"), e.getMessage());
    }

    /**
     * A deny an entry cannot match (source ports, some members only) is left out where nothing
     * after it would admit what it denies, as on the other ordered cloud targets, and the header
     * says so; otherwise it is refused.
     */
    @Test
    void aDenyEntriesCannotMatchIsLeftOutWhereItChangesNothingAdmitted() throws CompileException {
        EffectivePolicy idle = policy("default inbound deny\ngroup web = 10.20.1.0/24, 2001:db8:20:1::/64\n"
                + "deny udp from 192.0.2.0/24 port 53 to web\nallow tcp/443 from any to web\n"
                + "group g = 10.0.0.1, 10.0.0.2\ndeny tcp/22 from 192.0.2.0/24 to 10.0.0.1\nallow tcp/443 from any to g\n");
        for (String name : List.of("web", "g")) {
            Target group = idle.target(name).orElseThrow();
            AwsNaclReader acl = AwsNaclReader.read(json(idle, group));
            int line = name.equals("web") ? 3 : 6;
            assertTrue(acl.header.contains("<stdin>:" + line + " left out: AWS network ACL rules cannot match it, and"
                    + " without it the rules admit the same (nothing after it, nor the default, allows what it denies)"),
                    acl.header.toString());
            assertTrue(acl.entries(Direction.INBOUND).stream().noneMatch(e -> e.rule().equals("<stdin>:" + line)));
            crossCheck("idle deny at " + name, idle, group, 20, line);
        }

        EffectivePolicy matters = policy("default inbound deny\ngroup web = 10.20.1.0/24\n"
                + "deny udp from 192.0.2.0/24 port 53 to web\nallow udp from any to web\n");
        CompileException e = assertThrows(CompileException.class, () -> json(matters, matters.target("web").orElseThrow()));
        assertEquals(3, e.rule().location().line());
        assertTrue(e.getMessage().contains("cannot match source ports"), e.getMessage());
    }

    /**
     * A rule after one left out decides that rule's packets it matches too: its entries are
     * those packets with the ones it decides (two CIDRs, 192.0.2.0 and .254, cheaper than the
     * eight of what it matches), never the policy's decided set, which keeps port 53 apart.
     */
    @Test
    void aRuleAfterOneLeftOutDecidesItsPacketsToo() throws CompileException {
        EffectivePolicy effective = policy("default inbound deny\ngroup web = 10.20.1.0/24\n"
                + "allow udp from 192.0.2.1-192.0.2.253 to web\n"
                + "deny udp from 192.0.2.0/24 port 53 to web\n"
                + "deny udp from 192.0.2.0-192.0.2.254 to web port 1-100\n");
        Target web = effective.target("web").orElseThrow();
        List<AwsNaclReader.NaclEntry> in = AwsNaclReader.read(json(effective, web)).entries(Direction.INBOUND);
        assertEquals(List.of("192.0.2.0/32", "192.0.2.254/32"), in.stream().filter(e -> e.rule().equals("<stdin>:5"))
                .map(e -> e.entry().get("CidrBlock").asText()).toList(), in.toString());
        crossCheck("after a rule left out", effective, web, 20, 4);
    }

    @Test
    void theNameTagIsCutToAwssLimitAndTwoGroupsCutAlikeAreRefused() throws CompileException, IOException {
        // AWS tag values are at most 256 characters ("Tag", EC2 API reference).
        String name = "n".repeat(299);
        EffectivePolicy effective = policy("group " + name + "1 = 10.20.1.0/24\nallow tcp/22 from any to " + name + "1\n");
        JsonNode acl = new ObjectMapper().readTree(json(effective, effective.target(name + "1").orElseThrow()));
        assertEquals("n".repeat(256), acl.get("NetworkAclName").asText());

        EffectivePolicy alike = policy("group " + name + "1 = 10.20.1.0/24\ngroup " + name + "2 = 10.20.2.0/24\n");
        CompileException e = assertThrows(CompileException.class,
                () -> json(alike, alike.target(name + "2").orElseThrow()));
        assertEquals(2, e.location().line());
        // Quoted to 80 characters: the 256 of the tag are the 80 shown and 176 more.
        assertTrue(e.getMessage().contains("both become the AWS network ACL Name tag '" + "n".repeat(80)
                + "... (176 more characters)'"), e.getMessage());
    }

    // ---- the quota ----------------------------------------------------------------------

    /**
     * 20 single ports from one network: 20 inbound IPv4 entries and the ACL's own deny-all
     * entry, which AWS counts too, are one over AWS's default of 20.
     */
    static final String OVER_QUOTA = "default inbound deny\ngroup web = 10.20.1.0/24\n"
            + "allow tcp/{8001,8003,8005,8007,8009,8011,8013,8015,8017,8019,8021,8023,8025,8027,8029,8031,8033,8035,"
            + "8037,8039} from 192.0.2.0/24 to web\n";

    @Test
    void overTheQuotaIsPp503WithExitTwo(@TempDir Path dir) throws IOException {
        Path policy = dir.resolve("over.policy");
        Files.writeString(policy, OVER_QUOTA);
        Path out = dir.resolve("web.json");
        Path config = dir.resolve("portpolicy.yaml");
        Files.writeString(config, "targets:\n  aws-nacl: { max-rules: 20 }\n");
        CompileFixtures.Run run = CompileFixtures.run("compile", policy.toString(), "--target", "aws-nacl", "--group",
                "web", "-o", out.toString(), "--config", config.toString());
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().startsWith(policy + ":2:7: error: PP503 target-limit: group web needs 21 inbound IPv4 entries"
                + " (with the network ACL's own deny-all entry *, which AWS counts) on aws-nacl, 1 over the limit of 20;"
                + " merge or narrow rules, or, if the platform allows more for you, set targets: { aws-nacl: { max-rules:"
                + " N } } in .portpolicy.yaml"), run.err());
        assertFalse(Files.exists(out), "nothing is written");

        CompileFixtures.Run lint = CompileFixtures.run("lint", policy.toString(), "--config", config.toString());
        assertTrue(lint.out().contains("PP503 target-limit: group web needs 21 inbound IPv4 entries (with the network ACL's"
                + " own deny-all entry *, which AWS counts) on aws-nacl"), lint.out());

        Files.writeString(config, "targets:\n  aws-nacl: { max-rules: 40 }\n");
        run = CompileFixtures.run("compile", policy.toString(), "--target", "aws-nacl", "--group", "web", "--config",
                config.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(20, AwsNaclReader.read(run.out()).entries(Direction.INBOUND).size());
        Files.writeString(config, "targets:\n  aws-nacl: { max-rules: 41 }\n");
        run = CompileFixtures.run("compile", policy.toString(), "--target", "aws-nacl", "--group", "web", "--config",
                config.toString());
        assertEquals(2, run.exit(), "AWS allows at most 40 entries per direction and family");
    }

    /** Beyond AWS's hard maximum of 40 no setting helps: the message and lint's fix say to merge or split instead. */
    @Test
    void overTheHardMaximumSaysToMergeOrSplitNotToRaiseTheLimit(@TempDir Path dir) throws IOException {
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i < 61; i++) ports.append(i == 0 ? "" : ",").append(9000 + 2 * i);
        Path policy = dir.resolve("wide.policy");
        Files.writeString(policy, "group web = 10.20.1.0/24\nallow tcp/{" + ports + "} from 192.0.2.0/24 to web\n");
        CompileFixtures.Run run = CompileFixtures.run("compile", policy.toString(), "--target", "aws-nacl", "--group",
                "web");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("group web needs 62 inbound IPv4 entries (with the network ACL's own deny-all"
                + " entry *, which AWS counts) on aws-nacl, 42 over the limit of 20; merge or narrow rules, or split the"
                + " group: no value of max-rules allows more than 40\n"), run.err());
        CompileFixtures.Run lint = CompileFixtures.run("lint", policy.toString());
        String finding = lint.out().substring(lint.out().indexOf("on aws-nacl"));
        assertTrue(finding.contains("fix: split the group, or merge neighbouring ranges and ports (aws-nacl gives no"
                + " account that many, so raising its limit cannot help)"), lint.out());
        assertFalse(run.err().contains("max-rules: N"), run.err());
    }

    /** AWS's quota of 20 holds the ACL's deny-all entry: 19 entries of ours fit, 20 do not. */
    @Test
    void theQuotaCountsTheNetworkAclsOwnDenyAll() throws CompileException {
        EffectivePolicy fits = policy(OVER_QUOTA.replace(",8039}", "}"));
        assertEquals(19, AwsNaclReader.read(json(fits, fits.target("web").orElseThrow())).entries(Direction.INBOUND).size());
        crossCheck("19 entries", fits, fits.target("web").orElseThrow(), 20, 11);
        EffectivePolicy over = policy(OVER_QUOTA);
        LimitExceeded e = assertThrows(LimitExceeded.class, () -> json(over, over.target("web").orElseThrow()));
        assertEquals(21, e.needed());
        assertEquals(20, e.limit());
    }

    /**
     * Each ICMP type and code pair is an entry: 16 codes of type 3, 2 each of types 11 and 12 and
     * the TCP entry are 21 inbound IPv4 entries, over the quota with the deny-all.
     */
    @Test
    void theQuotaCountsAnEntryPerIcmpTypeAndCode() {
        StringBuilder codes = new StringBuilder();
        for (int code = 0; code <= 15; code++) codes.append("icmp/3:").append(code).append(", ");
        EffectivePolicy over = policy("default inbound deny\ngroup app = 10.0.1.0/24\n"
                + "allow tcp/443 from 10.2.0.0/24 to app\n"
                + "allow " + codes + "icmp/11:0, icmp/11:1, icmp/12:0, icmp/12:1 from 10.2.0.0/24 to app\n");
        LimitExceeded e = assertThrows(LimitExceeded.class, () -> json(over, over.target("app").orElseThrow()));
        assertEquals(22, e.needed());
        assertTrue(e.getMessage().contains("needs 22 inbound IPv4 entries"), e.getMessage());
    }

    @Test
    void theQuotaCountsEachFamilyAndDirectionApartWithTheAllowAll() throws CompileException {
        // 19 IPv4 and 19 IPv6 entries inbound fit beside the two deny-alls; the default allow's entry makes 21 outbound.
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i < 19; i++) ports.append(i == 0 ? "" : ",").append(9000 + 2 * i);
        EffectivePolicy fits = policy("default outbound deny\ngroup web = 10.20.1.0/24, 2001:db8:20:1::/64\n"
                + "allow tcp/{" + ports + "} from 192.0.2.0/24, 2001:db8:99::/48 to web\n");
        assertEquals(38, AwsNaclReader.read(json(fits, fits.target("web").orElseThrow())).entries(Direction.INBOUND).size());
        EffectivePolicy over = policy("default outbound allow\ngroup web = 10.20.1.0/24\n"
                + "deny tcp/{" + ports + "} from web to 192.0.2.0/24\n");
        LimitExceeded e = assertThrows(LimitExceeded.class, () -> json(over, over.target("web").orElseThrow()));
        assertEquals(21, e.needed());
        assertTrue(e.getMessage().contains("outbound IPv4 entries"), e.getMessage());
    }

    /**
     * A rule's matched set is cheaper in IPv4 (10.0.0.0/8 against the eight CIDRs left around the
     * denied 10.1.0.0/16), its decided set in IPv6 (one address against six CIDRs): IPv4 and IPv6
     * entries never match each other's packets, so each family takes its cheaper set, and the
     * group fits a quota of 10 (8 IPv6 entries and the deny-all) that the cheaper whole set does not.
     */
    @Test
    void eachFamilyTakesItsCheaperSetBetweenDecidedAndMatched() throws CompileException {
        EffectivePolicy effective = policy("default inbound deny\ngroup web = 10.20.1.0/24, 2001:db8:20::/64\n"
                + "deny tcp/22 from 10.1.0.0/16, 2001:db8:98::1-2001:db8:98::7, 2001:db8:98::9-2001:db8:98::e to web\n"
                + "allow tcp/22 from 10.0.0.0/8, 2001:db8:98::1-2001:db8:98::e to web\n");
        Target web = effective.target("web").orElseThrow();
        AwsNaclReader acl = AwsNaclReader.read(compile(effective, web, 10).parts().get(0).text());
        List<AwsNaclReader.NaclEntry> in = acl.entries(Direction.INBOUND);
        assertEquals(2, in.stream().filter(e -> e.block().isIPv4()).count(), in.toString());
        assertEquals(8, in.stream().filter(e -> !e.block().isIPv4()).count(), in.toString());
        crossCheck("cheaper per family", effective, web, 10, 13);
    }

    // ---- text ---------------------------------------------------------------------------

    static final String EVIL = "x\\\" }, {\"RuleNumber\": 1, \"RuleAction\": \"allow\"} ${jndi:ldap://x} $(id) `id` "
            + "' \u00fcn\u00efc\u00f8d\u00e9 \ud83d\udd25";

    @Test
    void hostileTextStaysInsideItsStrings(@TempDir Path dir) throws IOException, CompileException {
        // A policy may not hold a line separator or a bidirectional override (U+202E); a file name may.
        Path file = dir.resolve("evil\"}, {\u2028${x}\u2029\u202e.policy");
        String comment = EVIL.replace("\"", "'").replace("\\", "/") + "y".repeat(400);
        Files.writeString(file, "default inbound deny\ngroup web = 10.20.1.0/24, 2001:db8:20:1::/64\n"
                + "allow tcp/22 from 192.0.2.0/24 comment \"" + comment + "\" owner \"" + comment + "\" ticket \""
                + comment + "\"\n");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
        Target web = effective.target("web").orElseThrow();
        String json = json(effective, web);
        assertFalse(json.contains("\u2028") || json.contains("\u2029") || json.contains("\r"), "line separators stay out");
        AwsNaclReader acl = AwsNaclReader.read(json);
        assertEquals(1, acl.entries(Direction.INBOUND).size(), "one entry: nothing injected");
        AwsNaclReader.NaclEntry entry = acl.entries(Direction.INBOUND).get(0);
        // The file name and line stay; the directories and the text's end give way.
        assertTrue(entry.description().startsWith("...evil\"}, { ${x} .policy:3 x/'"), entry.description());
        assertEquals(255, entry.description().codePointCount(0, entry.description().length()));
        assertTrue(entry.description().contains("${jndi:ldap://x} $(id) `id`"), entry.description());
        assertEquals(Text.oneLine(file + ":3"), entry.rule());
        assertTrue(acl.header.contains("policy: " + Text.oneLine(file.toString())), acl.header.toString());
        crossCheck("hostile", effective, web, 20, 9);
    }

    // ---- approvals ----------------------------------------------------------------------

    @Test
    void approvedOutputForEveryExampleGroup() throws IOException {
        StringBuilder approved = new StringBuilder();
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target group : groups(effective)) {
                String[] args = {"compile", file, "--target", "aws-nacl", "--group", group.name(), "--format", "json",
                    "--today=2026-11-21"};
                CompileFixtures.Run run = CompileFixtures.run(args);
                CompileFixtures.Run again = CompileFixtures.run(args);
                assertEquals(run, again, "not byte-stable: " + file + " " + group.name());
                approved.append("=== ").append(file).append(" --group ").append(group.name()).append(" ===\n");
                if (run.exit() == 0) {
                    assertEquals("", run.err());
                    approved.append(run.out().replace("portpolicy " + CompileApprovalTest.version() + " (",
                            "portpolicy VERSION ("));
                } else {
                    assertEquals("", run.out());
                    approved.append("exit ").append(run.exit()).append('\n').append(run.err());
                }
            }
        }
        if (approved.length() == 0) fail("no example group");
        Approvals.verify(approved.toString());
    }
}
