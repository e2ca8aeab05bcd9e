package io.portpolicy.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a policy and the files it includes and imports are read from: the working tree, or a
 * Git revision ({@link GitRevision}), so {@code diff --git REV FILE} reads FILE and every file
 * it names as they were at REV.
 */
public interface FileStore {

    /**
     * The most bytes an input file may hold (64 MiB): reading stops just past it, so endless
     * input ({@code /dev/zero}, a pipe that never closes) is an error instead of filling memory.
     * Far above any real policy, and above every YAML file within its own limit of 3 Mi characters.
     */
    int MAX_BYTES = 64 * 1024 * 1024;

    /** A file over {@link #MAX_BYTES}, which was not read to its end. */
    final class TooLarge extends IOException {
        public TooLarge() {
            super("it is larger than 64 MiB, the most an input file may hold");
        }
    }

    /** Everything {@code in} holds, up to {@link #MAX_BYTES}; {@link TooLarge} beyond it. */
    static byte[] readCapped(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) throw new TooLarge();
        return bytes;
    }

    /** The file's bytes, up to {@link #MAX_BYTES}; {@link TooLarge} beyond it. */
    static byte[] readCapped(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return readCapped(in);
        }
    }

    /** The working tree. */
    FileStore DISK = new FileStore() {
        @Override
        public byte[] read(Path path) throws IOException {
            return readCapped(path);
        }

        @Override
        public Path locate(Path path) throws IOException {
            return path.toRealPath();
        }

        @Override
        public boolean isSpecial(Path located) throws IOException {
            return Files.readAttributes(located, BasicFileAttributes.class).isOther();
        }

        @Override
        public List<String> names(Path directory) throws IOException {
            try (Stream<Path> entries = Files.list(directory)) {
                return entries.limit(1000).map(p -> p.getFileName().toString()).toList();
            }
        }

        @Override
        public String display(String path) {
            return path;
        }
    };

    /** The file's bytes; {@link NoSuchFileException} when there is no such file here. */
    byte[] read(Path path) throws IOException;

    /**
     * The path of the file {@code path} names, every symbolic link followed: one file has one
     * such path, so it tells files apart. {@link NoSuchFileException} when there is no such file.
     */
    Path locate(Path path) throws IOException;

    /**
     * Whether the file at {@code located} (a path {@link #locate} gave) is no file of stored
     * bytes but a named pipe, socket or device: reading one may wait forever or never end.
     */
    boolean isSpecial(Path located) throws IOException;

    /** The names in a directory (for "did you mean" when a named file is missing). */
    List<String> names(Path directory) throws IOException;

    /** How a path the user knows is shown in messages and reports: as is, or {@code REV:path}. */
    String display(String path);

    /**
     * This store, where {@code file} reads as an empty file when the store has no such file:
     * {@code diff --git REV FILE} for a FILE added since REV compares it with nothing, so what
     * it opens is all there is to review. Every other file missing here is still missing.
     */
    default FileStore withEmpty(Path file) {
        FileStore store = this;
        Path empty = file.toAbsolutePath().normalize();
        return new FileStore() {
            @Override
            public byte[] read(Path path) throws IOException {
                try {
                    return store.read(path);
                } catch (NoSuchFileException e) {
                    if (path.toAbsolutePath().normalize().equals(empty)) return new byte[0];
                    throw e;
                }
            }

            @Override
            public Path locate(Path path) throws IOException {
                try {
                    return store.locate(path);
                } catch (NoSuchFileException e) {
                    if (path.toAbsolutePath().normalize().equals(empty)) return empty;
                    throw e;
                }
            }

            @Override
            public boolean isSpecial(Path located) throws IOException {
                return store.isSpecial(located);
            }

            @Override
            public List<String> names(Path directory) throws IOException {
                return store.names(directory);
            }

            @Override
            public String display(String path) {
                return store.display(path);
            }
        };
    }
}
