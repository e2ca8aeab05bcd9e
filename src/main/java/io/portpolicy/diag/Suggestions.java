package io.portpolicy.diag;

import io.portpolicy.source.FileStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** "Did you mean ...?" for misspelt names. */
public final class Suggestions {

    /** Longer words are not typos we could guess; this also bounds the work per candidate. */
    private static final int MAX_LENGTH = 64;

    private Suggestions() {
    }

    /**
     * The closest candidate, if it is close enough to be a likely typo: the same letters in
     * other case, or within a third of the name's length in edits (at least one, at most
     * three), where swapping two neighbouring letters ('form' for 'from') counts as one edit.
     */
    public static Optional<String> closest(String name, Collection<String> candidates) {
        // Names are case-sensitive: one written in other case ('WEB' for 'web', 'HTTPS' for
        // 'https') is the likeliest slip of all, however many letters differ.
        Optional<String> otherCase = candidates.stream()
                .filter(c -> c.equalsIgnoreCase(name) && !c.equals(name))
                .min(Comparator.naturalOrder());
        if (otherCase.isPresent()) return otherCase;
        if (name.length() > MAX_LENGTH) return Optional.empty();
        int limit = Math.max(1, Math.min(3, name.length() / 3));
        // Ties go to the candidate that starts like the name: people rarely mistype the start
        // of a word, so 'htps' means 'https' rather than 'ftps'.
        return candidates.stream()
                .filter(c -> Math.abs(c.length() - name.length()) <= limit && distance(name, c) <= limit)
                .min(Comparator.comparingInt((String c) -> distance(name, c))
                        .thenComparingInt(c -> -commonPrefix(name, c))
                        .thenComparing(Comparator.naturalOrder()));
    }

    /** A hint line for an unknown name, or {@code null} when nothing is close. */
    public static String didYouMean(String name, Collection<String> candidates) {
        return closest(name, candidates).map(c -> "did you mean " + Quote.of(c) + "?").orElse(null);
    }

    /**
     * "did you mean 'common.policy'?" when a file of a similar name is beside the missing one,
     * or {@code null}; when its own name is there, it can only be a symbolic link that leads nowhere.
     */
    public static String similarFile(Path missing, FileStore store) {
        Path directory = missing.toAbsolutePath().getParent();
        if (directory == null || missing.getFileName() == null) return null;
        try {
            List<String> names = store.names(directory);
            String name = missing.getFileName().toString();
            if (names.contains(name)) return "'" + name + "' is a symbolic link to a file that does not exist";
            return didYouMean(name, names);
        } catch (IOException | UncheckedIOException unreadable) {
            return null;
        }
    }

    /** Edit distance with insertions, deletions, substitutions and adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) n++;
        return n;
    }
}
