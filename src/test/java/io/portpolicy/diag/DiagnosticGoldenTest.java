package io.portpolicy.diag;

import org.approvaltests.Approvals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One approved output per kind of diagnostic, from the real CLI ({@code lint}) run in-process.
 * Each golden file shows the input files, the exit code and everything printed, with the
 * temporary directory shown as {@code TMP}.
 */
class DiagnosticGoldenTest {

    /** Phrases of ANTLR's own messages; users must never see them. */
    static final List<String> ANTLR_PHRASES = List.of(
            "mismatched input", "expecting {", "extraneous input", "no viable alternative",
            "missing ", "token recognition error", "<EOF>");

    @TempDir
    Path dir;

    /** Lints the first of {@code files}, checks it failed cleanly, and verifies the output. */
    private void verifyError(String... files) throws IOException {
        CliRun run = CliRun.lint(dir, files);
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains(": error: "), run.err());
        assertFalse(run.err().contains("\u001b"), "no colour without a terminal");
        for (String phrase : ANTLR_PHRASES) {
            assertFalse(run.err().contains(phrase), () -> "ANTLR phrasing '" + phrase + "' in:\n" + run.err());
        }
        verify(run, files);
    }

    /**
     * Lints the first of {@code files}, checks that it warned without failing, and verifies the
     * output; the findings (stdout) are lint's business, not the warnings', and are left out.
     */
    private void verifyWarning(String... files) throws IOException {
        CliRun run = CliRun.lint(dir, files);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains(": warning: "), run.err());
        assertFalse(run.err().contains(": error: "), run.err());
        verify(new CliRun(run.exit(), "(the findings)\n", run.err()), files);
    }

    private void verify(CliRun run, String... files) {
        StringBuilder golden = new StringBuilder();
        for (int i = 0; i < files.length; i += 2) {
            golden.append("=== ").append(files[i]).append(" ===\n").append(files[i + 1]);
            if (!files[i + 1].endsWith("\n")) golden.append("\n");
        }
        golden.append("=== exit ").append(run.exit()).append(" ===\n");
        golden.append("=== stdout ===\n").append(run.out());
        golden.append("=== stderr ===\n").append(run.err());
        Approvals.verify(golden.toString().replace(dir.toString(), "TMP"));
    }

    // ---- names ----------------------------------------------------------------

    @Test
    void unknownNameWithSuggestion() throws IOException {
        verifyError("main.policy", """
                host jumphost = 10.0.0.5
                host web1 = 10.0.1.11
                allow tcp/22 from jumphots to web1
                """);
    }

    @Test
    void unknownNamesDifferingOnlyInCase() throws IOException {
        // Names are case-sensitive; a name in other case is suggested however many letters differ.
        verifyError("main.policy", """
                host WEB = 10.0.0.1
                allow HTTPS from 10.0.0.0/8 to web
                """);
    }

    @Test
    void unknownNameWithoutSuggestion() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.1.11
                allow tcp/22 from bastion to web1
                """);
    }

    @Test
    void serviceNameUsedAsAddress() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.1.11
                allow tcp/22 from https to web1
                """);
    }

    @Test
    void addressNameUsedAsService() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.1.11
                host jumphost = 10.0.0.5
                allow jumphost from any to web1
                """);
    }

    @Test
    void unknownServiceWithSuggestion() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.1.11
                allow htps from any to web1
                """);
    }

    @Test
    void duplicateDefinition() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.1.11
                group web1 = 10.0.1.0/24
                """);
    }

    @Test
    void duplicateDefinitionAcrossInclude() throws IOException {
        verifyError("main.policy", """
                include "common.policy"
                host db1 = 10.0.2.21
                """,
                "common.policy", """
                network office = 192.0.2.0/24
                host db1 = 10.0.2.22
                """);
    }

    @Test
    void hostAddressListedTwice() throws IOException {
        // The same address however written: the repeat most likely stands for an address left out.
        verifyError("main.policy", """
                host web1 = 10.0.1.11, 2001:db8:1::11, 10.0.1.11
                host web2 = 2001:db8:1::12, 2001:DB8:1:0::12
                """);
    }

    @Test
    void groupCycle() throws IOException {
        verifyError("main.policy", """
                group web = web1, edge
                group edge = proxies
                group proxies = web
                host web1 = 10.0.1.11
                """);
    }

    @Test
    void serviceCycle() throws IOException {
        verifyError("main.policy", """
                service app = tcp/8080, api
                service api = app
                """);
    }

    @Test
    void includeCycle() throws IOException {
        verifyError("main.policy", """
                include "a.policy"
                """,
                "a.policy", """
                include "b.policy"
                """,
                "b.policy", """
                include "a.policy"
                """);
    }

    @Test
    void includeOfAnEmptyPathOrADirectory() throws IOException {
        // Said as written: not "cannot read ''" for '.', nor "it is a directory" for "".
        verifyError("main.policy", """
                include ""
                include "."
                """);
    }

    @Test
    void missingInclude() throws IOException {
        verifyError("main.policy", """
                include "comon.policy"
                """);
    }

    @Test
    void missingIncludeWithSuggestion() throws IOException {
        verifyError("main.policy", """
                include "comon.policy"
                """,
                "common.policy", """
                host jumphost = 10.0.0.5
                """);
    }

    // ---- addresses ------------------------------------------------------------

    @Test
    void ipv4OctetOutOfRange() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.0.256
                """);
    }

    @Test
    void ipv4LeadingZeros() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.0.010
                """);
    }

    @Test
    void hexadecimalAddress() throws IOException {
        verifyError("main.policy", """
                host web1 = 0x0a000001
                allow tcp/22 from 0x7f.1.1.1 to web1
                """);
    }

    @Test
    void emptyPortList() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.1.11
                allow tcp/{} from any to web1
                """);
    }

    @Test
    void invalidIpv6() throws IOException {
        verifyError("main.policy", """
                host web1 = 2001:db8::1::2
                """);
    }

    @Test
    void invalidIpv6WithLettersBeyondHex() throws IOException {
        // Said as the IPv6 address written, as a bad IPv4 address is, not as a stray name after part of it.
        verifyError("main.policy", """
                host a = 2001:db8::zz
                group g = 2001:db8::1g, 10.0.0.1
                """);
    }

    @Test
    void ipv6Zone() throws IOException {
        // A zone names an interface of one machine: refused wherever an address is written.
        verifyError("main.policy", """
                host web1 = 2001:db8::1%eth0
                network lan = fe80::1-fe80::ff%br-lan, fe80::%1/64
                allow ssh from 2001:db8::2%eth0 to web1
                """);
    }

    @Test
    void cidrPrefixOutOfRange() throws IOException {
        verifyError("main.policy", """
                network office = 192.0.2.0/33, 2001:db8::/129
                """);
    }

    @Test
    void cidrPrefixLeadingZeros() throws IOException {
        // Refused like an octet with a leading zero: '/08' could be a typo for '/28' or '/8'.
        verifyError("main.policy", """
                network office = 10.0.0.0/08, 2001:db8::/032
                group lab = 192.0.2.0/024
                """);
    }

    @Test
    void backwardsAddressRange() throws IOException {
        verifyError("main.policy", """
                network partners = 198.51.100.20-198.51.100.10
                """);
    }

    /** An IPv4-mapped address in a message or hint is written as people write it, ::ffff:10.0.0.9. */
    @Test
    void ipv4MappedAddressesInErrors() throws IOException {
        verifyError("main.policy", """
                host a = ::ffff:10.0.0.9, ::ffff:a00:9
                host b = ::ffff:a00:9
                network n = ::ffff:10.0.0.20-::ffff:10.0.0.10
                """);
    }

    @Test
    void mixedFamilyAddressRange() throws IOException {
        verifyError("main.policy", """
                network partners = 198.51.100.10-2001:db8::10
                """);
    }

    /**
     * IPv6 written for IPv4 (::ffff:10.0.0.9, or the deprecated ::10.0.0.9) is warned of once
     * where it is written, however often it is used; ::1, ::, ::a00:9 and blocks wider than
     * the IPv4 part are not. The hint names the IPv4 block a CIDR covers (host bits masked), a
     * single address for /128, and for all of IPv4 says that as written no IPv4 packet matches.
     */
    @Test
    void ipv4MappedAddresses() throws IOException {
        verifyWarning("main.policy", """
                import "inventory.yaml"
                host web1 = 10.0.1.11, ::ffff:10.0.1.12
                host lo6 = ::1
                network legacy = ::ffff:10.0.0.0/104, ::ffff:10.1.0.1-::ffff:10.1.0.9, ::ffff:a00:9
                network compatible = ::10.2.0.1, ::a00:9, ::/128, ::10.3.0.0/112
                network wide = ::ffff:0:0/95, ::10.4.0.1-::ffff:10.4.0.9
                network masked = ::ffff:10.4.0.0/100, ::ffff:10.1.0.0/104, ::ffff:10.3.0.0/128, ::10.5.0.0/128
                network every = ::ffff:0:0/96, ::0.0.0.0/96, ::ffff:10.0.0.0/96, ::ffff:0.0.0.0-::ffff:255.255.255.255
                group partners = legacy, ::ffff:198.51.100.0/120
                allow ssh from ::ffff:192.0.2.7 to web1
                allow https from legacy to web1
                """,
                "inventory.yaml", """
                hosts:
                  db1: { addresses: ["::ffff:10.0.2.21"] }
                groups:
                  office: ["::ffff:203.0.113.0-::ffff:203.0.113.63"]
                """);
    }

    // ---- ports, dates, values -----------------------------------------------------

    @Test
    void portOutOfRange() throws IOException {
        verifyError("main.policy", """
                allow tcp/65536 from any
                """);
    }

    @Test
    void backwardsPortRange() throws IOException {
        verifyError("main.policy", """
                allow tcp/100-50 from any
                """);
    }

    @Test
    void invalidDate() throws IOException {
        verifyError("main.policy", """
                allow tcp/8080 from any expires 2026-02-30
                """);
    }

    @Test
    void unknownOsWithSuggestion() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.1.11 os linx
                """);
    }

    @Test
    void unknownIcmpType() throws IOException {
        verifyError("main.policy", """
                allow icmp/echo-requets from any
                """);
    }

    @Test
    void icmpTypeOfTheOtherFamily() throws IOException {
        // Named in the other ICMP's table: say so, rather than list the types of this one.
        verifyError("main.policy", """
                allow icmp/neighbor-solicitation from 10.0.0.0/8
                allow icmpv6/source-quench from any6
                allow icmp/packet-too-big from any4
                """);
    }

    @Test
    void badStringEscape() throws IOException {
        verifyError("main.policy", """
                allow tcp/443 from any comment "web \\n traffic"
                """);
    }

    @Test
    void destinationPortsGivenTwice() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.1.11
                allow tcp/443 from any to web1 port 8443
                """);
    }

    @Test
    void sourcePortWithIcmp() throws IOException {
        verifyError("main.policy", """
                allow tcp, icmp from any port 53
                """);
    }

    @Test
    void duplicateOption() throws IOException {
        verifyError("main.policy", """
                allow tcp/443 from any owner "web" comment "x" owner "payments"
                """);
    }

    @Test
    void hostOsGivenTwice() throws IOException {
        // Said like an option given twice, with where the first is; the host itself stands.
        verifyError("main.policy", """
                host web1 = 10.0.1.11 os linux os windows
                host web2 = 10.0.1.12 os linux
                    os linux
                allow ssh from web1 to web2
                """);
    }

    @Test
    void settingGivenTwice() throws IOException {
        verifyError("main.policy", """
                default inbound deny
                default outbound allow
                default inbound reject
                """);
    }

    // ---- syntax ---------------------------------------------------------------

    @Test
    void syntaxMissingEquals() throws IOException {
        verifyError("main.policy", """
                host web1 10.0.1.11
                """);
    }

    @Test
    void syntaxMisspeltKeyword() throws IOException {
        verifyError("main.policy", """
                allow tcp/22 form any
                """);
    }

    @Test
    void syntaxStrayToken() throws IOException {
        verifyError("main.policy", """
                allow tcp/22 from any }
                """);
    }

    @Test
    void syntaxClauseAfterOption() throws IOException {
        verifyError("main.policy", """
                allow tcp/22 log from any
                """);
    }

    @Test
    void syntaxUnterminatedString() throws IOException {
        verifyError("main.policy", """
                allow tcp/443 from any comment "web traffic
                allow tcp/80 from any
                """);
    }

    @Test
    void syntaxBackslashEndingAStringsLine() throws IOException {
        // Strings are on one line: a '\' before the line end escapes nothing, so the string ends
        // there, unterminated, and the rules on the next lines are read, each error once.
        verifyError("main.policy", """
                allow tcp/22 from any comment "share C:\\
                allow tcp/80 from jumphots comment "x"
                allow tcp/81 from 10.0.0.1 owner "ops\\
                allow tcp/82 from bastion
                """);
    }

    @Test
    void syntaxBrokenDefinitionsAreNotAlsoUnknownNames() throws IOException {
        // Each definition's mistake once; the rules naming them get no 'unknown name' as well.
        verifyError("main.policy", """
                host web2 10.0.1.12
                network office = 192.0.2.0/24,
                service app = tcp/8080,
                allow app from office to web2
                allow tcp/22 from jumphots to web2
                """);
    }

    @Test
    void syntaxEachBrokenLineOnce() throws IOException {
        // Reading resumes at the next line that starts a statement, a misspelt one (line 3)
        // included, not at a keyword inside a broken line (line 5), nor at a line that goes on
        // with a broken statement (line 7).
        verifyError("main.policy", """
                host a = 10.0.0.1
                allow tcp/22 from to a
                alow tcp/80 to a
                deny tcp/1 frm a
                allow tcp/22 from ( to a allow tcp/80
                allow tcp/23 from ,
                    to a
                allow tcp/24 from a to a
                """);
    }

    @Test
    void syntaxUnexpectedCharacter() throws IOException {
        verifyError("main.policy", """
                allow tcp/22 from any @ log
                """);
    }

    @Test
    void syntaxPortsListedWithoutBraces() throws IOException {
        // The comma ends the ports ('port 80, 443'), or starts the next service ('tcp/80, 443').
        verifyError("main.policy", """
                allow tcp from 10.0.0.1 port 1024-2000, 443 to 10.0.0.2
                allow tcp/80, 443 from 10.0.0.1
                """);
    }

    @Test
    void syntaxValuesQuotedWrongAndClausesOutOfOrder() throws IOException {
        verifyError("main.policy", """
                include common.policy
                allow ssh from 10.0.0.0/8 owner payments
                allow ssh from 10.0.0.0/8 expires "2026-12-01"
                allow ssh to 10.0.0.1 from 10.0.0.0/8
                """);
    }

    @Test
    void syntaxCidrWithANetmask() throws IOException {
        // The prefix length the mask stands for; a wildcard mask (0.0.0.255) stands for none.
        verifyError("main.policy", """
                network office = 192.0.2.0/255.255.255.0
                network lab = 10.9.0.0/0.0.255.255
                """);
    }

    @Test
    void syntaxInvisibleLookAlikeAndMistypedCharacters() throws IOException {
        // Each said by code point and name when it is not ASCII, with what to write instead.
        verifyError("main.policy", """
                host a = 10.0.0.1\u200b
                host \u0430 = 10.0.0.2
                host c = 10.0.0.3 \\
                    os linux
                allow ssh from 10.0.0.0/8 comment \u201cfrom the VPN\u201d
                """);
    }

    @Test
    void syntaxEndOfFileMidRule() throws IOException {
        verifyError("main.policy", """
                allow tcp/22 from
                """);
    }

    @Test
    void syntaxProtocolAndPortWrittenWithAColon() throws IOException {
        // gcloud's tcp:22: the hint gives the port as written, after '/'.
        verifyError("main.policy", """
                host a = 10.0.0.1
                allow tcp:22 from 10.0.0.2 to a
                service web = tcp:8000-8080
                """);
    }

    @Test
    void syntaxListItemsWithoutACommaBetween() throws IOException {
        // A hint where the line is a definition's list; none where a new statement is expected (line 6).
        verifyError("main.policy", """
                host web1 = 10.0.1.11 2001:db8::11
                host web2 = 10.0.1.12
                group web = web1 web2
                network office = 192.0.2.0/24 198.51.100.0/24
                service web = tcp/{80, 443} udp/443
                group db = web1
                web2
                network lab = 10.9.0.0/16 web1
                """);
    }

    @Test
    void syntaxReservedWordAsName() throws IOException {
        verifyError("main.policy", """
                host from = 10.0.0.5
                """);
    }

    @Test
    void syntaxRuleMissingServicesOrAddresses() throws IOException {
        // 'from' or 'to' where a service or an address belongs was left out, not meant as a name.
        verifyError("main.policy", """
                host web1 = 10.0.1.11
                allow from 192.0.2.0/24 to web1
                deny to web1
                allow ssh from to web1
                """);
    }

    @Test
    void syntaxErrorInADefinitionDoesNotMakeItsNameUnknown() throws IOException {
        // The names are defined, though their definitions did not parse: "did you mean 'web1'?" would mislead.
        verifyError("main.policy", """
                host web1 = 10.0.1.11
                group web = web1,, 10.0.1.12
                service app = tcp/8080,
                allow app from 192.0.2.0/24 to web
                """);
    }

    @Test
    void syntaxMisspeltDefaultIsOneError() throws IOException {
        // The action after 'inbound' belongs to the misspelt setting; it does not start a rule.
        verifyError("main.policy", """
                defualt inbound deny
                host web1 = 10.0.1.11
                """);
    }

    @Test
    void syntaxStatementKeywordAsName() throws IOException {
        // One error per line: the keyword is not also read as the start of another statement.
        verifyError("main.policy", """
                host network = 10.0.0.1
                group allow = 10.0.0.2
                allow ssh from default to 10.0.0.3
                """);
    }

    @Test
    void syntaxOtherFirewallsWordsForActions() throws IOException {
        // 'accept' is not a misspelt 'except'; 'default deny' misses its direction, and its
        // 'deny' does not start a rule.
        verifyError("main.policy", """
                accept ssh from 10.0.0.1
                default deny
                default outbound drop
                """);
    }

    @Test
    void syntaxMisspeltActionAfterDefault() throws IOException {
        // Only the actions are expected there: no hint of 'except'.
        verifyError("main.policy", """
                default inbound accept
                """);
    }

    @Test
    void unknownProtocolWithPorts() throws IOException {
        // A word before '/' is a protocol: one error each, not also a stray '/' after a service name.
        verifyError("main.policy", """
                host h = 10.0.0.1
                allow tpc/22 from 10.0.0.2 to h
                allow sctp/9899 from 10.0.0.2 to h
                allow https/443 from 10.0.0.2 to h
                """);
    }

    @Test
    void serviceNameWrittenAsPort() throws IOException {
        verifyError("main.policy", """
                allow tcp/https from 10.0.0.0/8
                """);
    }

    @Test
    void misspeltProtocol() throws IOException {
        verifyError("main.policy", """
                host h = 10.0.0.1
                allow tpc from 10.0.0.2 to h
                allow icmpv from 10.0.0.2 to h
                """);
    }

    @Test
    void loneCarriageReturnIsRefused() throws IOException {
        // Some viewers show the allow on a line of its own, others inside the comment.
        CliRun run = CliRun.lint(dir, "main.policy", "host h = 10.0.0.1  # note\r allow tcp/23 from any to h\n");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("main.policy:1:26: error: a carriage return without a line feed after it"),
                run.err());
    }

    @Test
    void severalErrorsSortedByLocation() throws IOException {
        verifyError("main.policy", """
                host web1 = 10.0.1.11 os linx
                allow tcp/22 form any
                allow tcp/65536 from jumphots to web1
                host web2 = 10.0.1.300
                include "missing.policy"
                """);
    }

    // ---- YAML inventories -----------------------------------------------------------

    @Test
    void yamlSyntaxError() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  web1: { addresses: [10.0.1.11, os: linux }
                """);
    }

    @Test
    void yamlUnknownKey() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  web1:
                    addresses: [10.0.1.11]
                    os: linux
                    role: web
                """);
    }

    @Test
    void hostHoldingACidrOrRange() throws IOException {
        verifyError("main.policy", """
                host h2 = 10.0.0.0/24
                host h3 = 10.0.0.1, 10.0.0.5-10.0.0.9 os linux
                host h4 = 2001:db8::/64
                host h5 = 10.0.0.2/32
                host h6 = 2001:db8::1/128
                host h7 = 10.8.0.0/016
                """);
    }

    @Test
    void yamlMisspeltAddressesKey() throws IOException {
        // One error with the key meant; not also "no addresses", whose hint would add a second list.
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  web1: { adresses: [10.0.1.11], os: linux }
                """);
    }

    @Test
    void yamlKeyThatIsAList() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  ? [web1, web2]
                  : { addresses: [10.0.1.11] }
                """);
    }

    @Test
    void yamlWrongShape() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  - web1
                  - web2
                """);
    }

    @Test
    void yamlBadAddress() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  web1: { addresses: [10.0.1.311], os: linux }
                """);
    }

    @Test
    void yamlIpv6Zone() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  web1: { addresses: ["2001:db8::1%eth0"], os: linux }
                groups:
                  lan: ["fe80::1%br-lan", "fe80::1-fe80::ff%br-lan", "fe80::%1/64"]
                """);
    }

    @Test
    void yamlHostWithAnEmptyAddressList() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  web1: { addresses: [], os: linux }
                """);
    }

    /** A CIDR as a host's address is refused in the words a policy uses, not as an invalid address. */
    @Test
    void yamlHostWithACidr() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  db1: { addresses: [10.0.1.11/32] }
                  db2: { addresses: [10.0.2.0/24, 2001:db8::12/128] }
                  db3: { addresses: [10.0.3.5-10.0.3.9] }
                  db4: { addresses: [web-5.example.com] }
                """);
    }

    @Test
    void yamlNamesFollowTheLanguage() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  any: { addresses: [10.0.0.1] }
                  "1bad name": { addresses: [10.0.0.2] }
                  web1: { addresses: [10.0.0.3], groups: [from] }
                groups:
                  self: [10.0.0.9]
                """);
    }

    @Test
    void yamlAlias() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                groups:
                  web: &db [10.0.2.0/24]
                  db: [10.0.3.0/24]
                  backup: *db
                """);
    }

    @Test
    void yamlSecondDocument() throws IOException {
        verifyError("main.policy", """
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                hosts:
                  a: { addresses: [10.0.0.1] }
                ---
                hosts:
                  a: { addresses: [10.0.0.2], os: windows }
                """);
    }

    @Test
    void yamlNestedBeyondTheParsersLimitIsSaidInPlainWords() throws IOException {
        String deep = "groups:\n  g: " + "[".repeat(1200) + "]".repeat(1200) + "\n";
        CliRun run = CliRun.lint(dir, "main.policy", "import \"inventory.yaml\"\n", "inventory.yaml", deep);
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("inventory.yaml:2:"), run.err());
        assertTrue(run.err().contains("nested too deeply"), run.err());
        assertFalse(run.err().contains("Constraints"), run.err());
    }

    @Test
    void yamlUnknownGroupMember() throws IOException {
        verifyError("main.policy", """
                host jumphost = 10.0.0.5
                import "inventory.yaml"
                """,
                "inventory.yaml", """
                groups:
                  admins: [jumphots, 192.0.2.0/24]
                """);
    }
}
