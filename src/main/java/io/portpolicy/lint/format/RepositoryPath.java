package io.portpolicy.lint.format;

import io.portpolicy.source.Location;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file's path relative to the root of the git repository holding it, with '/' separators:
 * the path code scanning and workflow annotations match files by, whichever directory the tool
 * ran in and however the file was named ({@code ./x}, {@code ../x} or absolute).
 */
final class RepositoryPath {

    private RepositoryPath() {
    }

    /** Empty for standard input and for a file no repository holds. */
    static Optional<String> of(Location at) {
        Path file = at.file().path();
        if (file == null) return Optional.empty();
        Path absolute = file.toAbsolutePath().normalize();
        for (Path dir = absolute.getParent(); dir != null; dir = dir.getParent()) {
            // A file, not a directory, in a linked worktree or a submodule.
            if (Files.exists(dir.resolve(".git"))) return Optional.of(slashes(dir.relativize(absolute)));
        }
        return Optional.empty();
    }

    private static String slashes(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }
}
