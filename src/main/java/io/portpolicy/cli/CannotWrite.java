package io.portpolicy.cli;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An output file that was not written, and why, in words to show the user as they are.
 *
 * @see Io#error
 */
final class CannotWrite extends IOException {

    private final String hint;

    /**
     * @param file   the file as the user named it
     * @param reason what is wrong, as a clause ("it is a directory")
     * @param hint   what to do about it, or {@code null}
     */
    CannotWrite(Path file, String reason, String hint) {
        super("cannot write " + file + ": " + reason);
        this.hint = hint;
    }

    String hint() {
        return hint;
    }
}
