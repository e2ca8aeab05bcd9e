package io.portpolicy.source;

import java.nio.file.Path;
import java.util.List;

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

    public Location at(int line, int column, int length) {
        return new Location(this, line, column, length);
    }

    @Override
    public String toString() {
        return displayPath;
    }
}
