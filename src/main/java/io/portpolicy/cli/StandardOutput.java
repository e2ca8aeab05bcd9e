package io.portpolicy.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard output that remembers whether a write failed because its reader closed the pipe
 * ({@code portpolicy rules | head -3}): a PrintStream keeps the cause of a failed write to itself,
 * and a closed pipe, unlike a full disk, is nothing the user needs to hear about.
 */
public final class StandardOutput extends PrintStream {

    private final PipeWatch watch;

    public StandardOutput(OutputStream out) {
        this(new PipeWatch(out));
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

        PipeWatch(OutputStream out) {
            super(out);
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

        /** EPIPE, as the JDK words it: the JVM ignores SIGPIPE, so a write to a closed pipe fails with it. */
        private IOException seen(IOException e) {
            if ("Broken pipe".equals(e.getMessage())) readerClosed = true;
            return e;
        }
    }
}
