package io.portpolicy.compile;

import io.portpolicy.check.LanguageDocExamplesTest;
import io.portpolicy.check.LanguageDocExamplesTest.Block;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docs/targets/*.md self-contained and true: every {@code portpolicy} command in a
 * {@code console} block runs on a policy the same page shows (a {@code policy} block starting
 * {@code # file: NAME}), for the page's own target, and prints exactly what the block shows
 * after it (the temporary directory the files are written to taken out of the output).
 */
class TargetDocExamplesTest {

    /** Removed after the class's tests, the dynamic ones included. */
    @TempDir
    static Path scratch;

    private static final Path PAGES = Path.of("docs", "targets");
    private static final String PROMPT = "$ ";

    /** One command of a console block, and what the page says it prints. */
    private record Example(Path page, int line, String command, String shown) {
    }

    @Test
    void thePagesHaveExamplesToCheck() throws IOException {
        // Guards the extraction: a broken fence or prompt pattern must not make the checks vacuous.
        List<Example> examples = examples();
        for (String target : List.of("aws", "aws-nacl", "azure", "gcp")) {
            assertTrue(examples.stream().anyMatch(e -> e.page().getFileName().toString().equals(target + ".md")), target);
        }
        assertTrue(examples.size() >= 8, examples.size() + " examples");
    }

    @TestFactory
    Stream<DynamicTest> everyCommandShownPrintsWhatThePageShows() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Example example : examples()) {
            tests.add(DynamicTest.dynamicTest(example.page() + ":" + example.line(), () -> check(example)));
        }
        return tests.stream();
    }

    private static void check(Example example) throws IOException {
        Path dir = Files.createTempDirectory(scratch, "target-doc");
        for (Block block : LanguageDocExamplesTest.blocks(example.page())) {
            if (!block.tag().equals("policy")) continue;
            assertTrue(block.fileName() != null, example.page() + ":" + block.line() + ": a policy needs '# file: NAME'");
            Files.writeString(dir.resolve(block.fileName()), block.text());
        }
        String[] args = example.command().substring("portpolicy ".length()).split(" ");
        assertEquals("compile", args[0], example.command());
        assertTrue(Files.exists(dir.resolve(args[1])), args[1] + " is not shown on the page");
        String target = example.page().getFileName().toString().replaceFirst("\\.md$", "");
        int at = Arrays.asList(args).indexOf("--target");
        assertEquals(target, args[at + 1], "the page's own target");
        args[1] = dir.resolve(args[1]).toString();
        int output = Arrays.asList(args).indexOf("-o");
        if (output >= 0) args[output + 1] = dir.resolve(args[output + 1]).toString();

        CompileFixtures.Run run = CompileFixtures.run(args);
        String printed = (run.out() + run.err()).replace(dir + "/", "");
        assertEquals(example.shown(), printed, example.command());
        assertEquals(example.shown().contains(": error: ") ? 2 : 0, run.exit(), example.command());
    }

    /** The portpolicy commands of every console block of every target page. */
    private static List<Example> examples() throws IOException {
        List<Example> examples = new ArrayList<>();
        try (Stream<Path> pages = Files.list(PAGES)) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                for (Block block : LanguageDocExamplesTest.blocks(page)) {
                    if (block.tag().equals("console")) examples.addAll(commands(page, block));
                }
            }
        }
        return examples;
    }

    /** A command is a line after the prompt; what it prints, the lines up to the next prompt. */
    private static List<Example> commands(Path page, Block block) {
        List<Example> out = new ArrayList<>();
        List<String> lines = block.text().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith(PROMPT + "portpolicy ")) continue;
            StringBuilder shown = new StringBuilder();
            for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith(PROMPT); j++) {
                shown.append(lines.get(j)).append('\n');
            }
            out.add(new Example(page, block.line() + 1 + i, lines.get(i).substring(PROMPT.length()), shown.toString()));
        }
        return out;
    }
}
