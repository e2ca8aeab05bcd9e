package io.portpolicy.source;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lines of source files, each file split once, for whoever quotes many of them (a
 * diagnostic or finding per line of a big file would otherwise split the file each time).
 */
public final class SourceLines {

    private final Map<SourceFile, List<String>> byFile = new IdentityHashMap<>();

    /** The line a location is on, or an empty string past the end of its file. */
    public String of(Location at) {
        List<String> lines = byFile.computeIfAbsent(at.file(), SourceFile::lines);
        return at.line() >= 1 && at.line() <= lines.size() ? lines.get(at.line() - 1) : "";
    }
}
