package io.portpolicy.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The harness itself: address checks, lab set-up and clean-up, load errors, probes with no ruleset. */
class KernelLabTest {

    @Test
    void refusesAddressesOutsideTheLabRanges() {
        // pure validation: runs everywhere, root or not
        for (String bad : List.of("8.8.8.8", "192.168.1.1", "172.16.0.1", "127.0.0.1", "192.0.3.1", "2001:db9::1",
                "fe80::1", "::1", "::ffff:10.0.0.1", "example.com", "10.0.0.1/8", "")) {
            assertThrows(IllegalArgumentException.class, () -> LabAddresses.parse(bad), bad);
        }
        for (String good : List.of("10.0.0.1", "10.255.255.254", "192.0.2.1", "198.51.100.7", "203.0.113.255",
                "2001:db8::1", "2001:db8:ffff::ffff")) {
            LabAddresses.parse(good);
        }
        assertThrows(IllegalArgumentException.class, () -> KernelLab.builder().target("10.0.0.1").peer("1.1.1.1"));
        assertThrows(IllegalArgumentException.class, () -> Probe.tcp("10.0.0.1", "2001:db8::1", 22));
    }

    @Test
    void skipsWhereTheKernelCannotBeUsedButFailsInCi() {
        KernelEnvironment.require(List.of(), false);
        KernelEnvironment.require(List.of(), true);
        List<String> problems = List.of("root (running as uid 1000)", "the tools nft (not on PATH nor in /usr/sbin, /sbin)");
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> KernelEnvironment.require(problems, false));
        assertTrue(skipped.getMessage().contains("root") && skipped.getMessage().contains("nft"), skipped.getMessage());
        AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                () -> KernelEnvironment.require(problems, true));
        assertTrue(failed.getMessage().contains("CI=true"), failed.getMessage());
    }

    @Test
    void printsIpv6AddressesAsIpAndPythonDo() {
        assertEquals("2001:db8::1", LabAddresses.text(LabAddresses.parse("2001:0db8:0:0:0:0:0:1")));
        assertEquals("2001:db8:0:1::", LabAddresses.text(LabAddresses.parse("2001:db8:0:1:0:0:0:0")));
        assertEquals("2001:db8:0:1:1:1:1:1", LabAddresses.text(LabAddresses.parse("2001:db8:0:1:1:1:1:1")));
        assertEquals("2001:db8::1:0:0:1", LabAddresses.text(LabAddresses.parse("2001:db8:0:0:1:0:0:1")));
    }

    @Test
    void withNoRulesetEverythingIsAllowedAndTheLabLeavesNothingBehind() throws Exception {
        KernelEnvironment.require();
        List<String> names;
        try (KernelLab lab = KernelLab.builder()
                .target("10.0.0.1", "198.51.100.1", "2001:db8::1")
                .peer("10.1.0.1", "2001:db8:1::1")
                .peer("192.0.2.20", "203.0.113.20", "2001:db8:2::20")
                .start()) {
            names = lab.namespaces();
            assertEquals(3, names.size());
            for (String ns : names) {
                assertTrue(Files.exists(Path.of("/run/netns", ns)), ns);
            }
            List<Expect> all = new ArrayList<>();
            for (String[] pair : new String[][] {{"10.1.0.1", "10.0.0.1"}, {"203.0.113.20", "198.51.100.1"},
                    {"2001:db8:2::20", "2001:db8::1"}}) {
                all.add(Expect.allowed(Probe.tcp(pair[0], pair[1], 22)));
                all.add(Expect.allowed(Probe.udp(pair[0], pair[1], 53).fromPort(5353)));
                all.add(Expect.allowed(Probe.icmpEcho(pair[0], pair[1])));
                all.add(Expect.allowed(Probe.tcp(pair[1], pair[0], 443)));
                all.add(Expect.allowed(Probe.udp(pair[1], pair[0], 123).fromPort(123)));
                all.add(Expect.allowed(Probe.icmpEcho(pair[1], pair[0])));
            }
            List<ProbeResult> results = lab.assertVerdicts(all);
            for (ProbeResult r : results) {
                if (r.probe().protocol() != Probe.Protocol.ICMP_ECHO) {
                    assertTrue(r.reachedListener(), r.toString());
                }
            }
            assertEquals(5353, results.get(1).sourcePort());
            // a peer cannot probe another peer, and unknown addresses are refused
            assertThrows(IllegalArgumentException.class, () -> lab.probe(Probe.tcp("10.1.0.1", "192.0.2.20", 1)));
            assertThrows(IllegalArgumentException.class, () -> lab.probe(Probe.tcp("10.9.9.9", "10.0.0.1", 1)));
        }
        for (String ns : names) {
            assertFalse(Files.exists(Path.of("/run/netns", ns)), ns + " left behind");
        }
    }

    /** An ICMP message asking for no answer is ALLOWED where it arrives and DROPPED where a hook drops it, either way. */
    @Test
    void icmpMessagesAreJudgedByWhetherTheyArrive() {
        KernelEnvironment.require();
        String ruleset = """
                table inet msg {
                  chain input {
                    type filter hook input priority filter; policy accept;
                    icmp type 42 drop
                    icmpv6 type packet-too-big drop
                  }
                  chain output {
                    type filter hook output priority filter; policy accept;
                    icmp type echo-reply drop
                    icmpv6 type 200 drop
                  }
                }
                """;
        try (KernelLab lab = KernelLab.builder().target("10.0.0.1", "2001:db8::1").peer("10.1.0.1", "2001:db8:1::1").start()) {
            lab.loadNftables(ruleset);
            List<ProbeResult> results = lab.assertVerdicts(List.of(
                    Expect.dropped(Probe.icmpMessage("10.1.0.1", "10.0.0.1", 42, 0)),
                    Expect.allowed(Probe.icmpMessage("10.1.0.1", "10.0.0.1", 0, 0)),
                    Expect.allowed(Probe.icmpMessage("10.1.0.1", "10.0.0.1", 3, 4)),
                    Expect.dropped(Probe.icmpMessage("2001:db8:1::1", "2001:db8::1", 2, 0)),
                    Expect.allowed(Probe.icmpMessage("2001:db8:1::1", "2001:db8::1", 129, 0)),
                    Expect.dropped(Probe.icmpMessage("10.0.0.1", "10.1.0.1", 0, 0)).withDetail("EPERM"),
                    Expect.allowed(Probe.icmpMessage("10.0.0.1", "10.1.0.1", 42, 0)),
                    Expect.dropped(Probe.icmpMessage("2001:db8::1", "2001:db8:1::1", 200, 0)).withDetail("EPERM"),
                    Expect.allowed(Probe.icmpMessage("2001:db8::1", "2001:db8:1::1", 1, 4))));
            for (ProbeResult r : results) assertEquals(r.verdict() == Verdict.ALLOWED, r.reachedListener(), r.toString());
        }
    }

    @Test
    void cleansUpWhenTheTestBodyFails() {
        KernelEnvironment.require();
        List<String> names = new ArrayList<>();
        assertThrows(IllegalStateException.class, () -> {
            try (KernelLab lab = KernelLab.builder().target("10.0.0.1").peer("10.1.0.1").start()) {
                names.addAll(lab.namespaces());
                lab.probe(Probe.tcp("10.1.0.1", "10.0.0.1", 22)); // leaves listeners running
                throw new IllegalStateException("test failure");
            }
        });
        assertEquals(2, names.size());
        for (String ns : names) {
            assertFalse(Files.exists(Path.of("/run/netns", ns)), ns + " left behind");
        }
    }

    @Test
    void reportsLoadErrorsWithTheToolsOwnMessage() {
        KernelEnvironment.require();
        try (KernelLab lab = KernelLab.builder().target("10.0.0.1", "2001:db8::1").peer("10.1.0.1").start()) {
            RulesetLoadException nft = assertThrows(RulesetLoadException.class,
                    () -> lab.loadNftables("table inet t {\n  chain c {\n    tcp dport 22 acept\n  }\n}\n"));
            assertEquals("nft", nft.tool());
            assertTrue(nft.stderr().contains("syntax error") || nft.stderr().contains("Error"), nft.getMessage());
            assertTrue(nft.getMessage().contains("acept"), nft.getMessage());

            // iptables-restore --test misses undefined jump targets; a real load does not
            RulesetLoadException ipt = assertThrows(RulesetLoadException.class, () -> lab.loadIptables(
                    "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j NO_SUCH_CHAIN\nCOMMIT\n", null));
            assertEquals("iptables-restore", ipt.tool());
            assertTrue(ipt.stderr().contains("NO_SUCH_CHAIN"), ipt.getMessage());

            RulesetLoadException ip6 = assertThrows(RulesetLoadException.class, () -> lab.loadIptables(null,
                    "*filter\n:INPUT BOGUS [0:0]\nCOMMIT\n"));
            assertEquals("ip6tables-restore", ip6.tool());

            Duration d = lab.loadNftables("table inet ok {\n  chain input { type filter hook input priority 0; }\n}\n");
            assertTrue(d.toMillis() >= 0);
            assertTrue(lab.execInTarget("nft", "list", "ruleset").stdout().contains("table inet ok"));
            lab.flushRules();
            assertFalse(lab.execInTarget("nft", "list", "ruleset").stdout().contains("table inet ok"));
        }
    }
}
