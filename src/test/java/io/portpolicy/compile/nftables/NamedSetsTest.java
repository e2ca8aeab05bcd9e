package io.portpolicy.compile.nftables;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The output chains are rendered with sets of their own and joined to the input's after
 * ({@link NamedSets#takeIn}). Whenever the join is accepted, every reference and declaration
 * must be exactly what one registry for both parts gives. A one-hex-digit hash makes names
 * collide all the time, so both the accepted and the refused joins are exercised.
 */
class NamedSetsTest {

    private static final Function<String, String> WEAK = text -> Integer.toHexString(text.hashCode() & 0x3);

    @Property(tries = 3000)
    void anAcceptedJoinNamesEverySetAsOneRegistryWould(@ForAll("lists") List<List<String>> first,
                                                       @ForAll("lists") List<List<String>> second) {
        NamedSets shared = new NamedSets(WEAK);
        List<String> sharedRefs = new ArrayList<>();
        first.forEach(values -> sharedRefs.add(shared.of(NamedSets.Kind.PORTS, values)));
        second.forEach(values -> sharedRefs.add(shared.of(NamedSets.Kind.PORTS, values)));

        NamedSets input = new NamedSets(WEAK);
        NamedSets output = new NamedSets(WEAK);
        List<String> refs = new ArrayList<>();
        first.forEach(values -> refs.add(input.of(NamedSets.Kind.PORTS, values)));
        second.forEach(values -> refs.add(output.of(NamedSets.Kind.PORTS, values)));
        StringBuilder before = new StringBuilder();
        input.declare(before);

        if (input.takeIn(output)) {
            assertEquals(sharedRefs, refs);
            assertEquals(declarations(shared), declarations(input));
        } else {
            assertEquals(before.toString(), declarations(input), "a refused join must leave the registry as it was");
            // The caller renders the output again with the input's registry: one registry after all.
            List<String> again = new ArrayList<>(refs.subList(0, first.size()));
            second.forEach(values -> again.add(input.of(NamedSets.Kind.PORTS, values)));
            assertEquals(sharedRefs, again);
        }
    }

    @Property(tries = 200)
    void withTheRealHashDifferentPartsJoin(@ForAll("lists") List<List<String>> first, @ForAll("lists") List<List<String>> second) {
        NamedSets input = new NamedSets();
        NamedSets output = new NamedSets();
        first.forEach(values -> input.of(NamedSets.Kind.PORTS, values));
        second.forEach(values -> output.of(NamedSets.Kind.PORTS, values));
        assertTrue(input.takeIn(output));
    }

    private static String declarations(NamedSets sets) {
        StringBuilder out = new StringBuilder();
        sets.declare(out);
        return out.toString();
    }

    /** Lists of two or three port numbers out of a few, so parts share some sets and not others. */
    @Provide
    Arbitrary<List<List<String>>> lists() {
        return Arbitraries.of("22", "80", "443", "8080", "9000").list().ofMinSize(2).ofMaxSize(3).list().ofMaxSize(12);
    }
}
