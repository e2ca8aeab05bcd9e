package io.portpolicy.lint.format;

import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * A file's path relative to the root of the git repository holding it, with '/' separators:
 * the path code scanning and workflow annotations match files by, whichever directory the tool
 * ran in and however the file was named ({@code ./x}, {@code ../x} or absolute).
 */
final class RepositoryPath {

    private RepositoryPath() {
    }

    /**
     * Each file's answer, found once: a report asks for every finding and every line it cites,
     * and each search asks the file system about every directory above the file (172,000 calls,
     * 0.2 s, for the SARIF report of the 10,000-rule benchmark policy). Weak keys: a file is
     * forgotten once no run holds it.
     */
    private static final Map<SourceFile, Optional<String>> FOUND = Collections.synchronizedMap(new WeakHashMap<>());

    /** Empty for standard input and for a file no repository holds. */
    static Optional<String> of(Location at) {
        return FOUND.computeIfAbsent(at.file(), RepositoryPath::find);
    }

    private static Optional<String> find(SourceFile source) {
        Path file = source.path();
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
