package io.portpolicy.check;

import io.portpolicy.model.Protocol;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.portpolicy.check.PolicyFixtures.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docs/language.md honest: every `policy` example checks, every `policy-invalid`
 * example is refused, and its tables of built-in services and ICMP types match the data files
 * the checker reads.
 */
public class LanguageDocExamplesTest {

    /** Removed after the class's tests, the dynamic ones included. */
    @TempDir
    static Path scratch;

    private static final Path DOC = Path.of("docs/language.md");
    private static final Pattern FENCE = Pattern.compile("(?m)^```([a-z-]+)\\n(.*?)^```$", Pattern.DOTALL);
    private static final Pattern FILE_NAME = Pattern.compile("\\A# file: (\\S+)\\n");

    /** A fenced block: its language tag, text, the line it starts on, and its `# file:` name. */
    public record Block(String tag, String text, int line, String fileName) {
    }

    static List<Block> blocks() throws IOException {
        return blocks(DOC);
    }

    /** The fenced blocks of a Markdown document; the target pages' examples are read the same way. */
    public static List<Block> blocks(Path document) throws IOException {
        String doc = Files.readString(document);
        List<Block> blocks = new ArrayList<>();
        Matcher fence = FENCE.matcher(doc);
        while (fence.find()) {
            int line = (int) doc.substring(0, fence.start()).lines().count() + 1;
            Matcher name = FILE_NAME.matcher(fence.group(2));
            blocks.add(new Block(fence.group(1), fence.group(2), line, name.find() ? name.group(1) : null));
        }
        return blocks;
    }

    @Test
    void theDocumentHasExamplesOfEveryKind() throws IOException {
        // Guards the extraction itself: a broken fence pattern must not make the tests vacuous.
        List<Block> blocks = blocks();
        assertTrue(blocks.stream().filter(b -> b.tag().equals("policy")).count() >= 20, "policy examples");
        assertTrue(blocks.stream().filter(b -> b.tag().equals("policy-invalid")).count() >= 8, "invalid examples");
        assertTrue(blocks.stream().anyMatch(b -> b.tag().equals("yaml")), "yaml examples");
    }

    @TestFactory
    Stream<DynamicTest> everyPolicyExampleChecksAndEveryInvalidOneIsRefused() throws IOException {
        List<Block> blocks = blocks();
        // Named blocks (`# file: common.policy`, `# file: inventory.yaml`) are written side by
        // side, so examples that include or import them check as a user's files would.
        Path dir = Files.createTempDirectory(scratch, "language-doc");
        for (Block block : blocks) {
            if (block.fileName() != null) Files.writeString(dir.resolve(block.fileName()), block.text());
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Block block : blocks) {
            if (!block.tag().startsWith("policy")) continue;
            Path file = dir.resolve(block.fileName() != null ? block.fileName() : "example-line-" + block.line() + ".policy");
            if (block.fileName() == null) Files.writeString(file, block.text());
            String name = "docs/language.md:" + block.line() + " (" + block.tag() + ")";
            tests.add(DynamicTest.dynamicTest(name, () -> {
                PolicyFixtures.Checked checked = check(file);
                if (block.tag().equals("policy")) {
                    PolicyFixtures.assertNoErrors(checked);
                } else {
                    // Refused for the reason the document gives: errors exactly on the lines marked `# error`.
                    Set<Integer> marked = new TreeSet<>();
                    List<String> lines = block.text().lines().toList();
                    for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("# error")) marked.add(i + 1);
                    Set<Integer> reported = new TreeSet<>();
                    checked.diagnostics().sorted().forEach(d -> reported.add(d.location().line()));
                    assertTrue(!marked.isEmpty(), "an invalid example must mark its error line:\n" + block.text());
                    assertEquals(marked, reported, checked.messages());
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void theReadmeLanguageTourChecks() throws IOException {
        List<Block> tour = blocks(Path.of("README.md")).stream().filter(b -> b.tag().equals("policy")).toList();
        assertEquals(1, tour.size(), "README's language tour");
        Path file = Files.createTempDirectory(scratch, "readme").resolve("tour.policy");
        Files.writeString(file, tour.get(0).text());
        assertEquals(8, check(file).model().rules().size());
    }

    @Test
    void builtinServiceTableMatchesTheCatalog() throws IOException {
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\| ([a-z0-9/,\\- ]+) \\| ([^|]+) \\|$")
                .matcher(Files.readString(DOC));
        while (row.find()) {
            documented.put(row.group(1), row.group(2).replace(" ", "") + "\t" + row.group(3).trim());
        }
        Map<String, String> catalog = new LinkedHashMap<>();
        for (String[] fields : tsv("services.tsv")) catalog.put(fields[0], fields[1] + "\t" + fields[2]);
        assertEquals(catalog, documented, "docs/language.md's built-in service table vs services.tsv");
        assertEquals(ServiceCatalog.builtin().keySet(), catalog.keySet());
    }

    @Test
    void icmpTypeTableMatchesTheData() throws IOException {
        Map<String, Integer> icmp = new LinkedHashMap<>();
        Map<String, Integer> icmpv6 = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| (?:`([a-z-]+)` \\| (\\d+) \\||\\| \\|) `([a-z-]+)` \\| (\\d+) \\|$")
                .matcher(Files.readString(DOC));
        while (row.find()) {
            if (row.group(1) != null) icmp.put(row.group(1), Integer.parseInt(row.group(2)));
            icmpv6.put(row.group(3), Integer.parseInt(row.group(4)));
        }
        Map<String, Integer> expectedIcmp = new LinkedHashMap<>();
        Map<String, Integer> expectedIcmpv6 = new LinkedHashMap<>();
        for (String[] fields : tsv("icmp-types.tsv")) {
            (fields[0].equals("icmp") ? expectedIcmp : expectedIcmpv6).put(fields[1], Integer.parseInt(fields[2]));
        }
        assertEquals(expectedIcmp, icmp);
        assertEquals(expectedIcmpv6, icmpv6);
        expectedIcmpv6.forEach((name, type) -> assertEquals(type, IcmpTypes.number(Protocol.ICMPV6, name)));
    }

    private static List<String[]> tsv(String resource) throws IOException {
        try (InputStream in = ServiceCatalog.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split("\t"))
                    .toList();
        }
    }
}
