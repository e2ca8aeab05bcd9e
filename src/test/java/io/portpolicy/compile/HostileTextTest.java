package io.portpolicy.compile;

import io.portpolicy.compile.iptables.IptablesBackend;
import io.portpolicy.compile.nftables.NftablesBackend;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.kernel.KernelEnvironment;
import io.portpolicy.kernel.KernelLab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile comments, owners, tickets, log prefixes and file names (quotes, backslashes, braces,
 * semicolons, line separators, unicode) compile to rulesets that load, hold exactly the rules
 * the policy asks for, and admit what the engine says.
 */
class HostileTextTest {

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

    @Test
    void hostileTextStaysInsideItsQuotes(@TempDir Path dir) throws IOException {
        KernelEnvironment.require();
        Path file = dir.resolve("evil\"; } \n-A INPUT -j ACCEPT\n#\u2028flush ruleset.policy");
        Files.writeString(file, policy());
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
        Target host = effective.target("evil").orElseThrow();
        Artifact nft = CompileFixtures.compile(new NftablesBackend(), effective, host);
        Artifact ipt = CompileFixtures.compile(new IptablesBackend(), effective, host);
        for (Artifact.Part part : nft.parts()) assertLines(part.text());
        for (Artifact.Part part : ipt.parts()) assertLines(part.text());
        try (KernelLab lab = KernelLab.builder().target("10.0.0.1", "2001:db8::1").peer("10.1.0.1", "2001:db8:1::1").start()) {
            lab.loadNftables(nft.parts().get(0).text());
            String listed = lab.execInTarget("nft", "list", "ruleset").orThrow().stdout();
            assertEquals(1, listed.lines().filter(l -> l.startsWith("table ")).count(), listed);
            assertEquals(nft.parts().get(0).text().lines().filter(l -> l.startsWith("\tchain ")).count(),
                    listed.lines().filter(l -> l.startsWith("\tchain ")).count(), listed);
            assertEquals(nft.parts().get(0).text().lines().filter(l -> l.contains(" comment \"")).count(),
                    listed.lines().filter(l -> l.contains(" comment \"")).count(), listed);
            // The comment ends the listed line: nothing after it can read as part of the rule.
            for (String line : listed.lines().filter(l -> l.contains(" comment \"")).toList()) {
                assertTrue(line.endsWith("\"") && count(line.substring(line.indexOf(" comment \"")), "\"") == 2, line);
            }
        }
        try (KernelLab lab = KernelLab.builder().target("10.0.0.1", "2001:db8::1").peer("10.1.0.1", "2001:db8:1::1").start()) {
            lab.loadIptables(ipt.parts().get(0).text(), ipt.parts().get(1).text());
            String saved = lab.execInTarget("iptables-save").orThrow().stdout();
            assertEquals(ipt.parts().get(0).text().lines().filter(l -> l.startsWith("-A ")).count(),
                    saved.lines().filter(l -> l.startsWith("-A ")).count(), saved);
            // iptables -L shows a comment as /* TEXT */: one of each per rule, or the text ended early.
            for (String list : new String[] {"iptables", "ip6tables"}) {
                String listed = lab.execInTarget(list, "-L", "-n").orThrow().stdout();
                for (String line : listed.lines().filter(l -> l.contains("/*")).toList()) {
                    assertTrue(count(line, "/*") == 1 && count(line, "*/") == 1, line);
                }
            }
        }
        for (Artifact artifact : new Artifact[] {nft, ipt}) {
            KernelCrossCheck.Loader loader = artifact == nft
                    ? (lab, a) -> lab.loadNftables(a.parts().get(0).text())
                    : (lab, a) -> lab.loadIptables(a.parts().get(0).text(), a.parts().get(1).text());
            KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, 3).run("hostile", artifact, loader, 80);
            assertTrue(outcome.mismatches().isEmpty(), String.join("\n", outcome.mismatches()));
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

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
