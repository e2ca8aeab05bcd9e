package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Family;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * For each rule, the other rules that may match a packet it matches, found without a single set
 * operation. A rule's footprint (per protocol its destination port ranges, and the address
 * ranges of each side) contains everything it can match at any target and direction
 * ({@code except}, {@code self}, source ports and ICMP types only shrink a rule and are left
 * out, so footprints are conservative): two rules whose footprints do not meet share no packet.
 *
 * <p>This is what keeps the engine's work proportional to the overlaps a policy really has: a
 * rule's decided region is its matched set minus only the earlier rules found here, instead of
 * minus everything before it.
 *
 * <p>The pairs are found in two steps, each in time proportional to what it finds. First the
 * pairs whose services meet: every protocol's ports are laid end to end on one line (TCP's
 * 65,536 ports, then UDP's, then one stretch each for ICMP, ICMPv6 and the protocols only
 * {@code any} names), and one sweep along it pairs each interval with the intervals still open
 * where it begins. Then those pairs' address sides.
 */
final class RuleOverlaps {

    /** The stretches of the line, in order: TCP, UDP, ICMP, ICMPv6, then the protocols only {@code any} names. */
    private static final int TCP = 0;
    private static final int UDP = 1;
    private static final int ICMP = 2;
    private static final int ICMPV6 = 3;
    private static final int KINDS = 5;
    /** The length of each protocol's stretch of the line: its ports, or one stretch as long for those without. */
    private static final int STRETCH = PortRange.MAX + 1;
    /** Bits of a line position and of a rule index in a packed sweep entry. */
    private static final int POSITION_BITS = 19;
    private static final int RULE_BITS = 64 - 1 - 2 * POSITION_BITS;

    private final int[][] earlier;
    private final int[][] later;
    /** Each rule's footprint, kept for {@link #meetingAtAnyPeer}. */
    private final List<int[]> services;
    private final Sides sides;

    RuleOverlaps(List<Rule> rules) {
        int count = rules.size();
        if (count >= 1 << RULE_BITS) throw new IllegalArgumentException("too many rules: " + count);
        services = new ArrayList<>(count);
        for (Rule rule : rules) services.add(serviceIntervals(rule));
        sides = new Sides(rules);
        earlier = new int[count][];
        int[] laterCounts = new int[count];
        int[][] candidates = servicesMeeting(services);
        int[] seenBy = new int[count];
        Arrays.fill(seenBy, -1);
        for (int i = 0; i < count; i++) {
            int[] found = candidates[i];
            int size = 0;
            for (int k = 1; k <= found[0]; k++) {
                int j = found[k];
                if (seenBy[j] == i) continue;
                seenBy[j] = i;
                if (sides.meet(i, j)) found[++size] = j;
            }
            earlier[i] = Arrays.copyOfRange(found, 1, size + 1);
            Arrays.sort(earlier[i]);
            candidates[i] = null;
            for (int j : earlier[i]) laterCounts[j]++;
        }
        later = new int[count][];
        for (int j = 0; j < count; j++) later[j] = new int[laterCounts[j]];
        int[] filled = new int[count];
        for (int i = 0; i < count; i++) {
            for (int j : earlier[i]) later[j][filled[j]++] = i;
        }
    }

    /** The earlier rules (positions in the list, ascending) that may share a packet with this one. */
    int[] earlier(int position) {
        return earlier[position];
    }

    /** The later rules (positions in the list, ascending) that may share a packet with this one. */
    int[] later(int position) {
        return later[position];
    }

    /**
     * The rules (positions, ascending, this one among them) that may match a packet agreeing
     * with one this rule matches on every field but the peer's address: their services meet,
     * and so do their own sides (the source when {@code ownIsSource}, else the destination),
     * whatever their peers. One pass over the footprints, for the few questions that leave the
     * peer free; the pairs above compare both sides.
     */
    int[] meetingAtAnyPeer(int position, boolean ownIsSource) {
        int[] found = new int[16];
        int size = 0;
        int[] mine = services.get(position);
        for (int j = 0; j < services.size(); j++) {
            if (!intervalsMeet(mine, services.get(j)) || !sides.sidesMeet(position, j, ownIsSource)) continue;
            if (size == found.length) found = Arrays.copyOf(found, size * 2);
            found[size++] = j;
        }
        return Arrays.copyOf(found, size);
    }

