package io.portpolicy.cli;

import io.portpolicy.diag.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code query} refuses to answer, and how it says so. */
class QueryCommandTest {

    private static final String POLICY = """
            host web1 = 10.0.1.11, 2001:db8:1::11
            network office = 192.0.2.0/24
            allow any from 10.0.0.5 to web1
            allow any from 2001:db8::5 to web1
            """;

    @TempDir
    Path dir;

    private CliRun query(String... args) throws IOException {
        return queryPolicy(POLICY, args);
    }

    private CliRun queryPolicy(String text, String... args) throws IOException {
        Path policy = Files.writeString(dir.resolve("p.policy"), text, StandardCharsets.UTF_8);
        List<String> all = new ArrayList<>(List.of("query", policy.toString()));
        all.addAll(List.of(args));
        return CliRun.run(false, all.toArray(String[]::new));
    }

    private void assertUsageError(CliRun run, String message) {
        assertEquals(2, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains(message), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void addressesAreReadAsThePolicyLanguageReadsThem() throws IOException {
        CliRun allowed = query("--from", "10.0.0.5", "--to", "web1", "--proto", "tcp", "--port", "22");
        assertEquals(0, allowed.exit(), allowed.err());
        CliRun v6 = query("--from", "2001:db8::5", "--to", "web1", "--proto", "tcp", "--port", "22");
        assertEquals(0, v6.exit(), v6.err());
        assertEquals("", v6.err());
    }

    @Test
    void anExpiredRuleThatWouldDecideOtherwiseIsNamed() throws IOException {
        String policy = "host web = 10.0.0.5 os linux\ndefault inbound deny\n"
                + "allow tcp/8080 from 10.1.0.0/16 to web expires 2026-01-01 owner \"ops\"\n"
                + "allow tcp/8080 from 10.1.2.0/24 to web\n";
        CliRun denied = queryPolicy(policy, "--from", "10.1.9.9", "--to", "web", "--proto", "tcp", "--port", "8080",
                "--today", "2026-01-02");
        assertEquals(1, denied.exit(), denied.err());
        assertTrue(denied.out().contains("    decided by " + dir.resolve("p.policy") + ":2:1: default inbound deny\n"
                + "    expired, so not compiled: " + dir.resolve("p.policy") + ":3:1: allow tcp/8080 from 10.1.0.0/16 to web expires 2026-01-01 owner"
                + " \"ops\" would allow it\n"), denied.out());
        // Where it would decide alike, or has not expired, it is not in the answer.
        CliRun allowed = queryPolicy(policy, "--from", "10.1.2.9", "--to", "web", "--proto", "tcp", "--port", "8080",
                "--today", "2026-01-02");
        assertFalse(allowed.out().contains("expired"), allowed.out());
        CliRun inForce = queryPolicy(policy, "--from", "10.1.9.9", "--to", "web", "--proto", "tcp", "--port", "8080",
                "--today", "2026-01-01");
        assertEquals(0, inForce.exit(), inForce.err());
        assertFalse(inForce.out().contains("expired"), inForce.out());
    }

    @Test
    void aWrittenDefaultThatDecidesIsNamedWhereItIsWritten() throws IOException {
        // An included file may set the default: the answer says which line to change.
        Files.writeString(dir.resolve("common.policy"), "# shared\ndefault inbound reject\n", StandardCharsets.UTF_8);
        String policy = "host web1 = 10.0.1.11\ninclude \"common.policy\"\n";
        CliRun rejected = queryPolicy(policy, "--from", "10.0.0.9", "--to", "web1", "--proto", "tcp", "--port", "22");
        assertEquals(1, rejected.exit(), rejected.err());
        assertTrue(rejected.out().contains("  inbound at host web1: reject\n    decided by "
                + dir.resolve("common.policy") + ":2:1: default inbound reject\n"), rejected.out());
        // The language's default, written nowhere, has no place to name.
        CliRun denied = query("--from", "10.0.0.9", "--to", "web1", "--proto", "tcp", "--port", "22");
        assertTrue(denied.out().contains("    decided by default inbound deny\n"), denied.out());
    }

    @Test
    void inAPolicyOfGroupsTheGroupsHoldingAnAddressAreNamed() throws IOException {
        String policy = "group web = 10.0.1.0/24\ngroup all = 10.0.0.0/16\nallow https from any to web\n";
        String nowhere = "neither '198.51.100.7' nor '10.0.1.5' is a host or group of this policy, or an address of a host;"
                + " name the host or group to judge the packet at";
        assertUsageError(queryPolicy(policy, "--from", "198.51.100.7", "--to", "10.0.1.5", "--proto", "tcp", "--port",
                "443"), nowhere + "; --to 10.0.1.5 is in groups 'all', 'web' (name one of them with --to)");
        assertUsageError(queryPolicy(policy, "--from", "10.0.9.5", "--to", "198.51.100.7", "--proto", "tcp", "--port",
                "443"), "; --from 10.0.9.5 is in group 'all' (name it with --from all)");
    }

    @Test
    void anEmptyAddressIsAnErrorNotLoopback() throws IOException {
        assertUsageError(query("--from", "", "--to", "web1", "--proto", "tcp", "--port", "22"),
                "--from is empty; give an address, or a host or group of the policy");
    }

    @Test
    void shorthandOctalAndHexAddressesAreRefusedWithTheLanguagesHint() throws IOException {
        for (String written : List.of("010.0.0.5", "10.5", "0x0a000005", "167772165", "10.0.0.256")) {
            assertUsageError(query("--from", written, "--to", "web1", "--proto", "tcp", "--port", "22"),
                    "--from: invalid IPv4 address '" + written + "'; an IPv4 address is four numbers 0-255"
                            + " without leading zeros, such as 192.0.2.10");
        }
        assertUsageError(query("--from", "10.0.0.5", "--to", "2001:db8:::1", "--proto", "tcp", "--port", "22"),
                "--to: invalid IPv6 address '2001:db8:::1'; IPv6 addresses are up to eight groups of 1-4 hex digits");
    }

    @Test
    void ipv6AddressesAreRfc4291TextWithAStrictIpv4Tail() throws IOException {
        for (String written : List.of("2001:db8::010.0.0.1", "2001:db8::10.1", "2001:db8:0db8a::1")) {
            assertUsageError(query("--from", "10.0.0.5", "--to", written, "--proto", "tcp", "--port", "22"),
                    "--to: invalid IPv6 address '" + written + "'; IPv6 addresses are up to eight groups of 1-4 hex");
        }
        assertUsageError(query("--from", "10.0.0.5", "--to", "2001:db8::010.0.0.1", "--proto", "tcp", "--port", "22"),
                "; an IPv4 tail is four numbers 0-255 without leading zeros, such as ::ffff:192.0.2.10");
    }

    @Test
    void anIpv4MappedAddressIsWrittenWithItsIpv4PartDotted() throws IOException {
        // The rule is kept despite the checker's warning about its address, and decides the packet.
        String policy = POLICY + "host legacy = ::ffff:10.0.0.7\nallow ssh from ::ffff:10.0.0.0/120 to web1\n";
        CliRun run = queryPolicy(policy, "--from", "::ffff:a00:7", "--to", "web1", "--proto", "tcp", "--port", "22",
                "--sport", "40000");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("tcp ::ffff:10.0.0.7 port 40000 -> 2001:db8:1::11 port 22\n"), run.out());
        assertTrue(run.out().contains("  inbound at host web1: allow\n    decided by " + dir.resolve("p.policy")
                + ":6:1: allow ssh from ::ffff:10.0.0.0/120 to web1\n"), run.out());
        assertTrue(run.err().contains("p.policy:5:15: warning: '::ffff:10.0.0.7' is an IPv4-mapped IPv6 address"), run.err());
        assertTrue(run.err().contains("p.policy:6:16: warning: '::ffff:10.0.0.0/120' holds IPv4-mapped"), run.err());
        assertUsageError(queryPolicy(policy, "--from", "::ffff:a00:7", "--to", "web1", "--proto", "icmp"),
                "--from ::ffff:10.0.0.7 is an IPv6 address, but icmp is IPv4\n"
                        + "  hint: '::ffff:a00:7' stands for 10.0.0.7: give --from 10.0.0.7 to ask about an IPv4 packet\n");
    }

    @Test
    void anAddressGivenForAnIpv4OneIsWarnedOfWithItsIpv4Form() throws IOException {
        // The answer is about an IPv6 packet, which IPv4 traffic from 10.0.0.7 never is.
        CliRun mapped = query("--from", "::ffff:10.0.0.7", "--to", "web1", "--proto", "tcp", "--port", "22");
        assertEquals(1, mapped.exit(), mapped.err());
        assertTrue(mapped.out().startsWith("tcp ::ffff:10.0.0.7 port "), mapped.out());
        assertEquals("portpolicy: warning: --from '::ffff:10.0.0.7' is an IPv4-mapped IPv6 address: the packet asked"
                + " about is IPv6, and IPv4 traffic is matched only by rules for the IPv4 form\n"
                + "  hint: give --from 10.0.0.7 to ask about an IPv4 packet\n", mapped.err());
        CliRun compatible = query("--from", "2001:db8::5", "--to", "::10.0.1.11", "--proto", "icmpv6");
        assertTrue(compatible.err().contains("warning: --to '::10.0.1.11' is an IPv4-compatible (deprecated) IPv6"
                + " address"), compatible.err());
        // An icmpv6 packet is never IPv4: no hint to ask about one.
        assertFalse(compatible.err().contains("to ask about an IPv4 packet"), compatible.err());
        // ::a00:9 says nothing of IPv4, and is what it says.
        CliRun plain = query("--from", "::a00:9", "--to", "web1", "--proto", "tcp", "--port", "22");
        assertEquals("", plain.err());
        // An IPv4 address on the other side is refused, with the address that made the packet IPv6.
        assertUsageError(query("--from", "::ffff:10.0.0.5", "--to", "10.0.1.11", "--proto", "tcp", "--port", "22"),
                "--to 10.0.1.11 is an IPv4 address, but the packet is IPv6: give --from and --to addresses of one IP"
                        + " version\n  hint: '::ffff:10.0.0.5' stands for 10.0.0.5: give --from 10.0.0.5 to ask about"
                        + " an IPv4 packet\n");
    }

    @Test
    void theIpv4HintNamesEveryChangeAnIpv4PacketNeeds() throws IOException {
        // The refusal is of --from; the IPv4 packet needs it changed too, not only the mapped --to.
        String refusedEnd = "--from 2001:db8::5 is an IPv6 address, but icmp is IPv4\n  hint: '::ffff:10.0.1.11' stands"
                + " for 10.0.1.11: give an IPv4 --from and --to 10.0.1.11 to ask about an IPv4 packet\n";
        assertUsageError(query("--from", "2001:db8::5", "--to", "::ffff:10.0.1.11", "--proto", "icmp"), refusedEnd);
        CliRun warned = query("--from", "2001:db8:1::11", "--to", "::ffff:10.0.0.5", "--proto", "tcp", "--port", "22");
        assertTrue(warned.err().endsWith("IPv4 form\n  hint: give an IPv4 --from and --to 10.0.0.5 to ask about an"
                + " IPv4 packet\n"), warned.err());
        // Both mapped: both change, and each warning says so.
        assertUsageError(query("--from", "::ffff:10.0.0.5", "--to", "::ffff:10.0.1.11", "--proto", "icmp"),
                "hint: '::ffff:10.0.0.5' stands for 10.0.0.5 and '::ffff:10.0.1.11' stands for 10.0.1.11: give --from"
                        + " 10.0.0.5 and --to 10.0.1.11 to ask about an IPv4 packet\n");
        CliRun both = query("--from", "::ffff:10.0.0.5", "--to", "::ffff:10.0.1.11", "--proto", "tcp", "--port", "22");
        assertEquals(2, both.err().split("hint: give --from 10.0.0.5 and --to 10.0.1.11 to ask about", -1).length - 1,
                both.err());
        CliRun followed = query("--from", "10.0.0.5", "--to", "10.0.1.11", "--proto", "icmp");
        assertEquals(0, followed.exit(), followed.err());
        // A group with no IPv4 address takes no IPv4 packet: no hint to ask about one.
        String policy = POLICY + "group v6only = 2001:db8:6::/48\n";
        CliRun v6only = queryPolicy(policy, "--from", "::ffff:10.0.0.5", "--to", "v6only", "--proto", "tcp", "--port",
                "22");
        assertTrue(v6only.err().contains("warning: --from '::ffff:10.0.0.5' is an IPv4-mapped"), v6only.err());
        assertFalse(v6only.err().contains("hint:"), v6only.err());
    }

    @Test
    void anIpv6ZoneIsRefusedWithTheLanguagesHint() throws IOException {
        assertUsageError(query("--from", "2001:db8::5%eth0", "--to", "web1", "--proto", "tcp", "--port", "22"),
                "--from: invalid IPv6 address '2001:db8::5%eth0': a %zone names an interface of one machine, which no"
                        + " firewall rule can match; drop the %zone: write 2001:db8::5");
        assertUsageError(query("--from", "2001:db8::5", "--to", "2001:db8:1::11%br-lan", "--proto", "tcp", "--port",
                "22"), "--to: invalid IPv6 address '2001:db8:1::11%br-lan': a %zone");
    }

    @Test
    void anAddressGivenDecidesTheFamilyEvenWhenAHostOwnsIt() throws IOException {
        // 10.0.1.11 is web1's: the packet is IPv4, so the IPv6-only group is what cannot take it.
        String policy = POLICY + "group v6only = 2001:db8:6::/48\n";
        assertUsageError(queryPolicy(policy, "--from", "10.0.1.11", "--to", "v6only", "--proto", "tcp", "--port", "22"),
                "--to 'v6only' has no IPv4 address, but --from 10.0.1.11 is IPv4");
    }

    @Test
    void aNameWithoutAnAddressOfThePacketsVersionIsNamedWithWhyThePacketHasIt() throws IOException {
        String policy = POLICY + "host v4host = 10.0.4.4\nhost v6host = 2001:db8:6::6\n";
        assertUsageError(queryPolicy(policy, "--from", "v4host", "--to", "web1", "--proto", "icmpv6"),
                "--from 'v4host' has no IPv6 address, but icmpv6 is IPv6\n");
        assertUsageError(queryPolicy(policy, "--from", "v6host", "--to", "v4host", "--proto", "tcp", "--port", "22"),
                "--to 'v4host' has no IPv6 address, but --from 'v6host' has no IPv4 address: the two share no IP"
                        + " version\n");
    }

    @Test
    void addressesOfTwoIpVersionsAreSaidToBeSo() throws IOException {
        assertUsageError(query("--from", "10.0.1.11", "--to", "2001:db8::11", "--proto", "tcp", "--port", "80"),
                "--to 2001:db8::11 is an IPv6 address, but the packet is IPv4: give --from and --to addresses of one"
                        + " IP version");
        assertUsageError(query("--from", "2001:db8::5", "--to", "web1", "--proto", "icmp"),
                "--from 2001:db8::5 is an IPv6 address, but icmp is IPv4");
    }

    @Test
    void aWordIsAnUnknownNameWithASuggestion() throws IOException {
        assertUsageError(query("--from", "10.0.0.5", "--to", "webl", "--proto", "tcp", "--port", "22"),
                "--to 'webl' is neither an address nor a host or group of the policy; did you mean 'web1'?");
    }

    @Test
    void aNetworkIsNotOneAddress() throws IOException {
        assertUsageError(query("--from", "10.0.0.5", "--to", "office", "--proto", "tcp", "--port", "22"),
                "--to 'office' is a network of the policy; a query is about one packet: give a host, a group"
                        + " or one address");
    }

    @Test
    void aRangeIsNotOneAddress() throws IOException {
        assertUsageError(query("--from", "10.0.0.5-10.0.0.9", "--to", "web1", "--proto", "tcp", "--port", "22"),
                "'10.0.0.5-10.0.0.9' is a network or range; a query is about one packet: give one address"
                        + " such as 10.0.0.5");
    }

    @Test
    void portsWithIcmpAreRefusedNotIgnored() throws IOException {
        assertUsageError(query("--from", "10.0.0.5", "--to", "web1", "--proto", "icmp", "--port", "22"),
                "--port applies to tcp and udp, not icmp; drop it, and give the ICMP type with --icmp-type");
        assertUsageError(query("--from", "2001:db8::5", "--to", "web1", "--proto", "icmpv6", "--sport", "22"),
                "--sport applies to tcp and udp, not icmpv6");
    }

    @Test
    void anIcmpTypeWithTcpOrUdpIsRefusedNotIgnored() throws IOException {
        assertUsageError(query("--from", "10.0.0.5", "--to", "web1", "--proto", "udp", "--port", "53",
                "--icmp-type", "echo-request"), "--icmp-type applies to icmp and icmpv6, not udp; drop it");
    }

    @Test
    void anIcmpTypeNameIsReadInAnyCaseAndAMisspeltOneGetsASuggestion() throws IOException {
        CliRun upper = query("--from", "10.0.0.5", "--to", "web1", "--proto", "icmp", "--icmp-type", "Echo-Request:0");
        assertEquals(0, upper.exit(), upper.err());
        assertTrue(upper.out().startsWith("icmp 10.0.0.5 -> 10.0.1.11 type echo-request code 0\n"), upper.out());
        assertUsageError(query("--from", "10.0.0.5", "--to", "web1", "--proto", "icmp", "--icmp-type", "echo-requst"),
                "--icmp-type 'echo-requst' is not an icmp type name or TYPE[:CODE]; did you mean 'echo-request'?");
    }

    @Test
    void anIcmpTypeOfTheOtherIcmpIsSaidToBeSo() throws IOException {
        assertUsageError(query("--from", "10.0.0.5", "--to", "web1", "--proto", "icmp", "--icmp-type", "packet-too-big"),
                "--icmp-type 'packet-too-big' is not an icmp type name or TYPE[:CODE]; packet-too-big is an icmpv6"
                        + " type: ask with --proto icmpv6");
        assertUsageError(query("--from", "2001:db8::5", "--to", "web1", "--proto", "icmpv6", "--icmp-type",
                "Source-Quench"), "source-quench is an icmp type: ask with --proto icmp");
    }

    @Test
    void anIcmpTypeOrCodePast255IsSaidToBeOutOfRange() throws IOException {
        assertUsageError(query("--from", "10.0.0.5", "--to", "web1", "--proto", "icmp", "--icmp-type", "3:256"),
                "--icmp-type '3:256' is not an icmp type name or TYPE[:CODE]; code 256 is out of range:"
                        + " ICMP types and codes are 0-255");
        assertUsageError(query("--from", "2001:db8::5", "--to", "web1", "--proto", "icmpv6", "--icmp-type", "300"),
                "; type 300 is out of range: ICMP types and codes are 0-255");
    }

    @Test
    void aKeywordOfTheLanguageIsNoAddressOfOnePacket() throws IOException {
        for (String keyword : List.of("any", "any4", "any6", "self")) {
            assertUsageError(query("--from", keyword, "--to", "web1", "--proto", "tcp", "--port", "22"),
                    "--from '" + keyword + "' is a keyword of the policy language, not one address; a query is about"
                            + " one packet: give a host, a group or one address");
        }
    }

    @Test
    void numbersAreAsciiDigitsWithoutASign() throws IOException {
        // Integer.parseInt used to read an Arabic-Indic eight as echo-request's type 8.
        for (String type : List.of("\u0668", "+8", "8:+0")) {
            assertUsageError(query("--from", "10.0.0.5", "--to", "web1", "--proto", "icmp", "--icmp-type", type),
                    "--icmp-type '" + type + "' is not an icmp type name or TYPE[:CODE]");
        }
    }
}
