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
 * minus everything before it. Rules are filed by protocol and by 256-port block of destination
 * port, so a rule is compared only with rules sharing a block (or spanning so many blocks that
 * they meet nearly everything).
 */
final class RuleOverlaps {

    /** Port blocks of 256 ports; a rule spanning more than {@link #WIDE} of them is filed as wide. */
    private static final int BLOCK_BITS = 8;
    private static final int BLOCKS = (PortRange.MAX >> BLOCK_BITS) + 1;
    private static final int WIDE = 16;
    private static final int TCP = 0;
    private static final int UDP = 1;
    /** ICMP, ICMPv6 and the protocols only {@code any} names (kinds 2 to 4) are filed by protocol alone. */
    private static final int ICMP = 2;
    private static final int ICMPV6 = 3;
    private static final int KINDS = 5;

    private final int[][] earlier;
    private final int[][] later;

    private static boolean portless(int kind) {
        return kind > UDP;
    }

    RuleOverlaps(List<Rule> rules) {
        int count = rules.size();
        Footprint[] footprints = rules.stream().map(Footprint::new).toArray(Footprint[]::new);
        Filing filing = new Filing();
        earlier = new int[count][];
        int[] seenBy = new int[count];
        Arrays.fill(seenBy, -1);
        int[] laterCounts = new int[count];
        for (int i = 0; i < count; i++) {
            Footprint footprint = footprints[i];
            List<Integer> found = new ArrayList<>();
            for (int[] members : filing.neighbours(footprint)) {
                for (int m = 0; m < members[0]; m++) {
                    int j = members[m + 1];
                    if (seenBy[j] == i) continue;
                    seenBy[j] = i;
                    if (footprint.meets(footprints[j])) found.add(j);
                }
            }
            int[] sorted = found.stream().mapToInt(Integer::intValue).sorted().toArray();
            earlier[i] = sorted;
            for (int j : sorted) laterCounts[j]++;
            filing.add(i, footprint);
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

    /** Rules filed so far, by protocol kind and port block; each list is {size, members...}. */
    private static final class Filing {
        private final int[][] all = new int[KINDS][];
        private final int[][] wide = new int[2][];
        private final int[][][] blocks = new int[2][BLOCKS][];

        List<int[]> neighbours(Footprint footprint) {
            List<int[]> lists = new ArrayList<>();
            for (int kind = 0; kind < KINDS; kind++) {
                if (!footprint.has(kind)) continue;
                if (portless(kind) || footprint.isWide(kind)) {
                    add(lists, all[kind]);
                    continue;
                }
                add(lists, wide[kind]);
                for (int block : footprint.blocks(kind)) add(lists, blocks[kind][block]);
            }
            return lists;
        }

        void add(int rule, Footprint footprint) {
            for (int kind = 0; kind < KINDS; kind++) {
                if (!footprint.has(kind)) continue;
                all[kind] = append(all[kind], rule);
                if (portless(kind)) continue;
                if (footprint.isWide(kind)) {
                    wide[kind] = append(wide[kind], rule);
                } else {
                    for (int block : footprint.blocks(kind)) blocks[kind][block] = append(blocks[kind][block], rule);
                }
            }
        }

        private static void add(List<int[]> lists, int[] list) {
            if (list != null) lists.add(list);
        }

        private static int[] append(int[] list, int value) {
            if (list == null) list = new int[4];
            if (list[0] + 1 == list.length) list = Arrays.copyOf(list, list.length * 2);
            list[++list[0]] = value;
            return list;
        }
    }

    /** What a rule can match, as protocols with port ranges and the address ranges of each side. */
    private static final class Footprint {
        /** Per kind: merged sorted port ranges as {low, high, low, high, ...}; null when absent. */
        private final int[][] ports = new int[KINDS][];
        private final Side from;
        private final Side to;

        Footprint(Rule rule) {
            List<List<int[]>> ranges = new ArrayList<>();
            for (int kind = 0; kind < KINDS; kind++) ranges.add(null);
            for (ServiceMatch term : rule.services()) {
                if (term.protocol() == Protocol.ANY) {
                    for (int kind = 0; kind < KINDS; kind++) ranges.set(kind, everyPort());
                } else if (term.protocol().hasPorts()) {
                    int kind = term.protocol() == Protocol.TCP ? TCP : UDP;
                    List<int[]> list = ranges.get(kind) == null ? new ArrayList<>() : ranges.get(kind);
                    if (term.ports().ephemeral()) list.add(new int[] {0, PortRange.MAX});
                    for (PortRange range : term.ports().ranges()) list.add(new int[] {range.low(), range.high()});
                    ranges.set(kind, list);
                } else {
                    ranges.set(term.protocol() == Protocol.ICMP ? ICMP : ICMPV6, everyPort());
                }
            }
            for (int kind = 0; kind < KINDS; kind++) {
                if (ranges.get(kind) != null) ports[kind] = merge(ranges.get(kind));
            }
            from = Side.of(rule.from().addresses());
            to = Side.of(rule.to().addresses());
        }

        /** Protocols without ports count as matching every port: one range over all of them. */
        private static List<int[]> everyPort() {
            List<int[]> list = new ArrayList<>();
            list.add(new int[] {0, PortRange.MAX});
            return list;
        }

        private static int[] merge(List<int[]> ranges) {
            ranges.sort(Comparator.comparingInt(r -> r[0]));
            int[] merged = new int[ranges.size() * 2];
            int size = 0;
            for (int[] range : ranges) {
                if (size > 0 && range[0] <= merged[size - 1] + 1) {
                    merged[size - 1] = Math.max(merged[size - 1], range[1]);
                } else {
                    merged[size++] = range[0];
                    merged[size++] = range[1];
                }
            }
            return Arrays.copyOf(merged, size);
        }

        boolean has(int kind) {
            return ports[kind] != null;
        }

        boolean isWide(int kind) {
            return blockCount(kind) > WIDE;
        }

        private int blockCount(int kind) {
            int count = 0;
            int last = -1;
            for (int r = 0; r < ports[kind].length; r += 2) {
                int first = Math.max(last + 1, ports[kind][r] >> BLOCK_BITS);
                int end = ports[kind][r + 1] >> BLOCK_BITS;
                if (end >= first) count += end - first + 1;
                last = Math.max(last, end);
            }
            return count;
        }

        int[] blocks(int kind) {
            int[] result = new int[blockCount(kind)];
            int size = 0;
            int last = -1;
            for (int r = 0; r < ports[kind].length; r += 2) {
                for (int b = Math.max(last + 1, ports[kind][r] >> BLOCK_BITS); b <= ports[kind][r + 1] >> BLOCK_BITS; b++) {
                    result[size++] = b;
                    last = b;
                }
            }
            return result;
        }

        boolean meets(Footprint other) {
            return servicesMeet(other) && from.meets(other.from) && to.meets(other.to);
        }

        private boolean servicesMeet(Footprint other) {
            for (int kind = 0; kind < KINDS; kind++) {
                if (ports[kind] == null || other.ports[kind] == null) continue;
                if (portless(kind) || overlap(ports[kind], other.ports[kind])) return true;
            }
            return false;
        }

        private static boolean overlap(int[] a, int[] b) {
            int i = 0;
            int j = 0;
            while (i < a.length && j < b.length) {
                if (a[i + 1] < b[j]) i += 2;
                else if (b[j + 1] < a[i]) j += 2;
                else return true;
            }
            return false;
        }
    }

    /**
     * The addresses one side of a rule can hold, per IP version as merged sorted ranges
     * {low, high, ...}; {@code any} and {@code self} count as the whole version.
     */
    private record Side(BigInteger[] v4, BigInteger[] v6) {

        static Side of(List<AddressTerm> terms) {
            List<IPAddressSeqRange> ranges = new ArrayList<>();
            for (AddressTerm term : terms) {
                if (term instanceof AddressTerm.Self) {
                    for (Family family : Family.values()) ranges.add(AddressResolver.all(family));
                } else {
                    ranges.addAll(AddressResolver.resolve(List.of(term), null));
                }
            }
            return new Side(merge(ranges, true), merge(ranges, false));
        }

        private static BigInteger[] merge(List<IPAddressSeqRange> ranges, boolean ipv4) {
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
            return merged.toArray(BigInteger[]::new);
        }

        boolean meets(Side other) {
            return overlap(v4, other.v4) || overlap(v6, other.v6);
        }

        private static boolean overlap(BigInteger[] a, BigInteger[] b) {
            int i = 0;
            int j = 0;
            while (i < a.length && j < b.length) {
                if (a[i + 1].compareTo(b[j]) < 0) i += 2;
                else if (b[j + 1].compareTo(a[i]) < 0) j += 2;
                else return true;
            }
            return false;
        }
    }
}