    /** Whether two lists of merged sorted intervals {start, end, ...} share a point. */
    private static boolean intervalsMeet(int[] a, int[] b) {
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i + 1] < b[j]) i += 2;
            else if (b[j + 1] < a[i]) j += 2;
            else return true;
        }
        return false;
    }

    /**
     * Per rule, the earlier rules whose services meet it, in no order, repeats possible (two
     * rules meeting on several intervals), as {size, rules...}. Entries are packed into longs
     * (start, end, rule) so that sorting them sorts by start; the open intervals are kept in
     * arrays.
     */
    private static int[][] servicesMeeting(List<int[]> services) {
        int entries = 0;
        for (int[] intervals : services) entries += intervals.length / 2;
        long[] packed = new long[entries];
        int at = 0;
        for (int rule = 0; rule < services.size(); rule++) {
            int[] intervals = services.get(rule);
            for (int k = 0; k < intervals.length; k += 2) {
                packed[at++] = ((long) intervals[k] << (POSITION_BITS + RULE_BITS))
                        | ((long) intervals[k + 1] << RULE_BITS) | rule;
            }
        }
        Arrays.sort(packed);
        int[][] candidates = new int[services.size()][];
        int[] openEnds = new int[16];
        int[] openRules = new int[16];
        int open = 0;
        long ruleMask = (1L << RULE_BITS) - 1;
        long positionMask = (1L << POSITION_BITS) - 1;
        for (long entry : packed) {
            int start = (int) (entry >>> (POSITION_BITS + RULE_BITS));
            int end = (int) ((entry >>> RULE_BITS) & positionMask);
            int rule = (int) (entry & ruleMask);
            int kept = 0;
            for (int k = 0; k < open; k++) {
                if (openEnds[k] < start) continue;
                openEnds[kept] = openEnds[k];
                openRules[kept++] = openRules[k];
                int other = openRules[k];
                if (other != rule) {
                    int later = Math.max(other, rule);
                    candidates[later] = append(candidates[later], Math.min(other, rule));
                }
            }
            open = kept;
            if (open == openEnds.length) {
                openEnds = Arrays.copyOf(openEnds, open * 2);
                openRules = Arrays.copyOf(openRules, open * 2);
            }
            openEnds[open] = end;
            openRules[open++] = rule;
        }
        for (int i = 0; i < candidates.length; i++) if (candidates[i] == null) candidates[i] = new int[1];
        return candidates;
    }

    private static int[] append(int[] list, int value) {
        if (list == null) list = new int[4];
        if (list[0] + 1 == list.length) list = Arrays.copyOf(list, list.length * 2);
        list[++list[0]] = value;
        return list;
    }

    /**
     * Where a rule's services lie on the line of all protocols' ports: merged sorted intervals
     * {start, end, ...}. {@code any} covers the whole line; ICMP and ICMPv6 their whole stretch.
     */
    private static int[] serviceIntervals(Rule rule) {
        List<int[]> intervals = new ArrayList<>();
        for (ServiceMatch term : rule.services()) {
            if (term.protocol() == Protocol.ANY) {
                intervals.add(new int[] {0, KINDS * STRETCH - 1});
            } else if (term.protocol().hasPorts()) {
                int base = (term.protocol() == Protocol.TCP ? TCP : UDP) * STRETCH;
                if (term.ports().ephemeral()) intervals.add(new int[] {base, base + PortRange.MAX});
                for (PortRange range : term.ports().ranges()) {
                    intervals.add(new int[] {base + range.low(), base + range.high()});
                }
            } else {
                int base = (term.protocol() == Protocol.ICMP ? ICMP : ICMPV6) * STRETCH;
                intervals.add(new int[] {base, base + STRETCH - 1});
            }
        }
        intervals.sort(Comparator.comparingInt(r -> r[0]));
        int[] merged = new int[intervals.size() * 2];
        int size = 0;
        for (int[] interval : intervals) {
            if (size > 0 && interval[0] <= merged[size - 1] + 1) {
                merged[size - 1] = Math.max(merged[size - 1], interval[1]);
            } else {
                merged[size++] = interval[0];
                merged[size++] = interval[1];
            }
        }
        return Arrays.copyOf(merged, size);
    }

    /**
     * The addresses each side of every rule can hold, per IP version as merged sorted ranges;
     * {@code any} and {@code self} count as the whole version. All rules' ranges are kept in
     * one array of longs, with no object per range to follow when a million pairs are compared:
     * IPv4 ranges as {low, high, ...}, IPv6 ranges as {low's upper 64 bits, low's lower 64 bits,
     * high's upper, high's lower, ...}, compared unsigned.
     */
    private static final class Sides {
        /** The four lists of each rule, in this order. */
        private static final int FROM_V4 = 0;
        private static final int FROM_V6 = 1;
        private static final int TO_V4 = 2;
        private static final int TO_V6 = 3;
        private static final int LISTS = 4;

        /** List {@code l} of rule {@code r}: {@code values} from {@code starts[r * LISTS + l]} to the next start. */
        private final int[] starts;
        private long[] values = new long[1024];

        Sides(List<Rule> rules) {
            starts = new int[rules.size() * LISTS + 1];
            int size = 0;
            for (int r = 0; r < rules.size(); r++) {
                List<IPAddressSeqRange> from = ranges(rules.get(r).from().addresses());
                List<IPAddressSeqRange> to = ranges(rules.get(r).to().addresses());
                List<List<BigInteger>> lists =
                        List.of(merge(from, true), merge(from, false), merge(to, true), merge(to, false));
                for (int l = 0; l < LISTS; l++) {
                    starts[r * LISTS + l] = size;
                    int words = words(l);
                    List<BigInteger> list = lists.get(l);
                    if (size + list.size() * words > values.length) {
                        values = Arrays.copyOf(values, Math.max(values.length * 2, size + list.size() * words));
                    }
                    for (BigInteger value : list) {
                        for (int w = 0; w < words; w++) {
                            values[size++] = value.shiftRight(Long.SIZE * (words - 1 - w)).longValue();
                        }
                    }
                }
            }
            starts[rules.size() * LISTS] = size;
        }

        private static int words(int list) {
            return list == FROM_V6 || list == TO_V6 ? 2 : 1;
        }

        private static List<IPAddressSeqRange> ranges(List<AddressTerm> terms) {
            List<IPAddressSeqRange> ranges = new ArrayList<>();
            for (AddressTerm term : terms) {
                if (term instanceof AddressTerm.Self) {
                    for (Family family : Family.values()) ranges.add(AddressResolver.all(family));
                } else {
                    ranges.addAll(AddressResolver.resolve(List.of(term), null));
                }
            }
            return ranges;
        }

        private static List<BigInteger> merge(List<IPAddressSeqRange> ranges, boolean ipv4) {
            List<IPAddressSeqRange> sorted = ranges.stream().filter(r -> r.getLower().isIPv4() == ipv4)
                    .sorted(Comparator.comparing(r -> r.getLower().getValue())).toList();
            List<BigInteger> merged = new ArrayList<>();
            for (IPAddressSeqRange range : sorted) {
                BigInteger low = range.getLower().getValue();
                BigInteger high = range.getUpper().getValue();
                int last = merged.size() - 1;
                if (last > 0 && low.compareTo(merged.get(last).add(BigInteger.ONE)) <= 0) {
                    merged.set(last, merged.get(last).max(high));
                } else {
                    merged.add(low);
                    merged.add(high);
                }
            }
            return merged;
        }

        /** Whether the source sides (or the destination sides) of rules {@code a} and {@code b} meet. */
        boolean sidesMeet(int a, int b, boolean sources) {
            return sources ? overlap(a, b, FROM_V4) || overlap(a, b, FROM_V6)
                    : overlap(a, b, TO_V4) || overlap(a, b, TO_V6);
        }

        /** Whether the from sides of rules {@code a} and {@code b} meet, and so do their to sides. */
        boolean meet(int a, int b) {
            return sidesMeet(a, b, true) && sidesMeet(a, b, false);
        }

        /** Whether list {@code list} of rule {@code a} and of rule {@code b} share a value. */
        private boolean overlap(int a, int b, int list) {
            int words = words(list);
            int step = 2 * words;
            int i = starts[a * LISTS + list];
            int iEnd = starts[a * LISTS + list + 1];
            int j = starts[b * LISTS + list];
            int jEnd = starts[b * LISTS + list + 1];
            while (i < iEnd && j < jEnd) {
                if (less(i + words, j, words)) i += step;
                else if (less(j + words, i, words)) j += step;
                else return true;
            }
            return false;
        }

        /** Whether the value at {@code x} is below the one at {@code y}. */
        private boolean less(int x, int y, int words) {
            int order = Long.compareUnsigned(values[x], values[y]);
            return order < 0 || order == 0 && words == 2 && Long.compareUnsigned(values[x + 1], values[y + 1]) < 0;
        }
    }
}
