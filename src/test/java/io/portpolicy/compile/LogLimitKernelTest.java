package io.portpolicy.compile;

import io.portpolicy.compile.iptables.IptablesBackend;
import io.portpolicy.compile.nftables.NftablesBackend;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.kernel.Expect;
import io.portpolicy.kernel.KernelEnvironment;
import io.portpolicy.kernel.KernelLab;
import io.portpolicy.kernel.Probe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logged rules with the tightest log limit (one line a second, bursts of one): the kernel keeps
 * the limit, far more matching packets than the limit lets through all still get the rule's
 * verdict, because the limit sits on a log rule of its own, and a rule compiled to log rules in
 * many chains and address blocks has one limit for all of them.
 */
class LogLimitKernelTest {

    static final String POLICY = """
            host h = 10.0.0.1, 2001:db8::1
            default inbound deny
            allow tcp/22 from 10.1.0.0/16, 2001:db8:1::/48 log "ssh"
            reject tcp/23 log "telnet"
            deny udp/53 from 10.1.0.1 log "dns"
            allow udp/53
            """;

    static final Map<String, String> TIGHTEST = Map.of(LogLimit.RATE, "1", LogLimit.BURST, "1");

    @BeforeAll
    static void kernel() {
        KernelEnvironment.require();
    }

    /** One logged rule that needs a chain per protocol and IP version, and two address blocks in iptables. */
    static final String SCAN = """
            host h = 10.0.0.1, 2001:db8::1
            allow tcp/22, udp/53 from 10.1.0.0/24, 2001:db8:1::/64, 198.51.100.7-198.51.100.70 log "scan"
            """;

    static Artifact compile(Backend backend) throws CompileException {
        return compile(backend, POLICY);
    }

