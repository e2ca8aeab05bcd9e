package io.portpolicy.compile;

import io.portpolicy.compile.nftables.NftablesBackend;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.kernel.KernelEnvironment;
import io.portpolicy.testing.RandomPolicies;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every host of every example, and hosts of random policies, compiled to nftables, loaded into
 * a network namespace and probed; each observed verdict must be the engine's.
 */
class NftablesKernelTest {

    static final int RANDOM_POLICIES = 16;

    @BeforeAll
    static void kernel() {
        KernelEnvironment.require();
    }

    static KernelCrossCheck.Loader NFT = (lab, artifact) -> lab.loadNftables(artifact.parts().get(0).text());

    @Test
    void everyExampleHost() {
        List<String> mismatches = new ArrayList<>();
        int probes = 0;
        int hosts = 0;
        java.util.Map<io.portpolicy.kernel.Verdict, Integer> seen = new java.util.EnumMap<>(io.portpolicy.kernel.Verdict.class);
        long started = System.nanoTime();
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target host : CompileFixtures.hosts(effective)) {
                Artifact artifact = CompileFixtures.compile(new NftablesBackend(), effective, host);
                KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, file.hashCode() ^ host.name().hashCode())
                        .run(file + " " + host.name(), artifact, NFT, 240);
                probes += outcome.probes();
                outcome.seen().forEach((k, v) -> seen.merge(k, v, Integer::sum));
                hosts++;
                mismatches.addAll(outcome.mismatches());
            }
        }
        System.out.printf("nftables examples: %d hosts, %d probes %s, %d mismatches, %.1f s%n", hosts, probes,
                seen, mismatches.size(), (System.nanoTime() - started) / 1e9);
        assertTrue(hosts >= 15, "expected every example host, got " + hosts);
        assertTrue(mismatches.isEmpty(), mismatches.size() + " probes disagree with the engine:\n" + String.join("\n", mismatches));
    }

    @Test
    void randomPolicies() {
        List<String> mismatches = new ArrayList<>();
        int probes = 0;
        int hosts = 0;
        java.util.Map<io.portpolicy.kernel.Verdict, Integer> seen = new java.util.EnumMap<>(io.portpolicy.kernel.Verdict.class);
        long started = System.nanoTime();
        for (long seed = 1; seed <= RANDOM_POLICIES; seed++) {
            String text = new RandomPolicies(seed).policy();
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(text), CompileFixtures.TODAY);
            List<Target> all = CompileFixtures.hosts(effective);
            Target host = all.get((int) (seed % all.size()));
            if (!KernelCrossCheck.labReady(host)) continue;
            Artifact artifact = CompileFixtures.compile(new NftablesBackend(), effective, host);
            KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, seed)
                    .run("random policy " + seed + " host " + host.name(), artifact, NFT, 160);
            probes += outcome.probes();
            outcome.seen().forEach((k, v) -> seen.merge(k, v, Integer::sum));
            hosts++;
            if (!outcome.mismatches().isEmpty()) {
                mismatches.add("--- random policy " + seed + ":\n" + text + "--- compiled:\n" + artifact.parts().get(0).text());
                mismatches.addAll(outcome.mismatches());
            }
        }
        System.out.printf("nftables random policies: %d hosts, %d probes %s, %.1f s%n", hosts, probes, seen,
                (System.nanoTime() - started) / 1e9);
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
        for (io.portpolicy.kernel.Verdict v : List.of(io.portpolicy.kernel.Verdict.ALLOWED,
                io.portpolicy.kernel.Verdict.DROPPED, io.portpolicy.kernel.Verdict.REJECTED)) {
            assertTrue(seen.getOrDefault(v, 0) > 20, "too few " + v + " probes to mean anything: " + seen);
        }
    }

    /** The cross-check itself: a ruleset that admits one rule's packets too many must be caught. */
    @Test
    void aWrongRulesetIsCaught() {
        String file = "policies-examples/web-tier.policy";
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
        Target host = effective.target("web1").orElseThrow();
        String good = CompileFixtures.compile(new NftablesBackend(), effective, host).parts().get(0).text();
        // Admit every inbound TCP connection instead of only port 443 from the balancers.
        String bad = good.replaceFirst("ip saddr 10.10.0.0/28 tcp dport 443 accept", "meta l4proto tcp accept");
        assertTrue(!bad.equals(good), "the rule to break was not found:\n" + good);
        KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, 7)
                .run("broken web1", Artifact.single(".nft", bad), NFT, 200);
        assertTrue(!outcome.mismatches().isEmpty(), "a ruleset admitting all inbound TCP went unnoticed");
    }
}
