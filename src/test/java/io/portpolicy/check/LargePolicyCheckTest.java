package io.portpolicy.check;

import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Large policies have their rules checked in two halves at once: the result must be what one
 * pass gives, rules in order with their indices and text, every error reported where it is.
 */
class LargePolicyCheckTest {

    private static final int RULES = 6001;

    /** {@code changed} replaces rules by number. */
    private static String policy(Map<Integer, String> changed) {
        StringBuilder text = new StringBuilder("host web = 10.0.0.1\nnetwork office = 10.1.0.0/16\ndefault inbound deny\n");
        for (int i = 0; i < RULES; i++) {
            text.append(changed.getOrDefault(i, "allow tcp/" + (1 + i % 60000) + " from office to web  comment \"rule " + i + "\""))
                    .append('\n');
        }
        return text.toString();
    }

    private static int line(int rule) {
        return 4 + rule;
    }

    @Test
    void rulesKeepTheirOrderIndicesAndText() {
        Policy policy = PolicyFixtures.check(policy(Map.of())).model();
        List<Rule> rules = policy.rules();
        assertEquals(RULES, rules.size());
        for (int i = 0; i < RULES; i++) {
            assertEquals(i, rules.get(i).index());
            assertEquals(line(i), rules.get(i).location().line());
            assertEquals("allow tcp/" + (1 + i % 60000) + " from office to web comment \"rule " + i + "\"", rules.get(i).text());
        }
    }

    @Test
    void nameErrorsInBothHalvesAreAllReportedInOrder() {
        PolicyFixtures.Checked checked = PolicyFixtures.check(policy(Map.of(
                7, "allow tcp/1 from ofice to web", 3100, "allow tcp/2 from ofice to web", 5999, "allow tcp/3 from ofice to web")));
        checked.assertError("unknown name 'ofice'");
        List<Integer> lines = checked.diagnostics().sorted().stream().map(d -> d.location().line()).toList();
        assertEquals(List.of(line(7), line(3100), line(5999)), lines);
    }

    @Test
    void syntaxErrorsInBothHalvesAreAllReportedInOrder() {
        PolicyFixtures.Checked checked = PolicyFixtures.check(policy(Map.of(
                10, "allow tcp/ from office to web", 4000, "allow tcp/22 from office to", 4001, "deny inbound")));
        List<Integer> lines = checked.diagnostics().sorted().stream().map(d -> d.location().line()).toList();
        assertEquals(List.of(line(10), line(4000), line(4001)), lines, checked.messages());
    }
}
