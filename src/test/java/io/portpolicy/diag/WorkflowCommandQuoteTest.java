package io.portpolicy.diag;

import io.portpolicy.source.SourceFile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A quoted policy line cannot be a GitHub Actions workflow command: the runner reads standard
 * error too, and takes a line starting with "::" after blanks, or holding "##[" anywhere, for one.
 */
class WorkflowCommandQuoteTest {

    private static List<String> render(String line, int column) {
        SourceFile file = new SourceFile("p.policy", null, line + "\n");
        return new DiagnosticRenderer(false).render(Diagnostic.error(file.at(1, column, 2), "an error")).lines().toList();
    }

    @Test
    void aLineStartingWithTwoColonsIsNotACommand() {
        for (String line : List.of("::warning file=README.md,line=1::injected", "\t \u00a0::set-output name=x::y")) {
            List<String> shown = render(line, line.indexOf("::") + 1);
            // strip() keeps a no-break space, which the runner trims: take it out first.
            assertFalse(shown.get(1).replace('\u00a0', ' ').strip().startsWith("::"), shown.get(1));
            assertEquals(shown.get(1).indexOf("<U+003A>"), shown.get(2).indexOf('^'), "the caret is under what it reports: " + shown);
        }
    }

    @Test
    void aVersionOneCommandAnywhereInTheLineIsNotACommand() {
        String line = "allow tcp/22 from any to web comment \"##[add-mask]x\"";
        List<String> shown = render(line, line.indexOf("]") + 1);
        assertFalse(shown.get(1).contains("##["), shown.get(1));
        assertEquals(shown.get(1).indexOf("]"), shown.get(2).indexOf('^'), "the caret is under what it reports: " + shown);
    }

    @Test
    void colonsElsewhereAreShownAsTheyAre() {
        List<String> shown = render("host a = ::1, 2001:db8::1", 10);
        assertEquals("  host a = ::1, 2001:db8::1", shown.get(1));
    }
}
