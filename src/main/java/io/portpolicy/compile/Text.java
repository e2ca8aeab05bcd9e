package io.portpolicy.compile;


/**
 * Making user text (names, comments, owners, tickets, log prefixes, file names) safe to put
 * into a configuration file. Every backend passes all user text through these; a backend
 * that quotes differently adds its own replacements first.
 */
public final class Text {

    private Text() {
    }

    /**
     * One line of free text: control, format, line and paragraph separator characters and lone
     * surrogates become spaces, runs of spaces collapse, ends are trimmed; other Unicode stays.
     */
    public static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean blank = Character.isWhitespace(cp) || Character.isSpaceChar(cp) || unsafe(cp);
            if (blank) {
                space = out.length() > 0;
                continue;
            }
            if (space) out.append(' ');
            space = false;
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    private static boolean unsafe(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }

    /** Replaces each listed character by the one at the same index of {@code by}. */
    public static String replace(String text, String chars, String by) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int at = chars.indexOf(c);
            out.append(at < 0 ? c : by.charAt(at));
        }
        return out.toString();
    }

    /** Keeps only printable ASCII letters, digits and {@code allowed}; anything else becomes '_'. */
    public static String ascii(String text, String allowed) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean ok = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                    || (cp < 128 && allowed.indexOf(cp) >= 0);
            out.append(ok ? (char) cp : '_');
        }
        return out.toString();
    }

    /** The longest prefix of {@code text} whose UTF-8 encoding fits in {@code maxBytes}, cut between code points. */
    public static String cutBytes(String text, int maxBytes) {
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int size = utf8Size(cp);
            if (bytes + size > maxBytes) return text.substring(0, i);
            bytes += size;
            i += Character.charCount(cp);
        }
        return text;
    }

    /** The longest suffix of {@code text} whose UTF-8 encoding fits in {@code maxBytes}, cut between code points. */
    public static String cutBytesLeft(String text, int maxBytes) {
        int bytes = 0;
        for (int i = text.length(); i > 0; ) {
            int cp = text.codePointBefore(i);
            int size = utf8Size(cp);
            if (bytes + size > maxBytes) return text.substring(i);
            bytes += size;
            i -= Character.charCount(cp);
        }
        return text;
    }

    /** The length of {@code text} in UTF-8. */
    public static int utf8Bytes(String text) {
        return text.codePoints().map(Text::utf8Size).sum();
    }

    // UTF-8's lengths (RFC 3629); a lone surrogate is written as '?', one byte.
    private static int utf8Size(int cp) {
        return cp < 0x80 || (cp <= 0xFFFF && Character.isSurrogate((char) cp)) ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** How a platform counts a text's length against its limit. */
    public enum Measure {
        /** UTF-8 bytes, as the kernel keeps rule comments. */
        UTF8_BYTES,
        /** Characters (code points), as cloud APIs count descriptions. */
        CHARACTERS;

        int length(String text) {
            return this == UTF8_BYTES ? utf8Bytes(text) : text.codePointCount(0, text.length());
        }

        String cut(String text, int max) {
            return this == UTF8_BYTES ? cutBytes(text, max) : cutChars(text, max);
        }

        String cutLeft(String text, int max) {
            return this == UTF8_BYTES ? cutBytesLeft(text, max) : cutCharsLeft(text, max);
        }
    }

    /**
     * A FILE:LINE {@code location}, a space and {@code text}, in at most {@code max} of
     * {@code measure}. What does not fit goes from the location's directories first, cut from
     * the left behind "..." (the file name and line say where; the directories rarely matter),
     * then from the text's end; the file name and line are cut only if they alone do not fit.
     * A location kept whole (one without directories) gets no "...".
     */
    public static String locationAndText(String location, String text, int max, Measure measure) {
        String gap = text.isEmpty() ? "" : " ";
        if (measure.length(location) + measure.length(gap + text) <= max) return location + gap + text;
        String fileAndLine = location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')) + 1);
        int room = max - CUT.length() - measure.length(gap + text);
        int locationLength = Math.min(max - CUT.length(), Math.max(room, measure.length(fileAndLine)));
        String shown = measure.length(location) <= locationLength ? location : CUT + measure.cutLeft(location, locationLength);
        return measure.cut(shown + gap + text, max);
    }

    /** What stands for the part of a location {@link #locationAndText} leaves out. */
    private static final String CUT = "...";

    /** The longest prefix of at most {@code maxChars} code points. */
    public static String cutChars(String text, int maxChars) {
        if (text.codePointCount(0, text.length()) <= maxChars) return text;
        return text.substring(0, text.offsetByCodePoints(0, maxChars));
    }

    /** The longest suffix of at most {@code maxChars} code points. */
    private static String cutCharsLeft(String text, int maxChars) {
        int count = text.codePointCount(0, text.length());
        return count <= maxChars ? text : text.substring(text.offsetByCodePoints(0, count - maxChars));
    }
}
