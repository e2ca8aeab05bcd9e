package io.portpolicy.compile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A name of ten thousand characters is cut in the header, so every backend's file still loads. */
class LongHeaderNameTest {

    private static final String HOST = "h" + "x".repeat(10_300);

    @Test
    void everyHostTargetCutsALongNameInItsHeader(@TempDir Path dir) throws IOException {
        Path policy = dir.resolve("long.policy");
        Files.writeString(policy, "host " + HOST + " = 10.0.0.1\nallow ssh from 10.0.0.2 to " + HOST + "\n");
        for (List<String> target : List.of(List.of("nftables"), List.of("iptables"), List.of("windows"),
                List.of("windows", "--format", "netsh"))) {
            List<String> args = new ArrayList<>(List.of("compile", policy.toString(), "--host", HOST,
                    "--today", "2026-11-21", "--target"));
            args.addAll(target);
            CompileFixtures.Run run = CompileFixtures.run(args.toArray(String[]::new));
            assertEquals(0, run.exit(), target + ": " + run.err());
            String header = "host: " + "h" + "x".repeat(Header.NAME_CHARS - 1) + "...";
            assertTrue(run.out().lines().anyMatch(line -> line.endsWith(header)), target + ": " + run.out());
            // The longest line iptables-restore takes is far longer; cmd.exe's is 8,191 characters.
            assertTrue(run.out().lines().allMatch(line -> line.length() < 1_000), target.toString());
        }
    }
}
