package io.portpolicy.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Files as they are in one commit of the Git repository holding them, read with the user's
 * {@code git} ({@code cat-file blob COMMIT:PATH}: the stored bytes, no filters). The revision
 * is resolved once to a commit ID, so every file comes from the same commit, and it is passed
 * as one argument after {@code --end-of-options}: a revision cannot become a git option.
 */
public final class GitRevision implements FileStore {

    private final String revision;
    private final Path top;
    private final String commit;

    private GitRevision(String revision, Path top, String commit) {
        this.revision = revision;
        this.top = top;
        this.commit = commit;
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
        if (resolved.exit != 0) throw new IOException("'" + revision + "' is not a commit of the repository at " + top);
        return new GitRevision(revision, top, resolved.text().strip());
    }

    @Override
    public byte[] read(Path path) throws IOException {
        String inRepository = inRepository(path);
        Result blob = git(top, "cat-file", "blob", commit + ":" + inRepository);
        if (blob.exit != 0) throw new NoSuchFileException(path.toString());
        return blob.bytes;
    }

    @Override
    public Path locate(Path path) throws IOException {
        return top.resolve(inRepository(path));
    }

    @Override
    public List<String> names(Path directory) throws IOException {
        String inRepository = inRepository(directory);
        Result listing = git(top, "ls-tree", "--name-only", "-z", commit, "--", inRepository.isEmpty() ? "." : inRepository + "/");
        if (listing.exit != 0) return List.of();
        List<String> names = new ArrayList<>();
        for (String entry : listing.text().split("\0")) {
            if (!entry.isEmpty()) names.add(entry.substring(entry.lastIndexOf('/') + 1));
        }
        return names;
    }

    /**
     * {@code REV:path} with the path as Git names it, from the repository's top, so that
     * {@code git show REV:path} shows the file from any directory (a path as typed in a
     * subdirectory would name another file). A path outside the repository stays as typed.
     */
    @Override
    public String display(String path) {
        try {
            return revision + ":" + inRepository(Path.of(path));
        } catch (IOException | RuntimeException outside) {
            return revision + ":" + path;
        }
    }

    /** The path relative to the repository's top, with '/' separators, as Git names it. */
    private String inRepository(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        // The working tree may reach the repository through a symbolic link; compare real paths.
        Path parent = absolute.getParent();
        Path real = parent != null && parent.toFile().isDirectory()
                ? parent.toRealPath().resolve(absolute.getFileName()) : absolute;
        if (!real.startsWith(top)) throw new NoSuchFileException(path + " (outside the repository at " + top + ")");
        List<String> parts = new ArrayList<>();
        for (Path part : top.relativize(real)) parts.add(part.toString());
        return String.join("/", parts);
    }

    private record Result(int exit, byte[] bytes) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Runs git; its error output is dropped (the exit code says enough), so reading stdout cannot block on it. */
    private static Result git(Path directory, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-C", directory.toString()));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IOException("cannot run git: " + e.getMessage(), e);
        }
        process.getOutputStream().close();
        try (InputStream out = process.getInputStream()) {
            byte[] bytes = out.readAllBytes();
            return new Result(process.waitFor(), bytes);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running git", e);
        }
    }
}
