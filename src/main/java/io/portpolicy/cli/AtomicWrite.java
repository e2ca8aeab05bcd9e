package io.portpolicy.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * symbolic link stays a link, and the file it points to is the one replaced.
 */
final class AtomicWrite {

    private AtomicWrite() {
    }

    static void write(Path file, String text) throws IOException {
        write(Map.of(file, text));
    }

    /**
     * Writes several files all or none: a target that is a directory is refused before anything
     * is renamed, and if a rename fails part way, the files already replaced get their old
     * content back and new ones are removed.
     */
    static void write(Map<Path, String> files) throws IOException {
        Map<Path, Path> temporaries = new LinkedHashMap<>();
        Map<Path, Path> previous = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, String> entry : files.entrySet()) {
                Path target = followed(entry.getKey().toAbsolutePath());
                if (Files.isDirectory(target)) throw new IOException(entry.getKey() + ": is a directory");
                Path temporary = sibling(target, ".tmp");
                temporaries.put(target, temporary);
                Files.writeString(temporary, entry.getValue(), StandardCharsets.UTF_8);
                if (Files.exists(target)) samePermissions(target, temporary);
            }
            List<Path> placed = new ArrayList<>();
            try {
                for (Map.Entry<Path, Path> entry : temporaries.entrySet()) {
                    Path target = entry.getKey();
                    if (temporaries.size() > 1 && Files.exists(target)) {
                        Path kept = sibling(target, ".old");
                        previous.put(target, kept);
                        Files.copy(target, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    replace(entry.getValue(), target);
                    placed.add(target);
                }
            } catch (IOException failed) {
                for (Path target : placed) {
                    if (previous.containsKey(target)) replace(previous.get(target), target);
                    else Files.deleteIfExists(target);
                }
                throw failed;
            }
        } finally {
            for (Path temporary : temporaries.values()) Files.deleteIfExists(temporary);
            for (Path kept : previous.values()) Files.deleteIfExists(kept);
        }
    }

    /** The file a chain of symbolic links ends at (the path itself when it is no link). */
    private static Path followed(Path path) throws IOException {
        for (int hops = 0; Files.isSymbolicLink(path); hops++) {
            if (hops == 40) throw new IOException(path + ": too many levels of symbolic links");
            path = path.resolveSibling(Files.readSymbolicLink(path)).normalize();
        }
        return path;
    }

    /**
     * A new, empty hidden file beside {@code target}. Files.createTempFile would make it
     * readable by its owner only, and a new output must get the permissions a new file gets.
     */
    private static Path sibling(Path target, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = target.resolveSibling("." + target.getFileName() + "."
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
}
