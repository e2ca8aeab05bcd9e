package io.portpolicy.diag;

import io.portpolicy.source.Location;
import io.portpolicy.source.SourceLines;

/**
 * Renders a diagnostic the way compilers do:
 * <pre>
 * web.policy:4:19: error: unknown name 'jumphots'
 *   allow tcp/22 from jumphots
 *                     ^~~~~~~~
 *   hint: did you mean 'jumphost'?
 * </pre>
 */
public final class DiagnosticRenderer {

    /**
     * The most columns of a line quoted: a minified or generated policy may be one line of
     * megabytes, and the caret only needs its neighbourhood.
     */
    private static final int WINDOW = 160;
    /** Marks where a quoted line was cut. */
    private static final String CUT = "...";

    private final boolean colour;
    private final SourceLines lines = new SourceLines();
    private final ColumnIndex columns = new ColumnIndex();

    public DiagnosticRenderer(boolean colour) {
        this.colour = colour;
    }

    /**
     * The diagnostic in lines; the user text in it (file name, message, hint, source line) made
     * visible. The place, the message and the hint are one line each: a line feed in them (a
     * file name's) is shown too, so it cannot start a line of its own.
     */
    public String render(Diagnostic d) {
        StringBuilder out = new StringBuilder();
        Location at = d.location();
        // Without a place (a file that cannot be read at all) the tool names itself, as its
        // other whole-file errors do: "portpolicy: error: cannot read ...".
        out.append(at != null ? bold(VisibleText.of(VisibleText.ofLine(at.toString()))) : "portpolicy").append(": ");
        out.append(severity(d.severity())).append(": ").append(VisibleText.ofLine(d.message())).append('\n');
        if (at != null) {
            String line = lines.of(at);
            if (!line.isBlank()) quote(line, at, out);
        }
        if (d.hint() != null) out.append("  hint: ").append(VisibleText.ofLine(d.hint())).append('\n');
        return out.toString();
    }

    /**
     * The line, or a window of it around the column, and under it the caret at the column with
     * tildes under the rest of the span. Columns count code points, as the lexers do, so the
     * line is walked by code points: a tab after an emoji must still be found and expanded
     * where it is, and a hidden character is as wide as the {@code <U+XXXX>} it is shown as.
     * Only the window is measured and copied: a one-line file of megabytes prints two short lines.
     */
    private void quote(String line, Location at, StringBuilder out) {
        int reported = columns.indexOf(line, at.column());
        // Some context before the column, then what follows it, then more before if the line ends early.
        int from = widenBefore(line, reported, WINDOW / 3);
        int to = widenAfter(line, reported, WINDOW - width(line, from, reported));
        from = widenBefore(line, from, WINDOW - width(line, from, to));
        String cutBefore = from > 0 ? CUT : "";
        String cutAfter = to < line.length() ? CUT : "";
        out.append("  ").append(cutBefore).append(shown(line, from, to)).append(cutAfter).append('\n');

        int spanEnd = reported;
        for (int i = 0; i < at.length() && spanEnd < to; i++) spanEnd = line.offsetByCodePoints(spanEnd, 1);
        String mark = "^" + "~".repeat(Math.max(0, width(line, reported, spanEnd) - 1));
        out.append("  ").append(" ".repeat(cutBefore.length() + width(line, from, reported)))
                .append(colour ? "\u001b[32m" + mark + "\u001b[0m" : mark).append('\n');
    }

    /**
     * Finds the index of a column in a line by walking its code points from the last column
     * found on the same line: diagnostics come sorted, so the many errors of one long line
     * walk it once in all rather than once each.
     */
    private static final class ColumnIndex {
        private String line;
        private int column = 1;
        private int index;

        /** The index of the 1-based code point column, or the line's length past its end. */
        int indexOf(String line, int column) {
            if (line != this.line || column < this.column) {
                this.line = line;
                this.column = 1;
                this.index = 0;
            }
            while (this.column < column && index < line.length()) {
                index += Character.charCount(line.codePointAt(index));
                this.column++;
            }
            return index;
        }
    }

    /** The start of the widest run of characters ending at {@code end} that fits in {@code columns}. */
    private static int widenBefore(String line, int end, int columns) {
        int start = end;
        while (start > 0) {
            int previous = line.offsetByCodePoints(start, -1);
            columns -= width(line, previous);
            if (columns < 0) break;
            start = previous;
        }
        return start;
    }

    /** The end of the widest run of characters starting at {@code start} that fits in {@code columns}. */
    private static int widenAfter(String line, int start, int columns) {
        int end = start;
        while (end < line.length()) {
            columns -= width(line, end);
            if (columns < 0) break;
            end += Character.charCount(line.codePointAt(end));
        }
        return end;
    }

    /** The characters between two indices of the line as they are printed. */
    private static String shown(String line, int start, int end) {
        StringBuilder shown = new StringBuilder();
        for (int i = start; i < end; i += Character.charCount(line.codePointAt(i))) shown.append(shown(line, i));
        return shown.toString();
    }

    /** How many columns the characters between two indices of the line take where they are printed. */
    private static int width(String line, int start, int end) {
        int width = 0;
        for (int i = start; i < end; i += Character.charCount(line.codePointAt(i))) width += width(line, i);
        return width;
    }

    /**
     * The character at {@code index} of a quoted line as it is printed: a tab as four spaces,
     * and a character that would make the line a workflow command to a CI runner reading
     * standard error as {@code <U+XXXX>} ({@link VisibleText#opensWorkflowCommand}), so a
     * policy line cannot act on the job that lints it.
     */
    private static String shown(String line, int index) {
        int character = line.codePointAt(index);
        if (VisibleText.opensWorkflowCommand(line, index)) return VisibleText.code(character);
        return character == '\t' ? "    " : VisibleText.of(character);
    }

    /** How many columns the character at {@code index} takes where it is printed (one per code point shown). */
    private static int width(String line, int index) {
        String shown = shown(line, index);
        return shown.codePointCount(0, shown.length());
    }

    private String severity(Severity severity) {
        if (!colour) return severity.label();
        String code = switch (severity) {
            case ERROR -> "\u001b[1;31m";
            case WARNING -> "\u001b[1;35m";
            case NOTE -> "\u001b[1;36m";
        };
        return code + severity.label() + "\u001b[0m";
    }

    private String bold(String text) {
        return colour ? "\u001b[1m" + text + "\u001b[0m" : text;
    }
}
