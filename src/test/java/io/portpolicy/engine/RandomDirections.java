package io.portpolicy.engine;

import io.portpolicy.model.Direction;
import io.portpolicy.testing.RandomPolicies;

import java.time.LocalDate;

/** A random policy's effective policy, visited target by target and direction by direction, for the engine's properties. */
final class RandomDirections {

    static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    /** What a property checks at one target in one direction. */
    @FunctionalInterface
    interface Visit {
        void at(Target target, Direction direction, DirectedPolicy directed);
    }

    private RandomDirections() {
    }

    /** The effective policy of the random policy {@code seed} names. */
    static EffectivePolicy of(long seed) {
        return EffectivePolicy.of(EngineAgreesWithReferenceTest.check(new RandomPolicies(seed).policy()), TODAY);
    }

    /** Visits every target of the policy, inbound and outbound. */
    static void each(EffectivePolicy effective, Visit visit) {
        for (Target target : effective.targets()) {
            for (Direction direction : Direction.values()) {
                visit.at(target, direction, effective.directed(target, direction));
            }
        }
    }
}
