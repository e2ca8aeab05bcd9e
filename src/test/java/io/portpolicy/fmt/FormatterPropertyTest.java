package io.portpolicy.fmt;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diff.PolicyDiff;
import io.portpolicy.model.Policy;
import io.portpolicy.source.SourceFile;
import io.portpolicy.testing.RandomPolicies;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fmt on random policies written untidily (spaces doubled, blank lines, comments on their own
 * lines and after statements, rules continued on the next line, '#' inside a rule's comment
 * string): the result is a fixed point, keeps every comment in order and every string as it
 * was, and admits exactly what the untidy text admits.
 */
class FormatterPropertyTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    @Property(tries = 300)
    void formattingKeepsMeaningAndCommentsAndIsAFixedPoint(@ForAll long seed) {
        Random random = new Random(seed);
        List<String> comments = new ArrayList<>();
        String untidy = untidy(new RandomPolicies(seed).policy(), random, comments);

        String once = format(untidy);
        assertEquals(once, format(once), () -> "not a fixed point:\n" + untidy);
        int from = 0;
        for (String comment : comments) {
            int at = once.indexOf(comment, from);
            assertTrue(at >= 0, () -> "lost or reordered " + comment + " of\n" + untidy + "\nas\n" + once);
            from = at + comment.length();
        }
        Policy before = check(untidy);
        Policy after = check(once);
        List<PolicyDiff.Change> changes = PolicyDiff.access(before, after, TODAY);
        assertEquals(List.of(), changes, () -> "fmt changed what\n" + untidy + "\nadmits, as\n" + once);
        assertEquals(before.rules().stream().map(rule -> rule.options().comment()).toList(),
                after.rules().stream().map(rule -> rule.options().comment()).toList(), untidy);
    }

    /** The policy with its layout disturbed in ways the language allows; the comments added, in order. */
    private static String untidy(String policy, Random random, List<String> comments) {
        StringBuilder out = new StringBuilder();
        for (String line : policy.split("\n")) {
            if (random.nextInt(4) == 0) out.append("\n".repeat(1 + random.nextInt(2)));
            if (random.nextInt(5) == 0) out.append(comment(random, comments)).append('\n');
            String written = line;
            if (written.startsWith("allow ") || written.startsWith("deny ") || written.startsWith("reject ")) {
                // A '#' inside a string is text, not a comment.
                if (random.nextInt(4) == 0) written += " comment \"step " + comments.size() + " # of the plan\"";
                if (random.nextInt(3) == 0) written = written.replaceFirst(" from ", "\n    from ");
            }
            if (random.nextBoolean()) written = doubleSpacesOutsideStrings(written);
            out.append(random.nextInt(4) == 0 ? "  " : "").append(written);
            if (random.nextInt(3) == 0) out.append(" ".repeat(1 + random.nextInt(3))).append(comment(random, comments));
            out.append('\n');
        }
        if (random.nextBoolean()) out.append(comment(random, comments)).append('\n');
        return out.toString();
    }

    private static String doubleSpacesOutsideStrings(String line) {
        StringBuilder out = new StringBuilder();
        boolean inString = false;
        for (char c : line.toCharArray()) {
            if (c == '"') inString = !inString;
            out.append(c == ' ' && !inString ? "  " : String.valueOf(c));
        }
        return out.toString();
    }

    /** A comment that no other contains ('# note 1;' is not in '# note 10;'). */
    private static String comment(Random random, List<String> comments) {
        String comment = "# note " + comments.size() + ";" + (random.nextBoolean() ? " allow tcp/22 from any" : "");
        comments.add(comment);
        return comment;
    }

    private static String format(String text) {
        Diagnostics diagnostics = new Diagnostics();
        return Formatter.format(new SourceFile("random.policy", null, text), diagnostics)
                .orElseThrow(() -> new AssertionError("does not read: " + diagnostics.sorted() + "\n" + text));
    }

    private static Policy check(String text) {
        Diagnostics diagnostics = new Diagnostics();
        return Checker.check("-", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), diagnostics)
                .orElseThrow(() -> new AssertionError("does not check: " + diagnostics.sorted() + "\n" + text));
    }
}
