package io.portpolicy.compile;

import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.model.Os;
import io.portpolicy.testing.RandomPolicies;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated PowerShell parses without error under a real PowerShell grammar: the npm
 * packages web-tree-sitter and tree-sitter-powershell (pinned in
 * src/test/resources/io/portpolicy/compile/powershell-syntax, installed with {@code npm ci
 * --ignore-scripts} into the build directory; the grammar is wasm, parsing is offline).
 * Skipped, not failed, where node or npm is missing or the packages cannot be installed.
 */
class PowerShellSyntaxTest {

    private static final String RESOURCES = "powershell-syntax/";

    /** Skips where the tools are missing, but fails under CI=true, whose .ci/run installs them. */
    private static void needs(boolean present, String why) {
        if ("true".equals(System.getenv("CI"))) assertTrue(present, "CI=true: " + why);
        Assumptions.assumeTrue(present, why);
    }

    @Test
    void generatedScriptsParse() throws Exception {
        Path build = Path.of(PowerShellSyntaxTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent();
        Path dir = build.resolve("powershell-syntax");
        Files.createDirectories(dir);
        for (String name : List.of("package.json", "package-lock.json", "check.mjs")) {
            try (InputStream in = PowerShellSyntaxTest.class.getResourceAsStream(RESOURCES + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        if (!Files.exists(dir.resolve("node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm"))) {
            Run install = run(dir, 300, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline");
            needs(install != null && install.exit == 0,
                    "npm ci failed or npm is missing: " + (install == null ? "no npm" : install.output));
        }
        Path scripts = dir.resolve("scripts");
        Files.createDirectories(scripts);
        List<String> files = new ArrayList<>();
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            if (effective.policy().settings().isStateless()) continue;
            for (Target host : CompileFixtures.hosts(effective)) {
                if (host.os() == Os.WINDOWS) files.add(write(scripts, "example-" + host.name(), effective, host));
            }
        }
        for (long seed = 0; seed < 20; seed++) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(new RandomPolicies(seed).policy()),
                    CompileFixtures.TODAY);
            if (effective.policy().settings().isStateless()) continue;
            for (Target host : CompileFixtures.hosts(effective)) {
                files.add(write(scripts, "random" + seed + "-" + host.name(), effective, host));
            }
        }
        Path hostile = scripts.resolve("hostile'$(x)`;\u2019.policy");
        String comment = WindowsBackendTest.EVIL.replace("\n", " ").replace("\r", " ").replace("\"", "'");
        Files.writeString(hostile, "host evil = 10.0.0.1, 2001:db8::1 os windows\ndefault inbound allow\n"
                + "deny tcp/22 from 10.1.0.0/16 comment \"" + comment + "\" owner \"" + comment + "\"\n");
        EffectivePolicy evil = EffectivePolicy.of(CompileFixtures.checkFile(hostile.toString()), CompileFixtures.TODAY);
        files.add(write(scripts, "hostile", evil, evil.target("evil").orElseThrow()));
        List<String> command = new ArrayList<>(List.of("node", "check.mjs"));
        command.addAll(files);
        Run check = run(dir, 300, command.toArray(new String[0]));
        needs(check != null, "node is missing");
        assertEquals(0, check.exit, check.output);
        assertTrue(check.output.lines().filter(l -> l.endsWith(": ok")).count() == files.size(), check.output);
    }

    private static String write(Path dir, String name, EffectivePolicy effective, Target host)
            throws IOException, CompileException {
        Path file = dir.resolve(name + ".ps1");
        Files.writeString(file, WindowsBackendTest.compile(effective, host, "powershell").parts().get(0).text());
        return file.toAbsolutePath().toString();
    }

    private record Run(int exit, String output) {
    }

    /** Runs a command; null if it cannot be started. */
    private static Run run(Path dir, int seconds, String... command) throws InterruptedException, IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Run(-1, "timed out");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
