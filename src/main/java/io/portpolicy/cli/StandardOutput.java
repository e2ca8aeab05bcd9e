package io.portpolicy.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;

/**
 * Standard output that remembers whether a write failed because its reader closed the pipe
 * ({@code portpolicy rules | head -3}): a PrintStream keeps the cause of a failed write to itself,
 * and a closed pipe, unlike a full disk, is nothing the user needs to hear about.
 */
public final class StandardOutput extends PrintStream {

    private final PipeWatch watch;

    /**
     * @param pipe whether {@code out} is known to be a pipe ({@link #isPipe}): then any failed
     *             write is its reader gone (the only way a write to a pipe fails), whatever
     *             language the system's error message is in
     */
    public StandardOutput(OutputStream out, boolean pipe) {
        this(new PipeWatch(out, pipe));
    }

    /** Whether this process's standard output is a pipe, as Linux tells; false where it cannot tell. */
    public static boolean isPipe() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString().startsWith("pipe:");
        } catch (IOException | UnsupportedOperationException | SecurityException cannotTell) {
            return false;
        }
    }

    private StandardOutput(PipeWatch watch) {
        super(watch, false, StandardCharsets.UTF_8);
        this.watch = watch;
    }

    /** Whether a write failed because nothing reads the pipe any more. */
    boolean readerClosed() {
        return watch.readerClosed;
    }

    private static final class PipeWatch extends FilterOutputStream {

        private boolean readerClosed;

        private final boolean pipe;

        PipeWatch(OutputStream out, boolean pipe) {
            super(out);
            this.pipe = pipe;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw seen(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw seen(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw seen(e);
            }
        }

        /**
         * The JVM ignores SIGPIPE, so a write to a closed pipe fails with EPIPE: on a pipe any
         * failure is that, elsewhere the English message tells it (its wording follows the locale).
         */
        private IOException seen(IOException e) {
            if (pipe || "Broken pipe".equals(e.getMessage())) readerClosed = true;
            return e;
        }
    }
}
