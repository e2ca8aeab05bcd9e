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
import java.nio.file.Path;

import static io.portpolicy.compile.HostileTextRenderingTest.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile text of {@link HostileTextRenderingTest} (comments, owners, tickets, log prefixes
 * and file names) compiles to rulesets that load, hold exactly the rules the policy asks for,
 * and admit what the engine says.
 */
class HostileTextTest {

    @Test
    void hostileTextLoadsAsWrittenAndDecidesAsTheEngine(@TempDir Path dir) throws IOException {
        KernelEnvironment.require();
        EffectivePolicy effective = HostileTextRenderingTest.effective(dir);
        Target host = effective.target("evil").orElseThrow();
        Artifact nft = CompileFixtures.compile(new NftablesBackend(), effective, host);
        Artifact ipt = CompileFixtures.compile(new IptablesBackend(), effective, host);
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
}
