package io.portpolicy.check;

import io.portpolicy.source.FileStore;
import io.portpolicy.source.WorkTree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Which files a policy may include and import. A policy is untrusted input (a pull request
 * writes it, a CI job lints it), and an error quotes the lines of the file it is in: a policy
 * that could include any file could print the checkout's credentials ({@code .git/config}),
 * the job's environment ({@code /proc/self/environ}) or any file the job can read, and one
 * including a named pipe would hang the job. So a file included or imported must be a regular
 * file, outside {@code /proc}, {@code /sys}, {@code /dev} and any {@code .git} directory and,
 * when the root file lies in a checkout, inside that checkout. Each is judged by its real
 * path, every link followed, before anything of it is read.
 */
public final class Confinement {

    /** Where the system shows its state as files: none of it is a policy. */
    private static final List<Path> SYSTEM_VIEWS = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

    /** Why a file is refused, and what to do instead. */
    public record Refusal(String reason, String hint) {
    }

    /** The real path of the top of the checkout the root file lies in, or {@code null} outside any. */
    private final Path top;

    private Confinement(Path top) {
        this.top = top;
    }

    /**
     * The confinement of a policy whose root file is in {@code directory} (for standard input,
     * the current directory). The directory may be gone from the working tree (the old side of
     * {@code diff --git} after a rename): the nearest directory above it that is there says
     * which checkout it was in.
     */
    static Confinement around(Path directory) {
        try {
            return new Confinement(WorkTree.top(realPath(directory)).orElse(null));
        } catch (IOException unreadable) {
            return new Confinement(null);
        }
    }

    /** Why the file {@code target} names may not be read, or empty when it may. Nothing of it is read. */
    Optional<Refusal> judge(Path target, FileStore store) {
        Path real;
        boolean exists = true;
        try {
            real = store.locate(target);
        } catch (NoSuchFileException missing) {
            // Judged all the same: a missing file's hint lists the names in its directory.
            exists = false;
            try {
                real = realPath(target);
            } catch (IOException unreadable) {
                return Optional.empty();
            }
        } catch (IOException unreadable) {
            // Reading it fails too, and says why (a link loop, a revision's link leading out).
            return Optional.empty();
        }
        Optional<Refusal> git = inGit(target, real);
        if (git.isPresent()) return git;
        for (Path view : SYSTEM_VIEWS) {
            if (real.startsWith(view)) {
                return Optional.of(new Refusal("it is in " + view + ", where the system shows its state, not a file"
                        + leadsTo(target, real),
                        "a policy cannot read the system of the machine that lints it; include and import"
                                + " policy files and inventories only"));
            }
        }
        if (top != null && !real.startsWith(top)) {
            return Optional.of(new Refusal("it is outside the repository at " + top + leadsTo(target, real),
                    "included and imported files are kept inside the repository, so a policy cannot read other files of the machine"
                            + " that lints it; copy the file into the repository"));
        }
        try {
            if (exists && store.isSpecial(real)) {
                return Optional.of(new Refusal("it is not a regular file but a named pipe, socket or device"
                        + leadsTo(target, real),
                        "reading one could wait forever; include and import regular files only"));
            }
        } catch (IOException unreadable) {
            // Reading it fails too, and says why.
        }
        return Optional.empty();
    }

    /**
     * Why a file named on the command line or found by its name (the root policy, the
     * configuration, a baseline), named {@code path}, may not be read, or empty when it may. The
     * user names it, but a pull request may turn the file a job reads into a link: one leading
     * into a {@code .git} directory, or out of the checkout its name lies in, would print what it
     * leads to as an include would, and is refused alike. A pipe or a system view named outright
     * ({@code lint /dev/stdin}) is the user's own choice.
     */
    public static Optional<Refusal> judgeNamed(Path path, FileStore store) {
        Path real;
        try {
            real = store.locate(path);
        } catch (IOException unreadable) {
            // Reading it fails too, and says why.
            return Optional.empty();
        }
        Optional<Refusal> git = inGit(path, real);
        if (git.isPresent()) return git;
        Optional<Path> top = WorkTree.top(path.toAbsolutePath().normalize().getParent());
        if (top.isEmpty() || real.startsWith(top.get())) return Optional.empty();
        try {
            if (real.startsWith(top.get().toRealPath())) return Optional.empty();
        } catch (IOException unreadable) {
            return Optional.empty();
        }
        return Optional.of(new Refusal("it is a link out of the repository at " + top.get() + leadsTo(path, real),
                "a file linked from outside the repository could print any file of the machine that reads it;"
                        + " copy the file into the repository"));
    }

    /** A refusal when the real path lies in a {@code .git} directory. */
    private static Optional<Refusal> inGit(Path target, Path real) {
        for (Path name : real) {
            if (name.toString().equals(".git")) {
                return Optional.of(new Refusal("it is in a .git directory, where git keeps a repository's own files"
                        + leadsTo(target, real),
                        "git's files are never policy, and a checkout keeps its credentials there;"
                                + " include and import policy files and inventories only"));
            }
        }
        return Optional.empty();
    }

    /** Where a path leads, when links make that another place than it says. */
    private static String leadsTo(Path target, Path real) {
        return real.equals(target.toAbsolutePath().normalize()) ? "" : " (it leads to " + real + ")";
    }

    /**
     * The real path of {@code path}, which need not exist: the real path of the nearest
     * directory above it that does, with the rest as written (tidied: a missing directory is no link).
     */
    private static Path realPath(Path path) throws IOException {
        Path absolute = path.toAbsolutePath();
        Path rest = Path.of("");
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            rest = existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) return absolute.normalize();
        return existing.toRealPath().resolve(rest).normalize();
    }
}
