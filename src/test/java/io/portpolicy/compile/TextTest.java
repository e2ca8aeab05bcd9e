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
        Text.Measure bytes = Text.Measure.UTF8_BYTES;
        assertEquals(location + " jump hosts", Text.locationAndText(location, "jump hosts", 100, bytes));
        assertEquals(".../application-tier/bastion-hosts.policy:12 jump hosts",
                Text.locationAndText(location, "jump hosts", 55, bytes));
        // The file name and line stay whole; the text gives way to them.
        assertEquals("...bastion-hosts.policy:12 jump", Text.locationAndText(location, "jump hosts", 31, bytes));
        assertEquals("...olicy:12", Text.locationAndText(location, "", 11, bytes));
    }

    /** "..." says directories were left out, so a location without any is never marked cut. */
    @Test
    void aLocationWithoutDirectoriesIsNotMarkedAsCut() {
        Text.Measure bytes = Text.Measure.UTF8_BYTES;
        assertEquals("web.policy:12 jump", Text.locationAndText("web.policy:12", "jump hosts", 18, bytes));
        assertEquals("<stdin>:3 \u00e9\u00e9", Text.locationAndText("<stdin>:3", "\u00e9\u00e9\u00e9", 14, bytes));
    }

    /** Counted in characters (cloud descriptions), a character outside ASCII is one, not two to four. */
    @Test
    void locationAndTextCountsCharactersWhereThePlatformDoes() {
        String location = "/srv/r\u00e9gles/est/bastion-h\u00f4tes.policy:12";
        String text = "\u00e9t\u00e9";
        Text.Measure characters = Text.Measure.CHARACTERS;
        assertEquals(location + " " + text, Text.locationAndText(location, text, 43, characters), "47 bytes, 43 characters");
        assertEquals("...bastion-h\u00f4tes.policy:12 " + text, Text.locationAndText(location, text, 30, characters));
        assertEquals("...bastion-h\u00f4tes.policy:12 \u00e9", Text.locationAndText(location, text, 28, characters));
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
