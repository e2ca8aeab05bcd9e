package io.portpolicy.compile;

import io.portpolicy.compile.nftables.NftablesBackend;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nftables output's structure: named sets. Loading and verdicts are NftablesKernelTest's. */
class NftablesBackendTest {

    private static final Pattern DECLARATION = Pattern.compile("^\tset ([^ ]+) \\{ type ([a-z0-9_]+); flags interval; auto-merge; "
            + "elements = \\{ ([^}]*) } }$");
    private static final Pattern REFERENCE = Pattern.compile("@([A-Za-z0-9_]+)");

    static String compile(String text, String host) {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(text), CompileFixtures.TODAY);
        Target target = effective.target(host).orElseThrow();
        return CompileFixtures.compile(new NftablesBackend(), effective, target).parts().get(0).text();
    }

    /** Name to elements, in declaration order; fails on a name declared twice. */
    static Map<String, String> declared(String ruleset) {
        Map<String, String> sets = new LinkedHashMap<>();
        for (String line : ruleset.split("\n")) {
            Matcher m = DECLARATION.matcher(line);
            if (!m.matches()) continue;
            assertTrue(m.group(1).matches("[A-Za-z][A-Za-z0-9_]{0,254}"), "not a valid nft name: " + m.group(1));
            assertFalse(sets.containsKey(m.group(1)), "declared twice: " + m.group(1));
            sets.put(m.group(1), m.group(3));
        }
        return sets;
    }

    @Test
    void listsAreNamedSetsSharedByEveryRuleUsingThem() {
        String ruleset = compile("""
                host h = 10.0.0.1, 2001:db8::1
                network office = 192.0.2.0/25, 198.51.100.0/26, 2001:db8:10::/48
                default inbound deny
                default outbound deny
                allow tcp/{22, 443} from office
                allow udp/{22, 443} from office
                allow tcp/8000-8080 from 192.0.2.0/25, 198.51.100.0/26 to self
                allow tcp/{22, 443} from self to office
                """, "h");
        Map<String, String> sets = declared(ruleset);
        List<String> rules = ruleset.lines().filter(l -> l.startsWith("\t\t")).toList();
        for (String rule : rules) {
            assertFalse(rule.contains("{") && !rule.contains(" vmap { "), "an anonymous set is left: " + rule);
        }
        List<String> used = new ArrayList<>();
        for (String rule : rules) {
            Matcher m = REFERENCE.matcher(rule);
            while (m.find()) used.add(m.group(1));
        }
        assertEquals(sets.keySet(), new java.util.LinkedHashSet<>(used), "every set used, every reference declared");
        // The office's two IPv4 networks are one set, used by three inbound rules and one outbound
        // rule; the two ports are one set too; the office's single IPv6 network stays inline.
        assertEquals(1, sets.values().stream().filter(e -> e.equals("192.0.2.0/25, 198.51.100.0/26")).count(), ruleset);
        assertEquals(1, sets.values().stream().filter(e -> e.equals("22, 443")).count(), ruleset);
        String office = sets.entrySet().stream().filter(e -> e.getValue().equals("192.0.2.0/25, 198.51.100.0/26"))
                .findFirst().orElseThrow().getKey();
        assertTrue(office.startsWith("v4_"), office);
        assertEquals(3, rules.stream().filter(r -> r.contains("ip saddr @" + office + " ")).count(), ruleset);
        assertEquals(1, rules.stream().filter(r -> r.contains("ip daddr @" + office + " ")).count(), ruleset);
        assertTrue(ruleset.contains("ip6 saddr 2001:db8:10::/48 tcp dport @ports_"), ruleset);
    }

    /** Each rule is in the chain of every IP version and protocol class it can match, in policy order. */
    @Test
    void rulesAreDispatchedByVersionAndProtocol() {
        String ruleset = compile("""
                host h = 10.0.0.1
                default inbound reject
                allow tcp/22 from 10.1.0.0/16
                deny any from 10.2.0.0/16
                allow udp/53
                """, "h");
        assertTrue(ruleset.contains("\t\tmeta nfproto . meta l4proto vmap { ipv4 . tcp : goto input_ipv4_tcp, "
                + "ipv4 . udp : goto input_ipv4_udp, ipv4 . icmp : goto input_ipv4_icmp } comment "), ruleset);
        assertTrue(ruleset.contains("\t\tmeta nfproto vmap { ipv4 : goto input_ipv4_other } comment "), ruleset);
        assertEquals(List.of("ip saddr 10.1.0.0/16 tcp dport 22 accept", "ip saddr 10.2.0.0/16 drop", "reject with tcp reset"),
                rules(ruleset, "input_ipv4_tcp"));
        assertEquals(List.of("ip saddr 10.2.0.0/16 drop", "meta nfproto ipv4 udp dport 53 accept",
                "reject with icmpx type admin-prohibited"), rules(ruleset, "input_ipv4_udp"));
        assertEquals(List.of("ip saddr 10.2.0.0/16 drop", "reject with icmpx type admin-prohibited"),
                rules(ruleset, "input_ipv4_icmp"));
        // The language's other protocols are 'any' only; any protocol may reach the other chain
        // (TCP too, where there is no TCP chain), so it ends with both rejects.
        assertEquals(List.of("ip saddr 10.2.0.0/16 drop",
                "meta l4proto tcp reject with tcp reset", "reject with icmpx type admin-prohibited"),
                rules(ruleset, "input_ipv4_other"));
        assertFalse(ruleset.contains("input_ipv6_"), "no IPv6 chains for a host without IPv6: " + ruleset);
    }

    static final String REJECTS = """
            host h = 10.0.0.1, 2001:db8::1
            default inbound allow
            reject tcp, udp from 10.1.0.0/16 to h
            reject any from 10.2.0.0/16 to h log
            reject tcp, icmp from 10.3.0.0/16 to h log
            reject udp from 10.4.0.0/16 to h
            reject tcp from 10.5.0.0/16 to h
            reject tcp, udp, icmpv6 from 2001:db8:6::/48 to h log
            reject any from 2001:db8:7::/48 to h
            """;

    /**
     * A reject of several protocols answers TCP with a reset and the rest with an ICMP error,
     * and each per-protocol chain gets only the lines that can match its protocol: none twice,
     * none for another protocol, the log line once before the verdicts.
     */
    @Test
    void everyRejectLineCanMatchInItsChain() {
        String ruleset = compile(REJECTS, "h");
        assertEquals(List.of("ip saddr 10.1.0.0/16 meta l4proto tcp reject with tcp reset",
                "ip saddr 10.2.0.0/16 limit name \"log_rule_2\" log prefix \"portpolicy \"",
                "ip saddr 10.2.0.0/16 meta l4proto tcp reject with tcp reset",
                "ip saddr 10.3.0.0/16 meta l4proto @" + protocolSet(ruleset, "icmp, tcp")
                        + " limit name \"log_rule_3\" log prefix \"portpolicy \"",
                "ip saddr 10.3.0.0/16 meta l4proto tcp reject with tcp reset",
                "ip saddr 10.5.0.0/16 meta l4proto tcp reject with tcp reset"), rules(ruleset, "input_ipv4_tcp"));
        assertEquals(List.of("ip saddr 10.1.0.0/16 meta l4proto udp reject with icmpx type admin-prohibited",
                "ip saddr 10.2.0.0/16 limit name \"log_rule_2\" log prefix \"portpolicy \"",
                "ip saddr 10.2.0.0/16 reject with icmpx type admin-prohibited",
                "ip saddr 10.4.0.0/16 meta l4proto udp reject with icmpx type admin-prohibited"),
                rules(ruleset, "input_ipv4_udp"));
        assertEquals(List.of("ip saddr 10.2.0.0/16 limit name \"log_rule_2\" log prefix \"portpolicy \"",
                "ip saddr 10.2.0.0/16 reject with icmpx type admin-prohibited"), rules(ruleset, "input_ipv4_other"));
        Map<String, String> sets = declared(ruleset);
        for (String chain : List.of("tcp", "udp", "icmp")) {
            for (String family : List.of("ipv4", "ipv6")) {
                String name = "input_" + family + "_" + chain;
                String l4proto = chain.equals("icmp") && family.equals("ipv6") ? "ipv6-icmp" : chain;
                List<String> lines = rules(ruleset, name);
                assertEquals(lines.size(), new java.util.HashSet<>(lines).size(), "a line twice in " + name + ": " + lines);
                for (String line : lines) {
                    Matcher protocol = Pattern.compile("meta l4proto (@?[a-z0-9_-]+) ").matcher(line);
                    if (protocol.find()) {
                        String matched = protocol.group(1);
                        List<String> protocols = matched.startsWith("@")
                                ? List.of(sets.get(matched.substring(1)).split(", ")) : List.of(matched);
                        assertTrue(protocols.contains(l4proto), "a line for another protocol in " + name + ": " + line);
                    }
                    if (line.contains(" reject ")) {
                        assertEquals(chain.equals("tcp"), line.endsWith("reject with tcp reset"), name + ": " + line);
                    }
                }
            }
        }
    }

    /**
     * A rule naming one of the host's addresses matches that address, inbound as destination and
     * outbound as source: without it, SSH allowed to 10.0.0.10 would open on 10.0.0.11 too.
     */
    @Test
    void aRuleForOneOwnAddressMatchesOnlyThatAddress() {
        String ruleset = compile("""
                host web = 10.0.0.10, 10.0.0.11
                default inbound deny
                default outbound deny
                allow tcp/22 from 10.1.0.0/16 to 10.0.0.10
                allow tcp/443 from 10.0.0.10 to 10.2.0.0/16
                """, "web");
        assertEquals(List.of("ip saddr 10.1.0.0/16 ip daddr 10.0.0.10 tcp dport 22 accept"),
                rules(ruleset, "input_ipv4_tcp"));
        assertEquals(List.of("ip daddr 10.2.0.0/16 ip saddr 10.0.0.10 tcp dport 443 accept"),
                rules(ruleset, "output_ipv4_tcp"));
    }

    /** The name of the declared protocol set with these elements. */
    private static String protocolSet(String ruleset, String elements) {
        return declared(ruleset).entrySet().stream().filter(e -> e.getValue().equals(elements))
                .findFirst().orElseThrow(() -> new AssertionError(elements + " not declared: " + ruleset)).getKey();
    }

    /** The rules of one chain, without their comments. */
    private static List<String> rules(String ruleset, String chain) {
        return rulesWithComments(ruleset, chain).stream().map(l -> l.replaceAll(" comment \"[^\"]*\"$", "")).toList();
    }

    private static List<String> rulesWithComments(String ruleset, String chain) {
        String body = ruleset.substring(ruleset.indexOf("\tchain " + chain + " {\n"));
        body = body.substring(body.indexOf('\n') + 1, body.indexOf("\t}\n"));
        return body.lines().map(String::strip).toList();
    }

    /**
     * A quote or backslash in a comment or log prefix cannot end its quoted string (nft has no
     * escape for a quote): the comment has ' and /, the prefix _.
     */
    @Test
    void quotesAndBackslashesStayInsideTheirQuotes() {
        String comment = " comment \"<stdin>:3 say 'hi' C:/ then */ -j ACCEPT\"";
        assertEquals(List.of("ip saddr 10.1.0.0/16 tcp dport 22 limit name \"log_rule_1\" log prefix \"say _hi_ _ \"" + comment,
                "ip saddr 10.1.0.0/16 tcp dport 22 accept" + comment),
                rulesWithComments(compile(IptablesBackendTest.QUOTED_TEXT, "web1"), "input_ipv4_tcp"));
    }

    /**
     * With a default of reject, the base chain ends with the reject rules only where some packet
     * can reach its end: when both IP versions have a chain for other protocols, the verdict
     * maps send every packet on, and a reject after them could never match.
     */
    @Test
    void aBaseChainEndsWithTheRejectOnlyWhereAPacketCanReachIt() {
        String both = compile("""
                host h = 10.0.0.1, 2001:db8::1
                default inbound reject
                deny any from 10.2.0.0/16, 2001:db8:2::/48
                """, "h");
        List<String> input = rules(both, "input");
        assertTrue(input.get(input.size() - 1).startsWith("meta nfproto vmap { ipv4 : goto input_ipv4_other, ipv6 : goto"),
                "a rule after the maps that send every packet on: " + input);
        String one = compile("""
                host h = 10.0.0.1, 2001:db8::1
                default inbound reject
                deny any from 10.2.0.0/16
                """, "h");
        assertEquals(List.of("meta l4proto tcp reject with tcp reset", "reject with icmpx type admin-prohibited"),
                rules(one, "input").subList(rules(one, "input").size() - 2, rules(one, "input").size()));
    }

    @Test
    void aSetsNameDependsOnlyOnItsElements() {
        String ports = "allow tcp/{22, 443} from 192.0.2.0/25, 198.51.100.0/26\n";
        String alone = compile("host h = 10.0.0.1\n" + ports, "h");
        String among = compile("host h = 10.0.0.1\nallow udp/{53, 123} from 203.0.113.0/24, 10.9.0.0/16\n" + ports, "h");
        Map<String, String> a = declared(alone);
        Map<String, String> b = declared(among);
        // Addresses and ports of each rule, and the neighbour discovery types every ruleset has.
        assertEquals(3, a.size(), alone);
        assertEquals(5, b.size(), among);
        for (Map.Entry<String, String> set : a.entrySet()) assertEquals(set.getValue(), b.get(set.getKey()), among);
    }

    /** A path too long for the 128-byte comment loses its directories, not its file name and line. */
    @Test
    void aLongPathKeepsItsFileNameAndLineInTheComment(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("policies/".repeat(12) + "bastion-hosts.policy");
        java.nio.file.Files.createDirectories(file.getParent());
        String text = IptablesBackendTest.LONG_PATH_POLICY;
        java.nio.file.Files.writeString(file, text);
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.check(file.toString(),
                new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))), CompileFixtures.TODAY);
        String ruleset = CompileFixtures.compile(new NftablesBackend(), effective, effective.target("web1").orElseThrow())
                .parts().get(0).text();
        Matcher comment = Pattern.compile("comment \"(\\.\\.\\.[^\"]*/bastion-hosts\\.policy:3 jump hosts)\"").matcher(ruleset);
        assertTrue(comment.find(), ruleset);
        assertEquals(128, comment.group(1).length(), comment.group(1));
    }

    /** nft takes a log prefix of at most 127 characters: a longer one is cut to 126 and its space. */
    @Test
    void aLongLogPrefixIsCutToNftsLimit() {
        String policy = """
                default outbound deny
                host web1 = 10.0.0.21 os linux
                allow tcp/22 from 10.1.0.0/16 log "%s"
                """.formatted("x".repeat(200));
        String log = rules(compile(policy, "web1"), "input_ipv4_tcp").get(0);
        assertTrue(log.endsWith(" log prefix \"" + "x".repeat(126) + " \""), log);
    }
}
