package io.portpolicy.engine;

import io.portpolicy.model.Action;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import io.portpolicy.testing.RandomPolicies;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RuleOverlaps} must be conservative: every region is computed from the neighbours it
 * names, so two rules whose packet sets meet anywhere (any target, either direction) must be
 * neighbours. Checked exactly, pair by pair, against the rules' sets.
 */
class RuleOverlapsTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void rulesWhoseSetsMeetAreNeighbours(@ForAll long seed) {
        EffectivePolicy effective = RandomDirections.of(seed);
        RuleOverlaps overlaps = new RuleOverlaps(effective.compiledRules());
        RandomDirections.each(effective, (target, direction, directed) -> {
            List<RuleRegion> rules = directed.rules();
            for (int i = 0; i < rules.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (!rules.get(i).matched().intersects(rules.get(j).matched())) continue;
                    int later = i;
                    int earlier = j;
                    assertTrue(Arrays.binarySearch(overlaps.earlier(later), earlier) >= 0,
                            () -> "rules " + earlier + " and " + later + " meet at " + target.name() + " "
                                    + direction + " but are not neighbours:\n" + rules.get(earlier).rule().text()
                                    + "\n" + rules.get(later).rule().text());
                    assertTrue(Arrays.binarySearch(overlaps.later(earlier), later) >= 0);
                }
            }
        });
    }

    /**
     * The anomaly analysis names a rule's earlier deciders from the earlier rules that took
     * packets from it while its region was worked out: every earlier rule whatever (not only
     * the neighbours) whose decided set meets what the rule matches must be among them.
     */
    @Property(tries = 200, shrinking = ShrinkingMode.OFF)
    void earlierRulesDecidingPartOfARuleTookFromIt(@ForAll long seed) {
        RandomDirections.each(RandomDirections.of(seed), (target, direction, directed) -> {
            List<RuleRegion> rules = directed.rules();
            for (int i = 0; i < rules.size(); i++) {
                int[] taking = directed.earlierTaking(i);
                for (int j = 0; j < i; j++) {
                    if (!rules.get(j).decided().intersects(rules.get(i).matched())) continue;
                    int rule = i;
                    int earlier = j;
                    assertTrue(Arrays.binarySearch(taking, j) >= 0, () -> "rule " + earlier + " decides part of rule "
                            + rule + " at " + target.name() + " " + direction + " but did not take from it");
                }
            }
        });
    }

    /**
     * A question that leaves the peer free (what rule i matches, from any peer) reads only the
     * rules {@link RuleOverlaps#meetingAtAnyPeer} names: every rule meeting it must be among them.
     * What they decide, read from them alone, is what every rule of the policy decides.
     */
    @Property(tries = 200, shrinking = ShrinkingMode.OFF)
    void rulesMeetingARuleAtAnyPeerAreNamed(@ForAll long seed) {
        EffectivePolicy effective = RandomDirections.of(seed);
        RuleOverlaps overlaps = new RuleOverlaps(effective.compiledRules());
        RandomDirections.each(effective, (target, direction, directed) -> {
            List<RuleRegion> rules = directed.rules();
            for (int i = 0; i < rules.size(); i++) {
                PacketSet anyPeer = rules.get(i).matched().anyPeer();
                int[] named = overlaps.meetingAtAnyPeer(i, directed.space().ownIsSource());
                for (int j = 0; j < rules.size(); j++) {
                    if (!rules.get(j).matched().intersects(anyPeer)) continue;
                    int rule = i;
                    int other = j;
                    assertTrue(Arrays.binarySearch(named, j) >= 0, () -> "rule " + other + " meets rule " + rule
                            + " at any peer at " + target.name() + " " + direction + " but is not named:\n"
                            + rules.get(rule).rule().text() + "\n" + rules.get(other).rule().text());
                }
                for (Action action : Action.values()) {
                    PacketSet byRules = directed.decidedAs(action).minus(
                            action == directed.defaultAction() ? directed.defaultRegion() : anyPeer.space().none());
                    assertEquals(byRules.intersect(anyPeer), directed.decidedByRulesAtAnyPeer(action, i, anyPeer),
                            () -> action + " at " + target.name() + " " + direction);
                }
            }
        });
    }

    /**
     * The sweep that finds the neighbours of every rule at once must find exactly the pairs
     * that the footprints of two rules alone, compared with nothing else around, say meet.
     */
    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void neighboursAreThePairsWhoseFootprintsMeet(@ForAll long seed) {
        Policy policy = EngineAgreesWithReferenceTest.check(new RandomPolicies(seed).policy());
        List<Rule> rules = EffectivePolicy.of(policy, TODAY).compiledRules();
        RuleOverlaps overlaps = new RuleOverlaps(rules);
        for (int i = 0; i < rules.size(); i++) {
            List<Integer> expected = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                if (new RuleOverlaps(List.of(rules.get(j), rules.get(i))).earlier(1).length == 1) expected.add(j);
            }
            int later = i;
            assertEquals(expected, Arrays.stream(overlaps.earlier(i)).boxed().toList(), () -> "earlier of " + later);
            for (int j : expected) assertTrue(Arrays.binarySearch(overlaps.later(j), i) >= 0);
        }
        int earlierPairs = 0;
        int laterPairs = 0;
        for (int k = 0; k < rules.size(); k++) {
            earlierPairs += overlaps.earlier(k).length;
            laterPairs += overlaps.later(k).length;
        }
        assertEquals(earlierPairs, laterPairs, "later lists the same pairs, no more");
    }

    @Test
    void rulesOnDifferentPortsOrAddressesAreNotNeighbours() {
        Policy policy = EngineAgreesWithReferenceTest.check("""
                host a = 10.0.0.1
                host b = 10.0.0.2
                allow tcp/22 from 10.1.0.0/16 to a
                allow tcp/443 from 10.1.0.0/16 to a
                allow tcp/22 from 10.2.0.0/16 to a
                allow tcp/22 from 10.1.0.0/16 to b
                allow tcp/20-30 from any to a
                allow any from 10.1.2.3
                allow udp/22 from any
                allow icmp from 2001:db8::/32 to any
                allow tcp/65535 from any to a
                allow tcp from any to 2001:db8::5
                """);
        RuleOverlaps overlaps = new RuleOverlaps(EffectivePolicy.of(policy, TODAY).compiledRules());
        assertEquals(List.of(), Arrays.stream(overlaps.earlier(1)).boxed().toList(), "other port");
        assertEquals(List.of(), Arrays.stream(overlaps.earlier(2)).boxed().toList(), "other source");
        assertEquals(List.of(), Arrays.stream(overlaps.earlier(3)).boxed().toList(), "other host");
        assertEquals(List.of(0, 2), Arrays.stream(overlaps.earlier(4)).boxed().toList(), "port range, any source");
        assertEquals(List.of(0, 1, 3, 4), Arrays.stream(overlaps.earlier(5)).boxed().toList(), "any protocol");
        assertEquals(List.of(5), Arrays.stream(overlaps.earlier(6)).boxed().toList(), "UDP meets only 'any'");
        assertEquals(List.of(), Arrays.stream(overlaps.earlier(7)).boxed().toList(), "IPv6 source, IPv4 rules");
        assertEquals(List.of(5), Arrays.stream(overlaps.earlier(8)).boxed().toList(), "the last TCP port, no UDP rule");
        assertEquals(List.of(5), Arrays.stream(overlaps.earlier(9)).boxed().toList(), "IPv6 destination, not ICMP");
    }
}
