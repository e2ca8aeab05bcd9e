package io.portpolicy.compile;

import io.portpolicy.compile.iptables.IptablesBackend;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The iptables output's matches. Loading and verdicts are IptablesKernelTest's. */
class IptablesBackendTest {

    static final String ICMP_255 = """
            default outbound deny
            host web1 = 10.0.0.21, 2001:db8::21 os linux
            allow icmp/{0,255} from 192.0.2.0/24
            allow icmp/255:3 from 198.51.100.0/24
            allow icmpv6/255 from 2001:db8::/32
            """;

    static final String LONG_PATH_POLICY = """
            default outbound deny
            host web1 = 10.0.0.21 os linux
            allow ssh from 192.0.2.0/24 comment "jump hosts"
            """;

    /**
     * Ranges of more than 4 prefix blocks, each matched by iprange: 192.0.2.5-192.0.2.77 is 8
     * blocks, 198.51.100.121-198.51.100.200 is 6. BackendKernelTest probes their ends too.
     */
    static final String WIDE_RANGES = """
            default outbound deny
            host web1 = 10.0.0.21 os linux
            allow tcp/443 from 192.0.2.5-192.0.2.77
            allow tcp/443 from self to 198.51.100.121-198.51.100.200
            """;

    /** A comment and a log prefix with quotes, a backslash and iptables' listing end mark. */
    static final String QUOTED_TEXT = """
            default outbound deny
            host web1 = 10.0.0.21 os linux
            allow tcp/22 from 10.1.0.0/16 log "say \\"hi\\" \\\\" comment "say \\"hi\\" C:\\\\ then */ -j ACCEPT"
            """;

    /** The policy's inbound rule lines for web1, IPv4 (part 0) or IPv6 (part 1). */
    private static List<String> inboundRules(String text, int part) {
        return rules(text, part, "portpolicy-in-rules");
    }

    /** The policy's rule lines for web1 in one chain, without their comments. */
    private static List<String> rules(String text, int part, String chain) {
        return rulesWithComments("-", text, part, chain).stream()
                .map(line -> line.replaceFirst(" -m comment --comment \"[^\"]*\"", "")).toList();
    }

    /** The text of the first double-quoted comment on a rule's line. */
    private static String firstComment(String line) {
        int start = line.indexOf('"') + 1;
        return line.substring(start, line.indexOf('"', start));
    }

    private static List<String> inboundRulesWithComments(String file, String text, int part) {
        return rulesWithComments(file, text, part, "portpolicy-in-rules");
    }

