package io.portpolicy.compile;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextTest {

    /** cutBytes counts bytes as Java's own UTF-8 encoder writes them, and keeps all it can. */
    @Property(tries = 2000)
    void cutBytesKeepsTheLongestPrefixThatFits(@ForAll("mixedText") String text, @ForAll @IntRange(max = 40) int max) {
        String cut = Text.cutBytes(text, max);
        assertTrue(text.startsWith(cut));
        assertTrue(utf8(cut) <= max, cut);
        if (cut.length() < text.length()) {
            String longer = text.substring(0, text.offsetByCodePoints(cut.length(), 1));
            assertTrue(utf8(longer) > max, "could have kept " + longer);
        }
    }

    @Test
    void cutBytesNeverSplitsACharacter() {
        assertEquals("ab", Text.cutBytes("ab\u00e9", 3));
        assertEquals("ab\u00e9", Text.cutBytes("ab\u00e9", 4));
        assertEquals("a", Text.cutBytes("a\u20ac", 3));
        assertEquals("a", Text.cutBytes("a\uD83D\uDE00", 4));
        assertEquals("a\uD83D\uDE00", Text.cutBytes("a\uD83D\uDE00", 5));
    }

    /** A long location loses its directories from the left before the text loses anything. */
    @Test
    void locationAndTextKeepsTheFileNameAndLine() {
        String location = "/srv/policies/datacentre-east/application-tier/bastion-hosts.policy:12";
        assertEquals(location + " jump hosts", Text.locationAndText(location, "jump hosts", 100));
        assertEquals(".../application-tier/bastion-hosts.policy:12 jump hosts", Text.locationAndText(location, "jump hosts", 55));
        // The file name and line stay whole; the text gives way to them.
        assertEquals("...bastion-hosts.policy:12 jump", Text.locationAndText(location, "jump hosts", 31));
        assertEquals("...olicy:12", Text.locationAndText(location, "", 11));
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** ASCII, two-, three- and four-byte characters, and lone surrogates. */
    @Provide
    Arbitrary<String> mixedText() {
        return Arbitraries.of("a", "Z", "0", " ", "\u00e9", "\u07ff", "\u0800", "\u20ac", "\uffff", "\uD83D\uDE00",
                "\uD800", "\uDFFF").list().ofMaxSize(30).map(parts -> String.join("", parts));
    }
}
