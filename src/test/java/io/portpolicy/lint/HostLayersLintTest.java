package io.portpolicy.lint;

import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.model.Policy;
import io.portpolicy.testing.RandomPolicies;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large stateful policy's hosts are judged in two layers, one per thread; the lint must say
 * exactly what it says with one: the rules reading several layers (the exposure rules) join
 * what each layer gives. Stateless policies always keep one layer (their return-path rules
 * follow flows between hosts), so they are left out.
 */
class HostLayersLintTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void twoHostLayersLintAsOne(@ForAll long seed) {
        Policy policy = LintFixtures.check(new RandomPolicies(seed).policy());
        Assume.that(policy.hosts().size() > 1 && !policy.settings().isStateless());
        assertEquals(lint(policy, 1), lint(policy, 2));
    }

    /**
     * A rule admitting most ephemeral ports of h0 by TCP and UDP but of h1 and h2 by TCP only:
     * with one layer PP202 lists TCP at h0, h1, h2, then UDP at h0; the first layer of two holds
     * h0 alone, and the list once followed the layers (found by the property above).
     */
    @Example
    void ephemeralPortsListedByProtocolThenHost() {
        Policy policy = LintFixtures.check("""
                host h0 = 10.0.0.1
                host h1 = 10.0.0.2
                host h2 = 10.0.0.3
                deny udp from 10.1.0.0/16 to h1, h2
                allow tcp/49152-65535, udp/49152-65535 from 10.1.0.0/16
                """);
        List<String> oneLayer = lint(policy, 1);
        assertTrue(oneLayer.stream().anyMatch(f -> f.contains("PP202") && f.contains("of h2, udp")),
                oneLayer::toString);
        assertEquals(oneLayer, lint(policy, 2));
    }

    /**
     * 'from any6, 10.0.0.37' admits the IPv6 world at a dual-stack host but only 10.0.0.37 at an
     * IPv4-only one: the IPv4-only host is no world target of the rule, in one layer as in two
     * (found by the property above, RandomPolicies seed 5693105).
     */
    @Example
    void aRuleIsOpenToTheWorldPerIpVersion() {
        Policy policy = LintFixtures.check("""
                host h0 = 10.0.0.1, 2001:db8::3
                host h1 = 10.0.0.19 os bsd
                allow icmp, udp from any6, 10.0.0.37 except h1
                allow udp/0 to h1
                """);
        List<String> oneLayer = lint(policy, 1);
        assertTrue(oneLayer.stream().anyMatch(f -> f.contains("PP106 admits every udp port from the whole world to h0 |")),
                oneLayer::toString);
        assertEquals(oneLayer, lint(policy, 2));
    }

    private static List<String> lint(Policy policy, int hostLayers) {
        Linter linter = new Linter(LintConfig.DEFAULT, TODAY, true);
        LintContext context = new LintContext(policy, TODAY, LintConfig.DEFAULT, true,
                EffectivePolicy.of(policy, TODAY, hostLayers));
        return linter.lint(context).stream().map(f -> f.location() + " " + f.ruleId() + " " + f.message() + " | "
                + f.hint()).toList();
    }
}
