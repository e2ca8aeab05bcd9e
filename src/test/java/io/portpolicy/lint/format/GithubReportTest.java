package io.portpolicy.lint.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Workflow-command escaping: % and LF in data, hidden characters made visible; also ',' and ':' in properties. */
class GithubReportTest {

    @Test
    void escapesData() {
        assertEquals("100%25 sure<U+000D>%0Anext: a, b", GithubReport.data("100% sure\r\nnext: a, b"));
    }

    @Test
    void showsHiddenCharacters() {
        assertEquals("<U+001B>[2J <U+202E>x", GithubReport.data("\u001b[2J \u202ex"));
        assertEquals("evil<U+001B>]8;;%3A.policy", GithubReport.property("evil\u001b]8;;:.policy"));
    }

    @Test
    void aFileNamedWithALineFeedAndTwoColonsIsAnnotatedAtThatFile() {
        // The escaped LF keeps it on the command's line, so it is no command: the name stays as it is.
        assertEquals("a%0A%3A%3Awarning%3A%3Ab.policy", GithubReport.property("a\n::warning::b.policy"));
        assertEquals("%3A%3Aerror%3A%3Ax.policy", GithubReport.property("::error::x.policy"));
        assertEquals("x%0A::error::y and ##<U+005B>group]", GithubReport.data("x\n::error::y and ##[group]"));
    }

    @Test
    void escapesProperties() {
        assertEquals("dir%2Cx/a%3Ab%25.policy", GithubReport.property("dir,x/a:b%.policy"));
    }
}
