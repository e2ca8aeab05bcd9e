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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logged rules with the tightest log limit (one line a second, bursts of one): the kernel keeps
 * the limit, and far more matching packets than the limit lets through all still get the rule's
 * verdict, because the limit sits on a log rule of its own.
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

    static Artifact compile(Backend backend) throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(POLICY), CompileFixtures.TODAY);
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
            for (String prefix : List.of("ssh", "telnet", "dns")) {
                assertTrue(listed.contains("limit rate 1/second burst 1 packets log prefix \"" + prefix + " \""), listed);
            }
            // Every log rule has its limit; none decides a verdict.
            assertEquals(listed.lines().filter(l -> l.contains(" log prefix ")).count(),
                    listed.lines().filter(l -> l.contains(" limit rate 1/second burst 1 packets log prefix ")
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
                for (String log : logs) assertTrue(log.contains(" -m limit --limit 1/sec --limit-burst 1 -j LOG "), log);
            }
            lab.assertVerdicts(expectations());
        }
    }
}
