package io.portpolicy.compile;

import io.portpolicy.compile.nftables.NftablesBackend;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.kernel.KernelEnvironment;
import io.portpolicy.testing.RandomPolicies;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel cross-check for nftables, and a check that the cross-check catches a wrong ruleset. */
class NftablesKernelTest extends BackendKernelTest {

    static final KernelCrossCheck.Loader NFT = (lab, artifact) -> lab.loadNftables(artifact.parts().get(0).text());

    @Override
    Backend backend() {
        return new NftablesBackend();
    }

    @Override
    KernelCrossCheck.Loader loader() {
        return NFT;
    }

    /** The cross-check itself: a ruleset that admits one rule's packets too many must be caught. */
    @Test
    void aWrongRulesetIsCaught() {
        String file = "policies-examples/web-tier.policy";
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
        Target host = effective.target("web1").orElseThrow();
        String good = CompileFixtures.compile(new NftablesBackend(), effective, host).parts().get(0).text();
        // Admit every inbound TCP connection instead of only port 443 from the balancers.
        String bad = good.replaceFirst("ip saddr 10.10.0.0/28 tcp dport 443 accept", "meta l4proto tcp accept");
        assertTrue(!bad.equals(good), "the rule to break was not found:\n" + good);
        KernelCrossCheck.Outcome outcome = new KernelCrossCheck(effective, host, 7)
                .run("broken web1", Artifact.single(".nft", bad), NFT, 200);
        assertTrue(!outcome.mismatches().isEmpty(), "a ruleset admitting all inbound TCP went unnoticed");
    }
}
