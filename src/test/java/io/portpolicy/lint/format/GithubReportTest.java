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
    void escapesProperties() {
        assertEquals("dir%2Cx/a%3Ab%25.policy", GithubReport.property("dir,x/a:b%.policy"));
    }
}
