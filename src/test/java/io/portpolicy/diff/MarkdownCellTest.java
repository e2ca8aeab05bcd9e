package io.portpolicy.diff;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Text pasted into a pull-request comment cannot become a mention, a link, HTML or a new cell. */
class MarkdownCellTest {

    @Test
    void everyMarkdownCharacterIsEscaped() {
        assertEquals("cc \\@\u2060octocat \\<img src=x\\> \\*\\*urgent\\*\\* \\[x\\](https:\u2060//e.x) a\\|b \\_\\_web\\_\\_ \\`x\\` c d",
                DiffReport.cell("cc @octocat <img src=x> **urgent** [x](https://e.x) a|b __web__ `x` c\nd"));
    }

    /**
     * GFM's autolink extension links "www.", "http://" and "https://" only as written whole, and
     * an email address only with a letter, digit, "-" or "_" right after its "@": a word joiner
     * (U+2060, invisible) inside each keeps the text as it reads but leaves nothing to link.
     */
    @Test
    void bareUrlsAndEmailAddressesAreNotLinked() {
        assertEquals("approved, see https:\u2060//evil.example/login and www\u2060.evil.example,"
                        + " WWW\u2060.evil.example, ftp:\u2060//evil.example or ops\\@\u2060evil.example",
                DiffReport.cell("approved, see https://evil.example/login and www.evil.example,"
                        + " WWW.evil.example, ftp://evil.example or ops@evil.example"));
    }

    @Test
    void hiddenCharactersAreShownAndTheirBracketsEscaped() {
        assertEquals("a\\<U+000D\\>b \\<U+202E\\>c", DiffReport.cell("a\rb \u202ec"));
    }
}
