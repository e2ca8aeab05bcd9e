package io.portpolicy.lint;

import io.portpolicy.diag.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each rule on small policies, positive and negative. A line expecting a finding ends with
 * {@code # expect: PPnnn} (several IDs separated by commas); a case asserts that the rule
 * under test reports exactly on the lines marked with its ID, and nowhere else.
 */
class RuleCasesTest {

    private static final Pattern EXPECT = Pattern.compile("#\\s*expect:\\s*([A-Z0-9, ]+)\\s*$");

    /** Lints {@code policy} and checks {@code ruleId}'s findings are on exactly the marked lines. */
    private static List<Finding> verify(String ruleId, String policy) {
        List<Integer> expected = new ArrayList<>();
        String[] lines = policy.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = EXPECT.matcher(lines[i]);
            if (m.find() && List.of(m.group(1).split("\\s*,\\s*")).contains(ruleId)) expected.add(i + 1);
        }
        List<Finding> found = LintFixtures.lint(policy).stream().filter(f -> f.ruleId().equals(ruleId)).toList();
        List<Integer> actual = found.stream().map(f -> f.location().line()).toList();
        assertEquals(expected, actual, () -> ruleId + " findings:\n" + found);
        return found;
    }

    private static final String HOST = "default inbound deny\ndefault outbound deny\nhost web1 = 10.0.0.10, 2001:db8::10 os linux\n";

    /** A host with no IPv6 address: what a rule admits there has no IPv6 half. */
    private static final String HOST4 = "default inbound deny\ndefault outbound deny\nhost web4 = 10.0.0.21 os linux\n";

    // ---- PP101-PP107 -------------------------------------------------------------------

    private static final String WIN = "host win1 = 10.0.0.20 os windows\n";

    @Test
    void telnetFromAnywhereAtAllResolvedFromWhatRulesMatch() {
        verify("PP101", HOST + WIN
                + "allow tcp/1-65535 from any to web1   # expect: PP101\n"
                + "allow any from 10.1.1.1 to win1   # expect: PP101\n");
        verify("PP101", HOST + "allow tcp from 10.0.0.0/8   # expect: PP101\n");
        verify("PP101", HOST + "network lab = 10.9.0.0/24\ngroup g = lab, 10.9.1.5-10.9.1.9\n"
                + "allow telnet from g to web1   # expect: PP101\n");
        // Denied first, a different port, or an except that removes every source: nothing admitted.
        verify("PP101", HOST + "deny tcp/23 from any\nallow tcp from any to web1\n");
        verify("PP101", HOST + "allow tcp/22-22 from any to web1\nallow udp/23 from 10.0.0.0/8 to web1\n");
        verify("PP101", HOST + "allow tcp/23 from 10.1.0.0/16 except 10.0.0.0/8 to web1\n");
    }

    @Test
    void telnetFixDependsOnWhetherTheRuleAdmitsMoreThanTelnet() {
        String more = "use SSH instead, and put 'deny tcp/23' above this rule, which admits more than Telnet";
        String only = "use SSH instead, and remove the rule";
        List<Finding> found = verify("PP101", HOST
                + "allow telnet from 10.0.0.5 to web1   # expect: PP101\n"
                + "allow tcp/22-23 from 10.0.0.6 to web1   # expect: PP101\n"
                + "deny tcp/22 from 10.0.0.7\n"
                + "allow tcp/22-23 from 10.0.0.7 to web1   # expect: PP101\n");
        // A 'deny tcp/23' above a Telnet-only rule would leave it shadowed: that fix is for rules opening more.
        assertEquals(only, found.get(0).hint());
        assertEquals(more, found.get(1).hint());
        // What the rule admits counts, not what it names: the deny above leaves it only Telnet.
        assertEquals(only, found.get(2).hint());
    }

    @Test
    void rdpFromTheWorldIsAnErrorAndFromWideRangesAWarning() {
        List<Finding> found = verify("PP102", HOST + WIN
                + "allow tcp from any to win1   # expect: PP102\n"
                + "allow udp/3389 from 0.0.0.0/1, 128.0.0.0/1 to web1   # expect: PP102\n"
                + "allow any from 100.64.0.0/10 except 100.64.0.0/24   # expect: PP102\n");
        assertEquals(Severity.ERROR, found.get(0).severity());
        assertTrue(found.get(0).message().contains("from the whole world to win1"), found.toString());
        assertEquals(Severity.ERROR, found.get(1).severity());
        assertEquals(Severity.WARNING, found.get(2).severity());
        assertTrue(found.get(2).message().contains("100.64.1.0-100.127.255.255"), found.toString());
        List<Finding> wide = verify("PP102", HOST + WIN + "allow rdp from 10.0.0.0/8 to win1   # expect: PP102\n");
        assertEquals(Severity.WARNING, wide.get(0).severity());
        // Every source admitted is listed; win1's own address (self-traffic, left out) is a hole
        // in one wide range, not a cut into a narrow range and a wide one.
        assertTrue(wide.get(0).message().endsWith("from 10.0.0.0-10.0.0.19, 10.0.0.21-10.255.255.255 to win1: "
                + "a private range wider than /16 (IPv6 /40)"), wide.toString());
        // Nor does a deny of one address make a /15 two ranges of a /16 or less; two /17s a /16
        // apart are two ranges, neither wide.
        List<Finding> holed = verify("PP102", WIN + "deny tcp/3389 from 10.3.0.0\n"
                + "allow tcp/3389 from 10.2.0.0/15 to win1   # expect: PP102\n"
                + "allow udp/3389 from 10.4.0.0/17, 10.5.128.0/17 to win1\n");
        assertTrue(holed.get(0).message().endsWith("from 10.2.0.0/16, 10.3.0.1-10.3.255.255 to win1: "
                + "a private range wider than /16 (IPv6 /40)"), holed.toString());
        // A deny of one address before the allow: not the world any more, but still a wide public range.
        List<Finding> denied = verify("PP102", WIN + "deny tcp/3389 from 198.51.100.7\n"
                + "allow tcp/3389 from any4 to win1   # expect: PP102\n");
        assertEquals(Severity.WARNING, denied.get(0).severity());
        verify("PP102", HOST + WIN + "allow rdp from 10.0.100.0/24 to win1\nallow rdp from 198.51.100.0/24 to win1\n"
                + "allow rdp from 203.0.113.0/24 except 203.0.113.0/24 to win1\n");
        // IPv6 prefixes are 24 bits longer: public wider than /48, private wider than /40.
        List<Finding> v6 = verify("PP102", HOST
                + "allow rdp from 2600::/47 to web1   # expect: PP102\n"
                + "allow rdp from 2600:1::/48 to web1\n"
                + "allow rdp from fd00:1::/39 to web1   # expect: PP102\n"
                + "allow rdp from fd00:2::/40 to web1\n");
        assertEquals(Severity.WARNING, v6.get(0).severity());
        assertEquals(Severity.WARNING, v6.get(1).severity());
    }

    @Test
    void sshFromTheWorld() {
        verify("PP103", HOST
                + "allow tcp/1-65535 from any to web1   # expect: PP103\n");
        verify("PP103", HOST + "allow any from any6 to web1   # expect: PP103\n");
        verify("PP103", HOST + "allow ssh from any except 127.0.0.0/8 to web1   # expect: PP103\n");
        // Not the world once a few sources are denied first, but still the rest of the internet:
        // reported with the sources it admits, not as the world (PP107 leaves it to this rule).
        List<Finding> denied = verify("PP103", HOST + "deny ssh from 198.51.100.7\ndeny ssh from 2001:db8:ff::1\n"
                + "allow ssh from any to web1 owner \"ops\"   # expect: PP103\n");
        assertTrue(denied.get(0).message().endsWith(
                "to web1: the whole world but the sources earlier rules deny"), denied.toString());
        assertFalse(denied.get(0).world(), denied.toString());
        verify("PP107", HOST + "deny ssh from 198.51.100.7\nallow ssh from any to web1\n");
        // Denied down to private and documentation sources, or a range: no wide public source left.
        verify("PP103", HOST + "deny ssh from any except 10.0.0.0/8, 192.0.2.0/24, 2001:db8::/32\n"
                + "allow ssh from any to web1\n");
        verify("PP103", HOST + "allow ssh from 10.0.0.0/8, 192.0.2.0/24 to web1\n");
        // Only the targets the world reaches are named: web2 has no IPv6 address, and its IPv4
        // senders exclude 10/8.
        List<Finding> found = verify("PP103", HOST + "host web2 = 10.0.0.12\ngroup web = web1, web2\n"
                + "allow ssh from any except 10.0.0.0/8 to web   # expect: PP103\n");
        assertTrue(found.get(0).message().endsWith("from the whole world to web1"), found.toString());
        // A policy without hosts whose rules name no group is judged at every group: each
        // compiles to a cloud target, where rules without 'to' apply.
        verify("PP103", "group app = 10.0.3.0/28\ndefault outbound deny\nallow ssh from any   # expect: PP103\n");
        verify("PP401", "group app = 10.0.3.0/28\ngroup spare = 10.0.4.0/28   # expect: PP401\n"
                + "allow ssh from 10.0.9.0/24 to 10.0.3.0/24\n");
        // A rule naming a group does not stop another rule's address from reaching a group it
        // does not name: the group of 10.2.0.0/24 is judged, and the rule to it is not empty.
        String twoGroups = "group g1 = 10.1.0.0/24\ngroup g2 = 10.2.0.0/24\ndefault outbound deny\n"
                + "allow https from 10.0.0.5 to g1 comment \"x\"\n";
        List<Finding> unnamed = verify("PP103", twoGroups + "allow ssh from any to 10.2.0.0/24   # expect: PP103\n");
        assertTrue(unnamed.get(0).message().endsWith("to g2"), unnamed.toString());
        verify("PP304", twoGroups + "network office = 10.2.0.0/25\nallow tcp/8080 from 10.0.0.5 to office\n");
    }

    @Test
    void aCloudGroupsMembersTalkingToEachOtherAreExposed() {
        // Only a host talking to its own addresses exposes nothing: the members of a group are
        // different machines, and its cloud target admits what the rules let them send each other.
        String corp = "default outbound deny\ngroup corp = 10.0.0.0/8\n";
        List<Finding> rdp = verify("PP102", corp + "allow rdp from 10.0.0.0/8 to corp   # expect: PP102\n");
        assertTrue(rdp.get(0).message().endsWith("from 10.0.0.0/8 to corp: a private range wider than /16 (IPv6 /40)"),
                rdp.toString());
        verify("PP101", corp + "allow tcp/23 from self to corp   # expect: PP101\n");
        String db = "default outbound deny\ngroup db = 10.0.2.0/24\n";
        verify("PP101", db + "allow telnet from db to db   # expect: PP101\n");
        verify("PP106", db + "allow tcp from db to db   # expect: PP106\n");
        verify("PP202", db + "allow tcp/49152-65535 from db to db   # expect: PP202\n");
    }

    @Test
    void sensitivePortsFromCatalogAndConfiguration() {
        List<Finding> found = verify("PP104", HOST
                + "allow redis, mongodb from any to web1   # expect: PP104\n"
                + "allow postgres from 100.64.0.0/16 to web1   # expect: PP104\n"
                + "allow mysql from 10.0.0.0/8 to web1\n"
                + "allow https from any to web1\n");
        assertEquals(Severity.ERROR, found.get(0).severity());
        assertTrue(found.get(0).message().contains("Redis (tcp/6379)"), found.toString());
        // The ports the rule admits, not the catalog entry's whole range (27017-27019).
        assertTrue(found.get(0).message().contains("MongoDB (tcp/27017)"), found.toString());
        List<Finding> range = verify("PP104", HOST + "allow tcp/27018-27030 from any to web1   # expect: PP104\n");
        assertTrue(range.get(0).message().contains("MongoDB (tcp/27018-27019)"), range.toString());
        assertEquals(Severity.WARNING, found.get(1).severity());
        assertTrue(found.get(1).message().endsWith("from 100.64.0.0/16 to web1: a public range wider than "
                + "/24 (IPv6 /48)"), found.toString());
        List<Finding> mixed = verify("PP104", HOST
                + "allow redis from 10.1.0.0/16, 100.64.0.0/10 to web1   # expect: PP104\n");
        assertTrue(mixed.get(0).message().endsWith("from 10.1.0.0/16, 100.64.0.0/10 to web1: 100.64.0.0/10 is a "
                + "public range wider than /24 (IPv6 /48)"), mixed.toString());
        List<Finding> v6 = verify("PP104", HOST + "allow postgres from 2600::/47 to web1   # expect: PP104\n"
                + "allow redis from 2600:1::/48 to web1\n");
        assertEquals(Severity.WARNING, v6.get(0).severity());
        // SSH, Telnet and RDP are reported by their own rules only.
        verify("PP104", HOST + "allow ssh, telnet, rdp from any to web1\n");
        LintConfig config = new LintConfig(Map.of(), Set.of(), List.of(new SensitivePort(
                new io.portpolicy.model.PortRange(8500, 8500), io.portpolicy.model.Protocol.TCP, "Consul", "x")), null);
        List<Finding> extra = LintFixtures.lint(HOST + "allow tcp/8500 from any to web1\n", config, true).stream()
                .filter(f -> f.ruleId().equals("PP104")).toList();
        assertEquals(1, extra.size(), extra.toString());
        // The catalog's own entry for tcp/8500 gives way to the configuration's: one name per port.
        assertEquals("admits Consul (tcp/8500) from the whole world to web1", extra.get(0).message());
    }

    @Test
    void cleartextProtocols() {
        List<Finding> found = verify("PP105", HOST
                + "allow ftp, pop3 from 10.0.0.0/8 to web1   # expect: PP105\n"
                + "allow snmp from 10.0.9.0/28   # expect: PP105\n"
                + "allow http from any to web1   # expect: PP105\n"
                + "allow tcp/512-514 from 10.0.0.0/8 to web1   # expect: PP105\n"
                + "allow tcp/389 from 10.0.0.0/8 to web1   # expect: PP105\n"
                + "allow imap from 10.0.0.0/8 to web1   # expect: PP105\n"
                + "allow tftp from 10.0.0.0/8 to web1   # expect: PP105\n");
        assertTrue(found.get(0).message().contains("FTP (tcp/21; use SFTP)"), found.toString());
        assertTrue(found.get(2).message().contains("use HTTPS"), found.toString());
        assertEquals(List.of("admits LDAP (tcp/389; use LDAPS) to web1", "admits IMAP (tcp/143; use IMAPS) to web1",
                "admits TFTP (udp/69; use SFTP) to web1"), found.subList(4, 7).stream().map(Finding::message).toList());
        // HTTP beside HTTPS to the same target only redirects; LDAPS is not LDAP.
        verify("PP105", HOST + "allow http from any to web1\nallow https from any to web1\nallow ldaps from 10.0.0.0/8\n");
        verify("PP105", HOST + "allow http from 10.0.0.0/8 to web1\nallow https from any to web1\n");
        // A redirect helps only the clients that may follow it: HTTPS for the admins alone
        // leaves HTTP from the world the site itself, in cleartext.
        List<Finding> partly = verify("PP105", HOST + "allow https from 10.0.0.5 to web1\n"
                + "allow http from any to web1   # expect: PP105\n");
        assertTrue(partly.get(0).message().endsWith("admits HTTP (tcp/80; use HTTPS, which is allowed there to fewer"
                + " clients) to web1"), partly.toString());
        verify("PP105", HOST + "allow https from any4 to web1\n"
                + "allow http from any to web1   # expect: PP105\n");
        // Every port open is PP106's finding.
        verify("PP105", HOST + "allow tcp from 10.0.0.0/8 to web1\n");
    }

    @Test
    void allPortsOpen() {
        List<Finding> found = verify("PP106", HOST + WIN
                + "allow tcp/1-65535 from any to web1   # expect: PP106\n"
                + "allow any from any to win1   # expect: PP106\n"
                + "allow udp from any   # expect: PP106\n");
        assertEquals(Severity.ERROR, found.get(0).severity());
        assertEquals(Severity.ERROR, found.get(1).severity());
        assertTrue(found.get(1).message().contains("every protocol"), found.toString());
        List<Finding> range = verify("PP106", HOST + "allow tcp/8000-8100 from 10.0.0.0/8 to web1   # expect: PP106\n");
        assertEquals(Severity.WARNING, range.get(0).severity());
        verify("PP106", HOST + "allow tcp/{80,443,8000-8029} from any to web1\n");
        // "Over 1024" from the world and "over 30" from anywhere: the limits themselves are not
        // over. A deny of one port leaves a rule naming 31 admitting 30.
        List<Finding> limits = verify("PP106", HOST
                + "allow tcp/1-1024 from any to web1   # expect: PP106\n"
                + "allow udp/1-1025 from any to web1   # expect: PP106\n"
                + "deny tcp/8030 from 10.0.0.0/8 to web1\n"
                + "allow tcp/8000-8030 from 10.0.0.0/8 to web1\n"
                + "allow udp/8000-8030 from 10.0.0.0/8 to web1   # expect: PP106\n");
        assertEquals(List.of(Severity.WARNING, Severity.ERROR, Severity.WARNING),
                limits.stream().map(Finding::severity).toList(), limits.toString());
    }

    @Test
    void allPortsOpenIsJudgedAtEachTarget() {
        // Each host opens 1,000 ports to the world, under the 1,024 of an error, though the two
        // hosts together open 2,000: a warning, naming what each host opens.
        String two = "default inbound deny\nhost a = 10.0.0.1\nhost b = 10.0.0.2\n"
                + "allow ssh from 10.0.0.0/8\n";
        List<Finding> split = verify("PP106", two + "deny tcp/1-1000 from any to a\ndeny tcp/1001-2000 from any to b\n"
                + "allow tcp/1-2000 from any to a, b   # expect: PP106\n");
        assertEquals(Severity.WARNING, split.get(0).severity());
        assertEquals("admits tcp/1001-2000 from the whole world to a; tcp/1-1000 to b: a range of over 30 ports",
                split.get(0).message());
        // Each of 20 ports: no host opens over 30, whatever the two open together.
        verify("PP106", two + "deny tcp/21-40 from 10.0.0.0/8 to a\ndeny tcp/1-20 from 10.0.0.0/8 to b\n"
                + "allow tcp/1-40 from 10.0.0.0/8 to a, b\n");
        // An error names, protocol by protocol, the hosts that open too many ports and the ports
        // each opens; c still opens over 1,024, b no UDP and d only 1,000 UDP ports.
        List<Finding> each = verify("PP106", two + "host c = 10.0.0.3\nhost d = 10.0.0.4\ndeny udp from any to b\n"
                + "deny tcp/1-100 from any to c\ndeny udp/1001-2000 from any to d\n"
                + "allow tcp, udp/1-2000 from any to a, b, c, d   # expect: PP106\n");
        assertEquals(Severity.ERROR, each.get(0).severity());
        assertEquals("admits every tcp port from the whole world to a, b, d; tcp/0,101-65535 to c; udp/1-2000 to a, c",
                each.get(0).message());
    }

    @Test
    void allPortsOpenWhateverTheSourcePort() {
        // Stateful, the sender chooses its source port: 'port 53' protects nothing, however
        // every port is written.
        List<Finding> stateful = verify("PP106", HOST
                + "host web2 = 10.0.0.12 os linux\nhost web3 = 10.0.0.13 os linux\n"
                + "allow tcp from any port 53 to web1   # expect: PP106\n"
                + "allow tcp/1-65535 from any port 53 to web2   # expect: PP106\n"
                + "allow tcp/0-65535 from any port 53 to web3   # expect: PP106\n"
                + "allow udp, tcp from 10.0.0.53 port 53 to self port ephemeral   # expect: PP106\n");
        for (int i = 0; i < 3; i++) {
            assertEquals(Severity.ERROR, stateful.get(i).severity());
            assertTrue(stateful.get(i).message().contains("every tcp port from the whole world"), stateful.toString());
        }
        // Stateless, a return rule's replies to the host's own ephemeral ports are its purpose;
        // its other ports are open to any sender choosing the source port.
        List<Finding> stateless = verify("PP106", STATELESS
                + "allow tcp from any port 53 to web1   # expect: PP106\n"
                + "allow tcp/1-65535 from any port 443 to win1   # expect: PP106\n"
                + "allow udp, tcp from resolvers port 53 to self port ephemeral\n");
        assertTrue(stateless.get(0).message().contains("tcp/0-32767,61000-65535 from the whole world to web1"),
                stateless.toString());
        assertTrue(stateless.get(1).message().contains("tcp/1-49151 from the whole world to win1"), stateless.toString());
    }

    @Test
    void aStatelessReturnRulesRepliesAreLeftToTheReturnPathRules() {
        // The return rule PP201 asks for reaches Hadoop's tcp/50070 only as web1's ephemeral
        // port: PP202 and PP203 judge that, as PP106 leaves it to them.
        verify("PP104", STATELESS + "allow https from web1 to any\n"
                + "allow tcp from any port 443 to web1 port ephemeral\n");
        // From any source port it is a request like any other; a return rule's ports outside
        // the target's ephemeral range are open too.
        verify("PP104", STATELESS + "allow tcp from any to web1 port ephemeral   # expect: PP104\n"
                + "allow tcp from any port 443 to win1   # expect: PP104\n");
        // An 'ephemeral' setting that takes in RDP's port: the same for every exposure rule.
        verify("PP102", "ephemeral 1024-65535\n" + STATELESS + "host app1 = 10.0.0.30\n"
                + "allow tcp from any port 443 to app1 port ephemeral\n"
                + "allow tcp from any to app1 port ephemeral   # expect: PP102\n");
    }

    /** 300 single addresses, two in each of 150 /24s of 100.64.0.0/10: a list of partners, not a range with holes. */
    private static String scatteredPartners() {
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            addresses.add("100.64." + i + ".1");
            addresses.add("100.64." + i + ".129");
        }
        return String.join(", ", addresses);
    }

    @Test
    void wideSource() {
        List<Finding> found = verify("PP107", HOST
                + "allow https from 100.64.0.0/10, 192.0.2.0/24 to web1   # expect: PP107\n"
                + "allow ssh from 2600::/32 to web1   # expect: PP107\n"
                + "allow tcp/8080 from any4 except 10.0.0.0/8 to web1   # expect: PP107\n");
        // Every source admitted, then which of them are wide: not the wide part alone.
        assertTrue(found.get(0).message().endsWith("admits 100.64.0.0/10, 192.0.2.0/24 to web1: 100.64.0.0/10 is a "
                + "public range wider than /24 (IPv6 /48)"), found.toString());
        verify("PP107", HOST + "allow https from any to web1\nallow ssh from 10.0.0.0/8, 203.0.113.0/24 to web1\n"
                + "allow tcp/81 from 8.8.8.0/24, 2600::/48 to web1\ndeny tcp/82 from 8.0.0.0/8 to web1\n");
        // Two halves of the internet are each a wide range, though together they admit all of it;
        // 'any4 except loopback' is the world, and so is 'any' after a deny of one address.
        verify("PP107", HOST
                + "allow https from 0.0.0.0/1 to web1   # expect: PP107\n"
                + "allow https from 128.0.0.0/1 to web1   # expect: PP107\n"
                + "allow tcp/8443 from any4 except 127.0.0.0/8 to web1\n"
                + "deny tcp/8080 from 198.51.100.7\nallow tcp/8080 from any to web1\n");
        // A public /23 less one address that an earlier rule denies is still wider than a /24;
        // two /24s a /24 apart are two ranges a /24 wide.
        verify("PP107", HOST + "deny tcp/8443 from 100.64.1.0\n"
                + "allow tcp/8443 from 100.64.0.0/23 to web1   # expect: PP107\n"
                + "allow tcp/8444 from 100.64.0.0/24, 100.64.2.0/24 to web1\n"
                + "allow tcp/8445 from " + scatteredPartners() + " to web1\n");
        // IPv6 prefixes are 24 bits longer: wider than /48 is a wide range.
        verify("PP107", HOST
                + "allow tcp/8080 from 2600::/44 to web1   # expect: PP107\n"
                + "allow tcp/8081 from 2600::/47 to web1   # expect: PP107\n"
                + "allow tcp/8082 from 2600::/48 to web1\n");
        // At an IPv4-only host 'any except 10.0.0.0/8' admits what 'any4 except 10.0.0.0/8' does.
        verify("PP107", HOST4
                + "allow https from any except 10.0.0.0/8 to web4   # expect: PP107\n"
                + "allow tcp/8443 from any to web4\n");
    }

    // ---- PP501, PP502 -------------------------------------------------------------------

    @Test
    void managementLockout() {
        verify("PP501", "default inbound deny\n"
                + "host web1 = 10.0.0.10 os linux   # expect: PP501\n"
                + "host win1 = 10.0.0.20 os windows   # expect: PP501\n"
                + "host win2 = 10.0.0.21 os windows\n"
                + "allow https from any\nallow ssh from 10.0.100.0/24 to win1\nallow winrms from 10.0.100.0/24 to win2\n");
        verify("PP501", "default inbound deny\nhost web1 = 10.0.0.10 os linux   # expect: PP501\n"
                + "deny ssh from any\nallow ssh from 10.0.100.0/24 to web1\n");
        verify("PP501", "default inbound allow\nhost web1 = 10.0.0.10 os linux\n");
    }

    @Test
    void managementLockoutLooksForTheTcpPortsOfThePolicysOwnManagementServices() {
        // The site runs SSH on 2222 (its own 'ssh' replaces the built-in): that is management
        // access, and tcp/22 is not.
        verify("PP501", "default inbound deny\nhost web1 = 10.0.0.10 os linux\nservice ssh = tcp/2222\n"
                + "allow ssh from 10.0.100.0/24 to web1\n");
        List<Finding> ssh = verify("PP501", "default inbound deny\nhost web1 = 10.0.0.10 os linux   # expect: PP501\n"
                + "service ssh = tcp/2222\nallow tcp/22 from 10.0.100.0/24 to web1\n");
        assertTrue(ssh.get(0).message().contains("admits no management access (SSH, tcp/2222) from anywhere"),
                ssh.toString());
        verify("PP501", "default inbound deny\nhost win1 = 10.0.0.20 os windows\nservice rdp = tcp/13389\n"
                + "allow rdp from 10.0.100.0/24 to win1\n");
        // RDP's UDP transport alone is no session: it joins one over TCP.
        List<Finding> udp = verify("PP501", "default inbound deny\nhost win1 = 10.0.0.20 os windows   # expect: PP501\n"
                + "allow udp/3389 from 10.0.100.0/24 to win1\n");
        assertTrue(udp.get(0).message().contains("admits no management access (RDP or WinRM, tcp/3389,5985-5986)"),
                udp.toString());
    }

    @Test
    void icmpv6Blocked() {
        List<Finding> found = verify("PP502", "host web1 = 10.0.0.10, 2001:db8::10 os linux   # expect: PP502\n"
                + "host v4only = 10.0.0.11 os linux\nallow ssh from 10.0.100.0/24\n");
        assertTrue(found.get(0).message().contains("packet-too-big"), found.toString());
        // The fix as the hint writes it settles the finding and raises no other (PP404 wants the comment).
        String fix = found.get(0).hint().replaceFirst(" \\(before .*", "");
        List<Finding> fixed = LintFixtures.lint("host web1 = 10.0.0.10, 2001:db8::10 os linux\n" + fix + "\n");
        assertEquals(List.of(), fixed.stream().filter(f -> f.location().line() == 2 || f.ruleId().equals("PP502")).toList());
        verify("PP502", "host web1 = 10.0.0.10, 2001:db8::10 os linux   # expect: PP502\n"
                + "allow icmpv6/packet-too-big from 2001:db8::/32\n");
        verify("PP502", "host web1 = 10.0.0.10, 2001:db8::10 os linux\nallow icmpv6/packet-too-big from any\n");
        // A deny before the allow wins.
        verify("PP502", "host web1 = 10.0.0.10, 2001:db8::10 os linux   # expect: PP502\ndeny icmpv6 from any\n"
                + "allow icmpv6/packet-too-big from any\n");
    }

    // ---- PP108 / PP109 -------------------------------------------------------------

    @Test
    void defaultAllowInbound() {
        verify("PP108", "default inbound allow   # expect: PP108\nhost web1 = 10.0.0.10\nallow ssh from 10.1.0.0/16\n");
        verify("PP108", "default inbound reject\nhost web1 = 10.0.0.10\nallow ssh from 10.1.0.0/16\n");
        verify("PP108", "host web1 = 10.0.0.10\nallow ssh from 10.1.0.0/16\n");
    }

    @Test
    void unrestrictedEgress() {
        verify("PP109", "default outbound allow  # expect: PP109\nhost web1 = 10.0.0.10\nallow ssh from 10.1.0.0/16\n");
        List<Finding> implicit = verify("PP109", "host web1 = 10.0.0.10   # expect: PP109\nallow ssh from 10.1.0.0/16\n");
        assertTrue(implicit.get(0).message().contains("no 'default outbound' is written"), implicit.toString());
        // A policy of groups is compiled for cloud groups: their members, not hosts, open connections.
        List<Finding> cloud = verify("PP109", "default outbound allow  # expect: PP109\ngroup web = 10.0.1.0/24\n"
                + "allow https from any to web\n");
        assertTrue(cloud.get(0).message().endsWith("lets the groups' members open any connection"), cloud.toString());
        // A file of shared definitions, linted on its own, has no machines whose egress is open.
        verify("PP109", "service app = tcp/8080\nnetwork office = 192.0.2.0/24\n");
        verify("PP109", "");
        verify("PP109", HOST + "allow any from self to any   # expect: PP109\n");
        verify("PP109", HOST + "allow any from web1 to 0.0.0.0/1, 128.0.0.0/1   # expect: PP109\n");
        // Not egress: every port to one network, a service list to the world, or a source no target is in.
        verify("PP109", HOST + "allow any from self to 10.20.0.0/16\nallow tcp, udp from self to any\n"
                + "allow any from 192.0.2.0/24 to any\n");
        // Only rules that decide outbound packets: not an expired one (PP402) nor one a deny
        // shadows (PP301); a deny of one port before it leaves the rest open.
        verify("PP109", HOST + "allow any from self to any expires 2026-01-01\n"
                + "deny any from self to 0.0.0.0/0\nallow any from self to any4\n"
                + "deny tcp/25 from self to any\nallow any from self to any   # expect: PP109\n");
    }

    // ---- PP301-PP304 ------------------------------------------------------------------

    @Test
    void shadowedRuleNamesTheBlockingRules() {
        List<Finding> found = verify("PP301", HOST + "allow ssh from 10.1.0.0/16 to web1\n"
                + "deny tcp/22 from 10.1.2.0/24 to web1   # expect: PP301\n");
        assertTrue(found.get(0).message().contains("allow at <stdin>:4 (allow ssh from 10.1.0.0/16 to web1)"), found.toString());
        assertTrue(found.get(0).hint().contains("line 4"), found.get(0).hint());
        verify("PP301", HOST + "deny tcp/22 from 10.1.2.0/24 to web1\nallow ssh from 10.1.0.0/16 to web1\n");
    }

    @Test
    void redundantRule() {
        verify("PP302", HOST + "allow ssh from 10.1.0.0/16 to web1\nallow tcp/22 from 10.1.2.0/24 to web1   # expect: PP302\n");
        verify("PP302", HOST + "deny ssh from 10.1.0.0/16 to web1   # expect: PP302\n");
        verify("PP302", HOST + "allow ssh from 10.1.2.0/24 to web1\nallow ssh from 10.1.3.0/24 to web1\n");
        // Redundant at the hosts, where outbound is allowed anyway; but dmz, a group of addresses no
        // host has, may be compiled for a cloud target, where the rule is its only allow.
        List<Finding> found = verify("PP302", "host bastion = 10.0.0.5 os linux\ngroup dmz = 10.0.5.0/24\n"
                + "allow ssh from 192.0.2.0/24 to bastion comment \"x\"\n"
                + "allow https from any to dmz comment \"x\"   # expect: PP302\n");
        assertTrue(found.get(0).hint().endsWith("(judged at the hosts: group 'dmz' also holds addresses no host has,"
                + " and what a cloud target compiled for it admits is not linted)"), found.get(0).hint());
        // Loopback at each host, but between the members of g, which may be compiled for a cloud target.
        List<Finding> members = verify("PP302", "host a = 10.0.1.1 os linux\nhost b = 10.0.1.2 os linux\n"
                + "group g = a, b\nallow tcp/5000 from self to self   # expect: PP302\n");
        assertTrue(members.get(0).hint().endsWith("compiled for a group, where 'self' is every member, it decides "
                + "traffic between members, which is not linted)"), members.get(0).hint());
        // Without a group, the advice needs no caveat.
        List<Finding> alone = verify("PP302", "host a = 10.0.1.1 os linux\nallow tcp/5000 from self to self   # expect: PP302\n");
        assertFalse(alone.get(0).hint().contains("judged at the hosts"), alone.get(0).hint());
    }

    @Test
    void aRuleWhoseRemovalLosesItsLogRecordsIsNotRedundant() {
        verify("PP302", HOST + "allow ssh from 10.0.0.5 to web1 log \"admin-ssh\"\nallow ssh from 10.0.0.0/8 to web1\n");
        verify("PP302", HOST + "deny tcp/23 from any to web1 log \"telnet-probe\"\n");
        verify("PP302", HOST + "allow ssh from 10.0.0.5 to web1 log \"admin-ssh\"\n"
                + "allow ssh from 10.0.0.0/8 to web1 log \"all-ssh\"\n");
        // The rule taking over logs its packets alike: nothing is lost.
        verify("PP302", HOST + "allow ssh from 10.0.0.5 to web1 log \"ssh\"   # expect: PP302\n"
                + "allow ssh from 10.0.0.0/8 to web1 log \"ssh\"\n");
        // Covered by earlier rules of its action, it never applies, so never logs.
        verify("PP302", HOST + "allow ssh from 10.0.0.0/8 to web1\n"
                + "allow ssh from 10.0.0.5 to web1 log \"admin-ssh\"   # expect: PP302\n");
    }

    @Test
    void aRuleShadowedOrRedundantOnlyUntilARuleExpiresIsNotToBeRemoved() {
        // A change freeze: the allow applies again once the deny has expired.
        List<Finding> shadowed = verify("PP301", HOST + "deny ssh from 10.0.0.0/8 to web1 expires 2026-12-31 owner \"x\"\n"
                + "allow ssh from 10.0.0.5 to web1   # expect: PP301\n");
        assertEquals(Severity.WARNING, shadowed.get(0).severity());
        assertTrue(shadowed.get(0).message().startsWith("never applies until the rule at <stdin>:4 expires on 2026-12-31: "),
                shadowed.toString());
        assertEquals("keep it if it is meant to apply after the rule at <stdin>:4 expires on 2026-12-31; move it above "
                + "line 4 of <stdin> if it should win before then", shadowed.get(0).hint());
        // A temporary wider rule after it: the narrow rule grants the access again once that one has expired.
        List<Finding> redundant = verify("PP302", HOST + "allow ssh from 10.0.0.5 to web1   # expect: PP302\n"
                + "allow tcp/22 from 10.0.0.0/8 to web1 expires 2026-12-31 owner \"x\"\n");
        assertTrue(redundant.get(0).message().startsWith("removing it changes nothing until the rule at <stdin>:5 "
                + "expires on 2026-12-31: "), redundant.toString());
        assertEquals("keep it: after the rule at <stdin>:5 expires on 2026-12-31 it may decide packets; review it then",
                redundant.get(0).hint());
        // Expiring the same day as the rule it rests on, the rule never applies at all: redundant for good.
        List<Finding> sameDay = verify("PP302", HOST
                + "allow https from 10.0.0.0/8 to web1 owner \"ops\" expires 2026-12-31\n"
                + "allow https from 10.1.0.0/16 to web1 owner \"ops\" expires 2026-12-31   # expect: PP302\n");
        assertEquals("redundant: earlier rules already allow every packet it matches: allow at <stdin>:4 (allow https from"
                + " 10.0.0.0/8 to web1 owner \"ops\" expires 2026-12-31)", sameDay.get(0).message());
    }

    @Test
    void correlatedRulesAreANote() {
        List<Finding> found = verify("PP303", HOST + "deny tcp/20-25 from 10.7.0.0/16 to web1\n"
                + "allow tcp/22-80 from 10.7.0.0/16 to web1   # expect: PP303\n");
        assertEquals(Severity.NOTE, found.get(0).severity());
        verify("PP303", HOST + "deny tcp/20-25 from 10.7.0.0/16 to web1\nallow tcp/26-80 from 10.7.0.0/16 to web1\n");
    }

    @Test
    void emptyRuleIsAnError() {
        List<Finding> found = verify("PP304", HOST + "allow icmp from 2001:db8:9::/64 to web1   # expect: PP304\n"
                + "allow ssh from 10.1.0.0/16 except 10.1.0.0/16 to web1   # expect: PP304\n");
        assertEquals(Severity.ERROR, found.get(0).severity());
        verify("PP304", HOST + "allow icmpv6 from 2001:db8:9::/64 to web1\n");
    }

    @Test
    void anEmptyRuleToSelfGivesTheIpVersionAsTheReason() {
        // 'to self', written or implied, is the target's own addresses: IPv4 only here.
        String ipVersion = "matches no packet: its source and destination addresses have no IP version in common";
        List<Finding> found = verify("PP304", HOST4
                + "allow https from 2001:db8::1-2001:db8::ff   # expect: PP304\n"
                + "allow https from 2001:db8::1-2001:db8::ff to self   # expect: PP304\n"
                + "allow https from 2001:db8::1-2001:db8::ff to web4   # expect: PP304\n"
                + "allow icmpv6 from any   # expect: PP304\n");
        for (int i = 0; i < 3; i++) assertEquals(ipVersion, found.get(i).message(), found.toString());
        assertTrue(found.get(3).message().startsWith("matches no packet: its protocols do not exist"), found.toString());
        // Once a target has an address of that version, self reaches it.
        verify("PP304", HOST + "allow https from 2001:db8::1-2001:db8::ff\nallow icmpv6 from any\n");
    }

    @Test
    void anEmptyRuleToAnyGivesTheIpVersionAtTheTargetsAsTheReason() {
        // 'any' on the target's side (to, inbound; from, outbound) applies to every host but
        // matches only its own addresses there: IPv4 only here.
        String ipVersion = "matches no packet: its source and destination addresses have no IP version in common";
        // Each side holds both versions as written, so only the targets' own addresses lack one.
        String atTargets = "matches no packet: the hosts and groups it applies to have no address of the IP version "
                + "of its other side";
        List<Finding> found = verify("PP304", HOST4
                + "allow tcp/22 from 2001:db8::/32 to any   # expect: PP304\n"
                + "allow tcp/443 from any to 2001:db8::/32   # expect: PP304\n"
                + "allow tcp/22 from 2001:db8::/32 to 10.0.0.0/8, 2001:db8::9   # expect: PP304\n"
                + "allow icmpv6 from any to any   # expect: PP304\n"
                + "allow tcp/22 from 2001:db8::/32 to 10.9.9.9, 2001:db8::9   # expect: PP304\n"
                + "allow tcp/22 from 2001:db8::/32 to 10.9.9.9   # expect: PP304\n");
        for (int i = 0; i < 3; i++) assertEquals(atTargets, found.get(i).message(), found.toString());
        assertTrue(found.get(3).message().startsWith("matches no packet: its protocols do not exist for the IP version "
                + "of the hosts and groups it applies to"), found.toString());
        // No target's address is on either side: it reaches no host, whatever its versions...
        assertTrue(found.get(4).message().startsWith("applies to no host or group"), found.toString());
        // ...unless its sides share no version anywhere, which is said first, whatever the targets.
        assertEquals(ipVersion, found.get(5).message(), found.toString());
        // Once a target has an address of that version, 'any' reaches it.
        verify("PP304", HOST + "allow tcp/22 from 2001:db8::/32 to any\nallow tcp/443 from any to 2001:db8::/32\n");
    }

    @Test
    void expiredRulesAreNotAlsoReportedAsAnomalies() {
        String policy = HOST + "allow ssh from 10.1.0.0/16 to web1 expires 2026-01-01 owner \"x\"   # expect: PP402\n";
        verify("PP402", policy);
        verify("PP304", policy);
        verify("PP302", policy);
    }

    // ---- PP401-PP407 -------------------------------------------------------------------

    @Test
    void unusedObject() {
        verify("PP401", HOST
                + "network admins = 10.0.100.0/24\n"
                + "network admin = 10.0.200.0/24   # expect: PP401\n"
                + "network in_group = 10.0.50.0/24\n"
                + "group staff = in_group          # expect: PP401\n"
                + "service orphan = tcp/9999       # expect: PP401\n"
                + "service inner = tcp/9100\n"
                + "service outer = inner, tcp/9187\n"
                + "host far = 10.99.0.1            # expect: PP401\n"
                + "host near = 10.1.0.7\n"
                + "allow ssh, outer from admins to web1\n"
                + "allow ssh from 10.0.0.0/24 to 10.1.0.0/24\n");
        // With self in any rule every host is configured by it.
        verify("PP401", HOST + "host other = 10.99.0.1\nallow ssh from 10.0.0.0/24\n");
    }

    @Test
    void aGroupWithoutHostsIsUsedByARuleReachingAnyOfItsAddresses() {
        // Without hosts each group is a target: a rule covering part of it applies there, at
        // its middle as at its ends, and one between two of its blocks does not.
        String web = "default inbound deny\ndefault outbound allow\ngroup web = %s\n";
        String rule = "allow ssh from 10.9.0.0/16 to %s comment \"x\"\n";
        verify("PP401", web.formatted("10.0.0.0/24") + rule.formatted("10.0.0.64/26"));
        verify("PP401", web.formatted("10.0.0.0/24") + rule.formatted("10.0.0.128/25"));
        verify("PP401", web.formatted("10.0.0.0/24   # expect: PP401") + rule.formatted("10.0.1.0/24"));
        verify("PP401", web.formatted("10.0.0.0/26, 10.0.0.192/26   # expect: PP401") + rule.formatted("10.0.0.64/26"));
    }

    @Test
    void expiredRule() {
        verify("PP402", HOST + "allow ssh from 10.1.0.0/16 to web1 expires 2026-11-20 owner \"x\"   # expect: PP402\n"
                + "allow ssh from 10.2.0.0/16 to web1 expires 2026-11-21 owner \"x\"\n");
    }

    @Test
    void expiringSoonWithinFourteenDays() {
        List<Finding> found = verify("PP403", HOST
                + "allow ssh from 10.1.0.0/16 to web1 expires 2026-11-21 owner \"x\"   # expect: PP403\n"
                + "allow ssh from 10.2.0.0/16 to web1 expires 2026-12-05 owner \"x\"   # expect: PP403\n"
                + "allow ssh from 10.3.0.0/16 to web1 expires 2026-12-06 owner \"x\"\n"
                + "allow ssh from 10.4.0.0/16 to web1 expires 2026-11-20 owner \"x\"\n"
                + "allow ssh from 10.5.0.0/16 to web1 expires 2026-11-22 owner \"x\"   # expect: PP403\n"
                + "allow ssh from 10.6.0.0/16 to web1 expires 2026-11-23 owner \"x\"   # expect: PP403\n");
        assertTrue(found.get(0).message().startsWith("expires today"), found.toString());
        assertTrue(found.get(1).message().startsWith("expires in 14 days"), found.toString());
        assertEquals("expires tomorrow (2026-11-22); from the day after, it is not compiled", found.get(2).message());
        assertEquals("expires in 2 days (2026-11-23); from the day after, it is not compiled", found.get(3).message());
    }

    @Test
    void undocumentedExposure() {
        verify("PP404", HOST
                + "allow https from any to web1   # expect: PP404\n"
                + "allow http from any4 to web1   # expect: PP404\n"
                + "allow tcp/8443 from 0.0.0.0/1, 128.0.0.0/1 to web1   # expect: PP404\n"
                + "allow tcp/8080 from 10.1.0.0/16 to web1 expires 2027-01-01   # expect: PP404\n"
                + "deny tcp/23 from any to web1\n"
                + "allow tcp/9000 from any4 except 10.0.0.0/8 to web1\n"
                + "allow tcp/9005 from any except 10.0.0.0/8 to web1   # expect: PP404\n"
                + "allow tcp/9001 from 10.1.0.0/16 to web1\n"
                + "allow tcp/9002 from any to web1 owner \"web\"\n"
                + "allow tcp/9003 from any to web1 ticket \"T-1\"\n"
                + "allow tcp/9004 from any to web1 comment \"public\"\n");
        // An empty or blank owner, ticket or comment names nobody: as if unwritten.
        verify("PP404", HOST
                + "allow tcp/9006 from any to web1 owner \"\"   # expect: PP404\n"
                + "allow tcp/9007 from any to web1 ticket \" \"   # expect: PP404\n"
                + "allow tcp/9008 from any to web1 comment \" \t \" owner \"\"   # expect: PP404\n"
                + "allow tcp/9009 from any to web1 comment \" \" owner \"web\"\n");
        // An except of what the host admits anyway (loopback, its own address) leaves the world;
        // an except of addresses a sender could use does not.
        verify("PP404", HOST
                + "allow ssh from any4 except 127.0.0.0/8 to web1   # expect: PP404\n"
                + "allow tcp/23 from any4 except 10.0.0.10 to web1   # expect: PP404\n"
                + "allow tcp/24 from any4 except 10.0.0.11 to web1\n"
                + "allow tcp/25 from any6 except ::1 to web1   # expect: PP404\n");
        // Read at the targets: at an IPv4-only host the IPv6 half of 'any' admits nothing, so
        // 'any except 10.0.0.0/8' is a wide range (PP107), and 'any6' matches nothing (PP304).
        verify("PP404", HOST4
                + "allow https from any except 10.0.0.0/8 to web4\n"
                + "allow tcp/84 from any6 to 10.0.0.21\n"
                + "allow tcp/8443 from any to web4   # expect: PP404\n");
    }

    @Test
    void waiverMarksOnlyItsRulesFindingsAndKeepsThemVisible() {
        List<Finding> found = LintFixtures.lint(HOST
                + "allow https from any to web1 waive PP404 \"public site, reviewed\"\n"
                + "allow http from any to web1\n");
        List<Finding> exposure = found.stream().filter(f -> f.ruleId().equals("PP404")).toList();
        assertEquals(2, exposure.size(), found.toString());
        assertEquals("public site, reviewed", exposure.get(0).waiver());
        assertFalse(exposure.get(1).waived());

        List<Finding> ignored = LintFixtures.lint(HOST + "allow https from any to web1 waive PP404 \"reviewed\"\n",
                LintConfig.DEFAULT, false);
        assertTrue(ignored.stream().noneMatch(Finding::waived), ignored.toString());
        assertTrue(ignored.stream().noneMatch(f -> f.ruleId().equals("PP405")), "--no-waivers ignores waivers entirely");
    }

    @Test
    void badWaiver() {
        List<Finding> found = verify("PP405", HOST
                + "allow https from any to web1 waive PP404   # expect: PP405\n"
                + "allow http from any to web1 waive PP404 \"old\" until 2026-11-20   # expect: PP405\n"
                + "allow tcp/81 from any to web1 waive PP440 \"typo\"   # expect: PP405\n"
                + "allow tcp/82 from 10.1.0.0/16 to web1 waive PP404 \"nothing to waive\"   # expect: PP405\n"
                + "allow tcp/83 from any to web1 waive PP404 \"reviewed\" until 2026-11-21\n"
                + "allow tcp/84 from any to web1 waive PP503 \"limits are about groups, not rules\"   # expect: PP405\n"
                + "allow tcp/85 from any to web1 waive PP404 \"\"   # expect: PP405\n"
                + "allow tcp/86 from any to web1 waive PP404 \" \t \"   # expect: PP405\n");
        assertTrue(found.get(0).message().contains("no reason"), found.toString());
        assertTrue(found.get(5).message().contains("no reason"), found.toString());
        assertTrue(found.get(6).message().contains("no reason"), found.toString());
        assertTrue(found.get(1).message().contains("lapsed on 2026-11-20"), found.toString());
        assertEquals("remove the waiver, or renew it after review with a new reason and 'until' date",
                found.get(1).hint());
        assertTrue(found.get(2).message().contains("there is no rule PP440"), found.toString());
        assertTrue(found.get(3).message().contains("waives nothing"), found.toString());
        // Nothing to renew: the finding it would accept does not occur.
        assertEquals("remove the waiver: there is nothing for it to accept", found.get(3).hint());
        // A waiver without reason (or with an empty one) or past its date accepts nothing.
        for (String waiver : List.of("waive PP404", "waive PP404 \"\"", "waive PP404 \"  \"")) {
            List<Finding> exposure = LintFixtures.lint(HOST + "allow https from any to web1 " + waiver + "\n").stream()
                    .filter(f -> f.ruleId().equals("PP404")).toList();
            assertFalse(exposure.get(0).waived(), waiver);
        }
    }

    /** An expired rule is no longer checked: its waiver is told why it has nothing to accept. */
    @Test
    void aWaiverOnAnExpiredRuleSaysTheRuleHasExpired() {
        List<Finding> found = verify("PP405", HOST
                + "allow tcp/3306 from any to web1 expires 2026-01-01 owner \"db\" waive PP104 \"reviewed\"   # expect: PP405\n");
        assertEquals("waive PP104: PP104 reports nothing on this rule, which expired after 2026-01-01 and is no longer"
                + " checked, so the waiver waives nothing", found.get(0).message());
        assertEquals("remove the expired rule (PP402) and its waiver with it, or, if the access is still needed, extend"
                + " 'expires' with a new ticket", found.get(0).hint());
    }

    @Test
    void aSecondWaiverOfTheSameRuleIsABadWaiver() {
        List<Finding> found = verify("PP405", HOST
                + "allow tcp/8000-8100 from any to web1 owner \"o\" waive PP106 \"a\" waive PP106 \"b\"   # expect: PP405\n");
        assertEquals(1, found.size(), found.toString());
        assertEquals(found.get(0).subject().options().waivers().get(1).location(), found.get(0).location(),
                "reported at the second waiver");
        assertTrue(found.get(0).message().startsWith("waive PP106: a second waiver of PP106 on this rule (the first is at "),
                found.toString());
        assertEquals("keep one 'waive PP106' per rule, with the reason that was reviewed", found.get(0).hint());
    }

    @Test
    void aWaiverMayNameTheRuleByItsName() {
        List<Finding> found = LintFixtures.lint(HOST
                + "allow tcp/8000-8100 from any to web1 owner \"o\" waive all-ports-open \"reviewed\"\n"
                + "allow tcp/9000-9100 from any to web1 owner \"o\" waive PP106 \"a\" waive all-ports-open \"b\"\n"
                + "allow tcp/7000-7100 from any to web1 owner \"o\" waive all-port-open \"typo\"\n");
        List<Finding> wide = found.stream().filter(f -> f.ruleId().equals("PP106")).toList();
        assertEquals("reviewed", wide.get(0).waiver(), found.toString());
        assertEquals("a", wide.get(1).waiver(), found.toString());
        List<String> bad = found.stream().filter(f -> f.ruleId().equals("PP405")).map(Finding::message).toList();
        assertEquals(List.of("waive all-ports-open: a second waiver of PP106 on this rule (the first is at <stdin>:5:48)",
                "waive all-port-open: there is no rule all-port-open (did you mean 'all-ports-open'?)"), bad);
    }

    @Test
    void badWaiversCannotBeWaived() {
        List<Finding> found = verify("PP405", HOST
                + "allow https from any to web1 owner \"x\" waive PP405 \"quiet\"   # expect: PP405\n");
        assertFalse(found.get(0).waived());
        assertTrue(found.get(0).message().contains("cannot be waived"), found.toString());
        assertEquals("remove the waiver, and correct what PP405 reports instead", found.get(0).hint());
    }

    @Test
    void waiverForADisabledRuleIsNotJudged() {
        LintConfig config = new LintConfig(Map.of(), Set.of("PP404"), List.of(), null);
        List<Finding> found = LintFixtures.lint(HOST + "allow tcp/82 from 10.1.0.0/16 to web1 waive PP404 \"x\"\n",
                config, true);
        assertTrue(found.stream().noneMatch(f -> f.ruleId().equals("PP405") || f.ruleId().equals("PP404")), found.toString());
    }

    @Test
    void hostBitsSet() {
        List<Finding> found = verify("PP406", HOST
                + "network sloppy = 10.1.2.3/24   # expect: PP406\n"
                + "network clean = 10.1.3.0/24, 10.1.4.5\n"
                + "group g = 2001:db8:5::1/48     # expect: PP406\n"
                + "allow ssh from sloppy, clean, g to web1\n"
                + "allow tcp/80 from 10.8.0.0/16 except 10.8.1.1/24 to web1   # expect: PP406\n");
        assertEquals("10.1.2.3/24 has host bits set: it covers the whole network 10.1.2.0/24", found.get(0).message());
        assertEquals("write 10.1.2.0/24 for the network, or 10.1.2.3 for the single address", found.get(0).hint());
    }

    @Test
    void builtinServiceOverridden() {
        verify("PP407", HOST + "service ssh = tcp/2222   # expect: PP407\nservice ssh_alt = tcp/2223\n"
                + "allow ssh, ssh_alt from 10.0.100.0/24 to web1\n");
    }

    @Test
    void configuredSeverityReplacesTheDefault() {
        LintConfig config = new LintConfig(Map.of("PP406", Severity.ERROR), Set.of(), List.of(), null);
        List<Finding> found = LintFixtures.lint(HOST + "allow ssh from 10.1.2.3/24 to web1\n", config, true);
        assertEquals(Severity.ERROR, found.stream().filter(f -> f.ruleId().equals("PP406")).findFirst().orElseThrow().severity());
    }

    @Test
    void everyRuleOfTheCatalogHasACase() throws Exception {
        String source = new String(RuleCasesTest.class.getResourceAsStream("RuleCasesTest.class").readAllBytes(),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        for (LintRule rule : RuleCatalog.rules()) {
            assertTrue(source.contains(rule.id()), rule.id() + " has no case in this test");
        }
    }

    @Test
    void sshAndRdpAreJudgedOnTheirStandardPortsAndThePolicysOwn() {
        // The policy's own 'ssh' replaces the built-in in its rules, as PP501 reads it; a rule to
        // tcp/22 still reaches a server listening there.
        String ssh = HOST + "service ssh = tcp/2222\n";
        List<Finding> own = verify("PP103", ssh + "allow ssh from any to web1   # expect: PP103\n");
        assertEquals("admits SSH (tcp/2222, the policy's 'ssh') from the whole world to web1", own.get(0).message());
        String standardOnly = ssh + "allow tcp/22 from any to web1   # expect: PP103\n";
        List<Finding> standard = verify("PP103", standardOnly);
        assertEquals("admits SSH (tcp/22, the standard port) from the whole world to web1", standard.get(0).message());
        assertTrue(LintFixtures.lint(standardOnly).stream().anyMatch(f -> f.ruleId().equals("PP501")
                && f.message().contains("(SSH, tcp/2222)")), "PP501 reads the policy's ssh too");
        List<Finding> both = verify("PP103", ssh + "allow tcp from any to web1   # expect: PP103\n");
        assertEquals("admits SSH (tcp/22, the standard port, and tcp/2222, the policy's 'ssh') from the whole world "
                + "to web1", both.get(0).message());
        String rdp = HOST + WIN + "service rdp = tcp/3390\n";
        List<Finding> ownRdp = verify("PP102", rdp + "allow rdp from any to win1   # expect: PP102\n");
        assertEquals("admits RDP (tcp/3390, the policy's 'rdp') from the whole world to win1", ownRdp.get(0).message());
        List<Finding> standardRdp = verify("PP102", rdp + "allow udp/3389 from 10.0.0.0/8 to win1   # expect: PP102\n");
        assertTrue(standardRdp.get(0).message().startsWith("admits RDP (3389, the standard port) from 10.0.0.0-"),
                standardRdp.toString());
    }

    // ---- PP201-PP203 -------------------------------------------------------------------

    private static final String STATELESS = "stateless\ndefault inbound deny\ndefault outbound deny\n"
            + "host web1 = 10.0.0.10 os linux\nhost win1 = 10.0.0.20 os windows\n"
            + "network clients = 192.0.2.0/24\nnetwork resolvers = 10.0.0.53\n";

    @Test
    void missingReturnPathNamesTheRepliesAndTheRuleToAdd() {
        List<Finding> found = verify("PP201", STATELESS
                + "allow https from clients to web1   # expect: PP201\n"
                + "allow dns from self to resolvers   # expect: PP201\n"
                + "allow tcp from resolvers port 53 to self port 32768-60999\n");
        assertEquals(Severity.ERROR, found.get(0).severity());
        assertTrue(found.get(0).message().contains("tcp from server port 443 to ports 49152-65535 of clients 192.0.2.0/24 (may not leave web1)"),
                found.toString());
        assertEquals("add 'allow tcp from web1 port 443 to clients port ephemeral'", found.get(0).hint());
        // Linux's range is covered for tcp, Windows' is not past 60999; udp has no return rule at all.
        assertTrue(found.get(1).message().contains("tcp from server port 53 to ports 61000-65535 of client 10.0.0.20"), found.toString());
        assertTrue(found.get(1).message().contains("udp from server port 53 to ports 32768-60999 of client 10.0.0.10"), found.toString());
        assertTrue(found.get(1).message().contains("udp from server port 53 to ports 49152-65535 of client 10.0.0.20"), found.toString());
        assertEquals("add 'allow tcp, udp from resolvers port 53 to self port ephemeral'", found.get(1).hint());
    }

    @Test
    void aReturnRuleAfterADenyOfTheRepliesIsToComeBeforeIt() {
        List<Finding> found = verify("PP201", STATELESS
                + "deny tcp from web1 port 443 to 203.0.113.0/24\n"
                + "allow tcp from web1 port 443 to any port ephemeral\n"
                + "allow https from any to web1   # expect: PP201\n");
        assertEquals("add 'allow tcp from web1 port 443 to any port ephemeral' before the deny at <stdin>:8, "
                + "which drops the replies first (or narrow it)", found.get(0).hint());
    }

    @Test
    void fullReturnPathsGiveNoMissingReturnPath() {
        verify("PP201", STATELESS
                + "allow https from clients to web1\n"
                + "allow tcp from web1 port 443 to clients port ephemeral\n"
                + "allow dns from self to resolvers\n"
                + "allow tcp, udp from resolvers port 53 to self port ephemeral\n"
                + "allow tcp/22 from web1 to win1\n"
                + "allow tcp from win1 port 22 to web1 port 32768-60999\n");
        // Stateful: replies are implied.
        verify("PP201", "default inbound deny\ndefault outbound deny\nhost web1 = 10.0.0.10 os linux\n"
                + "allow https from any to web1\nallow dns from self to 10.0.0.53\n");
        // The other end (a host) drops the request: no connection, no reply needed.
        verify("PP201", STATELESS + "allow tcp/22 from win1 to web1   # expect: PP201\n");
        verify("PP201", STATELESS + "allow tcp/22 from any to web1\n"
                + "allow tcp from web1 port 22 to any port ephemeral\n");
    }

    @Test
    void requestsFromClientsPortsNeedReplies() {
        // Source ports over an ephemeral range, or restricting nothing, make a request, not a reply.
        List<Finding> found = verify("PP201", STATELESS
                + "allow ssh from clients port 1024-65535 to web1   # expect: PP201\n"
                + "allow https from clients port 0-65535 to web1   # expect: PP201\n");
        assertEquals("add 'allow tcp from web1 port 22 to clients port ephemeral'", found.get(0).hint());
        // A reply from a server's port, and a rule to the host's own ephemeral ports, need none.
        verify("PP201", STATELESS
                + "allow tcp from clients port 443 to web1 port ephemeral\n"
                + "allow tcp from clients to web1 port ephemeral\n");
    }

    /**
     * Destination ports are read as replies' (to clients' ports) only when they are more than
     * half of an ephemeral range: Windows' 49152-65535 has 16384, so 8192 of them are still a
     * request whose replies need a rule, and 8193 a return rule, judged by PP202 instead.
     */
    @Test
    void destinationPortsAreClientsOnlyPastHalfAnEphemeralRange() {
        String host = "stateless\ndefault inbound deny\ndefault outbound deny\nhost web1 = 10.0.1.11 os windows\n";
        String half = host + "allow tcp/49152-57343 from 10.0.0.0/8 to web1 comment \"x\"   # expect: PP201\n";
        List<Finding> request = verify("PP201", half);
        assertTrue(request.get(0).message().contains("tcp from server ports 49152-57343 to ports 49152-65535 of clients "
                + "10.0.0.0-10.0.1.10, 10.0.1.12-10.255.255.255 (may not leave web1)"), request.toString());
        verify("PP202", half);
        String overHalf = host + "allow tcp/49152-57344 from 10.0.0.0/8 to web1 comment \"x\"   # expect: PP202\n";
        verify("PP201", overHalf);
        List<Finding> replies = verify("PP202", overHalf);
        assertTrue(replies.get(0).message().contains("tcp 8193 of the 16384 ephemeral ports 49152-65535 of web1"),
                replies.toString());
    }

    /** web1's clients, no host of the policy: the language's default ephemeral range, 49152-65535. */
    private static final String CLIENT = "stateless\ndefault outbound deny\nhost web1 = 10.0.1.11 os linux\n";

    @Test
    void repliesGoToTheClientPortsTheRequestRuleAdmits(@TempDir Path dir) throws IOException {
        // Source ports narrower than the client's ephemeral range, or outside it, are the ports the
        // author knows the client sends from; a wider choice leaves the client its own range.
        // The return rule names the ports outside the range, and the whole range for those in it.
        List<List<String>> cases = List.of(
                List.of("1024-2000", "1024-2000", "1024-2000"),
                List.of("49000-49500", "49000-49500", "{49000-49151,ephemeral}"),
                List.of("50000-50100", "50000-50100", "ephemeral"),
                List.of("1024-32767", "1024-32767", "1024-32767"),
                // Ports in another system's range (Linux's) read as a return rule for that range
                // (PP203), which then wants the client's own too.
                List.of("40000-41000", "40000-41000", "{40000-41000,ephemeral}"),
                List.of("1024-50000", "49152-50000", "ephemeral"),
                List.of("1024-65535", "49152-65535", "ephemeral"));
        for (List<String> ports : cases) {
            String request = "allow ssh from 10.0.0.5 port " + ports.get(0) + " to web1";
            List<Finding> found = verify("PP201", CLIENT + request + "   # expect: PP201\n");
            String missing = ports.get(1);
            assertTrue(found.get(0).message().endsWith("tcp from server port 22 to ports " + missing
                    + " of client 10.0.0.5 (may not leave web1)"), found.toString());
            String returnRule = "allow tcp from web1 port 22 to 10.0.0.5 port " + ports.get(2);
            assertEquals("add '" + returnRule + "'", found.get(0).hint(), request);
            // The rule the hint gives lets the replies through: nothing left to report, and the
            // replies to requests from the lowest and the highest of those ports pass.
            String fixed = CLIENT + request + "\n" + returnRule + "\n";
            assertEquals(List.of(), LintFixtures.lint(fixed), fixed);
            Path file = Files.writeString(dir.resolve("fixed.policy"), fixed);
            for (String clientPort : missing.split("-")) {
                assertEquals(0, LintFixtures.run("query", file.toString(), "--proto=tcp", "--from=10.0.0.5",
                        "--sport=" + clientPort, "--to=web1", "--port=22").exit(), fixed);
                assertEquals(0, LintFixtures.run("query", file.toString(), "--proto=tcp", "--from=web1",
                        "--sport=22", "--to=10.0.0.5", "--port=" + clientPort).exit(), fixed + clientPort);
            }
        }
    }

    @Test
    void missingReturnPathAtBothEndsBetweenHosts() {
        // web1 (linux) calls win1: the reply must leave win1 and enter web1, to 32768-60999.
        List<Finding> found = verify("PP201", STATELESS
                + "allow tcp/3389 from web1 to win1   # expect: PP201\n"
                + "allow tcp from win1 port 3389 to web1 port 49152-65535\n");
        assertTrue(found.get(0).message().contains("tcp from server port 3389 to ports 32768-49151 of client 10.0.0.10"), found.toString());
        assertTrue(found.get(0).message().contains("may not leave win1, may not enter web1"), found.toString());
        // A client no host owns uses the 'ephemeral' setting.
        List<Finding> setting = verify("PP201", "ephemeral 40000-50000\n" + STATELESS
                + "allow https from clients to web1   # expect: PP201\n"
                + "allow tcp from web1 port 443 to clients port 49152-65535\n");
        assertTrue(setting.get(0).message().contains("to ports 40000-49151 of clients 192.0.2.0/24"), setting.toString());
    }

    @Test
    void oneWayUdpNeedsNoReplies() {
        // Syslog and SNMP traps are sent and never answered: no return rule to open.
        verify("PP201", STATELESS
                + "allow syslog, snmptrap from self to resolvers\n"
                + "allow udp/514 from clients to web1\n");
        // The other ports of a wider rule still need replies; the fix names every server port as 'any'.
        List<Finding> found = verify("PP201", STATELESS
                + "allow udp/{53,514} from web1 to resolvers   # expect: PP201\n");
        assertTrue(found.get(0).message().contains(
                "udp from server port 53 to ports 32768-60999 of client 10.0.0.10 (may not enter web1)"),
                found.toString());
        assertEquals("add 'allow udp from resolvers port 53 to web1 port ephemeral'", found.get(0).hint());
        List<Finding> wide = verify("PP201", STATELESS + "allow udp from web1 to resolvers   # expect: PP201\n");
        assertEquals("add 'allow udp from resolvers to web1 port ephemeral'", wide.get(0).hint());
    }

    @Test
    void aCloudGroupsMembersNeedRepliesFromEachOther() {
        verify("PP201", "stateless\ndefault inbound deny\ndefault outbound deny\ngroup db = 10.0.2.0/24\n"
                + "allow postgres from db to db   # expect: PP201\n");
        verify("PP201", "stateless\ndefault inbound deny\ndefault outbound deny\ngroup db = 10.0.2.0/24\n"
                + "allow postgres from db to db\nallow tcp from db port 5432 to db port ephemeral\n");
    }

    /** Hosts of both families and networks of clients and servers, in 10/8 and 2001:db8::/32. */
    private static final String NETWORKS = "stateless\ndefault inbound deny\ndefault outbound deny\n"
            + "host web1 = 10.0.1.11, 2001:db8:1::11 os linux\nhost win1 = 10.0.1.20 os windows\n"
            + "network clients = 10.80.0.0/16, 2001:db8:80::/48\n"
            + "network servers = 10.90.0.0/24, 2001:db8:90::/64\n";

    @Test
    void missingReturnPathTellsServerPortsClientPortsAndClientsApart() {
        List<Finding> found = verify("PP201", NETWORKS
                + "allow https from clients to web1   # expect: PP201\n"
                + "allow tcp/{8000-8010,8443} from clients to web1   # expect: PP201\n"
                + "allow postgres from web1, win1 to servers   # expect: PP201\n");
        assertTrue(found.get(0).message().endsWith("not allowed: tcp from server port 443 to ports 49152-65535 "
                + "of clients 10.80.0.0/16, 2001:db8:80::/48 (may not leave web1)"), found.toString());
        assertTrue(found.get(1).message().endsWith("not allowed: tcp from server ports 8000-8010,8443 to ports "
                + "49152-65535 of clients 10.80.0.0/16, 2001:db8:80::/48 (may not leave web1)"), found.toString());
        assertEquals("add 'allow tcp from web1 port {8000-8010,8443} to clients port ephemeral'", found.get(1).hint());
        // Each client range's own ports: linux web1's, then windows win1's, one address.
        assertTrue(found.get(2).message().endsWith("not allowed: tcp from server port 5432 to ports 32768-60999 "
                + "of clients 10.0.1.11, 2001:db8:1::11; tcp from server port 5432 to ports 49152-65535 "
                + "of client 10.0.1.20 (may not enter web1, win1)"), found.toString());
    }

    @Test
    void missingReturnPathTellsHowNtpAndTftpAreAnswered() {
        List<Finding> found = verify("PP201", NETWORKS
                + "allow ntp from web1 to servers   # expect: PP201\n"
                + "allow tftp from clients to web1   # expect: PP201\n");
        assertEquals("add 'allow udp from servers port 123 to web1 port ephemeral'; a client that sends from "
                + "port 123 itself (ntpd) is answered there: 'allow udp from servers port 123 to web1 port 123'",
                found.get(0).hint());
        assertEquals("add 'allow udp from web1 port 69 to clients port ephemeral'; TFTP answers from a new "
                + "ephemeral port of the server, so its transfers also need 'allow udp from web1 port ephemeral "
                + "to clients port ephemeral' and 'allow udp from clients port ephemeral to web1 port ephemeral' (PP106 and "
                + "PP202 may report these wide rules: waive them there, giving TFTP as the reason)",
                found.get(1).hint());
        // A rule of every UDP port is no request for NTP or TFTP in particular: no notes.
        List<Finding> wide = verify("PP201", NETWORKS + "allow udp from web1 to servers   # expect: PP201\n");
        assertEquals("add 'allow udp from servers to web1 port ephemeral'", wide.get(0).hint());
    }

    /** Monitoring pings web1 over both IP versions; rules start on line 7. */
    private static final String PING = "stateless\ndefault inbound deny\ndefault outbound deny\n"
            + "host web1 = 10.0.1.11, 2001:db8:1::11 os linux\nhost db1 = 10.0.1.12 os linux\n"
            + "network monitoring = 10.90.0.0/24, 2001:db8:90::/64\n";

    @Test
    void echoRequestsWhoseRepliesAreNotAllowed() {
        List<Finding> found = verify("PP201", PING
                + "allow icmp/echo-request from monitoring to web1   # expect: PP201\n"
                + "allow icmpv6/echo-request from monitoring to web1   # expect: PP201\n");
        assertTrue(found.get(0).message().endsWith("icmp echo-reply to 10.90.0.0/24 (may not leave web1)"),
                found.toString());
        assertEquals("add 'allow icmp/echo-reply from web1 to monitoring'", found.get(0).hint());
        assertTrue(found.get(1).message().endsWith("icmpv6 echo-reply to 2001:db8:90::/64 (may not leave web1)"),
                found.toString());
        assertEquals("add 'allow icmpv6/echo-reply from web1 to monitoring'", found.get(1).hint());
        // A rule of every type allows echo requests among them, in each family.
        List<Finding> wide = verify("PP201", PING + "allow icmp, icmpv6 from monitoring to web1   # expect: PP201\n");
        assertEquals("add 'allow icmp/echo-reply, icmpv6/echo-reply from web1 to monitoring'", wide.get(0).hint());
        // Between two hosts the reply must leave the one pinged and enter the one pinging.
        List<Finding> hosts = verify("PP201", PING + "allow icmp/echo-request from web1 to db1   # expect: PP201\n");
        assertTrue(hosts.get(0).message().endsWith("icmp echo-reply to 10.0.1.11 (may not leave db1, may not enter web1)"),
                hosts.toString());
        assertEquals("add 'allow icmp/echo-reply from db1 to web1'", hosts.get(0).hint());
    }

    @Test
    void anEchoReplyRuleAfterADenyOfTheRepliesIsToComeBeforeIt() {
        List<Finding> found = verify("PP201", PING
                + "deny icmp from web1 to 10.90.0.0/25\n"
                + "allow icmp/echo-reply from web1 to monitoring\n"
                + "allow icmp/echo-request from monitoring to web1   # expect: PP201\n");
        assertTrue(found.get(0).message().endsWith("icmp echo-reply to 10.90.0.0/25 (may not leave web1)"),
                found.toString());
        assertEquals("add 'allow icmp/echo-reply from web1 to monitoring' before the deny at <stdin>:7, "
                + "which drops the replies first (or narrow it)", found.get(0).hint());
    }

    @Test
    void allowedEchoRepliesAndOtherIcmpGiveNoMissingReturnPath() {
        verify("PP201", PING
                + "allow icmp/echo-request, icmpv6/echo-request from monitoring to web1\n"
                + "allow icmp/echo-reply, icmpv6/echo-reply from web1 to monitoring\n"
                + "allow icmp/echo-request from web1 to db1\n"
                + "allow icmp/echo-reply from db1 to web1\n");
        // A wider return rule lets the replies out too; being of every type, it also lets web1
        // ping everyone, and nothing lets their replies in.
        verify("PP201", PING
                + "allow icmp/echo-request from monitoring to web1\n"
                + "allow icmp from web1 to any   # expect: PP201\n");
        // Only echo is a request: other ICMP messages need no reply rule.
        verify("PP201", PING
                + "allow icmp/timestamp-request, icmp/3:4 from monitoring to web1\n"
                + "allow icmpv6/packet-too-big, icmpv6/neighbor-solicitation from any to web1\n");
        // Stateful: replies are implied.
        verify("PP201", "default inbound deny\ndefault outbound deny\nhost web1 = 10.0.1.11, 2001:db8:1::11 os linux\n"
                + "allow icmp, icmpv6 from any to web1\n");
    }

    @Test
    void broadEphemeralInbound() {
        List<Finding> stateless = verify("PP202", STATELESS
                + "allow tcp from clients to self port ephemeral   # expect: PP202\n"
                + "allow udp/32768-65535 from resolvers to web1   # expect: PP202\n"
                + "allow tcp from resolvers port 53 to self port ephemeral\n"
                + "allow tcp/50000-51000 from clients to win1\n"
                + "allow tcp from clients to web1\n"
                + "allow tcp from 203.0.113.0/24 port {443,1024-65535} to win1 port ephemeral   # expect: PP202\n");
        assertEquals(Severity.WARNING, stateless.get(0).severity());
        assertTrue(stateless.get(0).message().contains("tcp 28232 of the 28232 ephemeral ports 32768-60999 of web1"),
                stateless.toString());
        // The hint names the rule's own peers, and its server's port where it names one.
        assertEquals("restrict the source port to the one the servers in 'clients' answer from, as "
                + "'from clients port 443' for HTTPS replies or 'from clients port 53' for DNS", stateless.get(0).hint());
        assertEquals("restrict the source port to the server's: 'from 203.0.113.0/24 port 443'",
                stateless.get(2).hint());
        List<Finding> stateful = verify("PP202", "default inbound deny\nhost web1 = 10.0.0.10 os linux\n"
                + "allow tcp from 10.0.0.53 port 53 to self port ephemeral   # expect: PP202\n"
                + "allow tcp/1024-65535 from 10.0.0.0/8 to web1   # expect: PP202\n"
                + "allow https from any to web1\n");
        assertEquals(Severity.ERROR, stateful.get(0).severity());
        assertEquals(Severity.ERROR, stateful.get(1).severity());
    }

    @Test
    void broadEphemeralInboundMeansMoreThanHalfOfTheRange() {
        // A deny first leaves the allow exactly half of linux's 28232 ephemeral ports
        // (32768-46883): not most of them. One port more is.
        List<Finding> found = verify("PP202", "default inbound deny\nhost web1 = 10.0.0.10 os linux\n"
                + "deny tcp/46884-60999 from 10.1.0.0/24 to web1\n"
                + "allow tcp/32768-60999 from 10.1.0.0/24 to web1\n"
                + "deny tcp/46885-60999 from 10.2.0.0/24 to web1\n"
                + "allow tcp/32768-60999 from 10.2.0.0/24 to web1   # expect: PP202\n");
        assertTrue(found.get(0).message().contains("tcp 14117 of the 28232 ephemeral ports 32768-60999 of web1"),
                found.toString());
    }

    @Test
    void broadEphemeralInboundHintsAtServersOfTheRulesOwnProtocols() {
        List<Finding> found = verify("PP202", STATELESS
                + "allow udp from resolvers to web1 port ephemeral   # expect: PP202\n"
                + "allow tcp, udp from clients to win1 port ephemeral   # expect: PP202\n");
        assertEquals("restrict the source port to the one the servers in 'resolvers' answer from, as "
                + "'from resolvers port 53' for DNS replies or 'from resolvers port 161' for SNMP", found.get(0).hint());
        assertEquals("restrict the source port to the one the servers in 'clients' answer from, as "
                + "'from clients port 443' for HTTPS replies or 'from clients port 53' for DNS", found.get(1).hint());
    }

    @Test
    void broadEphemeralInboundReadsTheSourcePortsTheRuleAdmits() {
        // Stateless: a source port restricting nothing, or clients' ports, is no server's port.
        verify("PP202", STATELESS
                + "allow tcp/32768-60999 from clients port 0-65535 to web1   # expect: PP202\n"
                + "allow tcp/49152-65535 from clients port 1024-65535 to win1   # expect: PP202\n"
                + "allow tcp/32768-60999 from resolvers port 53 to web1\n");
        // Nor is a wide range outside every ephemeral range: the sender chooses its source port.
        // A server's port, or a few, is.
        String wideSource = STATELESS
                + "allow tcp from any port 1024-32767 to web1 port ephemeral   # expect: PP202, PP106\n"
                + "allow tcp from clients port 1-1023 to win1 port ephemeral   # expect: PP202, PP106\n"
                + "allow tcp from resolvers port {53,80,443} to web1 port ephemeral\n"
                + "allow tcp from resolvers port 8000-8029 to win1 port ephemeral\n";
        verify("PP202", wideSource);
        verify("PP106", wideSource);
        // Every port, however written, is all-ports-open's (PP106) finding.
        verify("PP202", "default inbound deny\nhost web1 = 10.0.0.10 os linux\nhost web2 = 10.0.0.12 os linux\n"
                + "host web3 = 10.0.0.13 os linux\n"
                + "allow tcp from any port 53 to web1\n"
                + "allow tcp/1-65535 from any port 53 to web2\n"
                + "allow tcp/0-65535 from any port 53 to web3\n");
        // Also when an earlier deny takes a port away (the deny of tcp/23 that PP101 advises).
        verify("PP202", "default inbound deny\nhost web1 = 10.0.0.10 os linux\n"
                + "deny tcp/23 from any to web1\nallow tcp from any to web1\n");
    }

    @Test
    void ephemeralMismatchByClientOs() {
        List<Finding> found = verify("PP203", STATELESS
                + "allow tcp from clients port 443 to win1 port 32768-60999   # expect: PP203\n"
                + "allow tcp from clients port 443 to web1 port 49152-65535   # expect: PP203\n"
                + "allow tcp from resolvers port 443 to web1 port 32768-60999\n"
                + "allow tcp from resolvers port 443 to win1 port 49152-65535\n"
                + "allow tcp from resolvers port 53 to self port ephemeral\n"
                + "allow udp from resolvers port 53 to self port 53\n");
        assertTrue(found.get(0).message().contains("61000-65535 of the ephemeral range 49152-65535 of win1 (windows)"),
                found.toString());
        assertTrue(found.get(1).message().contains("32768-49151 of the ephemeral range 32768-60999 of web1 (linux)"),
                found.toString());
        // Clients no host owns: the 'ephemeral' setting.
        List<Finding> setting = verify("PP203", "ephemeral 32768-65535\n" + STATELESS
                + "allow tcp from web1 port 443 to clients port 49152-65535   # expect: PP203\n"
                + "allow tcp from win1 port 443 to clients port 32768-65535\n");
        assertTrue(setting.get(0).message().contains("32768-49151 of the ephemeral range 32768-65535 of 192.0.2.0/24 "
                + "(the policy's 'ephemeral' setting)"), setting.toString());
        List<Finding> unset = verify("PP203", STATELESS
                + "allow tcp from web1 port 443 to clients port 32768-60999   # expect: PP203\n");
        assertTrue(unset.get(0).message().contains("(the language's default 'ephemeral')"), unset.toString());
        // Stateful: no return rules are needed, so none is judged.
        verify("PP203", "default inbound deny\nhost win1 = 10.0.0.20 os windows\n"
                + "allow tcp from any port 443 to win1 port 32768-60999\n");
    }

    @Test
    void ephemeralMismatchJudgesRepliesNotRequests() {
        // A request from the clients' ports is no return rule, whatever its destination port.
        verify("PP203", STATELESS
                + "allow tcp/33060 from clients port 1024-65535 to web1\n"
                + "allow tcp from web1 port 33060 to clients port 1024-65535\n");
    }

    @Test
    void ephemeralMismatchJudgesTheWholeReturnPath() {
        // Two return rules together admit the whole range: nothing is missed.
        verify("PP203", STATELESS
                + "allow https from win1 to web1\n"
                + "allow tcp from web1 port 443 to win1 port 49152-57343\n"
                + "allow tcp from web1 port 443 to win1 port 57344-65535\n");
        // A gap between them is what both are told, not each other's ports.
        List<Finding> gap = verify("PP203", STATELESS
                + "allow tcp from clients port 443 to win1 port 49152-57343   # expect: PP203\n"
                + "allow tcp from clients port 443 to win1 port 58000-65535   # expect: PP203\n");
        for (Finding finding : gap) {
            assertTrue(finding.message().endsWith(
                    "replies to 57344-57999 of the ephemeral range 49152-65535 of win1 (windows)"), gap.toString());
        }
    }

    @Test
    void ephemeralMismatchBetweenCloudGroupsNamesTheClientGroupOnce() {
        // The replies leave db for web, and enter web, a target of the policy too: web's range is
        // told where they enter it, not again as web's addresses where they leave db.
        List<Finding> found = verify("PP203", "stateless\ndefault inbound deny\ndefault outbound deny\n"
                + "group web = 10.0.1.0/24\ngroup db = 10.0.2.0/24\n"
                + "allow postgres from web to db\n"
                + "allow tcp from db port 5432 to web port 32768-60999   # expect: PP203\n");
        assertTrue(found.get(0).message().endsWith("no rule admits its replies to 61000-65535 of the ephemeral range "
                + "49152-65535 of web (the language's default 'ephemeral')"), found.toString());
    }

    @Test
    void ephemeralMismatchIsNotADenyAboveAReturnRuleOfTheWholeRange() {
        // The return rules' ports miss nothing: a deny above them drops some replies, which is
        // missing-return-path's (PP201) finding, and writing 'port ephemeral' would change nothing.
        verify("PP203", STATELESS
                + "deny tcp from web1 to clients port 50000-51000\n"
                + "allow tcp from web1 port 443 to clients port ephemeral\n"
                + "deny tcp from clients port 443 to win1 port 50000-51000\n"
                + "allow tcp from clients port 443 to win1 port ephemeral\n");
        // A range that misses ports is still told, the deny's ports apart.
        List<Finding> found = verify("PP203", STATELESS
                + "deny tcp from clients port 443 to win1 port 50000-51000\n"
                + "allow tcp from clients port 443 to win1 port 32768-60999   # expect: PP203\n");
        assertTrue(found.get(0).message().endsWith(
                "replies to 61000-65535 of the ephemeral range 49152-65535 of win1 (windows)"), found.toString());
        // Only the return rule's own ports are excused: a later rule a deny shadows adds none.
        verify("PP203", STATELESS
                + "allow tcp from clients port 443 to win1 port 32768-60999   # expect: PP203\n"
                + "deny tcp from any to win1 port 61000-65535\n"
                + "allow tcp from clients to win1\n");
    }
}
