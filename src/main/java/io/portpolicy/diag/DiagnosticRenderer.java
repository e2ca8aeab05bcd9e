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

    public String render(Diagnostic d) {
        StringBuilder out = new StringBuilder();
        Location at = d.location();
        if (at != null) out.append(bold(at.toString())).append(": ");
        out.append(severity(d.severity())).append(": ").append(d.message()).append('\n');
        if (at != null) {
            String line = lines.of(at);
            if (!line.isBlank()) {
                out.append("  ").append(expandTabs(line)).append('\n');
                out.append("  ").append(caret(line, at)).append('\n');
            }
        }
        if (d.hint() != null) out.append("  hint: ").append(d.hint()).append('\n');
        return out.toString();
    }

    /**
     * The caret under the column, with tildes under the rest of the span on that line. Columns
     * count code points, as the lexers do, so the line is walked by code points: a tab after an
     * emoji must still be found and expanded where it is.
     */
    private String caret(String line, Location at) {
        int[] characters = line.codePoints().toArray();
        StringBuilder pad = new StringBuilder();
        int column = Math.min(at.column(), characters.length + 1);
        for (int i = 0; i < column - 1; i++) pad.append(characters[i] == '\t' ? "    " : " ");
        int span = Math.max(1, Math.min(at.length(), characters.length - column + 1));
        String mark = "^" + "~".repeat(span - 1);
        return pad + (colour ? "\u001b[32m" + mark + "\u001b[0m" : mark);
    }

    private static String expandTabs(String line) {
        return line.replace("\t", "    ");
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
