package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layer encodes only the rules whose own side may hold its addresses: the index that finds
 * them finds every rule that can match there, and a group's layer does not grow with the rules
 * that name other groups.
 */
class RulesByOwnAddressTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    @Test
    void findsEveryRuleWhoseOwnSideHoldsAnAddressOfTheLayer() {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder();
        String[] addresses = new String[300];
        for (int i = 0; i < addresses.length; i++) {
            // Wide and narrow ranges, nested and overlapping, of both families.
            addresses[i] = switch (random.nextInt(4)) {
                case 0 -> "10.0.0.0/" + (14 + random.nextInt(11));
                case 1 -> "10." + random.nextInt(4) + "." + random.nextInt(256) + "." + random.nextInt(256);
                case 2 -> "10.1." + random.nextInt(8) + ".0-10.1." + (8 + random.nextInt(8)) + ".255";
                default -> "2001:db8:" + random.nextInt(4) + "::/" + (48 + random.nextInt(80));
            };
            String side = i % 50 == 0 ? "self" : addresses[i];
            text.append(i % 2 == 0 ? "allow tcp/22 from 192.0.2.0/24 to " + side
                    : "allow tcp/22 from " + side + " to 198.51.100.0/24").append('\n');
        }
        Policy policy = EngineAgreesWithReferenceTest.check(text.toString());
        List<Rule> rules = policy.rules();
        for (Direction direction : Direction.values()) {
            RulesByOwnAddress index = new RulesByOwnAddress(rules, direction);
            for (int query = 0; query < 200; query++) {
                List<IPAddressSeqRange> layer = List.of(range(addresses[random.nextInt(addresses.length)]),
                        range(addresses[random.nextInt(addresses.length)]));
                BitSet expected = new BitSet();
                for (int i = 0; i < rules.size(); i++) {
                    boolean inbound = i % 2 == 0;
                    boolean own = inbound == (direction == Direction.INBOUND);
                    // The other side (192.0.2.0/24 or 198.51.100.0/24, or self) never decides.
                    if (own && (i % 50 == 0 || AddressResolver.overlap(List.of(range(addresses[i])), layer))) {
                        expected.set(i);
                    }
                }
                BitSet found = index.mayMatchAt(layer);
                assertEquals(expected, found, direction + " at " + layer);
            }
        }
    }

    @Test
    void aGroupsLayerIsSizedForTheRulesThatMayMatchThere() {
        StringBuilder groups = new StringBuilder();
        StringBuilder elsewhere = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            groups.append("group g").append(i).append(" = 10.2.").append(i / 250).append('.').append(i % 250).append('\n');
            elsewhere.append("allow tcp/").append(1000 + i).append(" from 192.0.2.0/24 to g").append(i).append('\n');
        }
        String atG0 = "allow tcp/22 from 192.0.2.0/24 to g0\nallow tcp/443 to 10.2.0.0/30\n";
        int alone = tableSize(groups + atG0);
        int amongOthers = tableSize(groups + atG0 + elsewhere);
        // 999 rules naming other groups, which match nothing at g0, were each sized for at g0.
        assertTrue(amongOthers < alone * 2, amongOthers + " nodes, against " + alone);
    }

    private static int tableSize(String text) {
        EffectivePolicy effective = EffectivePolicy.of(EngineAgreesWithReferenceTest.check(text), TODAY);
        return effective.directed(effective.target("g0").orElseThrow(), Direction.INBOUND).space().bdd.tableSize();
    }

    private static IPAddressSeqRange range(String text) {
        if (text.contains("-")) {
            String[] ends = text.split("-");
            return new IPAddressString(ends[0]).getAddress().spanWithRange(new IPAddressString(ends[1]).getAddress());
        }
        return new IPAddressString(text).getAddress().toPrefixBlock().toSequentialRange();
    }
}
