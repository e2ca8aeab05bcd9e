package io.portpolicy.source;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/** Why a file could not be read or written, in the user's words rather than Java's. */
public final class FileErrors {

    private FileErrors() {
    }

    /**
     * "no such file", "permission denied", "it is a directory", ... Never the exception's own
     * text: a file system exception's message names the path the JVM used, which may be a
     * temporary file the user never heard of.
     */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof CharacterCodingException) return "it is not UTF-8 text";
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (reason == null || reason.isBlank()) return "input/output error";
        return switch (reason) {
            case "Is a directory" -> "it is a directory";
            case "Not a directory" -> "a part of the path is a file, not a directory";
            // The operating system's words ("No space left on device"), as a clause of a sentence.
            default -> reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
        };
    }
}
