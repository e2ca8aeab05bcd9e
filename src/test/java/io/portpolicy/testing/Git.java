package io.portpolicy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs git for tests on real repositories, with an identity to commit as. */
public final class Git {

    private Git() {
    }

    /**
     * Skips the test where git is not installed, saying what goes untested, but fails it on CI
     * ({@code CI=true}), which must have git.
     */
    public static void require(String untested) {
        boolean works = works();
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(works, "git is needed to test " + untested + " and CI must have it");
        }
        assumeTrue(works, "git is not installed: " + untested + " cannot be tested here");
    }

    /** Runs {@code git -C DIRECTORY ARGS...}, failing the test with git's output if it fails. */
    public static void run(Path directory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
                "-C", directory.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "git " + String.join(" ", args) + ": " + output);
    }

    private static boolean works() {
        try {
            Process process = new ProcessBuilder("git", "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
