package io.portpolicy.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where AtomicWrite puts text: a plain file is replaced by a rename, a link's file is replaced
 * and the link kept, a FIFO or device is written into, and a path no file can be made at is
 * refused in words that name no temporary file and no Java exception.
 */
class AtomicWriteTest {

    @TempDir
    Path dir;

    @Test
    void aFifoIsWrittenIntoAndStaysAFifo() throws Exception {
        Path fifo = dir.resolve("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        // The reader blocks until a writer opens the FIFO; a daemon, so a failure cannot hang the run.
        CompletableFuture<String> read = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                read.complete(Files.readString(fifo, StandardCharsets.UTF_8));
            } catch (IOException e) {
                read.completeExceptionally(e);
            }
        });
        reader.setDaemon(true);
        reader.start();

        AtomicWrite.write(fifo, "table inet portpolicy\n");

        assertFalse(Files.isRegularFile(fifo), "the FIFO was replaced by a plain file");
        assertEquals("table inet portpolicy\n", read.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(fifo), list(dir), "no temporary file is left beside it");
    }

    @Test
    void aLinkToAPlainFileStaysALinkAndTheFileItPointsToIsReplacedInItsOwnDirectory() throws IOException {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path file = Files.writeString(elsewhere.resolve("web1.nft"), "old\n");
        Path links = Files.createDirectory(dir.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve("web1.nft"), Path.of("../elsewhere/web1.nft"));

        AtomicWrite.write(link, "new\n");

        assertTrue(Files.isSymbolicLink(link));
        assertEquals(Path.of("../elsewhere/web1.nft"), Files.readSymbolicLink(link));
        assertEquals("new\n", Files.readString(file));
        assertEquals(List.of(link), list(links), "nothing is written beside the link");
        assertEquals(List.of(file), list(elsewhere), "no temporary file is left beside the file");
    }

    @Test
    void standardOutputAppendedToAFileKeepsWhatTheFileHeld() throws Exception {
        Path policy = Files.writeString(dir.resolve("site.policy"), "host web1 = 10.0.0.5\nallow tcp/443 to web1\n");
        Path log = Files.writeString(dir.resolve("out.log"), "earlier output\n");
        // A JVM of its own, so that its standard output can be a file opened for appending, as '>>' does.
        Process compile = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "compile", policy.toString(),
                "--target", "nftables", "--host", "web1", "-o", "/dev/stdout")
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        assertTrue(compile.waitFor(60, TimeUnit.SECONDS), "compile finished");
        assertEquals(0, compile.exitValue());

        String written = Files.readString(log);
        assertTrue(written.startsWith("earlier output\n"), "what the file held is kept: " + written);
        assertTrue(written.contains("tcp dport 443"), "the ruleset follows it: " + written);
        assertEquals(List.of(log, policy), list(dir), "no temporary file is left beside it");
    }

    @Test
    void aPathNoFileCanBeMadeAtIsRefusedInPlainWords() throws IOException {
        Path policy = Files.writeString(dir.resolve("site.policy"), "host a = 10.0.0.1\n");
        assertEquals("cannot write " + dir + ": it is a directory", refusal(dir));
        assertEquals("cannot write " + policy.resolve("a.nft") + ": " + policy + " is a file, not a directory",
                refusal(policy.resolve("a.nft")));
        assertEquals("cannot write " + dir.resolve("missing/a.nft") + ": there is no directory " + dir.resolve("missing"),
                refusal(dir.resolve("missing/a.nft")));
        assertEquals(List.of(policy), list(dir), "nothing was written");
    }

    @Test
    void aFileNamedNearTheFileSystemsLimitIsWritten() throws IOException {
        // 254 bytes, one under the usual limit: the hidden file beside it must not be longer.
        Path file = dir.resolve("a".repeat(250) + ".nft");
        AtomicWrite.write(file, "text\n");
        AtomicWrite.write(Map.of(file, "new\n", dir.resolve("b.nft"), "b\n"));
        assertEquals("new\n", Files.readString(file));
        assertEquals(List.of(file, dir.resolve("b.nft")), list(dir), "no temporary file is left beside it");
    }

    private static String refusal(Path file) {
        return assertThrows(CannotWrite.class, () -> AtomicWrite.write(file, "text\n")).getMessage();
    }

    private static List<Path> list(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().toList();
        }
    }
}
