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

    private final boolean colour;
    private final SourceLines lines = new SourceLines();

    public DiagnosticRenderer(boolean colour) {
        this.colour = colour;
    }

    /** The diagnostic in lines; the user text in it (file name, message, hint, source line) made visible. */
    public String render(Diagnostic d) {
        StringBuilder out = new StringBuilder();
        Location at = d.location();
        if (at != null) out.append(bold(VisibleText.of(at.toString()))).append(": ");
        out.append(severity(d.severity())).append(": ").append(VisibleText.of(d.message())).append('\n');
        if (at != null) {
            String line = lines.of(at);
            if (!line.isBlank()) {
                StringBuilder shown = new StringBuilder();
                line.codePoints().forEach(c -> shown.append(shown(c)));
                out.append("  ").append(shown).append('\n');
                out.append("  ").append(caret(line, at)).append('\n');
            }
        }
        if (d.hint() != null) out.append("  hint: ").append(VisibleText.of(d.hint())).append('\n');
        return out.toString();
    }

    /**
     * The caret under the column, with tildes under the rest of the span on that line. Columns
     * count code points, as the lexers do, so the line is walked by code points: a tab after an
     * emoji must still be found and expanded where it is, and a hidden character is as wide
     * as the {@code <U+XXXX>} it is shown as.
     */
    private String caret(String line, Location at) {
        int[] characters = line.codePoints().toArray();
        int column = Math.min(at.column(), characters.length + 1);
        int span = Math.max(1, Math.min(at.length(), characters.length - column + 1));
        int before = 0;
        for (int i = 0; i < column - 1; i++) before += width(characters[i]);
        int under = 0;
        for (int i = column - 1; i < Math.min(column - 1 + span, characters.length); i++) under += width(characters[i]);
        String mark = "^" + "~".repeat(Math.max(0, under - 1));
        return " ".repeat(before) + (colour ? "\u001b[32m" + mark + "\u001b[0m" : mark);
    }

    /** One character of a quoted line as it is printed: a tab as four spaces. */
    private static String shown(int character) {
        return character == '\t' ? "    " : VisibleText.of(character);
    }

    /** How many columns the character takes where it is printed (one per code point shown). */
    private static int width(int character) {
        String shown = shown(character);
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
