package io.portpolicy.cli;

import io.portpolicy.check.LanguageDocExamplesTest;
import io.portpolicy.check.LanguageDocExamplesTest.Block;
import io.portpolicy.diag.CliRun;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps README.md's console examples true: every {@code portpolicy} command of a {@code console}
 * block prints what the block shows after it. In a block, {@code $ cat NAME} shows a file the
 * later commands use, and {@code $ cd DIR} runs the commands after it in DIR (relative to the
 * checkout); a line {@code ...} of the output stands for lines left out. The commands run as of
 * a fixed day, as the approval tests do: the example policies have rules that expire. A command
 * with a pipe or a redirection is shell, not portpolicy alone, and is not run.
 */
class ReadmeExamplesTest {

    /** Removed after the class's tests, the dynamic ones included. */
    @TempDir
    static Path scratch;

    private static final Path README = Path.of("README.md");
    private static final String TODAY = "2026-11-23";
    /** The commands that judge rules' expiry, and so take --today. */
    private static final Set<String> DATED = Set.of("lint", "query", "compile", "diff");
    private static final Pattern SHELL = Pattern.compile("[|<>]");

    /** One portpolicy command, the directory it runs in, the files shown before it, and its output. */
    private record Example(int line, Path dir, Map<String, String> files, String command, String shown) {
    }

    @Test
    void theReadmeHasExamplesToCheck() throws IOException {
        // Guards the extraction: a broken fence or prompt pattern must not make the checks vacuous.
        List<Example> examples = examples();
        assertTrue(examples.size() >= 12, examples.size() + " examples");
        for (String command : List.of("lint", "query", "compile", "diff", "fmt")) {
            assertTrue(examples.stream().anyMatch(e -> e.command().contains(" " + command + " ")), command);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCommandShownPrintsWhatTheReadmeShows() throws IOException {
        return examples().stream().map(e -> DynamicTest.dynamicTest("README.md:" + e.line(), () -> check(e)));
    }

    private static void check(Example example) throws IOException {
        Path shownFiles = Files.createTempDirectory(scratch, "readme");
        for (Map.Entry<String, String> file : example.files().entrySet()) {
            Files.writeString(shownFiles.resolve(file.getKey()), file.getValue());
        }
        List<String> args = new ArrayList<>(Arrays.asList(example.command().split(" +")));
        args.remove(0);
        // A file the README shows is in the temporary directory; any other is in the command's own.
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("-")) continue;
            if (Files.exists(shownFiles.resolve(arg))) args.set(i, shownFiles.resolve(arg).toString());
            else if (Files.exists(example.dir().resolve(arg))) args.set(i, example.dir().resolve(arg).toString());
        }
        if (!args.isEmpty() && DATED.contains(args.get(0)) && !args.contains("--today")) {
            args.addAll(List.of("--today", TODAY));
        }
        CliRun run = CliRun.run(false, args.toArray(String[]::new));
        String printed = (run.out() + run.err()).replace(shownFiles + "/", "");
        if (!example.dir().toString().isEmpty()) printed = printed.replace(example.dir() + "/", "");
        if (!elided(example.shown()).matcher(printed).matches()) {
            fail(example.command() + " printed:\n" + printed + "\nREADME.md shows:\n" + example.shown());
        }
    }

    /** The output shown, each line of {@code ...} standing for any number of lines. */
    private static Pattern elided(String shown) {
        String regex = shown.lines()
                .map(line -> line.strip().equals("...") ? "(?:[^\\n]*\\n)*?" : Pattern.quote(line) + "\\n")
                .collect(Collectors.joining());
        return Pattern.compile(regex);
    }

    /** The portpolicy commands of every console block of the README. */
    private static List<Example> examples() throws IOException {
        List<Example> examples = new ArrayList<>();
        for (Block block : LanguageDocExamplesTest.blocks(README)) {
            if (!block.tag().equals("console")) continue;
            Path dir = Path.of("");
            Map<String, String> files = new LinkedHashMap<>();
            List<String> lines = block.text().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).startsWith("$ ")) continue;
                // A trailing '# comment' is the README's, not the command's.
                String command = lines.get(i).substring(2).replaceFirst("\\s+#.*$", "");
                StringBuilder shown = new StringBuilder();
                for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("$ "); j++) {
                    shown.append(lines.get(j)).append('\n');
                }
                String[] words = command.split(" +");
                if (words[0].equals("cd")) {
                    dir = Path.of(words[1]);
                } else if (words[0].equals("cat")) {
                    files.put(words[1], shown.toString());
                } else if (words[0].endsWith("portpolicy")) {
                    if (SHELL.matcher(command).find()) continue;
                    examples.add(new Example(block.line() + 1 + i, dir, Map.copyOf(files), command, shown.toString()));
                } else {
                    fail("README.md:" + (block.line() + 1 + i) + ": a console command this test cannot run: " + command);
                }
            }
        }
        return examples;
    }
}
