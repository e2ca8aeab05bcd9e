package io.portpolicy.diff;

import io.portpolicy.lint.LintConfig;
import io.portpolicy.lint.SensitivePort;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a diff says beyond the packets: connection tracking, service names, the RISK flag's bounds. */
class DiffWordsTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);
    private static final String WEB = "host web1 = 10.0.1.11 os linux\ndefault inbound deny\ndefault outbound deny\n"
            + "allow tcp/443 from 192.0.2.0/24 to self\n";
    private static final String SSH_TO_WEB1 = "default inbound deny\nhost web1 = 10.0.0.10\n"
            + "allow ssh from 10.0.0.0/8 to web1\n";

    private static String text(String before, String after) {
        return report(before, after, LintConfig.DEFAULT).text();
    }

    private static DiffReport report(String before, String after, LintConfig config) {
        Policy old = DiffMatchesEngineTest.check(before);
        Policy neu = DiffMatchesEngineTest.check(after);
        PolicyDiff.Result result = PolicyDiff.compare(old, neu, TODAY, config);
        return new DiffReport(result, neu.services().values(), config.sensitivePorts());
    }

    @Test
    void turningStatelessIsAnAccessChangeThoughNoFirstPacketChanges() {
        Policy old = DiffMatchesEngineTest.check(WEB);
        Policy neu = DiffMatchesEngineTest.check("stateless\n" + WEB);
        PolicyDiff.Result result = PolicyDiff.compare(old, neu, TODAY, LintConfig.DEFAULT);
        assertTrue(result.changes().isEmpty(), "every first packet is decided alike");
        assertTrue(result.accessChanged());
        String text = new DiffReport(result, neu.services().values(), LintConfig.DEFAULT.sensitivePorts()).text();
        assertTrue(text.startsWith("access changed: replies no longer admitted by connection tracking"), text);
        assertTrue(text.contains("the new policy is stateless"), text);
        assertTrue(text("stateless\n" + WEB, WEB).startsWith("access changed: replies now admitted by connection tracking"));
        assertFalse(PolicyDiff.compare(neu, neu, TODAY, LintConfig.DEFAULT).accessChanged());
    }

    @Test
    void aServiceOfABuiltInsNameReplacesItInTheWords() {
        String old = "service ssh = tcp/2222\nhost h = 10.0.0.1\n";
        String text = text(old, old + "allow tcp/22 from 192.0.2.0/24\nallow ssh from 192.0.2.0/24\n");
        assertTrue(text.contains("tcp port 2222 (ssh)"), text);
        assertTrue(text.contains("tcp port 22 from"), text);
        assertFalse(text.contains("tcp port 22 (ssh)"), text);
    }

    @Test
    void aServiceWrittenPortByPortIsNamedForTheRangeItMakes() {
        String old = "host h = 10.0.0.1\n";
        String text = text(old, old + "service metrics = tcp/9100, tcp/9101\nallow docker from 10.0.0.5\n"
                + "allow metrics from 10.0.0.6\n");
        assertTrue(text.contains("opened: tcp ports 2375-2376 (docker) from 10.0.0.5 to h (IPv4)"), text);
        assertTrue(text.contains("opened: tcp ports 9100-9101 (metrics) from 10.0.0.6 to h (IPv4)"), text);
    }

    @Test
    void aTargetRenamedWithTheSameAddressesIsNoAccessChange() {
        String rules = "default inbound deny\nallow ssh from 10.0.0.5 to %1$s\nallow https from any to %1$s owner \"web\"\n";
        String host = "host %1$s = 10.0.1.11, 2001:db8:1::11 os linux\n" + rules;
        String group = "group %1$s = 10.0.1.0/24, 2001:db8:1::/64\n" + rules;
        for (String target : List.of(host, group)) {
            List<PolicyDiff.Change> changes = PolicyDiff.access(DiffMatchesEngineTest.check(target.formatted("web1")),
                    DiffMatchesEngineTest.check(target.formatted("web01")), TODAY);
            assertTrue(changes.isEmpty(), changes::toString);
        }
        // What else changed there is told once, at the target under its new name.
        String text = text(host.formatted("web1"), host.formatted("web01") + "allow tcp/8080 from 10.0.0.5 to web01\n");
        assertTrue(text.startsWith("access changed: 1 opened at 1 target (host web01)"), text);
    }

    /** With two groups gone that held its addresses, a new group was renamed from neither: it is new, both are gone. */
    @Test
    void aTargetIsNoRenameOfOneOfSeveralGoneWithItsAddresses() {
        String deny = "default inbound deny\ndefault outbound deny\n";
        String text = text(deny + "group g1 = 10.0.0.0/24\ngroup g2 = 10.0.0.0/24\nallow https from 192.0.2.0/24 to g1\n"
                + "allow ssh from 10.9.0.0/24 to g2\n", deny + "group g3 = 10.0.0.0/24\nallow https from 192.0.2.0/24 to g3\n");
        assertTrue(text.startsWith("access changed: 1 opened, 4 closed at 3 targets (group g3, group g1, group g2)\n"), text);
        assertTrue(text.contains("opened: tcp port 443 (https) from 192.0.2.0/24 to g3 (IPv4)\n"
                + "    before: not judged: no group named g3\n"), text);
        for (String gone : List.of("g1", "g2")) {
            assertTrue(text.contains("closed: tcp port 443 (https) from 192.0.2.0/24 to " + gone + " (IPv4)"), text);
            assertTrue(text.contains("after:  not judged: no group named " + gone + "\n"), text);
        }
    }

    @Test
    void aRenameAloneChangesNoFinding() {
        // The rules name the host, and the findings quote the rules, name the host, or end a sentence with it.
        String policy = "host %1$s = 10.0.0.5\nhost jump = 10.0.0.9\nallow tcp/23 from any to %1$s\n"
                + "allow tcp/22 from jump to %1$s\nallow tcp/22 from jump to %1$s\n";
        assertEquals("no access change\n", text(policy.formatted("web1"), policy.formatted("web-a")));
        // What else the change brings is still told, under the new name.
        String text = text(policy.formatted("web1"), policy.formatted("web-a") + "allow tcp/3306 from any to web-a\n");
        assertTrue(text.contains("lint findings: 2 introduced, 0 resolved"), text);
        assertTrue(text.contains("PP104 sensitive-port-exposed: admits MySQL and MariaDB (tcp/3306) from the whole world "
                + "to web-a"), text);
    }

    @Test
    void aRuleWhoseCommentCitesALocationOfItsOwnFileIsCompared() {
        // The cited rule's text holds a FILE:LINE of its own: it goes with the text, once.
        String policy = "host web1 = 10.0.0.5\nallow tcp/22 from 10.0.0.9 to web1\n"
                + "allow tcp/22 from 10.0.0.9 to web1 comment \"moved from <stdin>:2:400\"\n";
        Policy checked = DiffMatchesEngineTest.check(policy);
        PolicyDiff.Result result = PolicyDiff.compare(checked, checked, TODAY, LintConfig.DEFAULT);
        assertTrue(result.introduced().isEmpty() && result.resolved().isEmpty(), result::toString);
    }

    @Test
    void aFindingIsNewWhenOnlyItsIPv6RangeChanged() {
        String web = "default outbound deny\nhost web1 = 10.0.0.21, 2001:db8:1::21 os linux\n";
        String rule = "allow tcp from partners to web1\n";
        PolicyDiff.Result result = PolicyDiff.compare(
                DiffMatchesEngineTest.check(web + "network partners = 2001:db8:5::/64\n" + rule),
                DiffMatchesEngineTest.check(web + "network partners = 2001:db8:7::/64\n" + rule), TODAY,
                LintConfig.DEFAULT);
        assertTrue(result.introduced().stream().anyMatch(f -> f.ruleId().equals("PP106")
                && f.message().contains("from 2001:db8:7::/64")), result.introduced()::toString);
        assertTrue(result.resolved().stream().anyMatch(f -> f.ruleId().equals("PP106")
                && f.message().contains("from 2001:db8:5::/64")), result.resolved()::toString);
    }

    @Test
    void aFindingNamingALineThatMovedIsUnchanged() {
        String rules = "allow tcp/443 from 10.0.0.0/8 to web1\nallow tcp/443 from 10.1.0.0/16 to web1\n";
        String old = WEB + rules;
        PolicyDiff.Result result = PolicyDiff.compare(DiffMatchesEngineTest.check(old),
                DiffMatchesEngineTest.check("# moves every line down\n" + old), TODAY, LintConfig.DEFAULT);
        assertTrue(result.introduced().isEmpty() && result.resolved().isEmpty(),
                () -> result.introduced() + " " + result.resolved());
    }

    @Test
    void documentingOrWaivingARuleLeavesItsFindingsAlone() {
        String old = "host h = 10.0.0.1\nallow tcp/22 from any to h owner \"x\"";
        for (String added : List.of(" ticket \"OPS-1\"", " waive PP103 \"jump host\"",
                " log \"ssh\" comment \"jump\"")) {
            PolicyDiff.Result result = PolicyDiff.compare(DiffMatchesEngineTest.check(old + "\n"),
                    DiffMatchesEngineTest.check(old + added + "\n"), TODAY, LintConfig.DEFAULT);
            assertTrue(result.introduced().isEmpty() && result.resolved().isEmpty(),
                    () -> added + ": " + result.introduced() + " " + result.resolved());
        }
        // An exposure that now ends later is another grant: the access changes, judged today, do not show it.
        Policy later = DiffMatchesEngineTest.check(old + " expires 2027-12-31\n");
        PolicyDiff.Result extended = PolicyDiff.compare(DiffMatchesEngineTest.check(old + " expires 2026-12-31\n"),
                later, TODAY, LintConfig.DEFAULT);
        assertTrue(extended.introduced().stream().anyMatch(f -> f.ruleId().equals("PP103"))
                && extended.resolved().stream().anyMatch(f -> f.ruleId().equals("PP103")),
                () -> extended.introduced() + " " + extended.resolved());
        // The same words on both sides: each says which date it is about.
        DiffReport report = new DiffReport(extended, later.services().values(), LintConfig.DEFAULT.sensitivePorts());
        String text = report.text();
        assertTrue(text.matches("(?s).*findings introduced:\\n[^\\n]*PP103[^\\n]*\\(rule expires 2027-12-31\\).*"
                + "findings resolved:\\n[^\\n]*PP103[^\\n]*\\(rule expires 2026-12-31\\).*"), text);
        assertTrue(report.json().contains("\"ruleExpires\": \"2027-12-31\""));
    }

    @Test
    void documentingOrWaivingARuleLeavesTheFindingsThatCiteItAlone() {
        // The finding about line 3 cites line 2 by its text: a log or waiver added there says nothing new about line 3.
        String rules = "\nallow tcp/22 from 10.0.0.5 to h\n";
        String old = "host h = 10.0.0.1\nallow tcp/22 from any to h owner \"x\"";
        PolicyDiff.Result result = PolicyDiff.compare(DiffMatchesEngineTest.check(old + rules),
                DiffMatchesEngineTest.check(old + " log \"ssh\" waive PP103 \"jump host\"" + rules), TODAY,
                LintConfig.DEFAULT);
        assertTrue(result.introduced().isEmpty() && result.resolved().isEmpty(),
                () -> result.introduced() + " " + result.resolved());
    }

    @Test
    void anOpeningSplitIntoBlocksIsJudgedWhole() {
        // IPv6 neighbour discovery, always admitted, splits "every protocol" around it.
        String dual = "default outbound deny\nhost web1 = 10.0.1.11, 2001:db8:1::11 os linux\n"
                + "allow tcp/22 from 10.0.0.5 to web1\n";
        String ipv6 = text(dual, dual + "allow any from 2001:db8:5::/64 to web1\n");
        assertTrue(ipv6.contains("icmpv6 type 0-132, type 137-255 from 2001:db8:5::/64 to web1 (IPv6)\n"
                + "    RISK: every protocol and port"), ipv6);
        // A port already open splits it too.
        String ssh = "default outbound deny\nhost web1 = 10.0.1.11\nallow tcp/22 from 192.0.2.0/24 to web1\n";
        String ipv4 = text(ssh, ssh + "allow any from 192.0.2.0/24 to web1\n");
        assertTrue(ipv4.contains("tcp ports 0-21,23-65535 from 192.0.2.0/24 to web1 (IPv4)\n"
                + "    RISK: every protocol and port"), ipv4);
    }

    @Test
    void everyBlockOfAnOpeningOfEveryPortSaysSoAndNamesItsOwnPorts() {
        // Port 22 was open from 10.0.0.5 only: the opening is cut into the world's port 22 and the rest.
        String ssh = "host h = 10.0.0.1\nallow tcp/22 from 10.0.0.5\n";
        String text = text(ssh, ssh + "allow tcp from any owner \"o\"\n");
        assertTrue(text.contains("tcp ports 0-21,23-65535 from any IPv4 address except 10.0.0.1, 127.0.0.0/8 to h (IPv4)\n"
                + "    RISK: open to the whole world, remote administration ports 23, 3389, 5985, 5986, "
                + "sensitive ports 111 (ONC RPC portmapper), 135 (MS RPC endpoint mapper), 139 (NetBIOS session service) "
                + "and 34 more, every TCP port\n"), text);
        assertTrue(text.contains("tcp port 22 (ssh) from any IPv4 address except 10.0.0.1, 10.0.0.5, 127.0.0.0/8 to h (IPv4)\n"
                + "    RISK: open to the whole world, remote administration port 22, every TCP port\n"), text);
    }

    @Test
    void aPortThatStaysDeniedIsNeitherEveryProtocolNorEveryPort() {
        // Every other packet opens at once, but tcp/22 stays denied: the new side does not admit everything.
        String denied = "host h = 10.0.0.1\ndeny tcp/22 from any\n";
        String text = text(denied, "default inbound allow\n" + denied);
        assertTrue(text.contains("tcp ports 0-21,23-65535 from any IPv4 address except 10.0.0.1, 127.0.0.0/8 to h (IPv4)\n"
                + "    RISK: open to the whole world, remote administration ports 23, 3389, 5985, 5986, "
                + "sensitive ports 111 (ONC RPC portmapper), 135 (MS RPC endpoint mapper), 139 (NetBIOS session service) "
                + "and 34 more\n"), text);
        assertTrue(text.contains("every protocol but tcp from any IPv4 address except 10.0.0.1, 127.0.0.0/8 to h (IPv4)\n"
                + "    RISK: open to the whole world, every UDP port\n"), text);
        assertFalse(text.contains("every protocol and port"), text);
        // Only the rules near the change are built: the deny of tcp/22, far from udp, still counts.
        String udp = "host h = 10.0.0.1\ndeny tcp/22 from 10.0.0.5\n%sallow any from 10.0.0.5\n";
        String opened = text(udp.formatted("deny udp from 10.0.0.5\n"), udp.formatted(""));
        assertTrue(opened.contains("opened: udp from 10.0.0.5 to h (IPv4)\n    before:"), opened);
    }

    @Test
    void portsOpenedFromAFewAddressesDoNotMakeTheWorldsOpeningEveryPort() {
        String old = "host h = 10.0.0.1\n";
        String text = text(old, old + "allow tcp/80 from any\nallow tcp from 192.0.2.0/24\n");
        assertTrue(text.contains("tcp port 80 (http) from any IPv4 address except 10.0.0.1, 127.0.0.0/8 to h (IPv4)\n"
                + "    RISK: open to the whole world\n"), text);
    }

    @Test
    void aSensitivePortIsNamedAtTheBlockThatOpensIt() {
        String old = "default outbound deny\nhost web1 = 10.0.0.21 os linux\n";
        String text = text(old, old + "allow tcp/80 from any4 to web1\nallow tcp/3306 from any4 to web1\n");
        assertTrue(text.contains("tcp port 80 (http) from any IPv4 address except 10.0.0.21, 127.0.0.0/8 to web1 (IPv4)\n"
                + "    RISK: open to the whole world\n"), text);
        assertTrue(text.contains("RISK: open to the whole world, sensitive port 3306 (MySQL and MariaDB)"), text);
    }

    @Test
    void everySensitivePortABlockOpensIsNamedAndAnAdministrationPortOnlyOnce() {
        String old = "host h = 10.0.0.1\n";
        String databases = text(old, old + "allow tcp/{5432,3306} from any owner \"o\"\n");
        assertTrue(databases.contains("RISK: open to the whole world, sensitive ports 3306 (MySQL and MariaDB), "
                + "5432 (PostgreSQL)\n"), databases);
        String rdp = text(old, old + "allow tcp/3389 from any owner \"o\"\n");
        assertTrue(rdp.contains("RISK: open to the whole world, remote administration port 3389\n"), rdp);
    }

    @Test
    void anOpeningDecidedByTheDefaultIsFlaggedToo() {
        String windows = "host h = 10.0.0.1 os windows\ndefault inbound allow\ndeny tcp/23 from any\n";
        String rdp = text(windows + "deny tcp/3389 from any\n", windows);
        assertTrue(rdp.contains("tcp port 3389 from any IPv4 address except 10.0.0.1, 127.0.0.0/8 to h (IPv4)\n"
                + "    RISK: open to the whole world, remote administration port 3389"), rdp);
        String ssh = "host h = 10.0.0.1\nallow tcp/22 from 10.0.0.5\n";
        String everything = text(ssh, "default inbound allow\n" + ssh);
        assertTrue(everything.startsWith("access changed: 3 opened (3 risky)"), everything);
    }

    @Test
    void aSensitivePortOfTheConfigurationIsNamedAsLintNamesIt() {
        LintConfig payroll = new LintConfig(Map.of(), Set.of(),
                List.of(new SensitivePort(new PortRange(7777, 7777), Protocol.TCP, "Payroll", "pays everyone")), null);
        String old = "host h = 10.0.0.1\n";
        String text = report(old, old + "allow tcp/7777 from any owner \"o\"\n", payroll).text();
        assertTrue(text.contains("RISK: open to the whole world, sensitive port 7777 (Payroll)\n"), text);
        assertTrue(text.contains("PP104 sensitive-port-exposed: admits Payroll (tcp/7777)"), text);
    }

    @Test
    void everyUdpPortFromTheWorldIsEveryPort() {
        String old = "default outbound deny\nhost web1 = 10.0.0.21 os linux\n";
        String text = text(old, old + "allow udp from any4 to web1\n");
        assertTrue(text.contains("RISK: open to the whole world, every UDP port\n"), text);
    }

    @Test
    void everyProtocolFromTheWorldSaysEveryProtocol() {
        String old = "default outbound deny\nhost web1 = 10.0.0.21 os linux\n";
        String text = text(old, old + "allow any from any4 to web1\n");
        assertTrue(text.contains("RISK: open to the whole world, every protocol and port\n"), text);
        assertFalse(text.contains("TCP port") || text.contains("UDP port"), text);
    }

    @Test
    void theMarkdownTableShowsEveryRiskFirst() {
        String old = "host a = 10.0.0.1\nhost b = 10.0.0.2\n";
        String markdown = report(old, old + "allow tcp/22 from any to a\nallow tcp/443 from 10.0.0.5 to a\n"
                + "allow tcp/3389 from any to b\n", LintConfig.DEFAULT).markdown();
        List<String> rows = markdown.lines().filter(row -> row.contains("| opened |")).toList();
        assertEquals(3, rows.size(), markdown);
        assertTrue(rows.get(0).contains("host a inbound") && rows.get(0).startsWith("| **RISK:**"), markdown);
        assertTrue(rows.get(1).contains("host b inbound") && rows.get(1).startsWith("| **RISK:**"), markdown);
        assertTrue(rows.get(2).contains("tcp port 443") && rows.get(2).startsWith("|  |"), markdown);
    }

    @Test
    void mostProtocolsAreNamedByTheFewLeftOut() {
        String ssh = "default outbound deny\nhost web1 = 10.0.1.11\nallow tcp/22 from 192.0.2.0/24 to web1\n";
        String text = text(ssh, ssh + "allow any from 192.0.2.0/24 to web1\n");
        assertTrue(text.contains("opened: every protocol but tcp from 192.0.2.0/24 to web1 (IPv4)"), text);
    }

    @Test
    void sourcePortsAreNamedWithTheSource() {
        String old = "default outbound deny\nhost app1 = 10.0.1.12\n";
        String text = text(old, old + "allow tcp from 10.0.1.11 port 8080 to app1 port 32768-49151\n"
                + "allow udp from app1 port 53 to 10.0.1.11\n");
        assertTrue(text.contains("opened: tcp ports 32768-49151 from 10.0.1.11 port 8080 to app1 (IPv4)"), text);
        assertTrue(text.contains("opened: udp from app1 port 53 to 10.0.1.11 (IPv4)"), text);
    }

    @Test
    void addressesReadAsRangesKeepTheRangesThatAreOneBlockAsCidrs() {
        // Eight CIDR blocks, three ranges: the ranges are fewer words, but a /24 is still written as one.
        String old = "host h = 10.0.0.1\n";
        String text = text(old, old + "allow tcp/8443 from 10.1.0.10-10.1.0.30, 10.2.0.0/24, 10.3.0.0/24\n");
        assertTrue(text.contains("opened: tcp port 8443 from 10.1.0.10-10.1.0.30, 10.2.0.0/24, 10.3.0.0/24 to h (IPv4)"),
                text);
    }

    @Test
    void ipv4MappedAddressesAreWrittenWithTheirIpv4PartDotted() {
        String old = "host h = 2001:db8::1\n";
        String text = text(old, old + "allow tcp/8443 from ::ffff:10.1.0.10-::ffff:10.1.0.30, ::ffff:10.2.0.0/120\n");
        assertTrue(text.contains("opened: tcp port 8443 from ::ffff:10.1.0.10-::ffff:10.1.0.30, ::ffff:10.2.0.0/120 to h"
                + " (IPv6)"), text);
    }

    @Test
    void aWideRangeIsWiderThanASlash16() {
        String old = "host h = 10.0.0.1\n";
        assertFalse(text(old, old + "allow tcp/3389 from 10.64.0.0/16\n").contains("RISK"));
        assertTrue(text(old, old + "allow tcp/3389 from 10.64.0.0/15\n").contains("RISK: open to a wide range"));
    }

    @Test
    void blocksThatDifferInIcmpCodesAndSourcesStayApart() {
        // Code 3 is denied from 10.1.0.0/16, so it opens from fewer sources than codes 0-2 and 4-255 do.
        String text = text(SSH_TO_WEB1, SSH_TO_WEB1
                + "deny icmp/destination-unreachable:3 from 10.1.0.0/16 to web1\n"
                + "allow icmp/destination-unreachable from 10.0.0.0/8 to web1\n");
        assertTrue(text.startsWith("access changed: 2 opened (2 risky) at 1 target (host web1)"), text);
        assertTrue(text.contains("opened: icmp destination-unreachable code 3 from 10.0.0.0/8 except 10.0.0.10, "
                + "10.1.0.0/16 to web1 (IPv4)\n"), text);
        assertTrue(text.contains("opened: icmp destination-unreachable code 0-2,4-255 from 10.0.0.0/8 except 10.0.0.10 "
                + "to web1 (IPv4)\n"), text);
    }

    @Test
    void anOpenedIcmpCodeIsNamed() {
        String text = text(SSH_TO_WEB1, SSH_TO_WEB1 + "allow icmp/destination-unreachable:4 from 10.0.0.0/8 to web1\n");
        assertTrue(text.contains("opened: icmp destination-unreachable code 4 from 10.0.0.0/8 except 10.0.0.10 to web1"),
                text);
    }
}
