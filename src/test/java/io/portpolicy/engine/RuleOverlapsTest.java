package io.portpolicy.engine;

import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.testing.RandomPolicies;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RuleOverlaps} must be conservative: every region is computed from the neighbours it
 * names, so two rules whose packet sets meet anywhere (any target, either direction) must be
 * neighbours. Checked exactly, pair by pair, against the rules' sets.
 */
class RuleOverlapsTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void rulesWhoseSetsMeetAreNeighbours(@ForAll long seed) {
        Policy policy = EngineAgreesWithReferenceTest.check(new RandomPolicies(seed).policy());
        EffectivePolicy effective = EffectivePolicy.of(policy, TODAY);
        RuleOverlaps overlaps = new RuleOverlaps(effective.compiledRules());
        for (Target target : effective.targets()) {
            for (Direction direction : Direction.values()) {
                List<RuleRegion> rules = effective.directed(target, direction).rules();
                for (int i = 0; i < rules.size(); i++) {
                    for (int j = 0; j < i; j++) {
                        if (!rules.get(i).matched().intersects(rules.get(j).matched())) continue;
                        int later = i;
                        int earlier = j;
                        assertTrue(Arrays.binarySearch(overlaps.earlier(later), earlier) >= 0,
                                () -> "rules " + earlier + " and " + later + " meet at " + target.name() + " "
                                        + direction + " but are not neighbours:\n" + rules.get(earlier).rule().text()
                                        + "\n" + rules.get(later).rule().text());
                        assertTrue(Arrays.binarySearch(overlaps.later(earlier), later) >= 0);
                    }
                }
            }
        }
    }

    @Test
    void rulesOnDifferentPortsOrAddressesAreNotNeighbours() {
        Policy policy = EngineAgreesWithReferenceTest.check("""
                host a = 10.0.0.1
                host b = 10.0.0.2
                allow tcp/22 from 10.1.0.0/16 to a
                allow tcp/443 from 10.1.0.0/16 to a
                allow tcp/22 from 10.2.0.0/16 to a
                allow tcp/22 from 10.1.0.0/16 to b
                allow tcp/20-30 from any to a
                allow any from 10.1.2.3
                """);
        RuleOverlaps overlaps = new RuleOverlaps(EffectivePolicy.of(policy, TODAY).compiledRules());
        assertEquals(List.of(), Arrays.stream(overlaps.earlier(1)).boxed().toList(), "other port");
        assertEquals(List.of(), Arrays.stream(overlaps.earlier(2)).boxed().toList(), "other source");
        assertEquals(List.of(), Arrays.stream(overlaps.earlier(3)).boxed().toList(), "other host");
        assertEquals(List.of(0, 2), Arrays.stream(overlaps.earlier(4)).boxed().toList(), "port range, any source");
        assertEquals(List.of(0, 1, 3, 4), Arrays.stream(overlaps.earlier(5)).boxed().toList(), "any protocol");
    }
}
