package io.portpolicy.engine;

import io.portpolicy.model.Direction;
import io.portpolicy.parallel.Concurrently;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Work done once per direction, the two halves at the same time. Each direction of a layer has
 * a BDD of its own and the model is immutable, so the outbound half runs on a second thread
 * while the caller's thread does the inbound one: on two cores the longest steps of a compile
 * (encoding the rules, reading their blocks back) take half as long.
 */
public final class BothDirections {

    private BothDirections() {
    }

    /** The work's result for each direction. It must touch nothing the other direction's work writes. */
    public static <T> Map<Direction, T> compute(Function<Direction, T> work) {
        List<T> results = Concurrently.both(() -> work.apply(Direction.INBOUND), () -> work.apply(Direction.OUTBOUND));
        Map<Direction, T> both = new EnumMap<>(Direction.class);
        both.put(Direction.INBOUND, results.get(0));
        both.put(Direction.OUTBOUND, results.get(1));
        return both;
    }
}
