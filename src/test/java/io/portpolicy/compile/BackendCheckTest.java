package io.portpolicy.compile;

import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.model.Policy;
import io.portpolicy.testing.RandomPolicies;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Backend#check} refuses exactly what {@link Backend#compile} refuses, with the same
 * message and rule, and accepts the rest: lint rule PP503 reads a cloud target's limits from
 * it. Every cloud backend, at every group of the examples and of random policies, with its
 * default settings and with limits low enough to be exceeded.
 */
class BackendCheckTest {

    @Test
    void checkRefusesExactlyWhatCompileRefuses() {
        Map<String, Integer> outcomes = new HashMap<>();
        for (String file : CompileFixtures.examples()) compare(file, CompileFixtures.checkFile(file), outcomes);
        for (long seed = 0; seed < 150; seed++) {
            compare("seed " + seed, CompileFixtures.checkText(new RandomPolicies(seed).policy()), outcomes);
        }
        // Both kinds of outcome occur, and limits are among the refusals.
        assertTrue(outcomes.getOrDefault("compiled", 0) > 100, outcomes.toString());
        assertTrue(outcomes.getOrDefault("LimitExceeded", 0) > 100, outcomes.toString());
        assertTrue(outcomes.getOrDefault("CompileException", 0) > 20, outcomes.toString());
    }

    private static void compare(String label, Policy policy, Map<String, Integer> outcomes) {
        EffectivePolicy effective = EffectivePolicy.of(policy, CompileFixtures.TODAY);
        List<Backend> cloud = Backends.all().stream().filter(Backend::forGroups).toList();
        for (String name : policy.groups().keySet()) {
            Target group = effective.target(name).orElseThrow();
            for (Backend backend : cloud) {
                for (TargetOptions options : List.of(TargetOptions.defaults(backend), tight(backend))) {
                    CompileRequest request = new CompileRequest(effective, group, backend.formats().get(0), "test", options);
                    String where = label + " " + name + " " + backend.name();
                    String compiled = outcome(() -> backend.compile(request));
                    assertEquals(compiled, outcome(() -> backend.check(request)), where);
                    outcomes.merge(compiled.substring(0, compiled.indexOf(':')), 1, Integer::sum);
                }
            }
        }
    }

    /** The backend's settings with every limit at its lowest (and GCP's priorities at their last). */
    private static TargetOptions tight(Backend backend) {
        Map<String, String> settings = new HashMap<>();
        for (TargetOption option : backend.options()) {
            switch (option.name()) {
                case "max-rules", "max-ranges" -> settings.put(option.name(), "1");
                case "first-priority" -> settings.put(option.name(), "65533");
                default -> { }
            }
        }
        return TargetOptions.of(backend.options(), settings);
    }

    private interface Work {
        void run() throws CompileException;
    }

    /** "compiled:", or the refusal's class, rule and message. */
    private static String outcome(Work work) {
        try {
            work.run();
            return "compiled:";
        } catch (CompileException e) {
            String rule = e.rule() == null ? "-" : e.rule().location().toString();
            return e.getClass().getSimpleName() + ": " + rule + " " + Objects.toString(e.getMessage());
        }
    }
}
