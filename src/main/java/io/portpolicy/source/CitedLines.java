package io.portpolicy.source;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where a text (a finding's message, its hint) cites a line of a policy file, as
 * {@code FILE:LINE} or {@code FILE:LINE:COL}. Citations are anchored to the files' own
 * names: other text with colons and digits (an IPv6 address) is part of what the text says.
 */
public final class CitedLines {

    private final Pattern pattern;
    private final Map<String, SourceFile> files;
    /** Counted once per file: a report of thousands of findings cites the same files again and again. */
    private final Map<SourceFile, Long> lineCounts = new HashMap<>();

    private CitedLines(Pattern pattern, Map<String, SourceFile> files) {
        this.pattern = pattern;
        this.files = files;
    }

    /** Citations of any of {@code files}, by their display paths. */
    public static CitedLines of(Collection<SourceFile> files) {
        Map<String, SourceFile> byPath = new LinkedHashMap<>();
        for (SourceFile file : files) byPath.putIfAbsent(file.displayPath(), file);
        return new CitedLines(pattern(byPath.keySet()), byPath);
    }

    /**
     * A citation of any of the files named: longest names first, so that the whole of a name
     * another one ends with (REV:PATH under {@code diff --git}) is taken.
     */
    public static Pattern pattern(Collection<String> displayPaths) {
        String names = displayPaths.stream().distinct().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).collect(Collectors.joining("|"));
        // No file: a pattern that matches nothing.
        return Pattern.compile(names.isEmpty() ? "(?!)" : "(?<![\\w.:/-])(" + names + "):(\\d+)(?::(\\d+))?");
    }

    public Matcher matcher(String text) {
        return pattern.matcher(text);
    }

    private long lineCount(SourceFile file) {
        return lineCounts.computeIfAbsent(file, f -> f.text().lines().count());
    }

    /**
     * The line a match of {@link #matcher} cites, at its column when it gives one; empty when
     * the file has no such line (user text, a comment, may cite anything).
     */
    public Optional<Location> at(Matcher citation) {
        SourceFile file = files.get(citation.group(1));
        try {
            int line = Integer.parseInt(citation.group(2));
            int column = citation.group(3) == null ? 1 : Integer.parseInt(citation.group(3));
            if (file == null || line < 1 || line > lineCount(file)) return Optional.empty();
            return Optional.of(file.at(line, column, 1));
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
    }

    /** A citation of {@code at} (a match of {@link #matcher}) with its file named {@code path}, its column kept when it gave one. */
    public static String withPath(Matcher citation, Location at, String path) {
        return path + ":" + at.line() + (citation.group(3) == null ? "" : ":" + citation.group(3));
    }
}
