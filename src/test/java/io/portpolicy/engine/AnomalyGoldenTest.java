package io.portpolicy.engine;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import org.approvaltests.Approvals;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rule-set anomalies (PP301-PP304) of small policies, one situation per case. The expected
 * findings are written in the policy, on the line of the rule they are about:
 *
 * <pre>
 *   allow tcp/22 from 10.0.0.0/24 to web1   # expect: SHADOWED by 2, 3
 *   allow tcp/22 from any to web1           # expect: CORRELATED with 2; REDUNDANT
 *   deny tcp/22 from 10.1.0.0/16 to web1    # expect: EMPTY
 * </pre>
 *
 * Numbers are line numbers of the policy text (the related rules, in any order); several
 * findings on one line are separated by {@code ;}. A case asserts exactly the marked
 * anomalies — kind, rule line and related rule lines — and no others.
 */
class AnomalyGoldenTest {

    static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    private static final Pattern EXPECT = Pattern.compile("#\\s*expect:\\s*(.*)$");
    private static final Pattern ONE = Pattern.compile(
            "(SHADOWED|REDUNDANT|CORRELATED|EMPTY)(?:\\s+(?:by|with)\\s+([0-9,\\s]+))?");

    static Policy check(String text) {
        Diagnostics diagnostics = new Diagnostics();
        Policy policy = Checker.check("-", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), diagnostics)
                .orElse(null);
        assertTrue(policy != null, () -> "policy does not check:\n" + text + "\n" + diagnostics.sorted());
        return policy;
    }

    static List<Anomaly> anomalies(String text) {
        return Anomalies.of(EffectivePolicy.of(check(text), TODAY));
    }

    /** {@code KIND@line[related lines]}, comparable whatever order the engine reports in. */
    private static String key(String kind, int line, List<Integer> related) {
        return kind + "@" + line + related.stream().sorted().map(String::valueOf)
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static List<String> expected(String text) {
        List<String> expected = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher marker = EXPECT.matcher(lines[i]);
            if (!marker.find()) continue;
            for (String item : marker.group(1).split(";")) {
                Matcher m = ONE.matcher(item.trim());
                assertTrue(m.matches(), "bad marker on line " + (i + 1) + ": '" + item.trim() + "'");
                List<Integer> related = new ArrayList<>();
                if (m.group(2) != null) {
                    for (String n : m.group(2).trim().split("\\s*,\\s*")) related.add(Integer.parseInt(n));
                }
                expected.add(key(m.group(1), i + 1, related));
            }
        }
        return expected.stream().sorted().toList();
    }

    /** Asserts the policy's anomalies are exactly the marked ones; returns them. */
    static List<Anomaly> verify(String text) {
        List<Anomaly> found = anomalies(text);
        List<String> actual = found.stream()
                .map(a -> key(a.kind().name(), a.rule().location().line(),
                        a.related().stream().map(r -> r.location().line()).toList()))
                .sorted().toList();
        assertEquals(expected(text), actual, () -> "anomalies of\n" + numbered(text) + "\nwere\n"
                + found.stream().map(a -> "  " + a.kind() + " " + a.rule() + ": " + a.message())
                .collect(Collectors.joining("\n")));
        return found;
    }

    private static String numbered(String text) {
        String[] lines = text.split("\n");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) out.append(String.format("%3d  %s%n", i + 1, lines[i]));
        return out.toString();
    }

    private static Anomaly only(List<Anomaly> found, Anomaly.Kind kind, int line) {
        return found.stream().filter(a -> a.kind() == kind && a.rule().location().line() == line).findFirst()
                .orElseThrow();
    }

    // ---- the harness itself ----------------------------------------------------------

    @Test
    void markersAreReadAsWritten() {
        assertEquals(List.of("CORRELATED@4[2]", "REDUNDANT@4[]", "SHADOWED@2[1,3]"), expected(
                "x\nallow # expect: SHADOWED by 3, 1\nx\ny # expect: REDUNDANT; CORRELATED with 2\n"));
    }

    @Test
    void anUnmarkedFindingFailsTheCase() {
        // Rule 3 is shadowed; leaving it unmarked must make verify fail, or the cases prove nothing.
        AssertionError error = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> verify("""
                host web1 = 192.0.2.11
                deny tcp/22 from 10.0.0.0/24 to web1
                allow tcp/22 from 10.0.0.0/25 to web1
                """));
        assertTrue(error.getMessage().contains("SHADOWED@3[2]"), error.getMessage());
    }

    // ---- shadowed (PP301) ---------------------------------------------------------------

    @Test
    void shadowedByTheUnionOfEarlierRulesNoneOfWhichCoversItAlone() {
        verify("""
                host web1 = 192.0.2.11
                deny tcp/22 from 10.0.0.0/25 to web1
                deny tcp/22 from 10.0.0.128/25 to web1
                allow tcp/22 from 10.0.0.0/24 to web1   # expect: SHADOWED by 2, 3
                """);
    }

    @Test
    void shadowedByTheUnionAcrossPortsAndProtocols() {
        verify("""
                host web1 = 192.0.2.11, 2001:db8:1::11
                reject tcp/1-1023 from 10.0.0.0/8 to web1
                deny tcp/1024-65535 from 10.0.0.0/8 to web1
                reject udp from 10.0.0.0/8 to web1
                deny tcp/0 from 10.0.0.0/8 to web1
                allow tcp, udp from 10.1.0.0/16 to web1   # expect: SHADOWED by 2, 3, 4, 5
                allow tcp, udp from 10.1.0.0/16, 2001:db8:9::/48 to web1   # expect: CORRELATED with 2; CORRELATED with 3; CORRELATED with 4; CORRELATED with 5
                """);
    }

    @Test
    void shadowedThroughGroups() {
        verify("""
                host web1 = 192.0.2.11
                host web2 = 192.0.2.12
                group web = web1, web2
                network admins = 10.9.0.0/16
                group staff = admins, 10.8.0.0/16
                deny ssh from staff to web
                allow tcp/22 from 10.9.1.0/24, 10.8.0.1 to web1   # expect: SHADOWED by 6
                allow tcp/22 from 10.9.1.0/24 to web              # expect: SHADOWED by 6
                allow tcp/22 from 10.7.0.0/16 to web
                """);
    }

    @Test
    void shadowedThroughRanges() {
        verify("""
                host web1 = 192.0.2.11
                deny tcp/20-30 from 10.0.0.1-10.0.0.100 to web1
                allow tcp/22-25 from 10.0.0.5-10.0.0.50 to web1   # expect: SHADOWED by 2
                allow tcp/{22,30} from 10.0.0.64/27 to web1       # expect: SHADOWED by 2
                allow tcp/{22,31} from 10.0.0.64/27 to web1       # expect: CORRELATED with 2
                allow tcp/22 from 10.0.0.96/29 to web1            # expect: CORRELATED with 2
                """);
    }

    @Test
    void shadowedThroughExcept() {
        verify("""
                host web1 = 192.0.2.11
                deny tcp/22 from 10.0.0.0/16 except 10.0.5.0/24 to web1
                allow tcp/22 from 10.0.0.0/24 to web1                         # expect: SHADOWED by 2
                allow tcp/22 from 10.0.0.0/16 except 10.0.5.0/24 to web1      # expect: SHADOWED by 2
                allow tcp/22 from 10.0.4.0/22 except 10.0.5.0/24 to web1      # expect: SHADOWED by 2
                allow tcp/22 from 10.0.5.0/25 to web1                         # expect: REDUNDANT by 7
                allow tcp/22 from 10.0.4.0/22 except 10.0.4.0/24 to web1      # expect: CORRELATED with 2
                """);
    }

    @Test
    void shadowedForIpv6OnlyWhenTheRuleIsIpv6Only() {
        verify("""
                host a = 192.0.2.1
                host b = 192.0.2.2, 2001:db8:1::2
                deny tcp/22 from any6 to a, b
                allow tcp/22 from 2001:db8::/32 to a, b       # expect: SHADOWED by 3
                allow tcp/22 from any to b                    # expect: CORRELATED with 3
                allow tcp/22 from any to a
                """);
    }

    @Test
    void anIpv6RuleAtAnIpv4OnlyHostIsEmptyNotShadowed() {
        verify("""
                host a = 192.0.2.1
                deny tcp/22 from any4 to a
                allow tcp/22 from any6 to a     # expect: EMPTY
                allow tcp/22 from any to a      # expect: SHADOWED by 2
                """);
    }

    @Test
    void shadowedByRulesOfEveryOtherAction() {
        List<Anomaly> found = verify("""
                host web1 = 192.0.2.11
                deny tcp/22 from 10.0.0.0/25 to web1
                reject tcp/22 from 10.0.0.128/25 to web1
                allow tcp/22 from 10.0.0.0/24 to web1   # expect: SHADOWED by 2, 3
                """);
        assertTrue(only(found, Anomaly.Kind.SHADOWED, 4).message().contains("with a different action match every packet"),
                found.toString());
    }

    @Test
    void decidedPartlyAlikeAndPartlyOtherwiseIsRedundantAndCorrelatedNotShadowed() {
        // Line 4 never applies, but the allow at line 2 matches only half of it: "rules with a
        // different action match every packet" (PP301) is not true. Removing it changes nothing
        // (PP302), and its order against the allow decides what half its packets get (PP303).
        List<Anomaly> found = verify("""
                host web1 = 192.0.2.11
                allow tcp/22 from 10.0.0.0/25 to web1
                deny tcp/22 from 10.0.0.128/25 to web1  # expect: REDUNDANT by 4
                deny tcp/22 from 10.0.0.0/24 to web1    # expect: REDUNDANT by 2, 3; CORRELATED with 2
                """);
        assertTrue(only(found, Anomaly.Kind.REDUNDANT, 4).message().contains("some as it would (deny) and some otherwise"),
                found.toString());
        // Line 4 never applies, but removing line 3 with it would change nothing either (the
        // default denies): no warning against removing both.
        assertFalse(only(found, Anomaly.Kind.REDUNDANT, 3).message().contains("not both"), found.toString());
    }

    // ---- redundant (PP302) -----------------------------------------------------------

    @Test
    void redundantByAnEarlierRuleWithTheSameAction() {
        verify("""
                host web1 = 192.0.2.11
                allow tcp/20-30 from 10.0.0.0/16 to web1
                allow tcp/22 from 10.0.1.0/24 to web1   # expect: REDUNDANT by 2
                allow ssh from 10.0.0.0/16 to web1      # expect: REDUNDANT by 2
                """);
    }

    @Test
    void redundantByTheUnionOfEarlierSameActionRules() {
        // Each of the two halves is redundant on its own too: the /24 after them would
        // allow what it allows. Removing a half and the /24 at once would not be; the spec
        // judges one rule at a time, and the halves' messages warn against removing both.
        List<Anomaly> found = verify("""
                host web1 = 192.0.2.11
                allow tcp/22 from 10.0.0.0/25 to web1     # expect: REDUNDANT by 4
                allow tcp/22 from 10.0.0.128/25 to web1   # expect: REDUNDANT by 4
                allow tcp/22 from 10.0.0.0/24 to web1     # expect: REDUNDANT by 2, 3
                """);
        assertTrue(only(found, Anomaly.Kind.REDUNDANT, 2).message().endsWith(
                "the rule at <stdin>:4 never applies itself: remove one of the two, not both"), found.toString());
    }

    @Test
    void redundantBecauseALaterRuleDecidesTheSame() {
        verify("""
                host web1 = 192.0.2.11
                allow tcp/22 from 10.0.1.0/24 to web1   # expect: REDUNDANT by 3
                allow tcp/22 from 10.0.0.0/16 to web1
                """);
    }

    @Test
    void redundantBecauseTheDefaultDecidesTheSame() {
        verify("""
                default inbound deny
                default outbound reject
                host web1 = 192.0.2.11
                deny tcp/22 from 10.0.1.0/24 to web1    # expect: REDUNDANT
                reject tcp/23 from 10.0.1.0/24 to web1
                reject udp from self to 10.9.0.0/16     # expect: REDUNDANT
                deny udp from self to 10.8.0.0/16
                """);
    }

    @Test
    void notRedundantWhenALaterRuleWithAnotherActionWouldDecideIt() {
        verify("""
                host web1 = 192.0.2.11
                allow tcp/22 from 10.0.1.0/24 to web1
                deny tcp/22 from 10.0.0.0/16 to web1    # expect: CORRELATED with 2
                allow tcp/22 from 10.0.0.0/8 to web1    # expect: CORRELATED with 3
                """);
    }

    @Test
    void redundantOnlyWhenRemovalChangesNothingInBothDirectionsAndAtEveryHost() {
        verify("""
                default inbound deny
                default outbound allow
                host a = 192.0.2.1
                host b = 192.0.2.2
                deny tcp/22 from 10.9.0.0/16 to a, b       # expect: REDUNDANT
                deny tcp/23 from any to a
                deny tcp/25 from 10.9.0.0/16 to a, b
                allow tcp/25 from 10.0.0.0/8 to b          # expect: CORRELATED with 7
                """);
    }

    // ---- correlated (PP303) ------------------------------------------------------------

    @Test
    void correlatedWhenRulesPartlyOverlapWithDifferentActions() {
        verify("""
                host web1 = 192.0.2.11
                deny tcp/20-25 from 10.7.0.0/16 to web1
                allow tcp/22-80 from 10.7.0.0/16 to web1    # expect: CORRELATED with 2; REDUNDANT by 4
                allow tcp/26-80 from 10.6.0.0/15 to web1
                reject tcp/1-100 from 10.7.0.0/16 to web1   # expect: CORRELATED with 2; CORRELATED with 3
                """);
    }

    @Test
    void notCorrelatedWhenTheOverlapIsDecidedByAnEvenEarlierRule() {
        verify("""
                host web1 = 192.0.2.11
                allow tcp/22 from 10.0.0.0/24 to web1
                reject tcp/22 from 10.0.0.0/16 to web1   # expect: CORRELATED with 2
                allow tcp/22 from 10.0.0.0/24, 10.1.0.0/16 to web1
                """);
    }

    // ---- empty (PP304) ---------------------------------------------------------------

    @Test
    void icmpBetweenIpv6OnlyHostsIsEmpty() {
        verify("""
                host a = 2001:db8:1::1
                host b = 2001:db8:1::2
                allow icmp from a to b                    # expect: EMPTY
                allow icmp/echo-request from any to a     # expect: EMPTY
                allow icmpv6/echo-request from a to b
                """);
    }

    @Test
    void addressesExceptedAwayAreEmpty() {
        verify("""
                host web1 = 192.0.2.11
                network office = 10.1.0.0/16
                allow ssh from 10.1.0.0/16 except 10.1.0.0/16 to web1   # expect: EMPTY
                allow ssh from office except 10.0.0.0/8 to web1         # expect: EMPTY
                allow ssh from office to web1 except web1               # expect: EMPTY
                allow ssh from office except 10.1.0.0/17 to web1
                """);
    }

    @Test
    void aRuleThatAppliesToNoHostIsEmpty() {
        verify("""
                host web1 = 192.0.2.11, 2001:db8:1::11
                allow tcp/22 from 10.9.0.0/16 to 192.0.2.10         # expect: EMPTY
                allow tcp/22 from 2001:db8:9::/48 to 192.0.2.11    # expect: EMPTY
                allow tcp/22 from 10.9.0.0/16 to 192.0.2.0/24
                """);
    }

    @Test
    void emptyMessagesSayWhy() {
        List<Anomaly> found = verify("""
                host a = 2001:db8:1::1
                allow icmp from 2001:db8:9::/48 to a      # expect: EMPTY
                allow tcp/22 from 10.9.0.0/16 to 10.1.0.1 # expect: EMPTY
                """);
        assertTrue(only(found, Anomaly.Kind.EMPTY, 2).message().contains("icmp is IPv4 only"), found.toString());
        assertTrue(only(found, Anomaly.Kind.EMPTY, 3).message().contains("applies to no host or group"),
                found.toString());
    }

    // ---- expiry ----------------------------------------------------------------------

    @Test
    void expiredRulesAreIgnored() {
        // Without the expired rule on line 3, line 4 would be shadowed; the expired rule itself
        // (which would be shadowed by line 2) is not reported either.
        verify("""
                default inbound reject
                deny tcp/22 from 10.0.0.0/8 to web1
                allow tcp/22 from 10.1.0.0/16 to web1 expires 2026-01-01
                allow tcp/22 from 10.1.0.0/16 to web1 expires 2026-06-01   # expect: SHADOWED by 2
                allow tcp/80 from 10.0.0.0/8 to web1 expires 2026-05-31
                deny tcp/80 from 10.1.0.0/16 to web1
                host web1 = 192.0.2.11
                """);
    }

    @Test
    void aRuleExpiringTodayIsStillAnalysed() {
        verify("""
                host web1 = 192.0.2.11
                allow tcp/22 from 10.0.0.0/8 to web1 expires 2026-06-01
                deny tcp/22 from 10.1.0.0/16 to web1    # expect: SHADOWED by 2
                """);
    }

    @Test
    void aFindingThatRestsOnAnExpiringRuleSaysUntilWhen() {
        List<Anomaly> found = verify("""
                host web1 = 192.0.2.11
                deny tcp/22 from 10.0.0.0/8 to web1 expires 2026-06-30
                allow tcp/22 from 10.0.0.5 to web1                          # expect: SHADOWED by 2
                allow tcp/22 from 10.0.0.6 to web1 expires 2026-06-10       # expect: SHADOWED by 2
                allow tcp/80 from 10.0.0.5 to web1                          # expect: REDUNDANT by 6
                allow tcp/80 from 10.0.0.0/8 to web1 expires 2026-06-20
                deny tcp/443 from 10.0.0.5 to web1 expires 2026-06-25
                allow tcp/443 from 10.0.0.0/24 to web1                      # expect: REDUNDANT by 9; CORRELATED with 7
                allow tcp/443 from 10.0.0.0/8 except 10.0.0.5 to web1
                """);
        Anomaly shadowed = only(found, Anomaly.Kind.SHADOWED, 3);
        assertEquals(List.of(2), shadowed.lapsing().stream().map(r -> r.location().line()).toList());
        assertTrue(shadowed.message().startsWith("never applies until the rule at <stdin>:2 expires on 2026-06-30: "),
                shadowed.message());
        // It expires before the rule shadowing it: it never applies in all its life.
        assertEquals(List.of(), only(found, Anomaly.Kind.SHADOWED, 4).lapsing());
        assertTrue(only(found, Anomaly.Kind.REDUNDANT, 5).message().startsWith(
                "removing it changes nothing until the rule at <stdin>:6 expires on 2026-06-20: "), found.toString());
        // Once the deny before it has expired, it decides 10.0.0.5 too, which line 9 does not allow.
        assertTrue(only(found, Anomaly.Kind.REDUNDANT, 8).message().startsWith(
                "removing it changes nothing until the rule at <stdin>:7 expires on 2026-06-25: "), found.toString());
    }

    // ---- cloud policies: groups without hosts ---------------------------------------

    @Test
    void aCloudPolicyIsAnalysedAtItsGroups() {
        verify("""
                default inbound deny
                default outbound allow
                group web = 10.20.1.0/24
                group app = 10.20.2.0/24
                allow https from any to web
                allow tcp/443 from 10.0.0.0/8 to web        # expect: REDUNDANT by 5
                deny tcp/8080 from web to app
                allow tcp/8080 from 10.20.1.0/25 to app     # expect: SHADOWED by 7
                allow tcp/8080 from 10.20.0.0/16 to app     # expect: CORRELATED with 7
                allow tcp/22 from 10.9.0.0/16 to 192.0.2.1  # expect: EMPTY
                """);
    }

    @Test
    void overlappingGroupsAreEachJudgedOnTheirOwn() {
        // tiers shares web's addresses; at web the ssh rule is pre-empted, at tiers it decides
        // the rest: it is correlated, not shadowed.
        verify("""
                group web = 10.20.1.0/24
                group tiers = web, 10.20.2.0/24
                deny tcp/22 from any to web
                allow tcp/22 from 10.0.100.0/24 to tiers     # expect: CORRELATED with 3
                allow tcp/22 from 10.0.100.0/24 to web       # expect: SHADOWED by 3
                """);
    }

    @Test
    void aPolicyWithNeitherHostsNorGroupsIsOnlyCheckedForEmptyRules() {
        verify("""
                deny tcp/22 from 10.0.0.0/8 to 10.1.0.0/16
                allow tcp/22 from 10.0.0.0/8 to 10.1.0.0/16
                allow icmp from 10.0.0.0/8 to 2001:db8::/32     # expect: EMPTY
                """);
    }

    // ---- implicit rules at hosts --------------------------------------------------------

    @Test
    void allowingWhatTheImplicitRulesAllowIsRedundant() {
        List<Anomaly> found = verify("""
                host web1 = 192.0.2.11, 2001:db8:1::11
                allow icmpv6/neighbor-solicitation from any                 # expect: REDUNDANT
                allow icmpv6/{133, 134, 135, 136} from any to any           # expect: REDUNDANT
                allow any from 127.0.0.0/8                                  # expect: REDUNDANT
                allow icmpv6/{135, 128} from any
                allow tcp/22 from 10.0.0.0/8
                """);
        assertTrue(only(found, Anomaly.Kind.REDUNDANT, 2).message().contains("the implicit rules"), found.toString());
    }

    @Test
    void implicitRulesDoNotApplyAtGroups() {
        verify("""
                group web = 10.20.1.0/24, 2001:db8:20:1::/64
                allow icmpv6/neighbor-solicitation from any to web
                """);
    }

    /**
     * A deny that only ever meets packets the implicit rules allow never applies, and those
     * packets get another action: that is shadowing (PP301), not redundancy; the message
     * must not claim that earlier rules "already deny" them.
     */
    @Test
    void denyingWhatTheImplicitRulesAllowIsShadowedNotRedundant() {
        List<Anomaly> found = verify("""
                host web1 = 192.0.2.11, 2001:db8:1::11
                deny icmpv6/neighbor-solicitation from any      # expect: SHADOWED
                """);
        assertFalse(found.get(0).message().contains("already deny"), found.get(0).message());
    }

    // ---- whole messages ----------------------------------------------------------------

    @Test
    void messages() {
        String text = """
                default inbound deny
                host web1 = 192.0.2.11, 2001:db8:1::11 os linux
                host web2 = 192.0.2.12 os linux
                group web = web1, web2
                deny tcp/22 from 10.0.0.0/25 to web
                deny tcp/22 from 10.0.0.128/25 to web
                allow ssh from 10.0.0.0/24 to web1           # expect: SHADOWED by 5, 6
                allow https from any to web
                allow tcp/443 from 10.0.0.0/8 to web2        # expect: REDUNDANT by 8
                deny udp/53 from 10.0.0.0/8 to web1          # expect: REDUNDANT
                allow tcp/20-25 from any to web1             # expect: CORRELATED with 5; CORRELATED with 6
                allow icmp from 2001:db8:9::/48 to web1      # expect: EMPTY
                allow ssh from 10.1.0.0/16 except 10.0.0.0/8 # expect: EMPTY
                allow tcp/22 from 10.9.0.0/16 to 192.0.2.10  # expect: EMPTY
                allow icmpv6/neighbor-solicitation from any  # expect: REDUNDANT
                """;
        List<Anomaly> found = verify(text);
        StringBuilder out = new StringBuilder(numbered(text)).append('\n');
        for (Anomaly anomaly : found) {
            out.append(anomaly.kind()).append(" line ").append(anomaly.rule().location().line())
                    .append(" related ").append(anomaly.related().stream().map(Rule::location).toList())
                    .append("\n  ").append(anomaly.message()).append('\n');
        }
        Approvals.verify(out.toString());
    }
}
