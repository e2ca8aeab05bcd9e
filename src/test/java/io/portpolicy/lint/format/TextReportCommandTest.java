package io.portpolicy.lint.format;

import io.portpolicy.diag.Severity;
import io.portpolicy.diag.VisibleText;
import io.portpolicy.lint.Finding;
import io.portpolicy.source.SourceFile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text format is what a CI job usually prints, and a GitHub Actions runner takes a line
 * holding "##[" anywhere, or starting with "::" after blanks, for a workflow command.
 */
class TextReportCommandTest {

    private static Finding finding(String file, String waiver) {
        return new Finding("PP103", "ssh-exposed", Severity.WARNING, new SourceFile(file, null, "x\n").at(1, 1, 1),
                "admits SSH", "restrict it", null, "x", true, waiver);
    }

    @Test
    void aWaiverReasonCannotHoldAVersionOneCommand() {
        String text = TextReport.render(List.of(finding("p.policy", "x ##[set-output name=ok]pwned")), 1, true, 0);
        assertFalse(text.contains("##["), text);
        assertTrue(text.contains("##<U+005B>set-output name=ok]pwned"), text);
    }

    @Test
    void aFileNameCannotStartALineWithTwoColons() {
        String text = TextReport.render(List.of(finding("::warning::x.policy", null)), 1, true, 0);
        assertTrue(text.lines().noneMatch(line -> line.strip().startsWith("::")), text);
    }

    @Test
    void everyHumanReadableTextIsKeptFromBeingACommandButAddressesStayAsTheyAre() {
        // VisibleText.of is what every text output (lint, diff, query, errors) goes through.
        assertEquals("opened: from 2001:db8::1 to h\n  <U+003A>:error::x\n##<U+005B>group]",
                VisibleText.of("opened: from 2001:db8::1 to h\n  ::error::x\n##[group]"));
        assertEquals("\u00a0<U+003A>:add-mask::x", VisibleText.of("\u00a0::add-mask::x"));
        // A line of IPv6 addresses names no command; a value quoted inside a line starts none.
        assertEquals("    ::1, 2001:db8::2", VisibleText.of("    ::1, 2001:db8::2"));
        assertEquals("'::error::x' and ##<U+005B>x", VisibleText.ofLine("'::error::x' and ##[x"));
        assertEquals("::1x", VisibleText.ofLine("::1x"));
    }
}
