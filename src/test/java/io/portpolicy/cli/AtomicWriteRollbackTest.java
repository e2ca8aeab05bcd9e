package io.portpolicy.cli;

import io.portpolicy.kernel.KernelEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several files are written all or none: when a rename fails part way, the files already put in
 * place get their old content back and new ones are removed. A rename is made to fail by
 * marking the last target immutable ({@code chattr +i}: even root may not replace it), which
 * needs root and a file system that supports the flag; elsewhere the test is skipped, and with
 * {@code CI=true} it fails instead.
 */
class AtomicWriteRollbackTest {

    private Path directory;
    private Path immutable;

    @BeforeEach
    void directory() throws IOException {
        // In the clone (tests run in its top directory), on its own file system, not in a tmpfs.
        Path build = Path.of("target");
        Files.createDirectories(build);
        directory = Files.createTempDirectory(build.toAbsolutePath(), "atomic-write-");
    }

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        if (immutable != null) chattr("-i", immutable);
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) Files.delete(file);
        }
        Files.delete(directory);
    }

    @Test
    void aRenameFailingPartWayPutsBackWhatWasReplacedAndRemovesWhatWasNew() throws Exception {
        Path replaced = write("a.nft", "old a\n");
        Path created = directory.resolve("b.nft");
        Path refused = write("c.nft", "old c\n");
        makeImmutable(refused);
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(replaced, "new a\n");
        files.put(created, "new b\n");
        files.put(refused, "new c\n");

        assertThrows(IOException.class, () -> AtomicWrite.write(files));

        assertEquals("old a\n", Files.readString(replaced, StandardCharsets.UTF_8));
        assertFalse(Files.exists(created), "a file the write created is removed again");
        assertEquals("old c\n", Files.readString(refused, StandardCharsets.UTF_8));
        try (Stream<Path> left = Files.list(directory)) {
            assertEquals(List.of("a.nft", "c.nft"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary or saved copy is left behind");
        }
    }

    /**
     * Two files is the usual case (iptables' rules.v4 and rules.v6): the first, replaced before
     * the second fails, must still get its old content back.
     */
    @Test
    void aSecondOfTwoFilesFailingPutsBackTheFirst() throws Exception {
        Path first = write("rules.v4", "old v4\n");
        Path second = write("rules.v6", "old v6\n");
        makeImmutable(second);
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(first, "new v4\n");
        files.put(second, "new v6\n");

        assertThrows(IOException.class, () -> AtomicWrite.write(files));

        assertTrue(Files.exists(first), "the first file, replaced before the second failed, is put back, not removed");
        assertEquals("old v4\n", Files.readString(first, StandardCharsets.UTF_8));
        assertEquals("old v6\n", Files.readString(second, StandardCharsets.UTF_8));
        try (Stream<Path> left = Files.list(directory)) {
            assertEquals(List.of("rules.v4", "rules.v6"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary or saved copy is left behind");
        }
    }

    /** Makes renaming over {@code file} fail, or skips the test where that is not possible. */
    private void makeImmutable(Path file) throws IOException, InterruptedException {
        if (chattr("+i", file)) {
            immutable = file;
            return;
        }
        String message = "chattr +i is not possible here (needs root and a file system with the flag)";
        if (KernelEnvironment.inCi()) Assertions.fail(message + " (CI=true: failing instead of skipping)");
        Assumptions.abort(message + " -- skipped");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(directory.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static boolean chattr(String flag, Path file) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException notInstalled) {
            return false;
        }
        return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
