package io.portpolicy.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Files as they are in one commit of the Git repository holding them, read with the user's
 * {@code git} ({@code cat-file blob COMMIT:PATH}: the stored bytes, no filters). The revision
 * is resolved once to a commit ID, so every file comes from the same commit, and it is passed
 * as one argument after {@code --end-of-options}: a revision cannot become a git option.
 */
public final class GitRevision implements FileStore {

    /** The mode Git records for a symbolic link, stored as a blob that holds the link's target. */
    private static final String SYMBOLIC_LINK = "120000";
    /** The mode Git records for a directory (a tree). */
    private static final String DIRECTORY = "040000";
    /** As many links as Linux follows in one path (MAXSYMLINKS) before it gives up on a loop. */
    private static final int MAX_LINKS = 40;

    private final String revision;
    private final Path top;
    private final String commit;
    /**
     * How many directories below the repository's top the current directory is (0 at the top),
     * or -1 outside the repository, where a path as typed is no path git reads {@code REV:path} by.
     */
    private final int depth;
    /** {@link #mode} of each path looked up. */
    private final Map<String, String> modes = new HashMap<>();

    private GitRevision(String revision, Path top, String commit, int depth) {
        this.revision = revision;
        this.top = top;
        this.commit = commit;
        this.depth = depth;
    }

