package io.portpolicy.cli;

import io.portpolicy.source.FileErrors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How every command writes files (compile's outputs, fmt's rewrites, baselines): each to a new
 * file beside it, renamed into place, so no reader ever sees half a file. A file written anew
 * gets the permissions the user's umask gives a new file; a file replaced keeps its own; a
 * symbolic link stays a link, and the file it ends at is the one replaced, in its own
 * directory. A device or FIFO (a named pipe), or a descriptor the shell opened
 * ({@code /dev/stdout}), is written into as it is:
 * renaming over it would put a plain file in its place. A directory is refused.
 */
final class AtomicWrite {

    /** Paths that name a descriptor the process holds, not a file of its own. */
    private static final List<Path> DESCRIPTOR_PATHS = List.of(Path.of("/dev/stdout"), Path.of("/dev/stderr"),
            Path.of("/dev/fd"), Path.of("/proc/self/fd"));

    private AtomicWrite() {
    }

    /**
     * Where one file's text goes.
     *
     * @param named   the file as the user named it, for messages
     * @param target  the file renamed over (links followed), or the device or FIFO written into
     * @param inPlace whether {@code target} is written into rather than replaced
     */
    private record Destination(Path named, Path target, boolean inPlace) {
    }

    static void write(Path file, String text) throws CannotWrite {
        write(Map.of(file, text));
    }

