package io.portpolicy.compile;

import io.portpolicy.engine.EffectivePolicy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every backend for a platform that tracks connections refuses a stateless policy the same way. */
class StatefulPlatformTest {

    private static final String POLICY = "group web = 10.20.1.0/24\nhost srv = 10.20.1.7\nallow ssh to web\n";

    @Test
    void aStatelessPolicyIsRefusedAtItsStatelessStatement() {
        EffectivePolicy stateless = EffectivePolicy.of(CompileFixtures.checkText(POLICY + "stateless\n"),
                CompileFixtures.TODAY);
        CompileException e = assertThrows(CompileException.class,
                () -> StatefulPlatform.require(stateless, "a firewall", "do this instead"));
        assertNull(e.rule());
        assertEquals("<stdin>:4:1", e.location().toString(), "at the 'stateless' statement");
        assertEquals("the policy is stateless, but a firewall always tracks connections and admits replies by itself,"
                + " beyond what the policy admits: do this instead", e.getMessage());
        EffectivePolicy stateful = EffectivePolicy.of(CompileFixtures.checkText(POLICY), CompileFixtures.TODAY);
        assertDoesNotThrow(() -> StatefulPlatform.require(stateful, "a firewall", "do this instead"));
    }

    @Test
    void everyStatefulPlatformRefusesAStatelessPolicyFromTheCommandLine() {
        for (String[] target : new String[][] {{"aws", "--group", "web", "an AWS security group"},
            {"azure", "--group", "web", "an Azure NSG"}, {"gcp", "--group", "web", "a GCP VPC firewall"},
            {"windows", "--host", "srv", "Windows Defender Firewall"}}) {
            CompileFixtures.Run run = CompileFixtures.runWithInput(POLICY + "stateless\n",
                    "compile", "-", "--target", target[0], target[1], target[2]);
            assertEquals(2, run.exit(), target[0] + ": " + run.err());
            assertTrue(run.err().startsWith("<stdin>:4:1: error: cannot compile for " + target[0] + " at "
                    + target[1].substring(2) + " " + target[2] + ": the policy is stateless, but " + target[3]
                    + " always tracks connections"), target[0] + ": " + run.err());
            assertTrue(run.err().contains("\n  stateless\n  ^~~~~~~~~\n"), target[0] + ": " + run.err());
            assertTrue(run.err().contains("compile it for " + target[0] + " without the 'stateless' setting"),
                    target[0] + ": " + run.err());
            assertEquals("", run.out(), target[0]);
            assertEquals(0, CompileFixtures.runWithInput(POLICY, "compile", "-", "--target", target[0], target[1],
                    target[2]).exit(), target[0] + " compiles the same policy without 'stateless'");
        }
    }
}
