package io.portpolicy.diag;

import io.portpolicy.cli.Main;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One in-process run of the CLI, with what it printed. */
public record CliRun(int exit, String out, String err) {

    public static CliRun run(boolean colour, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), colour);
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Writes {@code files} (name, text, name, text, ...) into {@code dir} and lints the first. */
    public static CliRun lint(Path dir, String... files) throws IOException {
        for (int i = 0; i < files.length; i += 2) {
            Path file = dir.resolve(files[i]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, files[i + 1], StandardCharsets.UTF_8);
        }
        return run(false, "lint", dir.resolve(files[0]).toString());
    }
}
