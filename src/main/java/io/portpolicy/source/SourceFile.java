package io.portpolicy.source;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The text of one input file, kept so diagnostics can quote the offending line.
 *
 * @param displayPath the path as shown to the user
 * @param path        the resolved path on disk, or {@code null} for standard input
 * @param text        the whole file
 */
public record SourceFile(String displayPath, Path path, String text) {

    /** The lines, split anew at each call: a caller quoting many lines keeps them. */
    public List<String> lines() {
        return text.lines().toList();
    }

    // Written out: a record's generated equals and hashCode are linked on their first call, which
    // a short run notices, and the generated hash would read the whole text (docs/performance.md,
    // sixth round).
    @Override
    public boolean equals(Object o) {
        return o instanceof SourceFile f && displayPath.equals(f.displayPath) && Objects.equals(path, f.path)
                && text.equals(f.text);
    }

    @Override
    public int hashCode() {
        return displayPath.hashCode();
    }

    public Location at(int line, int column, int length) {
        return new Location(this, line, column, length);
    }

    @Override
    public String toString() {
        return displayPath;
    }
}
