package io.portpolicy.diag;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean ...?" for misspelt names. */
public final class Suggestions {

    private Suggestions() {
    }

    /**
     * The closest candidate, if it is close enough to be a likely typo: within a third of the
     * name's length in edits (at least one, at most three).
     */
    public static Optional<String> closest(String name, Collection<String> candidates) {
        int limit = Math.max(1, Math.min(3, name.length() / 3));
        LevenshteinDistance distance = new LevenshteinDistance(limit);
        return candidates.stream()
                .filter(c -> distance.apply(name, c) >= 0)
                .min(Comparator.comparingInt((String c) -> distance.apply(name, c))
                        .thenComparing(Comparator.naturalOrder()));
    }

    /** A hint line for an unknown name, or {@code null} when nothing is close. */
    public static String didYouMean(String name, Collection<String> candidates) {
        return closest(name, candidates).map(c -> "did you mean '" + c + "'?").orElse(null);
    }
}
