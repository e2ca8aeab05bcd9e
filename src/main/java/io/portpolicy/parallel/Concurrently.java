package io.portpolicy.parallel;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Two independent pieces of work at the same time: the second on another thread while the
 * caller's thread does the first. The machines this runs on have a few cores and the JVM's
 * compiler threads need one of them, so the work is split in two, no further.
 */
public final class Concurrently {

    private Concurrently() {
    }

    /**
     * Both results (neither may be null), in order. The two must share nothing either writes. What the second throws
     * is rethrown here as it was thrown, after the first has finished.
     */
    public static <T> List<T> both(Supplier<T> first, Supplier<T> second) {
        CompletableFuture<T> other = CompletableFuture.supplyAsync(second);
        T here = first.get();
        try {
            return List.of(here, other.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) throw cause;
            if (e.getCause() instanceof Error cause) throw cause;
            throw e;
        }
    }
}
