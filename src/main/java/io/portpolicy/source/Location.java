package io.portpolicy.source;

/**
 * A place in a source file: 1-based line and column, and the length of the text it spans
 * (at least 1) so a renderer can underline it.
 */
public record Location(SourceFile file, int line, int column, int length) implements Comparable<Location> {

    public Location {
        if (length < 1) length = 1;
    }

    /** The file's display path, as the user named it (relative paths stay relative). */
    public String path() {
        return file.displayPath();
    }

    /** {@code FILE:LINE:COL}, the prefix of every diagnostic. */
    @Override
    public String toString() {
        return path() + ":" + line + ":" + column;
    }

    @Override
    public int compareTo(Location other) {
        int byFile = path().compareTo(other.path());
        if (byFile != 0) return byFile;
        if (line != other.line) return Integer.compare(line, other.line);
        return Integer.compare(column, other.column);
    }
}
