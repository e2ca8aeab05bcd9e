package io.portpolicy.diff;

import io.portpolicy.lint.LintConfig;
import io.portpolicy.model.Policy;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a diff says beyond the packets: connection tracking, service names, the RISK flag's bounds. */
class DiffWordsTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);
    private static final String WEB = "host web1 = 10.0.1.11 os linux\ndefault inbound deny\ndefault outbound deny\n"
            + "allow tcp/443 from 192.0.2.0/24 to self\n";

    private static String text(String before, String after) {
        Policy old = DiffMatchesEngineTest.check(before);
        Policy neu = DiffMatchesEngineTest.check(after);
        PolicyDiff.Result result = PolicyDiff.compare(old, neu, TODAY, LintConfig.DEFAULT);
        return new DiffReport(result, neu.services().values()).text();
    }

    @Test
    void turningStatelessIsAnAccessChangeThoughNoFirstPacketChanges() {
        Policy old = DiffMatchesEngineTest.check(WEB);
        Policy neu = DiffMatchesEngineTest.check("stateless\n" + WEB);
        PolicyDiff.Result result = PolicyDiff.compare(old, neu, TODAY, LintConfig.DEFAULT);
        assertTrue(result.changes().isEmpty(), "every first packet is decided alike");
        assertTrue(result.accessChanged());
        String text = new DiffReport(result, neu.services().values()).text();
        assertTrue(text.startsWith("access changed: replies no longer admitted by connection tracking"), text);
        assertTrue(text.contains("the new policy is stateless"), text);
        assertTrue(text("stateless\n" + WEB, WEB).startsWith("access changed: replies now admitted by connection tracking"));
        assertFalse(PolicyDiff.compare(neu, neu, TODAY, LintConfig.DEFAULT).accessChanged());
    }

    @Test
    void aServiceOfABuiltInsNameReplacesItInTheWords() {
        String old = "service ssh = tcp/2222\nhost h = 10.0.0.1\n";
        String text = text(old, old + "allow tcp/22 from 192.0.2.0/24\nallow ssh from 192.0.2.0/24\n");
        assertTrue(text.contains("tcp port 2222 (ssh)"), text);
        assertTrue(text.contains("tcp port 22 from"), text);
        assertFalse(text.contains("tcp port 22 (ssh)"), text);
    }

    @Test
    void aWideRangeIsWiderThanASlash16() {
        String old = "host h = 10.0.0.1\n";
        assertFalse(text(old, old + "allow tcp/3389 from 10.64.0.0/16\n").contains("RISK"));
        assertTrue(text(old, old + "allow tcp/3389 from 10.64.0.0/15\n").contains("RISK: open to a wide range"));
    }
}
