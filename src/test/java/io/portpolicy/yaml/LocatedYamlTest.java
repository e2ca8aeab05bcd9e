package io.portpolicy.yaml;

import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.source.SourceFile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocatedYamlTest {

    private static LocatedYaml.Node parse(String text, Diagnostics diagnostics) {
        return LocatedYaml.parse(new SourceFile("x.yaml", null, text), diagnostics, "hint");
    }

    @Test
    void anEmojiAcrossTheParsersBufferEdgeIsRead() {
        // SnakeYAML reads in 1024-char chunks; an emoji split by a chunk edge used to crash it.
        for (int pad = 1018; pad <= 1026; pad++) {
            String text = "# " + "x".repeat(pad) + "\nkey: \"\uD83D\uDE00\"\n";
            Diagnostics diagnostics = new Diagnostics();
            LocatedYaml.Node root = parse(text, diagnostics);
            assertEquals(0, diagnostics.size(), "pad " + pad);
            Map<String, LocatedYaml.Entry> top = LocatedYaml.mapping(root, "top", "hint", diagnostics);
            assertEquals("\uD83D\uDE00", top.get("key").value().value());
        }
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsParsed() {
        // The parser itself found a 10 MB value too long only after some 20 s of reading it.
        String text = "key: \"" + "x".repeat(10_000_000) + "\"\n";
        Diagnostics diagnostics = new Diagnostics();
        assertNull(assertTimeoutPreemptively(Duration.ofSeconds(3), () -> parse(text, diagnostics)));
        Diagnostic tooLarge = diagnostics.sorted().get(0);
        assertEquals("x.yaml:1:1", tooLarge.location().toString());
        assertEquals("'x.yaml' is too large to read: 10,000,008 characters, over the limit of 3,145,728 (3 Mi)"
                + " for a YAML file", tooLarge.message());
        assertNotNull(tooLarge.hint());
    }

    @Test
    void aFileAtTheSizeLimitIsRead() {
        // Characters are counted as code points: an emoji is one, though Java stores it in two chars.
        String head = "key: \"\uD83D\uDE00\"\n# ";
        String text = head + "x".repeat(LocatedYaml.MAX_CHARACTERS - head.codePointCount(0, head.length()) - 1) + "\n";
        Diagnostics diagnostics = new Diagnostics();
        LocatedYaml.Node root = parse(text, diagnostics);
        assertEquals(0, diagnostics.size(), () -> diagnostics.sorted().get(0).message());
        assertEquals("\uD83D\uDE00", LocatedYaml.mapping(root, "top", "hint", diagnostics).get("key").value().value());
    }

    @Test
    void keysAndValuesKnowWhereTheyAreWritten() {
        Diagnostics diagnostics = new Diagnostics();
        Map<String, LocatedYaml.Entry> top = LocatedYaml.mapping(parse("a: 1\nbb:\n  - \"two\"\n", diagnostics),
                "top", "hint", diagnostics);
        assertEquals("x.yaml:2:1", top.get("bb").keyLocation().toString());
        Object list = top.get("bb").value().value();
        assertTrue(list instanceof java.util.List);
        LocatedYaml.Node two = (LocatedYaml.Node) ((java.util.List<?>) list).get(0);
        assertEquals("x.yaml:3:5", two.location().toString());
        assertEquals(5, two.location().length(), "spans the value and its quotes");
    }

    @Test
    void duplicateKeysAndBadSyntaxAreLocatedErrors() {
        Diagnostics duplicates = new Diagnostics();
        parse("a: 1\na: 2\n", duplicates);
        Diagnostic duplicate = duplicates.sorted().get(0);
        assertEquals("x.yaml:2:1", duplicate.location().toString());
        assertTrue(duplicate.message().contains("duplicate key 'a'"));

        Diagnostics broken = new Diagnostics();
        assertEquals(null, parse("a: [1, 2\n", broken));
        assertNotNull(broken.sorted().get(0).location());
        assertTrue(broken.sorted().get(0).message().startsWith("invalid YAML:"));
    }

    @Test
    void aKeyThatIsAListOrAMappingIsSaidPlainlyWhereItIsWritten() {
        // Jackson's own message names SnakeYAML's Java event classes.
        for (String text : List.of("hosts:\n  ? [a, b]\n  : { addresses: [10.0.1.11] }\n", "hosts:\n  {a: b}: 1\n")) {
            Diagnostics diagnostics = new Diagnostics();
            assertNull(parse(text, diagnostics));
            Diagnostic error = diagnostics.sorted().get(0);
            assertEquals("invalid YAML: a key must be a plain name, not a list or a mapping", error.message(), text);
            assertEquals("x.yaml:2:" + (text.indexOf('?') > 0 ? 5 : 3), error.location().toString());
            assertEquals("write the key as plain text, not in [ ] or { }", error.hint());
        }
    }

    @Test
    void aValueJacksonCannotDecodeIsSaidPlainly() {
        Diagnostics diagnostics = new Diagnostics();
        assertNull(parse("a: !!binary xx\n", diagnostics));
        Diagnostic error = diagnostics.sorted().get(0);
        assertEquals("x.yaml:1:4", error.location().toString());
        assertEquals("invalid YAML: this value cannot be read as text", error.message());
        Diagnostics special = new Diagnostics();
        assertNull(parse("a: \u0001\n", special));
        // Refused before parsing, where it is, like a control character in a policy file.
        Diagnostic control = special.sorted().get(0);
        assertEquals("x.yaml:1:4", control.location().toString());
        assertEquals("a control character <U+0001> in the YAML file", control.message());
    }
}
