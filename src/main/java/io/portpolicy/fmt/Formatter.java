package io.portpolicy.fmt;

import io.portpolicy.diag.Diagnostics;
import io.portpolicy.source.SourceFile;
import io.portpolicy.syntax.ParsedFile;
import io.portpolicy.syntax.PolicyReader;
import io.portpolicy.syntax.antlr.PolicyLexer;
import io.portpolicy.syntax.antlr.PolicyParser;
import org.antlr.v4.runtime.Token;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The canonical layout of a policy file. Every statement starts a line of its own at column 0
 * and is written on one line, its tokens separated by one space, except none before {@code ,}
 * {@code ;} and {@code }}, none after {@code {}, and none around {@code /}, {@code -} and
 * {@code :} (so {@code tcp/22}, {@code 10.0.0.0/8}, {@code 1000-2000}, {@code icmp/3:4}).
 * Comments are all kept: a comment on a line of its own stays on a line of its own (at column
 * 0 between statements, indented four spaces inside one), a comment after code stays after it,
 * two spaces away; a statement broken by a comment goes on, indented four spaces, on the next
 * line. Runs of blank lines become one; none at the start; one newline at the end.
 * Formatting never changes the file's tokens: the result is re-read and compared token by
 * token before it is returned.
 */
public final class Formatter {

    private Formatter() {
    }

    /** The formatted text, or empty when the file has syntax errors (reported to diagnostics). */
    public static Optional<String> format(SourceFile source, Diagnostics diagnostics) {
        ParsedFile parsed = PolicyReader.read(source, diagnostics);
        if (diagnostics.hasErrors()) return Optional.empty();
        String text = layout(parsed);
        Diagnostics again = new Diagnostics();
        ParsedFile check = PolicyReader.read(new SourceFile(source.displayPath(), source.path(), text), again);
        if (again.hasErrors() || !significant(parsed).equals(significant(check))) {
            throw new IllegalStateException("formatting " + source.displayPath() + " would change its meaning");
        }
        return Optional.of(text);
    }

    private static List<String> significant(ParsedFile parsed) {
        List<String> out = new ArrayList<>();
        for (Token t : parsed.tokens().getTokens()) {
            if (t.getType() == PolicyLexer.WS) continue;
            String text = t.getType() == PolicyLexer.LINE_COMMENT ? t.getText().stripTrailing() : t.getText();
            out.add(t.getType() + " " + text);
        }
        return out;
    }

    private static String layout(ParsedFile parsed) {
        parsed.tokens().fill();
        Set<Integer> starts = new HashSet<>();
        Set<Integer> stops = new HashSet<>();
        for (PolicyParser.StatementContext statement : parsed.statements()) {
            starts.add(statement.getStart().getTokenIndex());
            stops.add(statement.getStop().getTokenIndex());
        }
        StringBuilder out = new StringBuilder();
        boolean lineEmpty = true;
        boolean inStatement = false;
        int newlines = 0;
        Token previous = null;
        for (Token t : parsed.tokens().getTokens()) {
            int type = t.getType();
            if (type == Token.EOF) break;
            if (type == PolicyLexer.WS) {
                newlines += (int) t.getText().chars().filter(c -> c == '\n').count();
                continue;
            }
            if (type == PolicyLexer.LINE_COMMENT) {
                String comment = t.getText().stripTrailing();
                if (!lineEmpty && newlines == 0) {
                    out.append("  ").append(comment);
                } else {
                    if (!lineEmpty) out.append('\n');
                    if (newlines >= 2 && out.length() > 0 && !inStatement) out.append('\n');
                    out.append(inStatement ? "    " : "").append(comment);
                }
                out.append('\n');
                lineEmpty = true;
                newlines = 0;
                continue;
            }
            if (starts.contains(t.getTokenIndex())) {
                if (!lineEmpty) out.append('\n');
                if (newlines >= 2 && out.length() > 0) out.append('\n');
                out.append(t.getText());
                inStatement = true;
            } else if (lineEmpty) {
                out.append("    ").append(t.getText());
            } else {
                out.append(spaced(previous, t) ? " " : "").append(t.getText());
            }
            lineEmpty = false;
            newlines = 0;
            previous = t;
            if (stops.contains(t.getTokenIndex())) inStatement = false;
        }
        if (!lineEmpty) out.append('\n');
        return out.toString();
    }

    private static boolean spaced(Token previous, Token next) {
        if (previous == null) return false;
        int p = previous.getType();
        int n = next.getType();
        if (n == PolicyLexer.COMMA || n == PolicyLexer.SEMI || n == PolicyLexer.RBRACE) return false;
        if (p == PolicyLexer.LBRACE) return false;
        return !(isJoiner(p) || isJoiner(n));
    }

    private static boolean isJoiner(int type) {
        return type == PolicyLexer.SLASH || type == PolicyLexer.DASH || type == PolicyLexer.COLON;
    }
}