    /**
     * The revision of the repository around {@code near} (a file or directory of the working tree).
     *
     * @throws IOException with a message for the user when there is no repository or no such revision
     */
    public static GitRevision of(String revision, Path near) throws IOException {
        Path directory = near.toAbsolutePath().normalize();
        while (directory != null && !directory.toFile().isDirectory()) directory = directory.getParent();
        if (directory == null) throw new IOException("no directory to look for a Git repository in");
        Result topLevel = git(directory, "rev-parse", "--show-toplevel");
        if (topLevel.exit != 0) throw new IOException(directory + " is not in a Git repository");
        Path top = Path.of(topLevel.text().strip()).toRealPath();
        Result resolved = git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}");
        if (resolved.exit != 0) {
            boolean shallow = git(top, "rev-parse", "--is-shallow-repository").text().strip().equals("true");
            throw new UnknownRevision("'" + revision + "' is not a commit of the repository at " + top, shallow
                    // A CI job's checkout fetches the last commit only, unless asked for more.
                    ? "the repository is a shallow clone, which holds only the commits fetched: fetch the one"
                            + " to compare with (git fetch --depth=1 origin main:refs/remotes/origin/main for"
                            + " origin/main, git fetch --deepen=1 for HEAD~1), or check out with actions/checkout's"
                            + " fetch-depth: 0"
                    : "name a branch, a tag or a commit of that repository (git branch --all lists its branches)");
        }
        int depth;
        try {
            Path current = Path.of("").toAbsolutePath().toRealPath();
            depth = current.startsWith(top) ? current.getNameCount() - top.getNameCount() : -1;
        } catch (IOException gone) {
            depth = -1;
        }
        return new GitRevision(revision, top, resolved.text().strip(), depth);
    }

    /** A revision the repository does not hold, with what to do about it. */
    public static final class UnknownRevision extends IOException {
        private final String hint;

        UnknownRevision(String message, String hint) {
            super(message);
            this.hint = hint;
        }

        public String hint() {
            return hint;
        }
    }

    /** Whether the revision has a file at {@code path} (a path of the working tree). */
    public boolean holds(Path path) throws IOException {
        try {
            locate(path);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Where a file of the working tree that the revision does not hold came from, as git sees
     * it: {@code renamedFrom} is its path at the revision, named the way the user named the file,
     * when git finds it renamed (or moved) since; {@code tracked} is false for a file git does
     * not track (not added yet), whose rename git cannot find.
     */
    public record Origin(Optional<String> renamedFrom, boolean tracked) {
    }

    /**
     * Asks git whether {@code file} (as the user named it), which the revision does not hold, is
     * a file renamed since: git's rename detection ({@code -M}, at least half the file unchanged)
     * between the commit and the working tree, whose tracked files are the new side. The whole
     * tree is compared: a rename pairs a file gone since the revision with one added, so a
     * pathspec naming {@code file} alone would leave out the file it came from. Plumbing, not
     * {@code git diff}: {@code diff-index} reads no diff.* settings of the user's and does not
     * refresh the index, so it never writes it (a commit run meanwhile would find it locked);
     * a file whose times alone changed then shows as modified, neither added nor renamed.
     */
    public Origin origin(String file) throws IOException {
        String path = String.join("/", inRepository(Path.of(file)));
        Result changes = git(top, "diff-index", "-M", "--name-status", "-z", "--diff-filter=AR",
                "--end-of-options", commit, "--");
        if (changes.exit != 0) {
            throw new IOException("git cannot compare " + revision + " with the working tree, to find whether " + file
                    + " was renamed since (git diff-index " + revision + " says why)");
        }
        // -z: "A\0path\0" for a file added, "R<similarity>\0old\0new\0" for one renamed.
        List<String> fields = List.of(changes.text().split("\0"));
        for (int i = 0; i + 1 < fields.size(); ) {
            boolean renamed = fields.get(i).startsWith("R");
            String added = fields.get(renamed ? i + 2 : i + 1);
            if (added.equals(path)) {
                return new Origin(renamed ? Optional.of(renamedFrom(file, path, fields.get(i + 1))) : Optional.empty(), true);
            }
            i += renamed ? 3 : 2;
        }
        return new Origin(Optional.empty(), false);
    }

    /**
     * {@code old} (from the repository's top) named the way the user named {@code file} (at
     * {@code path} from the top): from the same directory, relative or absolute as typed, so
     * that its includes are read from its own directory at the revision and named from there.
     * Tidied of '..' unless that names another file (a '..' after a linked directory).
     */
    private String renamedFrom(String file, String path, String old) {
        Path newDirectory = Path.of(path).getParent();
        Path fromNew = newDirectory == null ? Path.of(old) : newDirectory.relativize(Path.of(old));
        Path written = Path.of(file).resolveSibling(fromNew);
        Path tidy = written.normalize();
        try {
            if (locate(tidy).equals(locate(written))) return tidy.toString();
        } catch (IOException tidyLeavesTheRepository) {
            // The link's directory is elsewhere: only the path through the link reaches the file.
        }
        return written.toString();
    }

    @Override
    public byte[] read(Path path) throws IOException {
        String inRepository = followLinks(path);
        // cat-file would only fail: a directory is said to be one, as the working tree's is ("" is the top).
        if (inRepository.isEmpty() || DIRECTORY.equals(mode(inRepository))) {
            throw new IOException("it is a directory at " + revision);
        }
        Result blob = git(top, "cat-file", "blob", commit + ":" + inRepository);
        if (blob.exit != 0) throw new NoSuchFileException(path.toString());
        return blob.bytes;
    }

    @Override
    public Path locate(Path path) throws IOException {
        return top.resolve(followLinks(path));
    }

    /** Never: a revision holds files, directories and links, no pipes or devices. */
    @Override
    public boolean isSpecial(Path located) {
        return false;
    }

    @Override
    public List<String> names(Path directory) throws IOException {
        String inRepository = followLinks(directory);
        Result listing = git(top, "ls-tree", "--name-only", "-z", commit, "--", inRepository.isEmpty() ? "." : inRepository + "/");
        if (listing.exit != 0) return List.of();
        List<String> names = new ArrayList<>();
        for (String entry : listing.text().split("\0")) {
            if (!entry.isEmpty()) names.add(entry.substring(entry.lastIndexOf('/') + 1));
        }
        return names;
    }

    /**
     * A name {@code git show} shows the file by. Run in the repository with a relative path:
     * {@code REV:} and the path as the working tree's side shows it (as typed, as {@code lint}
     * names files), so one file has one name on both sides of a diff; below the top it is
     * written {@code ./path}, as git reads {@code REV:path} from the top, where it names another
     * file, and {@code REV:./path} from the current directory. An absolute path, or any path run
     * from outside the repository, or a relative one that leaves the repository on the way (git
     * refuses {@code REV:../../repo/path}), is no path git reads: {@code REV:} and the path from the top.
     * A path outside the repository is no path of the revision: it stays as typed, without {@code REV:}.
     */
    @Override
    public String display(String path) {
        List<String> fromTop;
        try {
            fromTop = inRepository(Path.of(path));
        } catch (IOException | RuntimeException outside) {
            return path;
        }
        if (depth < 0 || Path.of(path).isAbsolute() || leavesTop(path)) {
            return revision + ":" + String.join("/", tidy(fromTop));
        }
        boolean gitWouldReadFromTop = depth > 0 && !path.startsWith("./") && !path.startsWith("../");
        return revision + ":" + (gitWouldReadFromTop ? "./" : "") + path;
    }

    /**
     * Whether {@code path}, walked from the current directory, goes above the top on the way, as
     * {@code ../../repo/x.policy} does: git refuses {@code REV:path} that leaves the repository,
     * even when it comes back in.
     */
    private boolean leavesTop(String path) {
        int below = depth;
        for (String part : path.split("/")) {
            if (part.equals("..")) below--;
            else if (!part.isEmpty() && !part.equals(".")) below++;
            if (below < 0) return true;
        }
        return false;
    }

    /** The parts with each '.' dropped and each '..' taking away the part before it, as git reads {@code REV:path}. */
    private static List<String> tidy(List<String> parts) {
        Deque<String> tidy = new ArrayDeque<>();
        for (String part : parts) {
            if (part.equals("..") && !tidy.isEmpty() && !tidy.peekLast().equals("..")) tidy.removeLast();
            else if (!part.isEmpty() && !part.equals(".")) tidy.addLast(part);
        }
        return List.copyOf(tidy);
    }

    /**
     * The path, from the repository's top with '/' separators, of the file {@code path} names
     * at the revision. Each symbolic link on the way is followed from the link's directory, as
     * the file system would follow it; it must lead to a place inside the repository.
     */
    private String followLinks(Path path) throws IOException {
        Deque<String> toWalk = new ArrayDeque<>(inRepository(path));
        List<String> walked = new ArrayList<>();
        String link = null;
        String target = null;
        int links = 0;
        while (!toWalk.isEmpty()) {
            String part = toWalk.removeFirst();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (walked.isEmpty()) {
                    if (link != null) throw linkOutside(link, target);
                    throw outside();
                }
                walked.remove(walked.size() - 1);
                continue;
            }
            walked.add(part);
            String here = String.join("/", walked);
            String mode = mode(here);
            if (mode == null) throw new NoSuchFileException(path.toString());
            if (!mode.equals(SYMBOLIC_LINK)) continue;
            if (++links > MAX_LINKS) {
                throw new IOException("it leads through more than " + MAX_LINKS + " symbolic links at " + revision
                        + " (a loop of links?); the last was '" + here + "'");
            }
            link = here;
            target = git(top, "cat-file", "blob", commit + ":" + here).text();
            if (target.startsWith("/")) throw linkOutside(link, target);
            walked.remove(walked.size() - 1);
            List<String> targetParts = List.of(target.split("/"));
            for (int i = targetParts.size() - 1; i >= 0; i--) toWalk.addFirst(targetParts.get(i));
        }
        return String.join("/", walked);
    }

    /** A file the revision cannot hold: the working tree's copy of it is not what the commit saw. */
    private IOException outside() {
        return new IOException("it is outside the repository at " + top + ": --git reads every file of the policy"
                + " as of " + revision + ", from the repository");
    }

    private IOException linkOutside(String link, String target) {
        return new IOException("the symbolic link '" + link + "' at " + revision + " points to '" + target
                + "', outside the repository; links are followed only within it");
    }

    /**
     * The mode Git records for the entry at {@code inRepository} (100644, 040000, 120000...), or
     * {@code null} for none. Kept: the files of a policy share their directories.
     */
    private String mode(String inRepository) throws IOException {
        if (modes.containsKey(inRepository)) return modes.get(inRepository);
        Result entry = git(top, "--literal-pathspecs", "ls-tree", "-z", commit, "--", inRepository);
        String text = entry.text();
        int space = text.indexOf(' ');
        String mode = entry.exit != 0 || space < 0 ? null : text.substring(0, space);
        modes.put(inRepository, mode);
        return mode;
    }

    /**
     * The parts of the path from the repository's top, '.' and '..' as written: at the revision
     * a '..' after a link is read from the link's target. The working tree may reach the
     * repository through a symbolic link, and directories on the way may be gone from it
     * (renamed since the revision), so the real path of the nearest directory that is there
     * says where in the repository the rest is.
     */
    private List<String> inRepository(Path path) throws IOException {
        Path absolute = path.toAbsolutePath();
        List<String> rest = new ArrayList<>();
        Path directory = absolute;
        do {
            if (directory.getFileName() != null) rest.add(0, directory.getFileName().toString());
            directory = directory.getParent();
        } while (directory != null && !Files.isDirectory(directory));
        if (directory == null) throw new NoSuchFileException(path.toString());
        Path real = directory.toRealPath();
        if (!real.startsWith(top)) throw outside();
        List<String> parts = new ArrayList<>();
        for (Path part : top.relativize(real)) {
            if (!part.toString().isEmpty()) parts.add(part.toString());
        }
        parts.addAll(rest);
        return parts;
    }

    private record Result(int exit, byte[] bytes) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs git; its error output is dropped (the exit code says enough), so reading stdout cannot
     * block on it. Without optional locks: reading a revision must not write the repository.
     */
    private static Result git(Path directory, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-C", directory.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("GIT_OPTIONAL_LOCKS", "0");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            // The JVM's words ("Cannot run program "git": error=2, ...") say nothing a user needs.
            throw new IOException("cannot run git: is it installed and on PATH?", e);
        }
        process.getOutputStream().close();
        try (InputStream out = process.getInputStream()) {
            // What git prints is capped as every input file is (a blob is one): past it, git is stopped.
            byte[] bytes = FileStore.readCapped(out);
            return new Result(process.waitFor(), bytes);
        } catch (FileStore.TooLarge e) {
            process.destroyForcibly();
            throw e;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running git", e);
        }
    }
}
