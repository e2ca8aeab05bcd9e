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

    public List<String> lines() {
        return text.lines().toList();
    }

    /** The 1-based line, or an empty string past the end of the file. */
    public String line(int number) {
        List<String> lines = lines();
        return number >= 1 && number <= lines.size() ? lines.get(number - 1) : "";
    }

    public Location at(int line, int column, int length) {
        return new Location(this, line, column, length);
    }

    @Override
    public String toString() {
        return displayPath;
    }
}
