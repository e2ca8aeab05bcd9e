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
 * compiler threads need one of them, so work is split in two, no further: work that is already
 * one of two halves (a diff's two lints, each of which would split its layers again) runs its
 * own halves one after the other. Four threads on two cores took about 8% more CPU for the same
 * work (docs/performance.md, eighteenth round).
 */
public final class Concurrently {

    /** Whether this thread is doing one of two halves of some work. */
    private static final ThreadLocal<Boolean> IN_HALF = ThreadLocal.withInitial(() -> false);

    private Concurrently() {
    }

    /** The results of two pieces of work, in order. */
    public record Results<A, B>(A first, B second) {
    }

    /**
     * Both results. The two must share nothing either writes. What the second throws is
     * rethrown here as it was thrown, after the first has finished. On a thread already doing
     * one of two halves, the two run on it, one after the other.
     */
    public static <A, B> Results<A, B> run(Supplier<A> first, Supplier<B> second) {
        if (IN_HALF.get()) return new Results<>(first.get(), second.get());
        CompletableFuture<B> other = CompletableFuture.supplyAsync(() -> asHalf(second));
        A here = asHalf(first);
        try {
            return new Results<>(here, other.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) throw cause;
            if (e.getCause() instanceof Error cause) throw cause;
            throw e;
        }
    }

    private static <T> T asHalf(Supplier<T> work) {
        IN_HALF.set(true);
        try {
            return work.get();
        } finally {
            IN_HALF.set(false);
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
