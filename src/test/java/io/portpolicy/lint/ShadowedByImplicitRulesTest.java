package io.portpolicy.lint;

import io.portpolicy.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A deny that only the implicit allow rules pre-empt is shadowed by no policy rule at all. */
class ShadowedByImplicitRulesTest {

    @Test
    void reportedWithAHintAndNoCrash(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("nd.policy");
        Files.writeString(policy, "host web1 = 2001:db8:1::11\nallow tcp/22 from 2001:db8:9::/48 to web1\n"
                + "deny icmpv6/neighbor-solicitation from any to web1\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"lint", policy.toString(), "--today", "2026-11-21"}, System.in,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, text + err);
        assertTrue(text.contains(":3:1: error PP301 shadowed-rule:"), text);
        assertTrue(text.contains("the implicit rules (loopback, IPv6 neighbour discovery) always come first"), text);
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("internal error"), err.toString(StandardCharsets.UTF_8));
    }
}
