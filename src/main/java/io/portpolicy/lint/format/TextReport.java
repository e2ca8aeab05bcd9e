package io.portpolicy.lint.format;

import io.portpolicy.diag.Severity;
import io.portpolicy.diag.VisibleText;
import io.portpolicy.lint.Finding;

import java.util.List;

/**
 * {@code FILE:LINE:COL: SEVERITY RULE-ID name: message} with a fix hint below, then a summary
 * unless some policy could not be checked (its errors, on standard error, are the summary then).
 * File names, messages and waiver reasons are the user's text: they are made visible, line feeds too.
 */
public final class TextReport {

    private TextReport() {
    }

    /**
     * @param known how many findings a baseline recorded and so left out of {@code findings}:
     *              the summary says so, so that a clean run is not mistaken for a clean policy
     */
    public static String render(List<Finding> findings, int policies, boolean allChecked, int known) {
        StringBuilder text = new StringBuilder();
        for (Finding f : findings) {
            String line = f.headline() + (f.waived() ? " [waived: " + f.waiver() + "]" : "");
            // A finding is two lines: a line feed in them (a file name's) must not start a third.
            text.append(VisibleText.ofLine(line)).append("\n    fix: ").append(VisibleText.ofLine(f.hint()))
                    .append('\n');
        }
        if (allChecked) {
            text.append(summary(findings, policies));
            if (known > 0) text.append("; ").append(count(known, "finding")).append(" recorded in the baseline not shown");
            text.append('\n');
        }
        return VisibleText.of(text.toString());
    }

    private static String summary(List<Finding> findings, int policies) {
        String checked = "checked " + policies + (policies == 1 ? " policy" : " policies") + ": ";
        if (findings.isEmpty()) return checked + "no problems";
        StringBuilder text = new StringBuilder(checked).append(count(findings.size(), "finding"));
        String separator = " (";
        for (Severity severity : Severity.values()) {
            long n = findings.stream().filter(f -> f.severity() == severity && !f.waived()).count();
            if (n > 0) {
                text.append(separator).append(count(n, severity.label()));
                separator = ", ";
            }
        }
        long waived = findings.stream().filter(Finding::waived).count();
        if (waived > 0) text.append(separator).append(waived).append(" waived");
        if (!separator.equals(" (") || waived > 0) text.append(')');
        return text.toString();
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
