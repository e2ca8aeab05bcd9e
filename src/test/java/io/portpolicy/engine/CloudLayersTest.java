package io.portpolicy.engine;

import io.portpolicy.model.Direction;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A policy without hosts is analysed at its groups, packed by name into as few layers of groups
 * sharing no address as a first-fit pass finds.
 */
class CloudLayersTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    private static List<List<String>> layers(String text) {
        return EffectivePolicy.of(EngineAgreesWithReferenceTest.check(text), TODAY).analysisLayers().stream()
                .filter(directed -> directed.space().direction() == Direction.INBOUND)
                .map(directed -> directed.space().layer().targets().stream().map(Target::name).toList())
                .toList();
    }

    @Test
    void eachGroupGoesToTheFirstLayerSharingNoAddressWithIt() {
        assertEquals(List.of(List.of("a", "c", "d", "f"), List.of("b", "e")), layers("""
                group a = 10.0.0.0/24
                group b = 10.0.0.128/25
                group c = 10.1.0.0/24
                group d = 2001:db8::/64
                group e = 10.0.0.5, 2001:db8::1
                group f = 10.0.1.0/24, 10.0.1.7
                allow tcp/22 from 192.0.2.0/24
                """), "b shares addresses with a, e with a (IPv4) and d (IPv6); f only touches a");
    }

    @Test
    void groupsSharingNoAddressAllGoToOneLayer() {
        // How long packing takes is measured in docs/performance.md (twenty-second round), not here.
        StringBuilder text = new StringBuilder();
        int groups = 600;
        for (int i = 0; i < groups; i++) {
            text.append("group g").append(i).append(" = 10.").append(i / 250).append('.').append(i % 250).append(".0/24\n");
        }
        List<List<String>> layers = layers(text.append("allow tcp/22 from 192.0.2.0/24\n").toString());
        assertEquals(1, layers.size());
        assertEquals(groups, layers.get(0).size());
    }
}
