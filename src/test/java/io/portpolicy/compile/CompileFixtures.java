package io.portpolicy.compile;

import io.portpolicy.check.Checker;
import io.portpolicy.cli.Main;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.model.Policy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/** Policies, compiles and CLI runs for the compile tests. */
final class CompileFixtures {

    static final LocalDate TODAY = LocalDate.of(2026, 11, 21);

    private CompileFixtures() {
    }

    static Policy check(String file, InputStream in) {
        Diagnostics diagnostics = new Diagnostics();
        Optional<Policy> policy = Checker.check(file, in, diagnostics);
        if (policy.isEmpty()) {
            fail("the policy does not check:\n" + diagnostics.sorted().stream()
                    .map(d -> d.location() + ": " + d.message()).collect(Collectors.joining("\n")));
        }
        return policy.get();
    }

    static Policy checkText(String text) {
        return check("-", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    static Policy checkFile(String file) {
        return check(file, InputStream.nullInputStream());
    }

    /** Every example policy file (not the included pieces), sorted. */
    static List<String> examples() {
        try (Stream<Path> walk = Files.walk(Path.of("policies-examples"))) {
            List<String> files = new ArrayList<>();
            walk.filter(p -> p.toString().endsWith(".policy") && !p.getFileName().toString().equals("common.policy"))
                    .map(Path::toString).sorted().forEach(files::add);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hosts of a policy, by name. */
    static List<Target> hosts(EffectivePolicy effective) {
        return effective.policy().hosts().keySet().stream().sorted()
                .map(name -> effective.target(name).orElseThrow()).toList();
    }

    static Artifact compile(Backend backend, EffectivePolicy effective, Target target) {
        try {
            return backend.compile(new CompileRequest(effective, target, backend.formats().get(0), "TEST",
                    TargetOptions.defaults(backend)));
        } catch (CompileException e) {
            throw new AssertionError("compile failed: " + e.getMessage(), e);
        }
    }

    /** One in-process CLI run. */
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        return runWithInput("", args);
    }

    static Run runWithInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
