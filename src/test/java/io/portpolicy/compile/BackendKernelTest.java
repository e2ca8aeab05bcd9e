package io.portpolicy.compile;

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
 * Every host of every example, and hosts of random policies, compiled by one backend, loaded into
 * a network namespace and probed; each observed verdict must be the engine's.
 */
abstract class BackendKernelTest {

    static final int RANDOM_POLICIES = 16;

    abstract Backend backend();

    abstract KernelCrossCheck.Loader loader();

    @BeforeAll
    static void kernel() {
        KernelEnvironment.require();
    }

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
                Artifact artifact = CompileFixtures.compile(backend(), effective, host);
                KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, file.hashCode() ^ host.name().hashCode())
                        .run(file + " " + host.name(), artifact, loader(), 240);
                probes += outcome.probes();
                outcome.seen().forEach((k, v) -> seen.merge(k, v, Integer::sum));
                hosts++;
                mismatches.addAll(outcome.mismatches());
            }
        }
        System.out.printf("%s examples: %d hosts, %d probes %s, %d mismatches, %.1f s%n", backend().name(), hosts, probes,
                seen, mismatches.size(), (System.nanoTime() - started) / 1e9);
        assertTrue(hosts >= 15, "expected every example host, got " + hosts);
        assertTrue(mismatches.isEmpty(), mismatches.size() + " probes disagree with the engine:\n" + String.join("\n", mismatches));
    }

    /**
     * ICMP type 255 next to other types: iptables' icmp match once read type 255 as every type,
     * so the echo-request probes, which the policy denies, were admitted.
     */
    @Test
    void icmpType255AdmitsOnlyItself() {
        String text = """
                default outbound deny
                host web1 = 10.0.0.21 os linux
                allow icmp/{0,255} from any
                allow icmp/255:3 from 192.0.2.0/24
                allow icmp/255:255 to any
                """;
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(text), CompileFixtures.TODAY);
        Target host = effective.target("web1").orElseThrow();
        Artifact artifact = CompileFixtures.compile(backend(), effective, host);
        KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, 255).run("icmp type 255", artifact, loader(), 40);
        assertTrue(outcome.seen().getOrDefault(io.portpolicy.kernel.Verdict.DROPPED, 0) > 0, "nothing was probed: " + outcome.seen());
        assertTrue(outcome.mismatches().isEmpty(), String.join("\n", outcome.mismatches()));
    }

    /**
     * Address ranges of many prefix blocks, which iptables matches with iprange, in both
     * directions: their ends, the addresses beside them and the documentation addresses make ten
     * peers, all probed (the random policies' ranges are a few addresses, and the examples' peers
     * a sample of ten).
     */
    @Test
    void aWideRangeAdmitsOnlyItsAddresses() {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(IptablesBackendTest.WIDE_RANGES),
                CompileFixtures.TODAY);
        Target host = effective.target("web1").orElseThrow();
        Artifact artifact = CompileFixtures.compile(backend(), effective, host);
        KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, 77).run("wide ranges", artifact, loader(), 160);
        assertTrue(outcome.seen().getOrDefault(io.portpolicy.kernel.Verdict.ALLOWED, 0) > 0, "nothing admitted: " + outcome.seen());
        assertTrue(outcome.mismatches().isEmpty(), String.join("\n", outcome.mismatches()));
    }

    /**
     * ICMP the policy allows but that cannot start a connection (replies, router advertisements,
     * errors about no known connection, unassigned types): connection tracking calls it invalid,
     * and the stateful rulesets once dropped it as such, before the policy's rules.
     */
    @Test
    void icmpThatConnectionTrackingCallsInvalidGetsThePolicysVerdict() {
        String text = """
                host h = 10.0.0.1, 2001:db8::1
                default outbound deny
                allow icmp/{echo-request, echo-reply, router-advertisement, 42} from 10.1.0.1 log "icmp-in"
                allow icmpv6/{echo-request, echo-reply, packet-too-big} from 2001:db8:1::1
                allow icmp, icmpv6 from 10.1.0.2, 2001:db8:1::2
                allow icmp/{echo-reply, 3:4, 42}, icmpv6/{echo-reply, 1:4, 200} to 10.1.0.1, 2001:db8:1::1
                """;
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(text), CompileFixtures.TODAY);
        Target host = effective.target("h").orElseThrow();
        Artifact artifact = CompileFixtures.compile(backend(), effective, host);
        KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, 42).run("lone icmp", artifact, loader(), 60);
        assertTrue(outcome.mismatches().isEmpty(), String.join("\n", outcome.mismatches()));
        assertTrue(outcome.seen().getOrDefault(io.portpolicy.kernel.Verdict.ALLOWED, 0) > 20, "too few admitted: " + outcome.seen());
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
            Artifact artifact = CompileFixtures.compile(backend(), effective, host);
            KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, seed)
                    .run("random policy " + seed + " host " + host.name(), artifact, loader(), 160);
            probes += outcome.probes();
            outcome.seen().forEach((k, v) -> seen.merge(k, v, Integer::sum));
            hosts++;
            if (!outcome.mismatches().isEmpty()) {
                mismatches.add("--- random policy " + seed + ":\n" + text + "--- compiled:\n" + artifact.parts().get(0).text());
                mismatches.addAll(outcome.mismatches());
            }
        }
        System.out.printf("%s random policies: %d hosts, %d probes %s, %.1f s%n", backend().name(), hosts, probes, seen,
                (System.nanoTime() - started) / 1e9);
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
        for (io.portpolicy.kernel.Verdict v : List.of(io.portpolicy.kernel.Verdict.ALLOWED,
                io.portpolicy.kernel.Verdict.DROPPED, io.portpolicy.kernel.Verdict.REJECTED)) {
            assertTrue(seen.getOrDefault(v, 0) > 20, "too few " + v + " probes to mean anything: " + seen);
        }
    }

}
