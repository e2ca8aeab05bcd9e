package io.portpolicy.lint.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Workflow-command escaping: %, CR and LF in data; also ',' and ':' in properties. */
class GithubReportTest {

    @Test
    void escapesData() {
        assertEquals("100%25 sure%0D%0Anext: a, b", GithubReport.data("100% sure\r\nnext: a, b"));
    }

    @Test
    void escapesProperties() {
        assertEquals("dir%2Cx/a%3Ab%25.policy", GithubReport.property("dir,x/a:b%.policy"));
    }
}
