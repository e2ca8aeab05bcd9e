package io.portpolicy.parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Two independent pieces of work at the same time: the second on another thread while the
 * caller's thread does the first. The machines this runs on have a few cores and the JVM's
 * compiler threads need one of them, so work is split in two, no further.
 */
public final class Concurrently {

    private Concurrently() {
    }

    /** The results of two pieces of work, in order. */
    public record Results<A, B>(A first, B second) {
    }

    /**
     * Both results. The two must share nothing either writes. What the second throws is
     * rethrown here as it was thrown, after the first has finished.
     */
    public static <A, B> Results<A, B> run(Supplier<A> first, Supplier<B> second) {
        CompletableFuture<B> other = CompletableFuture.supplyAsync(second);
        A here = first.get();
        try {
            return new Results<>(here, other.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) throw cause;
            if (e.getCause() instanceof Error cause) throw cause;
            throw e;
        }
    }

    /** Both results (neither may be null) of two pieces of work of one kind, in order. */
    public static <T> List<T> both(Supplier<T> first, Supplier<T> second) {
        Results<T, T> results = run(first, second);
        return List.of(results.first(), results.second());
    }

    /**
     * The work's result for each item, in the items' order; the second half of the items on a
     * second thread (one item: none). The work on one item must share nothing it writes with
     * the work on another.
     */
    public static <T, R> List<R> eachInHalves(List<T> items, Function<T, R> work) {
        int half = items.size() / 2;
        if (half == 0) return items.stream().map(work).toList();
        List<List<R>> halves = both(() -> items.subList(0, half).stream().map(work).toList(),
                () -> items.subList(half, items.size()).stream().map(work).toList());
        List<R> all = new ArrayList<>(halves.get(0));
        all.addAll(halves.get(1));
        return all;
    }
}
