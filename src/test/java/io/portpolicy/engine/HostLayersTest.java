package io.portpolicy.engine;

import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.testing.RandomPolicies;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A large policy's hosts are judged in two layers ({@link EffectivePolicy#of(Policy, LocalDate,
 * int)}); targets own disjoint packets, so this must change nothing: the same anomalies, and at
 * every host and direction the same rules, each deciding the same packets, and the same default.
 */
class HostLayersTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void twoHostLayersJudgeAsOne(@ForAll long seed) {
        Policy policy = EngineAgreesWithReferenceTest.check(new RandomPolicies(seed).policy());
        Assume.that(policy.hosts().size() > 1);
        EffectivePolicy one = EffectivePolicy.of(policy, TODAY, 1);
        EffectivePolicy two = EffectivePolicy.of(policy, TODAY, 2);
        assertEquals(4, two.analysisLayers().size(), "two layers, two directions each");
        assertEquals(describe(Anomalies.of(one)), describe(Anomalies.of(two)));
        for (Target target : one.targets()) {
            if (target.isGroup()) continue;
            for (Direction direction : Direction.values()) {
                assertEquals(regions(one, target, direction), regions(two, target, direction),
                        target.name() + " " + direction);
            }
        }
    }

    private static List<String> describe(List<Anomaly> anomalies) {
        return anomalies.stream().map(a -> a.kind() + " " + a.rule().index() + " " + a.message()).toList();
    }

    /** What each rule matching at the target decides there, then the default's part, as blocks. */
    private static List<String> regions(EffectivePolicy effective, Target target, Direction direction) {
        DirectedPolicy directed = effective.directed(target, direction);
        PacketSet here = directed.space().at(target);
        List<String> regions = new java.util.ArrayList<>();
        for (RuleRegion region : directed.rulesAt(target)) {
            regions.add(region.rule().index() + " " + region.decided().intersect(here).describe());
        }
        regions.add("default " + directed.defaultRegionAt(target).describe());
        return regions;
    }
}
