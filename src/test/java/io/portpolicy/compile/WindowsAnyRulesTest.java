package io.portpolicy.compile;

import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.testing.AnyRulePolicies;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compile --target windows on random policies biased toward rules naming {@code any} with
 * narrower rules before them ({@link AnyRulePolicies}): the script and the netsh batch decide
 * every packet of {@link WindowsBackendTest#crossCheck} as the engine does, and the policies
 * reach both kinds of output for such a rule, one {@code Any} rule and rules per protocol.
 */
class WindowsAnyRulesTest {

    @Test
    void anyRulePoliciesDecideAsTheEngine() throws CompileException {
        int hosts = 0;
        int withAny = 0;
        int mixed = 0;
        for (long seed = 0; seed < 60; seed++) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(new AnyRulePolicies(seed).policy()),
                    CompileFixtures.TODAY);
            for (Target host : CompileFixtures.hosts(effective)) {
                WindowsBackendTest.crossCheck("seed " + seed + " " + host.name(), effective, host, seed);
                hosts++;
                var rules = WindowsFirewallReader.powershell(
                        WindowsBackendTest.compile(effective, host, "powershell").parts().get(0).text()).rules;
                boolean any = rules.stream().anyMatch(r -> r.one("Protocol").equals("Any"));
                if (any) withAny++;
                if (any && rules.stream().anyMatch(r -> !r.one("Protocol").equals("Any")
                        && !r.one("Name").endsWith(":neighbour-discovery"))) {
                    mixed++;
                }
            }
        }
        assertTrue(hosts >= 100 && withAny >= 30 && mixed >= 20,
                hosts + " hosts, " + withAny + " with an Any rule, " + mixed + " with other rules too");
    }
}
