package io.portpolicy.lint.format;

import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.regex.Pattern;

/**
 * A file's path relative to the top of the checkout holding it, with '/' separators: the path
 * code scanning and workflow annotations match files by, whichever directory the tool ran in
 * and however the file was named ({@code ./x}, {@code ../x} or absolute).
 *
 * <p>GitHub resolves those paths in the checkout of the repository scanned, so a file in a
 * submodule is named from its superproject's top ({@code vendor/policies/x.policy}), where
 * {@code actions/checkout} with submodules puts it. A repository of its own ({@code .git} a
 * directory), also one cloned inside another checkout, and a linked worktree, even one inside
 * the main checkout, are each a checkout of their own: their files are named from their top
 * (an outer directory kept in git, such as a home directory, has nothing to do with them). Git is
 * not run: a submodule's {@code .git} file names a git directory under its superproject's.
 */
final class RepositoryPath {

    /** A {@code .git} file is one line, "gitdir: PATH"; no more of it is read. */
    private static final int GIT_FILE_LIMIT = 4096;

    /** Where git keeps a submodule's repository: a {@code modules} directory within a {@code .git}. */
    private static final Pattern SUBMODULE_GIT_DIRECTORY = Pattern.compile("/\\.git/(?:.*/)?modules/");

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
        Path top = null;
        for (Path dir = absolute.getParent(); dir != null; dir = dir.getParent()) {
            Path git = dir.resolve(".git");
            if (!Files.exists(git)) continue;
            top = dir;
            // A submodule lies in its superproject's checkout, whose top is further up; any other .git is the top.
            if (!isSubmodule(git)) break;
        }
        return Optional.ofNullable(top).map(found -> slashes(found.relativize(absolute)));
    }

    /**
     * Whether a {@code .git} is a submodule's: a file naming a git directory under a
     * superproject's {@code .git/modules} (a linked worktree's submodules: {@code
     * .git/worktrees/NAME/modules}), where git keeps submodules' repositories. A linked
     * worktree's names one under {@code .git/worktrees}, and a repository made with
     * {@code --separate-git-dir} one anywhere: each is a checkout of its own.
     */
    private static boolean isSubmodule(Path git) {
        if (!Files.isRegularFile(git)) return false;
        String text;
        try (InputStream in = Files.newInputStream(git)) {
            text = new String(in.readNBytes(GIT_FILE_LIMIT), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return false;
        }
        String line = text.lines().findFirst().orElse("");
        if (!line.startsWith("gitdir:")) return false;
        try {
            Path gitDirectory = git.resolveSibling(line.substring("gitdir:".length()).strip()).normalize();
            return SUBMODULE_GIT_DIRECTORY.matcher(slashes(gitDirectory)).find();
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static String slashes(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }
}
