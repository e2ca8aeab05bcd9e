package io.portpolicy.lint.format;

import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;
import io.portpolicy.source.WorkTree;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * A file's path relative to the top of the checkout holding it ({@link WorkTree}), with '/'
 * separators: the path code scanning and workflow annotations match files by, whichever
 * directory the tool ran in and however the file was named ({@code ./x}, {@code ../x} or
 * absolute). GitHub resolves those paths in the checkout of the repository scanned, so a file in
 * a submodule is named from its superproject's top ({@code vendor/policies/x.policy}).
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
        return WorkTree.top(absolute.getParent()).map(top -> WorkTree.slashes(top.relativize(absolute)));
    }
}
