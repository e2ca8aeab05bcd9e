package io.portpolicy.diag;

/**
 * User text (a name, a port, a YAML value) quoted in a message. A token can be megabytes long,
 * and a message only needs enough of it to recognise it, so a long one is cut and says how much
 * was left out. The text is kept on the message's line: its line feeds, tabs and other hidden
 * characters are shown as {@code <U+XXXX>} ({@link VisibleText#ofLine}).
 */
public final class Quote {

    /** The most characters (code points) of user text a message quotes. */
    static final int MAX = 80;

    private Quote() {
    }

    /** {@code 'text'}, cut to {@value #MAX} characters followed by how many more there are. */
    public static String of(String text) {
        return "'" + cut(text) + "'";
    }

    /** {@code text} on one line, or its first {@value #MAX} characters, "..." and how many more characters it has. */
    public static String cut(String text) {
        // Counted only up to the cut: the text may be megabytes.
        if (text.length() <= MAX) return VisibleText.ofLine(text);
        int end = text.offsetByCodePoints(0, Math.min(MAX, text.codePointCount(0, text.length())));
        if (end == text.length()) return VisibleText.ofLine(text);
        return VisibleText.ofLine(text.substring(0, end))
                + "... (" + text.codePointCount(end, text.length()) + " more characters)";
    }
}