    static Artifact compile(Backend backend, String policy) throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(policy), CompileFixtures.TODAY);
        Target host = effective.target("h").orElseThrow();
        return backend.compile(new CompileRequest(effective, host, backend.formats().get(0), "TEST",
                TargetOptions.of(backend.options(), TIGHTEST)));
    }

    /** Ten of each, sent at once: nine over the limit. */
    static List<Expect> expectations() {
        List<Expect> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(Expect.allowed(Probe.tcp("10.1.0.1", "10.0.0.1", 22).fromPort(41000 + i)));
            out.add(Expect.allowed(Probe.tcp("2001:db8:1::1", "2001:db8::1", 22).fromPort(41000 + i)));
            out.add(Expect.reset(Probe.tcp("10.1.0.1", "10.0.0.1", 23).fromPort(42000 + i)));
            out.add(Expect.dropped(Probe.udp("10.1.0.1", "10.0.0.1", 53).fromPort(43000 + i)));
        }
        return out;
    }

    static KernelLab lab() {
        return KernelLab.builder().target("10.0.0.1", "2001:db8::1").peer("10.1.0.1", "2001:db8:1::1").start();
    }

    @Test
    void nftablesKeepsTheLimitAndTheVerdicts() throws CompileException {
        String ruleset = compile(new NftablesBackend()).parts().get(0).text();
        try (KernelLab lab = lab()) {
            lab.loadNftables(ruleset);
            String listed = lab.execInTarget("nft", "list", "ruleset").orThrow().stdout();
            // The policy's rules 1, 2 and 3 log: a named limit each, and their log rules use it.
            for (String[] rule : new String[][] {{"1", "ssh"}, {"2", "telnet"}, {"3", "dns"}}) {
                assertTrue(listed.contains("\tlimit log_rule_" + rule[0] + " {\n\t\trate 1/second burst 1 packets\n\t}"), listed);
                assertTrue(listed.contains("limit name \"log_rule_" + rule[0] + "\" log prefix \"" + rule[1] + " \""), listed);
            }
            // Every log rule has its limit; none decides a verdict.
            assertEquals(listed.lines().filter(l -> l.contains(" log prefix ")).count(),
                    listed.lines().filter(l -> l.contains(" limit name \"log_rule_") && l.contains(" log prefix ")
                            && !l.matches(".*\\b(accept|drop|reject)\\b.*")).count(), listed);
            lab.assertVerdicts(expectations());
        }
    }

    @Test
    void iptablesKeepsTheLimitAndTheVerdicts() throws CompileException {
        Artifact artifact = compile(new IptablesBackend());
        try (KernelLab lab = lab()) {
            lab.loadIptables(artifact.parts().get(0).text(), artifact.parts().get(1).text());
            for (String save : List.of("iptables-save", "ip6tables-save")) {
                String saved = lab.execInTarget(save).orThrow().stdout();
                List<String> logs = saved.lines().filter(l -> l.contains(" -j LOG ")).toList();
                assertTrue(!logs.isEmpty(), saved);
                for (String log : logs) {
                    assertTrue(log.matches(".* -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1"
                            + " --hashlimit-name portpolicy-log_rule_[123]-1-1 .*-j LOG .*"), log);
                }
            }
            lab.assertVerdicts(expectations());
        }
    }

    /**
     * Ten TCP and ten UDP probes from each peer address, sent at once from source ports
     * {@code firstPort} on: the scan matches every log rule of the one policy rule.
     */
    static List<Expect> scan(int firstPort) {
        List<Expect> out = new ArrayList<>();
        for (String peer : List.of("10.1.0.1", "198.51.100.7", "2001:db8:1::1")) {
            String target = peer.contains(":") ? "2001:db8::1" : "10.0.0.1";
            for (int i = 0; i < 10; i++) {
                out.add(Expect.allowed(Probe.tcp(peer, target, 22).fromPort(firstPort + i)));
                out.add(Expect.allowed(Probe.udp(peer, target, 53).fromPort(firstPort + i)));
            }
        }
        return out;
    }

    static KernelLab scanLab() {
        return KernelLab.builder().target("10.0.0.1", "2001:db8::1").peer("10.1.0.1", "198.51.100.7", "2001:db8:1::1").start();
    }

    /**
     * The lines a bucket of one line a second with bursts of one lets through in {@code nanos}:
     * the burst, and one a second (begun) since.
     */
    static long allowedLines(long nanos) {
        return 1 + (nanos + 999_999_999L) / 1_000_000_000L;
    }

    /** The packets that passed a limit: the sum of the counters before "log prefix" in the listed rules. */
    static long logged(String listed, Pattern counter) {
        long sum = 0;
        for (Matcher m = counter.matcher(listed); m.find(); ) sum += Long.parseLong(m.group(1));
        return sum;
    }

    @Test
    void nftablesLogsARuleInManyChainsThroughOneBucket() throws CompileException {
        String ruleset = compile(new NftablesBackend(), SCAN).parts().get(0).text();
        assertEquals(4, ruleset.lines().filter(l -> l.contains(" log prefix \"scan \"")).count(),
                "a log rule in each of the TCP and UDP chains of both IP versions:\n" + ruleset);
        try (KernelLab lab = scanLab()) {
            // Counters show how many packets got past the limit, in every chain.
            lab.loadNftables(ruleset.replace(" log prefix ", " counter log prefix "));
            long started = System.nanoTime();
            lab.assertVerdicts(scan(44000));
            long took = System.nanoTime() - started;
            String listed = lab.execInTarget("nft", "list", "ruleset").orThrow().stdout();
            long logged = logged(listed, Pattern.compile("counter packets (\\d+) bytes \\d+ log prefix \"scan \""));
            // Four buckets, one per chain, would have let through at least four.
            assertTrue(logged >= 1 && logged <= allowedLines(took), logged + " logged in " + took / 1_000_000 + " ms:\n" + listed);
        }
    }

    @Test
    void iptablesLogsARuleInManyBlocksThroughOneBucketPerIpVersion() throws CompileException {
        Artifact artifact = compile(new IptablesBackend(), SCAN);
        assertEquals(4, artifact.parts().get(0).text().lines().filter(l -> l.contains(" -j LOG ")).count(),
                "a LOG rule for each address block and protocol:\n" + artifact.parts().get(0).text());
        try (KernelLab lab = scanLab()) {
            lab.loadIptables(artifact.parts().get(0).text(), artifact.parts().get(1).text());
            long started = System.nanoTime();
            lab.assertVerdicts(scan(44000));
            long took = System.nanoTime() - started;
            // ip6tables' hashlimit names are apart from iptables': one bucket per rule and IP version.
            for (String save : List.of("iptables-save", "ip6tables-save")) {
                String saved = lab.execInTarget(save, "-c").orThrow().stdout();
                long logged = logged(saved, Pattern.compile("(?m)^\\[(\\d+):\\d+] .* -j LOG --log-prefix \"scan \"$"));
                assertTrue(logged >= 1 && logged <= allowedLines(took), logged + " logged in " + took / 1_000_000 + " ms:\n" + saved);
            }
        }
    }

    /**
     * hashlimit keeps a name's bucket as it was first made while any rule uses the name, and an
     * atomic reload always has one: a new log rate must come with a new name, or it is ignored.
     */
    @Test
    void iptablesTakesANewLogRateOnReload() throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(SCAN), CompileFixtures.TODAY);
        Target host = effective.target("h").orElseThrow();
        IptablesBackend backend = new IptablesBackend();
        Artifact loose = backend.compile(new CompileRequest(effective, host, backend.formats().get(0), "TEST",
                TargetOptions.of(backend.options(), Map.of(LogLimit.RATE, "10000", LogLimit.BURST, "10000"))));
        try (KernelLab lab = scanLab()) {
            Artifact tight = compile(backend, SCAN);
            lab.loadIptables(tight.parts().get(0).text(), tight.parts().get(1).text());
            lab.assertVerdicts(scan(44000));
            lab.loadIptables(loose.parts().get(0).text(), loose.parts().get(1).text());
            lab.assertVerdicts(scan(46000));
            String saved = lab.execInTarget("iptables-save", "-c").orThrow().stdout();
            long logged = logged(saved, Pattern.compile("(?m)^\\[(\\d+):\\d+] .* -j LOG --log-prefix \"scan \"$"));
            assertEquals(40, logged, "every IPv4 probe of the second scan is logged:\n" + saved);
        }
    }
}
