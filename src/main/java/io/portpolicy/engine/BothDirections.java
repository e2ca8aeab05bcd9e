package io.portpolicy.engine;

import io.portpolicy.model.Direction;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    /**
     * The work's result for each direction. It must touch nothing the other direction's work
     * writes. What it throws on the second thread is rethrown here as it was thrown.
     */
    public static <T> Map<Direction, T> compute(Function<Direction, T> work) {
        CompletableFuture<T> outbound = CompletableFuture.supplyAsync(() -> work.apply(Direction.OUTBOUND));
        Map<Direction, T> both = new EnumMap<>(Direction.class);
        both.put(Direction.INBOUND, work.apply(Direction.INBOUND));
        both.put(Direction.OUTBOUND, joined(outbound));
        return both;
    }

    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) throw cause;
            if (e.getCause() instanceof Error cause) throw cause;
            throw e;
        }
    }
}
