package io.portpolicy.diag;

/**
 * Characters that act on a terminal or reorder text on screen instead of showing: the C0
 * controls except tab and line feed, DEL, the C1 controls (NEL, U+0085, among them), the line
 * and paragraph separators (U+2028, U+2029), which some editors and terminals break the line
 * at, and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069). A policy file may not hold them
 * (docs/language.md); every human-readable output writes them as {@code <U+XXXX>}, so user
 * text (a file name, a YAML value, a command-line argument) cannot move the cursor, clear the
 * screen, or hide or reorder what follows it.
 */
public final class VisibleText {

    private VisibleText() {
    }

    /** Whether {@code codePoint} would act on the screen rather than show. */
    public static boolean isHidden(int codePoint) {
        return (codePoint < 0x20 && codePoint != '\t' && codePoint != '\n')
                || (codePoint >= 0x7F && codePoint <= 0x9F)
                || codePoint == 0x2028 || codePoint == 0x2029
                || (codePoint >= 0x202A && codePoint <= 0x202E)
                || (codePoint >= 0x2066 && codePoint <= 0x2069);
    }

    /**
     * {@code text} with each hidden character written as {@code <U+XXXX>}, and with nothing a CI
     * runner would run as a workflow command ({@link #opensWorkflowCommand}); tabs and line feeds
     * stay.
     */
    public static String of(String text) {
        if (text.codePoints().noneMatch(VisibleText::isHidden)) return notWorkflowCommands(text);
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> out.append(of(c)));
        return notWorkflowCommands(out.toString());
    }

    /**
     * Whether the character at {@code index} would make its line a workflow command to a GitHub
     * Actions runner, which reads a job's standard output and error: the first ':' of a
     * '::NAME ...::' that only blanks (as the runner trims them, no-break spaces too) precede in
     * its line, or the '[' of a '##[' anywhere. Human-readable output shows that character as
     * {@code <U+XXXX>}, so user text (a waiver reason, a file name) cannot annotate, mask or set
     * outputs of the job that prints it.
     */
    public static boolean opensWorkflowCommand(String text, int index) {
        char c = text.charAt(index);
        if (c == '[') return index >= 2 && text.startsWith("##", index - 2);
        if (c != ':' || !text.startsWith("::", index)) return false;
        for (int i = index - 1; i >= 0 && text.charAt(i) != '\n'; i--) {
            char before = text.charAt(i);
            if (!Character.isWhitespace(before) && !Character.isSpaceChar(before)) return false;
        }
        // A command is '::NAME ...::': a line of IPv6 addresses ('::1, 2001:db8::2') names none.
        int lineEnd = text.indexOf('\n', index);
        String line = text.substring(index, lineEnd < 0 ? text.length() : lineEnd);
        return line.length() > 2 && Character.isLetter(line.charAt(2)) && line.indexOf("::", 2) >= 0;
    }

    private static String notWorkflowCommands(String text) {
        if (!text.contains("::") && !text.contains("##[")) return text;
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            if (opensWorkflowCommand(text, i)) out.append(code(text.charAt(i)));
            else out.append(text.charAt(i));
        }
        return out.toString();
    }

    /**
     * {@code text} as part of one line: as {@link #of(String)}, and tabs and line feeds too as
     * {@code <U+XXXX>}, so a value quoted in a message cannot start a line of its own (which a
     * CI runner reading standard error could take for a command). A leading '::' stays: it is
     * not at the start of the line the value is quoted in.
     */
    public static String ofLine(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> out.append(c == '\t' || c == '\n' ? code(c) : of(c)));
        // Part of a line, never its start: only a '##[' can make it a command ('::1' stays).
        return out.toString().replace("##[", "##" + code('['));
    }

    /** One character as it is shown: itself, or {@code <U+XXXX>} when it is hidden. */
    public static String of(int codePoint) {
        return isHidden(codePoint) ? code(codePoint) : Character.toString(codePoint);
    }

    /** One character as {@code <U+XXXX>}, whether or not it is hidden. */
    static String code(int codePoint) {
        return String.format("<U+%04X>", codePoint);
    }
}
