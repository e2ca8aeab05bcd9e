package io.portpolicy.compile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The names a compiled configuration uses, set in .portpolicy.yaml 'targets:', through the CLI. */
class TargetNamesTest {

    static final String WEB = "policies-examples/web-tier.policy";

    static CompileFixtures.Run compile(Path config, String target, String... more) {
        String[] base = {"compile", WEB, "--target", target, "--host", "web1", "--today", "2026-11-21",
                "--config", config.toString()};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CompileFixtures.run(args);
    }

    @Test
    void aConfigurationRenamesTableChainsAndGroup(@TempDir Path dir) throws IOException {
        Path config = dir.resolve(".portpolicy.yaml");
        Files.writeString(config, """
                targets:
                  nftables: { table: edge_fw, log-rate: 2, log-burst: 4 }
                  iptables: { chain-prefix: edge, log-rate: 3 }
                  windows: { group: Edge.Team }
                """);
        CompileFixtures.Run nft = compile(config, "nftables");
        assertEquals(0, nft.exit(), nft.err());
        assertTrue(nft.out().contains("\ntable inet edge_fw\ndelete table inet edge_fw\ntable inet edge_fw {\n"), nft.out());
        assertFalse(nft.out().contains("table inet portpolicy"), nft.out());
        assertTrue(nft.out().matches("(?s).*\tlimit (log_rule_\\d+) \\{ rate 2/second burst 4 packets }\n.*"
                + " limit name \"\\1\" log prefix \"web-ssh \".*"), nft.out());

        CompileFixtures.Run ipt = compile(config, "iptables");
        assertEquals(0, ipt.exit(), ipt.err());
        for (String line : new String[] {":edge-in - [0:0]", ":edge-in-rules - [0:0]", ":edge-out - [0:0]",
                ":edge-out-rules - [0:0]", "-A INPUT -j edge-in\n", "-A OUTPUT -j edge-out\n",
                " -j edge-in-rules\n", " -m hashlimit --hashlimit-upto 3/sec --hashlimit-burst 10 --hashlimit-name edge-log_rule_"}) {
            assertTrue(ipt.out().contains(line), line + " is missing:\n" + ipt.out());
        }
        assertFalse(ipt.out().contains("portpolicy-"), ipt.out());

        CompileFixtures.Run win = compile(config, "windows");
        assertEquals(0, win.exit(), win.err());
        assertTrue(win.out().contains("Get-NetFirewallRule -Group 'Edge.Team:web-tier' "), win.out());
        assertTrue(win.out().contains("New-NetFirewallRule -Name 'Edge.Team:web-tier:in:"), win.out());
        assertFalse(win.out().contains("'portpolicy:"), win.out());
    }

    @Test
    void withoutAConfigurationTheNamesArePortpolicy(@TempDir Path dir) throws IOException {
        Path config = dir.resolve(".portpolicy.yaml");
        Files.writeString(config, "targets: {}\n");
        assertTrue(compile(config, "nftables").out().contains("\ntable inet portpolicy {\n"));
        assertTrue(compile(config, "iptables").out().contains("-A INPUT -j portpolicy-in\n"));
        assertTrue(compile(config, "windows").out().contains("-Group 'portpolicy:web-tier'"));
    }

    /** Each bad value is an error at its line and column, naming what is accepted, and nothing is compiled. */
    @Test
    void aBadNameIsAnErrorAtItsPlace(@TempDir Path dir) throws IOException {
        String[][] cases = {
                {"nftables", "table: inet", "'inet' is not a valid table for nftables", "reserved words"},
                {"nftables", "table: 9lives", "'9lives' is not a valid table for nftables", "a letter"},
                {"nftables", "table: " + "t".repeat(256), "is not a valid table for nftables", "at most 255 characters"},
                {"nftables", "log-rate: 0", "'0' is not a valid log-rate for nftables", "from 1 to 10000"},
                {"iptables", "chain-prefix: abcdefghijklmnopqrs", "'abcdefghijklmnopqrs' is not a valid chain-prefix",
                        "at most 18 characters"},
                {"iptables", "chain-prefix: -j", "'-j' is not a valid chain-prefix", "a letter"},
                {"iptables", "log-burst: 10001", "'10001' is not a valid log-burst for iptables", "from 1 to 10000"},
                {"windows", "group: \"a b\"", "'a b' is not a valid group for windows", "at most 64 characters"},
        };
        for (String[] c : cases) {
            Path config = dir.resolve(c[0] + c[1].hashCode() + ".yaml");
            Files.writeString(config, "targets:\n  " + c[0] + ":\n    " + c[1] + "\n");
            int column = 5 + c[1].indexOf(':') + 2;
            CompileFixtures.Run run = compile(config, c[0]);
            assertEquals(2, run.exit(), c[1]);
            assertEquals("", run.out(), c[1]);
            assertTrue(run.err().contains(config + ":3:" + column + ": error: "), run.err());
            assertTrue(run.err().contains(c[2]), run.err());
            assertTrue(run.err().contains(c[3]), run.err());
        }
    }

    /** The longest prefix the setting accepts still fits iptables' 28-character chain names. */
    @Test
    void theLongestChainPrefixFits(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("c.yaml");
        String prefix = "p".repeat(18);
        Files.writeString(config, "targets:\n  iptables: { chain-prefix: " + prefix + " }\n");
        CompileFixtures.Run run = compile(config, "iptables");
        assertEquals(0, run.exit(), run.err());
        int longest = run.out().lines().filter(l -> l.startsWith(":")).mapToInt(l -> l.substring(1, l.indexOf(' ')).length())
                .max().orElseThrow();
        assertEquals(28, longest, run.out());
    }
}