    /**
     * Writes several files all or none: every target is looked at before anything is written,
     * and if a rename fails part way, the files already replaced get their old content back and
     * new ones are removed. Devices and FIFOs are written last, as what they were sent cannot be
     * taken back.
     */
    static void write(Map<Path, String> files) throws CannotWrite {
        List<Destination> destinations = new ArrayList<>();
        for (Path file : files.keySet()) destinations.add(destination(file));
        Map<Destination, Path> temporaries = new LinkedHashMap<>();
        Map<Path, Path> previous = new LinkedHashMap<>();
        try {
            for (Destination destination : destinations) {
                if (destination.inPlace()) continue;
                try {
                    Path temporary = sibling(destination.target(), ".tmp");
                    temporaries.put(destination, temporary);
                    Files.writeString(temporary, files.get(destination.named()), StandardCharsets.UTF_8);
                    if (Files.exists(destination.target())) samePermissions(destination.target(), temporary);
                } catch (IOException e) {
                    throw failed(destination.named(), e);
                }
            }
            List<Destination> placed = new ArrayList<>();
            Destination current = null;
            try {
                for (Map.Entry<Destination, Path> entry : temporaries.entrySet()) {
                    current = entry.getKey();
                    Path target = current.target();
                    if (destinations.size() > 1 && Files.exists(target)) {
                        Path kept = sibling(target, ".old");
                        previous.put(target, kept);
                        Files.copy(target, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    replace(entry.getValue(), target);
                    placed.add(current);
                }
                for (Destination destination : destinations) {
                    if (!destination.inPlace()) continue;
                    current = destination;
                    // Appended: a regular file behind a descriptor was opened by the shell, emptied by
                    // '>' or kept by '>>'; a device or FIFO has no end to append at.
                    Files.writeString(destination.target(), files.get(destination.named()), StandardCharsets.UTF_8,
                            StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                }
            } catch (IOException e) {
                List<String> kept = new ArrayList<>();
                for (Destination destination : placed) {
                    try {
                        Path target = destination.target();
                        if (previous.containsKey(target)) replace(previous.get(target), target);
                        else Files.deleteIfExists(target);
                    } catch (IOException notRestored) {
                        kept.add(destination.named().toString());
                    }
                }
                throw new CannotWrite(current.named(), FileErrors.describe(e) + (kept.isEmpty() ? ""
                        : "; the new content of " + String.join(", ", kept) + " could not be taken back"), null);
            }
        } finally {
            // Best effort: a leftover hidden file must not hide the error being reported.
            for (Path temporary : temporaries.values()) deleteQuietly(temporary);
            for (Path kept : previous.values()) deleteQuietly(kept);
        }
    }

    /** Where {@code file}'s text goes; refuses a directory, or a path no file can be made at. Writes nothing. */
    private static Destination destination(Path file) throws CannotWrite {
        if (namesOpenDescriptor(file)) return new Destination(file, file, true);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException absent) {
            return new Destination(file, newFile(file), false);
        }
        if (attributes.isDirectory()) throw isADirectory(file);
        if (!attributes.isRegularFile()) return new Destination(file, file, true);
        try {
            return new Destination(file, file.toRealPath(), false);
        } catch (IOException e) {
            throw failed(file, e);
        }
    }

    /** Refuses a directory where a file is wanted, before anything is written. */
    static void refuseDirectory(Path file) throws CannotWrite {
        if (Files.isDirectory(file)) throw isADirectory(file);
    }

    private static CannotWrite isADirectory(Path file) {
        return new CannotWrite(file, "it is a directory", "name a file");
    }

    /**
     * Whether {@code file} names a descriptor this process already holds ({@code /dev/stdout},
     * {@code /dev/fd/3}, {@code /proc/self/fd/1}): whatever it leads to, the shell opened it,
     * and {@code >>} must keep what the file held, so it is written into, never replaced.
     */
    private static boolean namesOpenDescriptor(Path file) {
        Path path = file.toAbsolutePath().normalize();
        return DESCRIPTOR_PATHS.stream().anyMatch(path::startsWith);
    }

    /**
     * Where a file that does not exist yet is made: where its chain of symbolic links ends (a
     * link to a file not yet written stays a link), in that directory's real path.
     */
    private static Path newFile(Path file) throws CannotWrite {
        Path end;
        try {
            end = followed(file);
        } catch (IOException e) {
            throw failed(file, e);
        }
        Path directory = end.toAbsolutePath().getParent();
        Path shown = end.getParent() == null ? directory : end.getParent();
        Path real;
        try {
            real = directory.toRealPath();
        } catch (AccessDeniedException e) {
            throw failed(file, e);
        } catch (IOException e) {
            throw noDirectory(file, shown);
        }
        if (!Files.isDirectory(real)) throw noDirectory(file, shown);
        return real.resolve(end.getFileName());
    }

    /** The file a chain of symbolic links ends at (the path itself when it is no link). */
    private static Path followed(Path path) throws IOException {
        for (int hops = 0; Files.isSymbolicLink(path); hops++) {
            if (hops == 40) throw new IOException("too many levels of symbolic links");
            path = path.resolveSibling(Files.readSymbolicLink(path)).normalize();
        }
        return path;
    }

    /**
     * {@code directory} (as the user would name it) is not one: say whether it is missing, or a
     * file stands in its place or above it.
     */
    private static CannotWrite noDirectory(Path file, Path directory) {
        Path inTheWay = fileInTheWay(directory);
        return inTheWay != null ? new CannotWrite(file, inTheWay + " is a file, not a directory", null)
                : new CannotWrite(file, "there is no directory " + directory, "create the directory first");
    }

    /** The file that stands where {@code directory} or a directory above it should be, if any. */
    private static Path fileInTheWay(Path directory) {
        for (Path above = directory; above != null; above = above.getParent()) {
            if (Files.isDirectory(above)) return null;
            if (Files.exists(above)) return above;
        }
        return null;
    }

    /** Makes {@code directory} (for compile --all), with the directories above it that are missing. */
    static void directory(Path directory) throws CannotWrite {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            Path inTheWay = fileInTheWay(directory);
            if (inTheWay == null) throw failed(directory, e);
            throw new CannotWrite(directory, (inTheWay.equals(directory) ? "it" : inTheWay) + " is a file, not a directory",
                    null);
        }
    }

    private static CannotWrite failed(Path file, IOException e) {
        return new CannotWrite(file, FileErrors.describe(e), null);
    }

    /**
     * A new, empty hidden file beside {@code target}. Files.createTempFile would make it
     * readable by its owner only, and a new output must get the permissions a new file gets.
     * Its name does not grow with the target's: a target whose name is near the file system's
     * limit (255 bytes) must still be writable.
     */
    private static Path sibling(Path target, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = target.resolveSibling(".portpolicy."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + suffix);
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 100) throw taken;
            }
        }
    }

    private static void samePermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        if (view != null) Files.setPosixFilePermissions(to, view.readAttributes().permissions());
    }

    private static void replace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // Only a hidden leftover; the outcome of the write is what the user must hear about.
        }
    }
}
