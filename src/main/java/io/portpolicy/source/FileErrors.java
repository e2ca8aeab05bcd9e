package io.portpolicy.source;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
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
        if (namedNotUtf8(e)) {
            return "no file has that name; '\uFFFD' stands for bytes that are not UTF-8, and a file whose name"
                    + " is not valid UTF-8 cannot be opened";
        }
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof CharacterCodingException) return "it is not UTF-8 text";
        if (e instanceof FileStore.TooLarge) return e.getMessage();
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (reason == null || reason.isBlank()) return "input/output error";
        return switch (reason) {
            case "Is a directory" -> "it is a directory";
            case "Not a directory" -> "a part of the path is a file, not a directory";
            // The operating system's words ("No space left on device"), as a clause of a sentence.
            default -> clause(reason);
        };
    }

    /**
     * Why a name cannot be a path at all, as a clause. The JVM writes a name in the character set
     * of the locale, and under the C or POSIX locale that is ASCII.
     */
    public static String describe(InvalidPathException e) {
        if (!unencodable(e)) return clause(e.getReason());
        return "it has characters that file names cannot hold in this locale's character set ("
                + System.getProperty("sun.jnu.encoding") + ")";
    }

    /** What to do about a file that cannot be read, or {@code null}. */
    public static String hint(IOException e) {
        return namedNotUtf8(e) ? "rename the file so its name is UTF-8 (convmv -f latin1 -t utf8 --notest FILE"
                + " renames a Latin-1 name)" : null;
    }

    /**
     * Whether a file that was not found was named with U+FFFD, the replacement character: the
     * JVM reads a name given to it (an argument, a directory's entry) as UTF-8 and puts one in
     * for each byte that is not, so the name it opens is no longer the file's.
     */
    static boolean namedNotUtf8(IOException e) {
        return e instanceof NoSuchFileException missing && missing.getFile() != null
                && missing.getFile().indexOf('\uFFFD') >= 0;
    }

    /** What to do about a name that cannot be a path, or {@code null}. */
    public static String hint(InvalidPathException e) {
        return unencodable(e) ? "run with a UTF-8 locale, for example LC_ALL=C.UTF-8" : null;
    }

    private static boolean unencodable(InvalidPathException e) {
        return e.getReason().startsWith("Malformed input or input contains unmappable characters");
    }

    private static String clause(String sentence) {
        return sentence.substring(0, 1).toLowerCase(Locale.ROOT) + sentence.substring(1);
    }
}
