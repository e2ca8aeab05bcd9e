package io.portpolicy.lint;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/rules is exactly what the generator writes today. */
class RuleDocsTest {

    private static final Path DOCS = Path.of("docs/rules");
    private static final String REGENERATE = "regenerate with: ./portpolicy rules --format markdown --write-docs docs/rules";

    @Test
    void committedPagesAreCurrent() throws IOException {
        Map<String, String> expected = RuleDocs.files();
        Set<String> committed;
        try (Stream<Path> files = Files.list(DOCS)) {
            committed = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(new TreeSet<>(expected.keySet()), committed, "docs/rules has stale or missing pages; " + REGENERATE);
        for (Map.Entry<String, String> page : expected.entrySet()) {
            assertEquals(page.getValue(), Files.readString(DOCS.resolve(page.getKey()), StandardCharsets.UTF_8),
                    "docs/rules/" + page.getKey() + " is stale; " + REGENERATE);
        }
    }

    @Test
    void everyExplanationHasTheSectionsThePageNeeds() {
        for (LintRule rule : RuleCatalog.rules()) {
            String text = RuleDocs.explanation(rule);
            for (String section : new String[] {"## What it finds", "## How to fix", "## Bad", "## Good"}) {
                assertTrue(text.contains(section), rule.id() + " explanation lacks '" + section + "'");
            }
        }
    }

    @Test
    void rulesCommandWritesTheSameFiles(@org.junit.jupiter.api.io.TempDir Path out) throws IOException {
        LintFixtures.Run run = LintFixtures.run("rules", "--format", "markdown", "--write-docs", out.toString());
        assertEquals(0, run.exit(), run.err());
        for (Map.Entry<String, String> page : RuleDocs.files().entrySet()) {
            assertEquals(page.getValue(), Files.readString(out.resolve(page.getKey()), StandardCharsets.UTF_8));
        }
    }

    @Test
    void docsThatCannotBeWrittenAreOneLineInPlainWords(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "");
        LintFixtures.Run run = LintFixtures.run("rules", "--format", "markdown", "--write-docs",
                file.resolve("rules").toString());
        assertEquals(2, run.exit());
        assertEquals("portpolicy: error: cannot write " + file.resolve("rules") + ": " + file
                + " is a file, not a directory\n", run.err());
    }

    @Test
    void rulesCommandListsTheCatalog() {
        String text = LintFixtures.run("rules").out();
        String json = LintFixtures.run("rules", "--format", "json").out();
        for (LintRule rule : RuleCatalog.rules()) {
            assertTrue(text.contains(rule.id() + " " + rule.name()), text);
            assertTrue(json.contains("\"id\": \"" + rule.id() + "\""), json);
        }
        assertEquals(2, LintFixtures.run("rules", "--format", "yaml").exit());
    }
}
