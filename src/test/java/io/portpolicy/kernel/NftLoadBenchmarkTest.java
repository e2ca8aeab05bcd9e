package io.portpolicy.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Times {@code nft -f} of 10,000 generated rules against the same pairs in one set and prints
 * the figures (set -Dkernel.bench.rules=N for another size). Asserts only that both load and
 * mean the same thing for a few probes: timings are reported, never asserted.
 */
class NftLoadBenchmarkTest {

    @BeforeAll
    static void kernel() {
        KernelEnvironment.require();
    }

    @Test
    void tenThousandRulesVersusOneSet() {
        int n = Integer.getInteger("kernel.bench.rules", 10_000);
        int runs = Integer.getInteger("kernel.bench.runs", 3);
        String rules = NftLoadBenchmark.oneRulePerPair(n);
        String set = NftLoadBenchmark.oneSetOfPairs(n);
        // sources from the generated range, so the probes exercise the loaded rules
        String inside = NftLoadBenchmark.address(n / 2);
        String outside = "10.0.200.1";
        try (KernelLab lab = KernelLab.builder().target("10.0.0.1").peer(inside, outside).start()) {
            NftLoadBenchmark.Timing tr = NftLoadBenchmark.time(lab, n + " rules", rules, runs);
            NftLoadBenchmark.Timing ts = NftLoadBenchmark.time(lab, n + " set elements, 1 rule", set, runs);
            System.out.println("nft -f in a network namespace:\n  " + tr + "\n  " + ts);

            for (String ruleset : List.of(rules, set)) {
                lab.loadNftables(ruleset);
                int port = NftLoadBenchmark.port(n / 2);
                lab.assertVerdicts(List.of(
                        Expect.allowed(Probe.tcp(inside, "10.0.0.1", port)),
                        Expect.dropped(Probe.tcp(inside, "10.0.0.1", port + 1)),
                        Expect.dropped(Probe.tcp(outside, "10.0.0.1", port))));
                String listed = lab.execInTarget("nft", "list", "table", "inet", "ppbench").stdout();
                assertTrue(listed.contains("ppbench"), listed);
                lab.flushRules();
            }
            assertEquals(runs, tr.runs().size());
        }
    }
}
