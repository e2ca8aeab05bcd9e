package io.portpolicy.diff;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Text pasted into a pull-request comment cannot become a mention, a link, HTML or a new cell. */
class MarkdownCellTest {

    @Test
    void everyMarkdownCharacterIsEscaped() {
        assertEquals("cc \\@octocat \\<img src=x\\> \\*\\*urgent\\*\\* \\[x\\](https://e.x) a\\|b \\_\\_web\\_\\_ \\`x\\` c d",
                DiffReport.cell("cc @octocat <img src=x> **urgent** [x](https://e.x) a|b __web__ `x` c\nd"));
    }

    @Test
    void hiddenCharactersAreShownAndTheirBracketsEscaped() {
        assertEquals("a\\<U+000D\\>b \\<U+202E\\>c", DiffReport.cell("a\rb \u202ec"));
    }
}
