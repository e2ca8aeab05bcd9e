package io.portpolicy.lint.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** SARIF columns count UTF-16 code units; locations count code points. */
class SarifColumnTest {

    @Test
    void aCharacterOutsideTheBmpCountsTwiceAndOthersOnce() {
        String line = "comment \"\uD83D\uDD25\u00e9\" waive";
        assertEquals(10, SarifReport.utf16Column(line, 10), "up to the emoji: as many units as code points");
        assertEquals(12, SarifReport.utf16Column(line, 11), "after the emoji: one more");
        assertEquals(13, SarifReport.utf16Column(line, 12), "é is one unit");
    }

    @Test
    void columnsPastTheEndOfTheLineCountOneEach() {
        assertEquals(5, SarifReport.utf16Column("\uD83D\uDD25x", 4));
        assertEquals(3, SarifReport.utf16Column("", 3));
    }
}
