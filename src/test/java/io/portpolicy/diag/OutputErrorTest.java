package io.portpolicy.diag;

import io.portpolicy.cli.Main;
import io.portpolicy.cli.StandardOutput;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Output that cannot be written (a full disk, a closed pipe) is an error, not a silent success. */
class OutputErrorTest {

    @Test
    void aFailedWriteToStandardOutputExitsTwoAndSaysSo() {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"rules"}, new ByteArrayInputStream(new byte[0]), new PrintStream(full),
                new PrintStream(err), false);
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot write to standard output"), err.toString());
    }

    @Test
    void aPipeItsReaderClosedEndsTheOutputQuietly() {
        // 'portpolicy rules --format json | head -3': head has what it wanted, and closes the pipe.
        OutputStream closed = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"rules", "--format", "json"}, new ByteArrayInputStream(new byte[0]),
                new StandardOutput(closed, false), new PrintStream(err), false);
        assertEquals(0, exit);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFailedWriteOtherThanAClosedPipeIsStillAnErrorOnStandardOutput() {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"rules"}, new ByteArrayInputStream(new byte[0]), new StandardOutput(full, false),
                new PrintStream(err), false);
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot write to standard output"), err.toString());
    }

    @Test
    void onAPipeAFailedWriteIsItsReaderGoneWhateverTheMessagesLanguage() {
        // strerror(EPIPE) follows the locale: under LANGUAGE=de it is not "Broken pipe".
        OutputStream closed = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Datenübergabe unterbrochen (broken pipe)");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"rules", "--format", "json"}, new ByteArrayInputStream(new byte[0]),
                new StandardOutput(closed, true), new PrintStream(err), false);
        assertEquals(0, exit);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }
}
