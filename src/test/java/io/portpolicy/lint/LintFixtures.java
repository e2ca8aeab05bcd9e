package io.portpolicy.lint;

import io.portpolicy.check.Checker;
import io.portpolicy.cli.Main;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.model.Policy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/** Lints inline policies and runs the CLI in-process, for the lint tests. */
final class LintFixtures {

    static final LocalDate TODAY = LocalDate.of(2026, 11, 21);

    private LintFixtures() {
    }

    static Policy check(String text) {
        Diagnostics diagnostics = new Diagnostics();
        Optional<Policy> policy = Checker.check("-", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), diagnostics);
        if (policy.isEmpty()) {
            fail("the policy does not check:\n" + diagnostics.sorted().stream()
                    .map(d -> d.location() + ": " + d.message()).collect(Collectors.joining("\n")));
        }
        return policy.get();
    }

    static List<Finding> lint(String text) {
        return lint(text, LintConfig.DEFAULT, true);
    }

    static List<Finding> lint(String text, LintConfig config, boolean honourWaivers) {
        return new Linter(config, TODAY, honourWaivers).lint(check(text));
    }

    /** One in-process CLI run. */
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A repository (its top marked by a .git directory) whose p.policy repeats the rule of
     * sub/shared.policy, which it includes: PP302 cites that line, by its path in the repository.
     */
    static Path policyRepeatingAnIncludedRule(Path repo) throws IOException {
        Files.createDirectories(repo.resolve(".git"));
        Files.createDirectories(repo.resolve("sub"));
        Files.writeString(repo.resolve("sub/shared.policy"), "allow tcp/22 from 10.0.0.9 to web\n");
        Path file = repo.resolve("p.policy");
        Files.writeString(file, "host web = 10.0.0.5 os linux\ninclude \"sub/shared.policy\"\n"
                + "allow tcp/22 from 10.0.0.9 to web\n");
        return file;
    }
}
