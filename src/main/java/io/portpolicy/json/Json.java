package io.portpolicy.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portpolicy.diag.VisibleText;

/**
 * JSON written the same way on every platform: two-space indent, newline line ends. Beyond the
 * control characters JSON requires escaping, the other characters {@link VisibleText} hides
 * (DEL, C1 controls, line and paragraph separators, bidirectional overrides) are written as JSON
 * unicode escapes: the value read back is the same, and the file shown on a terminal cannot act
 * on it.
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private static final CharacterEscapes ESCAPES = new HiddenEscapes();

    private Json() {
    }

    public static String pretty(JsonNode node) {
        try {
            return MAPPER.writer(PRINTER).with(ESCAPES).writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serialises", e);
        }
    }

    private static final class HiddenEscapes extends CharacterEscapes {

        private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

        HiddenEscapes() {
            ascii[0x7F] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int character) {
            return VisibleText.isHidden(character) ? new SerializedString(String.format("\\u%04X", character)) : null;
        }
    }
}
