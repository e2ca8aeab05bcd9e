package io.portpolicy.engine;

import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A diff lets each group's layer go once compared; asking again builds it again, alike. */
class ForgetLayersTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    private static final String BEFORE = """
            network office = 10.1.0.0/16
            group web = 10.0.1.0/24, 2001:db8:1::/64
            allow tcp/443 from any to web
            allow tcp/22 from office to web
            """;

    @Test
    void aForgottenGroupIsBuiltAgainWithTheSameSetsOnBothSides() {
        Policy before = EngineAgreesWithReferenceTest.check(BEFORE);
        Policy after = EngineAgreesWithReferenceTest.check(BEFORE + "deny udp/53 from office to web\n");
        List<EffectivePolicy> both = EffectivePolicy.sharingSpaces(before, after, TODAY);
        Target web = both.get(0).target("web").orElseThrow();
        DirectedPolicy first = both.get(0).directed(web, Direction.INBOUND);
        List<PacketCube> allowed = first.decidedAs(io.portpolicy.model.Action.ALLOW).describe();

        both.forEach(side -> side.forget(side.target("web").orElseThrow()));

        DirectedPolicy again = both.get(0).directed(web, Direction.INBOUND);
        DirectedPolicy other = both.get(1).directed(both.get(1).target("web").orElseThrow(), Direction.INBOUND);
        assertNotSame(first, again);
        assertEquals(allowed, again.decidedAs(io.portpolicy.model.Action.ALLOW).describe());
        // Built again, the two sides still share one space: their sets compare node for node.
        assertTrue(again.rules().get(0).matched().samePackets(other.rules().get(0).matched()));
    }
}