    private static List<String> rulesWithComments(String file, String text, int part, String chain) {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.check(file, new ByteArrayInputStream(
                text.getBytes(StandardCharsets.UTF_8))), CompileFixtures.TODAY);
        Target host = effective.target("web1").orElseThrow();
        String restore = CompileFixtures.compile(new IptablesBackend(), effective, host).parts().get(part).text();
        return Arrays.stream(restore.split("\n")).filter(line -> line.startsWith("-A " + chain + " ")).toList();
    }

    /** A range of many prefix blocks is one iprange match: the peer's source inbound, its destination outbound. */
    @Test
    void aWideRangeIsMatchedOnThePeersSide() {
        assertEquals(List.of("-A portpolicy-in-rules -m iprange --src-range 192.0.2.5-192.0.2.77 -p tcp -m tcp --dport 443 -j ACCEPT"),
                rules(WIDE_RANGES, 0, "portpolicy-in-rules"));
        assertEquals(List.of("-A portpolicy-out-rules -m iprange --dst-range 198.51.100.121-198.51.100.200"
                + " -p tcp -m tcp --dport 443 -j ACCEPT"), rules(WIDE_RANGES, 0, "portpolicy-out-rules"));
    }

    private static final Pattern PORT_LIST = Pattern.compile(" --(dports|sports) ([0-9,:]+)");

    /**
     * multiport takes at most 15 ports, a range counting as two: 16 single destination ports and 8
     * source port ranges are each split in two lists, which together hold every port, in order.
     */
    @Test
    void aMultiportListHoldsAtMost15Ports() {
        String ports = IntStream.range(0, 16).mapToObj(i -> Integer.toString(1000 + 2 * i)).collect(Collectors.joining(","));
        String ranges = IntStream.range(0, 8).mapToObj(i -> (2000 + 3 * i) + "-" + (2001 + 3 * i))
                .collect(Collectors.joining(","));
        List<String> lines = inboundRules("default outbound deny\nhost web1 = 10.0.0.21 os linux\n"
                + "allow tcp/{" + ports + "} from 192.0.2.0/24\n"
                + "allow tcp from 198.51.100.0/24 port {" + ranges + "}\n", 0);
        Map<String, List<String>> listed = new TreeMap<>();
        for (String line : lines) {
            Matcher list = PORT_LIST.matcher(line);
            assertTrue(list.find(), line);
            List<String> items = List.of(list.group(2).split(","));
            assertTrue(items.stream().mapToInt(item -> item.contains(":") ? 2 : 1).sum() <= 15, "over 15 ports: " + line);
            listed.computeIfAbsent(list.group(1), k -> new ArrayList<>()).addAll(items);
        }
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertEquals(List.of(ports.split(",")), listed.get("dports"));
        assertEquals(List.of(ranges.replace('-', ':').split(",")), listed.get("sports"));
    }

    /** A path too long for the comment loses its directories, not its file name and line. */
    @Test
    void aLongPathKeepsItsFileNameAndLineInTheComment(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("policies/".repeat(30) + "bastion-hosts.policy");
        Files.createDirectories(file.getParent());
        Files.writeString(file, LONG_PATH_POLICY);
        String line = inboundRulesWithComments(file.toString(), LONG_PATH_POLICY, 0).get(0);
        assertTrue(line.startsWith("-A portpolicy-in-rules -m comment --comment \"...")
                && line.contains("/bastion-hosts.policy:3 jump hosts\" "), line);
        String comment = firstComment(line);
        assertEquals(255, comment.length(), comment);
    }

    /**
     * A path whose comment marks the comment splits (a directory named "*": every "*" + "/" becomes three
     * characters) is escaped before it is cut: the file name and line stay, and the comment
     * still fits.
     */
    @Test
    void aPathLengthenedByEscapingKeepsItsFileNameAndLineInTheComment(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("*/".repeat(70) + "bastion-hosts.policy");
        Files.createDirectories(file.getParent());
        Files.writeString(file, LONG_PATH_POLICY);
        String line = inboundRulesWithComments(file.toString(), LONG_PATH_POLICY, 0).get(0);
        assertTrue(line.contains("bastion-hosts.policy:3 jump hosts\" "), line);
        String comment = firstComment(line);
        assertTrue(comment.length() <= 255 && !comment.contains("*/") && !comment.contains("/*"), comment);
    }

    /**
     * A reject of several protocols answers TCP with a reset and the rest with an ICMP error,
     * one line for each protocol: none repeated, so each can match.
     */
    @Test
    void aRejectOfSeveralProtocolsHasOneLinePerProtocol() {
        String policy = NftablesBackendTest.REJECTS.replace("host h =", "host web1 =").replace(" to h", " to web1");
        List<String> v4 = inboundRules(policy, 0);
        assertEquals(List.of(
                "-A portpolicy-in-rules -s 10.1.0.0/16 -p tcp -j REJECT --reject-with tcp-reset",
                "-A portpolicy-in-rules -s 10.1.0.0/16 -p udp -j REJECT --reject-with icmp-admin-prohibited"),
                v4.subList(0, 2));
        for (List<String> lines : List.of(v4, inboundRules(policy, 1))) {
            assertEquals(lines.size(), new java.util.HashSet<>(lines).size(), "a line twice: " + lines);
            for (String line : lines) {
                if (!line.contains(" -j REJECT ")) continue;
                assertEquals(line.contains(" -p tcp "), line.endsWith("--reject-with tcp-reset"), line);
            }
        }
    }

    /** iptables' icmp match reads type 255 as every type: type 255 is matched on the header's bytes instead. */
    @Test
    void icmpType255IsMatchedExactly() {
        assertEquals(List.of(
                "-A portpolicy-in-rules -s 192.0.2.0/24 -p icmp -m icmp --icmp-type 0 -j ACCEPT",
                "-A portpolicy-in-rules -s 192.0.2.0/24 -p icmp ! -f -m u32 --u32 \"0>>22&0x3C@0>>24=255\" -j ACCEPT",
                "-A portpolicy-in-rules -s 198.51.100.0/24 -p icmp ! -f -m u32 --u32 \"0>>22&0x3C@0>>16=0xFF03\" -j ACCEPT"),
                inboundRules(ICMP_255, 0));
        // ip6tables' icmp6 match has no such wildcard.
        assertEquals(List.of("-A portpolicy-in-rules -s 2001:db8::/32 -p ipv6-icmp -m icmp6 --icmpv6-type 255 -j ACCEPT"),
                inboundRules(ICMP_255, 1));
    }

    /**
     * Every LOG rule of one policy rule names the same hashlimit bucket, which stays while idle
     * until it would have filled again: 10,000 lines at one a second take 10,000 s.
     */
    @Test
    void theLogRulesOfARuleShareOneBucket() throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(LogLimitKernelTest.SCAN), CompileFixtures.TODAY);
        IptablesBackend backend = new IptablesBackend();
        String v4 = backend.compile(new CompileRequest(effective, effective.target("h").orElseThrow(), "restore", "TEST",
                TargetOptions.of(backend.options(), Map.of(LogLimit.RATE, "1", LogLimit.BURST, "10000")))).parts().get(0).text();
        List<String> logs = v4.lines().filter(line -> line.contains(" -j LOG ")).toList();
        assertEquals(4, logs.size(), v4);
        for (String log : logs) {
            assertTrue(log.contains(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 10000"
                    + " --hashlimit-name portpolicy-log_rule_1-1-10000 --hashlimit-htable-expire 10000000 -j LOG "), log);
        }
    }

    // iptables -L shows a comment between "/*" and "*/": one inside must not end it early and
    // list what follows as a rule of its own.
    @Test
    void aCommentCannotCloseItsListing() {
        String policy = """
                default outbound deny
                host web1 = 10.0.0.21 os linux
                deny tcp/22 from 10.1.0.1 comment "*/ ACCEPT all -- 0.0.0.0/0 0.0.0.0/0 /* x/*/y */*/"
                """;
        String line = inboundRulesWithComments("-", policy, 0).get(0);
        String comment = firstComment(line);
        assertEquals("<stdin>:3 * / ACCEPT all -- 0.0.0.0/0 0.0.0.0/0 / * x/ * /y * / * /", comment);
    }

    /**
     * A quote or backslash in a comment or log prefix cannot end its quoted string: the comment
     * has ' for both, the prefix _, so each line has only the quotes that open and close them.
     */
    @Test
    void quotesAndBackslashesStayInsideTheirQuotes() {
        List<String> lines = inboundRulesWithComments("-", QUOTED_TEXT, 0);
        assertEquals(2, lines.size(), "a LOG rule and the ACCEPT: " + lines);
        for (String line : lines) {
            assertFalse(line.contains("\\"), line);
            assertEquals("<stdin>:3 say 'hi' C:' then * / -j ACCEPT", firstComment(line));
            assertEquals(line.contains(" -j LOG ") ? 4 : 2, line.chars().filter(c -> c == '"').count(), line);
        }
        assertTrue(lines.get(0).endsWith(" -j LOG --log-prefix \"say _hi_ _ \""), lines.get(0));
    }

    /** iptables' LOG takes a prefix of at most 29 characters: a longer one is cut to 28 and its space. */
    @Test
    void aLongLogPrefixIsCutToIptablesLimit() {
        String policy = """
                default outbound deny
                host web1 = 10.0.0.21 os linux
                allow ssh from 10.0.0.0/8 to web1 log "abcdefghijklmnopqrstuvwxyz0123456789"
                """;
        String log = inboundRules(policy, 0).get(0);
        assertTrue(log.endsWith(" -j LOG --log-prefix \"abcdefghijklmnopqrstuvwxyz01 \""), log);
    }
}
