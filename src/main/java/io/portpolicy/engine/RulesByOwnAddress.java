package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Rule;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * Which rules may match a packet at a layer in one direction: those whose own side (the
 * destination inbound, the source outbound) names {@code self} or an address of the layer. Every
 * other rule matches nothing there ({@link RuleEncoder#encode} would find so term by term), so
 * a layer of one group need not encode them: with as many rules as groups, encoding every rule
 * at every group took time growing with the square of the groups (docs/performance.md,
 * twenty-second round). Made once per policy and direction; its {@code except} is left out, so
 * a rule found here may still match nothing.
 */
final class RulesByOwnAddress {

    /** The rules naming {@code self} on their own side: they apply at every target. */
    private final BitSet everywhere = new BitSet();
    /** Per family (IPv4 first), the own sides' ranges sorted by first address. */
    private final List<List<Named>> byFamily = List.of(new ArrayList<>(), new ArrayList<>());
    /** Per family, at the middle of each stretch the search halves, the highest last address in that stretch. */
    private final List<BigInteger[]> highestIn = new ArrayList<>();

    /** One range a rule's own side names. */
    private record Named(BigInteger low, BigInteger high, int position) {
    }

    RulesByOwnAddress(List<Rule> rules, Direction direction) {
        for (int position = 0; position < rules.size(); position++) {
            Rule rule = rules.get(position);
            Endpoint own = direction == Direction.INBOUND ? rule.to() : rule.from();
            if (own.addresses().stream().anyMatch(term -> term instanceof AddressTerm.Self)) {
                everywhere.set(position);
                continue;
            }
            for (IPAddressSeqRange range : AddressResolver.resolve(own.addresses(), null)) {
                byFamily.get(range.getLower().isIPv4() ? 0 : 1)
                        .add(new Named(range.getLower().getValue(), range.getUpper().getValue(), position));
            }
        }
        for (List<Named> ranges : byFamily) {
            ranges.sort(Comparator.comparing(Named::low));
            BigInteger[] highest = new BigInteger[ranges.size()];
            highest(ranges, highest, 0, ranges.size());
            highestIn.add(highest);
        }
    }

    /** The positions of the rules that may match at the addresses. */
    BitSet mayMatchAt(List<IPAddressSeqRange> addresses) {
        BitSet found = (BitSet) everywhere.clone();
        for (IPAddressSeqRange range : addresses) {
            int family = range.getLower().isIPv4() ? 0 : 1;
            overlapping(byFamily.get(family), highestIn.get(family), 0, byFamily.get(family).size(),
                    range.getLower().getValue(), range.getUpper().getValue(), found);
        }
        return found;
    }

    private static BigInteger highest(List<Named> ranges, BigInteger[] highest, int from, int to) {
        if (from >= to) return null;
        int middle = (from + to) >>> 1;
        BigInteger max = ranges.get(middle).high();
        for (BigInteger side : new BigInteger[] {highest(ranges, highest, from, middle),
                highest(ranges, highest, middle + 1, to)}) {
            if (side != null && side.compareTo(max) > 0) max = side;
        }
        highest[middle] = max;
        return max;
    }

    /** Adds the rules of the ranges in {@code [from, to)} that share an address with {@code low..high}. */
    private static void overlapping(List<Named> ranges, BigInteger[] highest, int from, int to, BigInteger low,
                                    BigInteger high, BitSet found) {
        if (from >= to) return;
        int middle = (from + to) >>> 1;
        // Nothing in the stretch reaches the query's first address.
        if (highest[middle].compareTo(low) < 0) return;
        overlapping(ranges, highest, from, middle, low, high, found);
        Named named = ranges.get(middle);
        // This range, and every later one, starts after the query's last address.
        if (named.low().compareTo(high) > 0) return;
        if (named.high().compareTo(low) >= 0) found.set(named.position());
        overlapping(ranges, highest, middle + 1, to, low, high, found);
    }
}
