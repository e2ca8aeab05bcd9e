package io.portpolicy.cli;

import io.portpolicy.diag.CliRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher script, {@code ./portpolicy}, as a user runs it: standard output carries only the
 * command's output whatever the heap, a file named outside ASCII works under the C locale, and
 * colour follows each stream. A copy of it runs a jar of the classes under test, which it takes
 * as up to date: it neither builds nor records a class-data archive.
 */
class LauncherTest {

    private static final String POLICY = "policies-examples/bastion.policy";

    @TempDir
    static Path home;

    private static Path launcher;

    @BeforeAll
    static void launcherBesideAJarOfTheClassesUnderTest() throws IOException {
        assumeTrue(runs("bash", "-c", "readlink -f /"), "the launcher needs bash and readlink -f");
        launcher = Files.copy(Path.of("portpolicy"), home.resolve("portpolicy"), StandardCopyOption.COPY_ATTRIBUTES);
        // What the launcher compares the jar with, all older than it, so that it does not build.
        FileTime before = FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS));
        for (Path source : List.of(Files.createFile(home.resolve("pom.xml")), Files.createDirectory(home.resolve("grammar")),
                Files.createDirectories(home.resolve("src/main")))) {
            Files.setLastModifiedTime(source, before);
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .map(entry -> Path.of(entry).toAbsolutePath().toUri().toString())
                        .collect(Collectors.joining(" ")));
        Files.createDirectory(home.resolve("target"));
        new JarOutputStream(Files.newOutputStream(home.resolve("target/portpolicy.jar")), manifest).close();
    }

    @Test
    void standardOutputCarriesOnlyTheOutputWhateverTheHeap() throws Exception {
        List<String[]> commands = List.of(
                new String[] {"compile", POLICY, "--target", "nftables", "--host", "bastion1", "--today", "2026-11-21"},
                new String[] {"lint", "--format", "json", "--today", "2026-11-21", POLICY});
        for (String heap : List.of("-Xmx1g", "-XX:MaxRAM=2g")) {
            for (String[] args : commands) {
                Run run = launch(Map.of("JDK_JAVA_OPTIONS", heap), args);
                CliRun expected = CliRun.run(false, args);
                assertEquals(expected.exit(), run.exit(), run.err());
                assertEquals(expected.out(), run.out(), heap + " " + args[0]);
                assertFalse(run.err().contains("warning"), "nothing to warn about: " + run.err());
            }
        }
    }

    @Test
    void theYoungGenerationIsHalfASmallHeapAndAtMostTwoGigabytes() throws Exception {
        assertEquals(512L << 20, maxNewSize("-Xmx1g"));
        assertEquals(1L << 30, maxNewSize("-Xmx2g"));
        assertEquals(2L << 30, maxNewSize("-Xmx8g"));
    }

    private static long maxNewSize(String heap) throws Exception {
        Run run = launch(Map.of("JDK_JAVA_OPTIONS", heap + " -XX:+PrintFlagsFinal"), "--version");
        Matcher flag = Pattern.compile("size_t MaxNewSize +=? (\\d+)").matcher(run.out());
        assertTrue(flag.find(), run.out());
        return Long.parseLong(flag.group(1));
    }

    @Test
    void aFileNamedOutsideAsciiIsReadUnderTheCLocale(@TempDir Path dir) throws Exception {
        Run locales = run(List.of("locale", "-a"), Map.of(), dir);
        assumeTrue(locales.out().lines().anyMatch(name -> name.equalsIgnoreCase("C.utf8") || name.equals("C.UTF-8")),
                "there is no C.UTF-8 locale to run the JVM in");
        Path policy = Files.copy(Path.of(POLICY), dir.resolve("ünï.policy"));
        Run lint = launch(Map.of("LC_ALL", "C", "LANG", "C"), "lint", "--today", "2026-11-21", policy.toString());
        assertEquals(0, lint.exit(), lint.err());
        assertEquals("checked 1 policy: no problems\n", lint.out());
    }

    @Test
    void diagnosticsAreColouredOnlyWhenStandardErrorIsATerminal(@TempDir Path dir) throws Exception {
        assumeTrue(runs("script", "--version"), "script (util-linux) makes the terminal");
        Path policy = Files.writeString(dir.resolve("bad.policy"), "allow tcp/22 from nowhere\n");
        String lint = "'" + launcher + "' lint '" + policy + "'";
        // Standard error redirected to a file, standard output the terminal: no colour in the file.
        run(List.of("script", "-qec", lint + " 2>err.txt", "typescript"), Map.of(), dir);
        String err = Files.readString(dir.resolve("err.txt"));
        assertTrue(err.contains("unknown name 'nowhere'") && !err.contains("\u001b["), err);
        // Standard output redirected, standard error the terminal: colour there.
        Run terminal = run(List.of("script", "-qec", lint + " >out.txt", "typescript"), Map.of(), dir);
        assertTrue(terminal.out().contains("\u001b[1;31merror"), terminal.out());
    }

    private record Run(int exit, String out, String err) {
    }

    /** The launcher, from the project's directory, with the environment given (and no JVM options but those). */
    private static Run launch(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        return run(command, environment, Path.of(""));
    }

    private static Run run(List<String> command, Map<String, String> environment, Path directory) throws Exception {
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toAbsolutePath().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Files.createTempFile(home, "in", ".txt").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = builder.environment();
        for (String options : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "NO_COLOR")) {
            env.remove(options);
        }
        env.put("PORTPOLICY_CDS", "0");
        // The java of this test, whatever else is on the path.
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + env.getOrDefault("PATH", ""));
        env.putAll(environment);
        Process process = builder.start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "finished: " + command);
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Whether the command can be run here and succeeds. */
    private static boolean runs(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
