package io.portpolicy.check;

import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Policies with thousands of rules have their rules checked in two halves at once: the result
 * must be what one pass gives, rules in order with their indices, every error reported.
 */
class LargePolicyCheckTest {

    private static final int RULES = 5001;

    private static String policy(int... brokenRules) {
        StringBuilder text = new StringBuilder("host web = 10.0.0.1\nnetwork office = 10.1.0.0/16\n");
        java.util.Set<Integer> broken = java.util.Arrays.stream(brokenRules).boxed().collect(java.util.stream.Collectors.toSet());
        for (int i = 0; i < RULES; i++) {
            text.append("allow tcp/").append(1 + i % 60000).append(" from ").append(broken.contains(i) ? "ofice" : "office")
                    .append(" to web\n");
        }
        return text.toString();
    }

    @Test
    void rulesKeepTheirOrderAndIndices() {
        Policy policy = PolicyFixtures.check(policy()).model();
        List<Rule> rules = policy.rules();
        assertEquals(RULES, rules.size());
        for (int i = 0; i < RULES; i++) {
            assertEquals(i, rules.get(i).index());
            assertEquals(3 + i, rules.get(i).location().line());
        }
    }

    @Test
    void errorsInBothHalvesAreAllReportedInOrder() {
        PolicyFixtures.Checked checked = PolicyFixtures.check(policy(7, 2600, 4999));
        checked.assertError("unknown name 'ofice'");
        List<Integer> lines = checked.diagnostics().sorted().stream().map(d -> d.location().line()).toList();
        assertEquals(List.of(3 + 7, 3 + 2600, 3 + 4999), lines);
    }
}
