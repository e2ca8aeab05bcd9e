package io.portpolicy.compile;

import io.portpolicy.compile.iptables.IptablesBackend;
import io.portpolicy.compile.nftables.NftablesBackend;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Hostile comments, owners, tickets, log prefixes and file names (quotes, backslashes, braces,
 * semicolons, line separators, unicode) stay inside their quotes in the nftables and iptables
 * text. Checked without a kernel, so everywhere; {@link HostileTextTest} loads the same output
 * into one.
 */
class HostileTextRenderingTest {

    static final String EVIL = "x\\\" accept; } } table inet pwn { chain c { type filter hook input priority -500; policy accept; } } "
            + "\\\\ -A INPUT -j ACCEPT ' $x # flush ruleset \u00fcn\u00efc\u00f8d\u00e9 \ud83d\udd25 "
            + "COMMIT */ ACCEPT all -- 0.0.0.0/0 0.0.0.0/0 /*"; // no control characters, line separators or bidi controls: a policy may not hold them

    static String policy() {
        return "host evil = 10.0.0.1, 2001:db8::1\n"
                + "default inbound deny\n"
                + "allow tcp/22 from 10.1.0.0/16, 2001:db8:1::/48 log \"" + EVIL + "\" comment \"" + EVIL + "\" owner \""
                + EVIL + "\" ticket \"" + EVIL + "\"\n"
                + "reject tcp/23 comment \"" + EVIL.repeat(5) + "\"\n";
    }

    /** The hostile policy, read from a file in dir whose name is hostile too (a file name may hold line breaks). */
    static EffectivePolicy effective(Path dir) throws IOException {
        Path file = dir.resolve("evil\"; } \n-A INPUT -j ACCEPT\n#\u2028flush ruleset.policy");
        Files.writeString(file, policy());
        return EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
    }

    @Test
    void hostileTextStaysInsideItsQuotes(@TempDir Path dir) throws IOException {
        EffectivePolicy effective = effective(dir);
        Target host = effective.target("evil").orElseThrow();
        for (Backend backend : List.of(new NftablesBackend(), new IptablesBackend())) {
            for (Artifact.Part part : CompileFixtures.compile(backend, effective, host).parts()) assertLines(part.text());
        }
    }

    /** Every line is a comment, blank, or a line the generator itself starts. */
    private static void assertLines(String text) {
        for (String line : text.split("\n", -1)) {
            assertFalse(line.contains("\r") || line.contains("\u2028") || line.contains("\\"), line);
            if (line.contains("comment \"")) {
                String comment = line.substring(line.indexOf("comment \"") + 9)
                        .replaceAll("--log-prefix \"[A-Za-z0-9 ._:/=+,@#()\\[\\]-]*\"", "");
                assertEquals(1, count(comment, "\""), "a quote inside a comment: " + line);
            }
        }
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
