package io.portpolicy.diag;

import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;

/**
 * Refuses text holding characters that would change how it looks rather than what it says
 * ({@link VisibleText#isHidden}). A vertical tab or an escape sequence in a comment can hide
 * what follows it from {@code cat}, and a line separator (U+2028) or NEL does so in the editors
 * and terminals that break the line there (YAML 1.1 even reads them as line ends); a
 * bidirectional override reorders a line on screen; a carriage return without a line feed
 * starts a new line in some viewers and not in others. What a reviewer reads would then not be
 * what the parser reads, so such a file is refused rather than read one way. Policy files,
 * inventories and the lint configuration share this one check.
 */
public final class HiddenCharacters {

    private HiddenCharacters() {
    }

    /**
     * Reports the first such character on each line, at its line and column, as being in
     * {@code what} ("the policy", say); returns whether there was one.
     */
    public static boolean report(SourceFile source, String what, Diagnostics diagnostics) {
        String text = source.text();
        boolean found = false;
        boolean lineReported = false;
        int line = 1;
        int column = 1;
        for (int at = 0; at < text.length(); ) {
            int character = text.codePointAt(at);
            at += Character.charCount(character);
            boolean crBeforeLf = character == '\r' && at < text.length() && text.charAt(at) == '\n';
            if (!crBeforeLf && !lineReported && VisibleText.isHidden(character)) {
                reportOne(source.at(line, column, 1), character, what, diagnostics);
                found = lineReported = true;
            }
            column++;
            if (character == '\n') {
                line++;
                column = 1;
                lineReported = false;
            }
        }
        return found;
    }

    private static void reportOne(Location at, int character, String what, Diagnostics diagnostics) {
        if (character == '\r') {
            diagnostics.error(at, "a carriage return without a line feed after it",
                    "end lines with LF or CR LF; a lone CR starts a new line in some editors and not in others");
            return;
        }
        String kind = switch (character) {
            case 0x2028 -> "a line separator";
            case 0x2029 -> "a paragraph separator";
            default -> character >= 0x202A ? "a bidirectional text control character" : "a control character";
        };
        diagnostics.error(at, kind + " " + VisibleText.of(character) + " in " + what,
                "remove it; it can hide text from reviewers");
    }
}
