package io.portpolicy.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The top of the checkout a directory lies in: the directory holding its {@code .git}.
 *
 * <p>A file in a submodule lies in its superproject's checkout ({@code actions/checkout} with
 * submodules puts it there), so its top is the superproject's. A repository of its own
 * ({@code .git} a directory), also one cloned inside another checkout, and a linked worktree,
 * even one inside the main checkout, are each a checkout of their own (an outer directory kept
 * in git, such as a home directory, has nothing to do with them). Git is not run: a
 * submodule's {@code .git} file names a git directory under its superproject's.
 */
public final class WorkTree {

    /** A {@code .git} file is one line, "gitdir: PATH"; no more of it is read. */
    private static final int GIT_FILE_LIMIT = 4096;

    /** Where git keeps a submodule's repository: a {@code modules} directory within a {@code .git}. */
    private static final Pattern SUBMODULE_GIT_DIRECTORY = Pattern.compile("/\\.git/(?:.*/)?modules/");

    private WorkTree() {
    }

    /** The top of the checkout holding {@code directory} (an absolute path), or empty outside any. */
    public static Optional<Path> top(Path directory) {
        Path top = null;
        for (Path dir = directory; dir != null; dir = dir.getParent()) {
            Path git = dir.resolve(".git");
            if (!Files.exists(git)) continue;
            top = dir;
            // A submodule lies in its superproject's checkout, whose top is further up; any other .git is the top.
            if (!isSubmodule(git)) break;
        }
        return Optional.ofNullable(top);
    }

    /** The path with '/' separators. */
    public static String slashes(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
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
}
