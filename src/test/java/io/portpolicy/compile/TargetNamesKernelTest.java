package io.portpolicy.compile;

import io.portpolicy.compile.iptables.IptablesBackend;
import io.portpolicy.compile.nftables.NftablesBackend;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.kernel.KernelEnvironment;
import io.portpolicy.kernel.KernelLab;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configured table and chain names load into a kernel, and the names the settings refuse are really refused. */
class TargetNamesKernelTest {

    static final String FILE = "policies-examples/web-tier.policy";

    @BeforeAll
    static void kernel() {
        KernelEnvironment.require();
    }

    static Artifact compile(Backend backend, Map<String, String> settings) throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(FILE), CompileFixtures.TODAY);
        Target host = effective.target("web1").orElseThrow();
        return backend.compile(new CompileRequest(effective, host, backend.formats().get(0), "TEST",
                TargetOptions.of(backend.options(), settings)));
    }

    /** A custom table name loads, replaces itself on a second load, and gives the engine's verdicts. */
    @Test
    void aCustomTableLoadsAndDecidesAsThePolicy() throws CompileException {
        Artifact artifact = compile(new NftablesBackend(), Map.of("table", "edge_fw"));
        String ruleset = artifact.parts().get(0).text();
        try (KernelLab lab = KernelLab.builder().target("10.0.1.11").peer("10.10.0.5").start()) {
            lab.loadNftables(ruleset);
            lab.loadNftables(ruleset);
            String tables = lab.execInTarget("nft", "list", "tables").orThrow().stdout();
            assertEquals("table inet edge_fw", tables.strip(), tables);
        }
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(FILE), CompileFixtures.TODAY);
        KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, effective.target("web1").orElseThrow(), 11)
                .run("web1, table edge_fw", artifact, NftablesKernelTest.NFT, 120);
        assertTrue(outcome.probes() > 50, "too few probes: " + outcome.probes());
        assertTrue(outcome.mismatches().isEmpty(), String.join("\n", outcome.mismatches()));
    }

    /** The longest names the settings accept load: 255 characters of table, 18 of chain prefix (28 with "-out-rules"). */
    @Test
    void theLongestAcceptedNamesLoad() throws CompileException {
        String table = "T".repeat(255);
        assertTrue(NftablesBackend.TABLE.valid().test(table));
        assertFalse(NftablesBackend.TABLE.valid().test(table + "T"));
        String prefix = "P".repeat(18);
        assertTrue(IptablesBackend.CHAIN_PREFIX.valid().test(prefix));
        assertFalse(IptablesBackend.CHAIN_PREFIX.valid().test(prefix + "P"));
        Artifact nft = compile(new NftablesBackend(), Map.of("table", table));
        Artifact ipt = compile(new IptablesBackend(), Map.of("chain-prefix", prefix));
        try (KernelLab lab = KernelLab.builder().target("10.0.1.11").peer("10.10.0.5").start()) {
            lab.loadNftables(nft.parts().get(0).text());
            assertTrue(lab.execInTarget("nft", "list", "tables").orThrow().stdout().contains("table inet " + table));
            lab.flushRules();
            lab.loadIptables(ipt.parts().get(0).text(), ipt.parts().get(1).text());
            assertTrue(lab.execInTarget("iptables-save").orThrow().stdout().contains("-A OUTPUT -j " + prefix + "-out\n"));
        }
    }

    /**
     * Every word the table setting refuses as reserved is refused by the installed nft, and a
     * name the setting accepts is not (the list came from nft 1.0.6; a newer nft may reserve more).
     */
    @Test
    void theReservedWordsAreRefusedByNft() throws IOException {
        List<String> words;
        try (InputStream in = NftablesBackend.class.getResourceAsStream("reserved-words.txt")) {
            words = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
        assertTrue(words.size() > 100, "the list is cut short: " + words.size());
        List<String> accepted = new ArrayList<>();
        try (KernelLab lab = KernelLab.builder().target("10.0.1.11").peer("10.10.0.5").selfCheck(false).start()) {
            for (String word : words) {
                assertFalse(NftablesBackend.TABLE.valid().test(word), word);
                String text = "table inet " + word + "\ndelete table inet " + word + "\ntable inet " + word + " {\n}\n";
                if (lab.execInTarget("sh", "-c", "printf '%s' '" + text + "' | nft -c -f -").exitCode() == 0) accepted.add(word);
            }
            assertTrue(lab.execInTarget("sh", "-c", "printf 'table inet filter {\\n}\\n' | nft -c -f -").exitCode() == 0);
        }
        assertEquals(List.of(), accepted, "nft accepts these as table names: the list is out of date");
    }
}
