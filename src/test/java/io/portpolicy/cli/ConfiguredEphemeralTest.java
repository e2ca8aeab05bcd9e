package io.portpolicy.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ephemeral range of {@code .portpolicy.yaml} is how every command reads a policy that
 * sets none, not only lint: a policy must not pass lint with return rules that its compiled
 * firewall, a query or a diff reads otherwise.
 */
class ConfiguredEphemeralTest {

    private static final String POLICY = """
            stateless
            default outbound deny
            host web1 = 10.0.1.11
            allow https from 10.0.0.0/8 to web1 owner "o"
            allow tcp from web1 port 443 to 10.0.0.0/8 port ephemeral
            """;

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, InputStream.nullInputStream(), new PrintStream(out), new PrintStream(err), false);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8).toString();
    }

    @Test
    void compileQueryAndDiffReadTheConfiguredRange() throws IOException {
        String policy = write("s.policy", POLICY);
        String config = write("c.yaml", "ephemeral: 32768-60999\n");
        String[] reply = {"query", policy, "--from", "web1", "--to", "10.0.5.5", "--proto", "tcp", "--sport", "443",
                "--port", "40000"};

        Run query = run(with(reply, "--config", config));
        assertEquals(0, query.exit(), query.out() + query.err());
        assertTrue(query.out().contains("allow"), query.out());
        assertEquals(1, run(reply).exit(), "without the configuration, 40000 is outside 49152-65535");

        Run compile = run("compile", policy, "--target", "nftables", "--host", "web1", "--config", config);
        assertEquals(0, compile.exit(), compile.err());
        assertTrue(compile.out().contains("32768-60999"), compile.out());
        assertFalse(compile.out().contains("49152-65535"), compile.out());

        // The configuration names the range the policy's "ephemeral" stands for, so a policy
        // that writes the same range explicitly admits the same.
        String explicit = write("e.policy", "ephemeral 32768-60999\n" + POLICY);
        Run diff = run("diff", policy, explicit, "--config", config);
        assertEquals(0, diff.exit(), diff.out() + diff.err());
        assertTrue(diff.out().contains("no access change"), diff.out());
    }

    @Test
    void aRangeThePolicyWritesWinsOverTheConfiguredOne() throws IOException {
        // The configuration stands in for the language default only (README, .portpolicy.yaml).
        String policy = write("w.policy", """
                stateless
                ephemeral 49152-65535
                default inbound deny
                default outbound deny
                host web1 = 10.0.0.10
                allow tcp from web1 port 443 to 10.0.0.0/8 port ephemeral
                """);
        String config = write("c.yaml", "ephemeral: 32768-60999\n");
        Run query = run("query", policy, "--from", "web1", "--to", "10.0.5.5", "--proto", "tcp", "--sport", "443",
                "--port", "40000", "--config", config);
        assertEquals(1, query.exit(), query.out() + query.err());
        assertTrue(query.out().contains("verdict: deny"), query.out());

        Run compile = run("compile", policy, "--target", "nftables", "--host", "web1", "--config", config);
        assertEquals(0, compile.exit(), compile.err());
        assertTrue(compile.out().contains("49152-65535"), compile.out());
        assertFalse(compile.out().contains("32768-60999"), compile.out());
    }

    @Test
    void theCompiledHeaderNamesAndHashesTheConfiguration() throws IOException {
        // The configured range changes the return rules, so it must change the hash as well.
        String policy = write("s.policy", POLICY);
        String[] compile = {"compile", policy, "--target", "nftables", "--host", "web1"};
        Run narrow = run(with(compile, "--config", write("narrow.yaml", "ephemeral: 32768-60999\n")));
        Run wide = run(with(compile, "--config", write("wide.yaml", "ephemeral: 1024-65535\n")));
        Run none = run(compile);
        assertTrue(narrow.out().contains(
                "# policy: " + policy + "\n# config: " + dir.resolve("narrow.yaml") + "\n# sha256: "),
                narrow.out());
        assertFalse(none.out().contains("# config: "), none.out());
        List<String> hashes = List.of(sha256(narrow), sha256(wide), sha256(none));
        assertEquals(3, hashes.stream().distinct().count(), hashes.toString());
    }

    private static String sha256(Run compile) {
        assertEquals(0, compile.exit(), compile.err());
        return compile.out().lines().filter(line -> line.startsWith("# sha256: ")).findFirst().orElseThrow();
    }

    private static String[] with(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
