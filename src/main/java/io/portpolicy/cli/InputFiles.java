package io.portpolicy.cli;

import io.portpolicy.source.FileStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The files a run reads from the working tree (each policy with every file it includes and
 * imports, whether or not it checks, and the configuration), so that no output replaces one of
 * them: {@code compile -o} onto the policy would destroy it. Files are known by their real
 * paths, so a symbolic link or a roundabout spelling ({@code ./x/../x}) is no way around.
 */
final class InputFiles implements FileStore {

    /** Real path to the path it was read by. */
    private final Map<Path, Path> read = new HashMap<>();

    @Override
    public byte[] read(Path path) throws IOException {
        byte[] bytes = DISK.read(path);
        add(path);
        return bytes;
    }

    @Override
    public Path locate(Path path) throws IOException {
        return DISK.locate(path);
    }

    @Override
    public boolean isSpecial(Path located) throws IOException {
        return DISK.isSpecial(located);
    }

    @Override
    public List<String> names(Path directory) throws IOException {
        return DISK.names(directory);
    }

    @Override
    public String display(String path) {
        return DISK.display(path);
    }

    /** Adds a file read some other way; {@code null} (none) is ignored. */
    void add(Path file) {
        if (file == null) return;
        try {
            read.putIfAbsent(file.toRealPath(), file);
        } catch (IOException gone) {
            // Not there any more: there is nothing an output could destroy.
        }
    }

    /** Refuses, before anything is written, to write any of {@code outputs} that is one of these files. */
    void refuseToReplace(Collection<Path> outputs) throws CannotWrite {
        for (Path output : outputs) {
            Path input;
            try {
                input = read.get(output.toRealPath());
            } catch (IOException absent) {
                continue;
            }
            if (input != null) {
                throw new CannotWrite(output, "it is " + (input.equals(output) ? "" : input + ", ")
                        + "an input of this run, and writing it would destroy it", "write the output to another file");
            }
        }
    }
}
