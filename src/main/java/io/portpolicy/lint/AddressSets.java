package io.portpolicy.lint;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Family;
import io.portpolicy.model.Group;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The addresses one side of a rule names, as merged numeric intervals per family, for the
 * rules that ask "is this the world?" without needing the packet-space engine. {@code self}
 * contributes nothing here: it is the configured target, never the world.
 */
public final class AddressSets {

    private static final BigInteger V4_MAX = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
    private static final BigInteger V6_MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private record Interval(BigInteger low, BigInteger high) {
    }

    private final List<Interval> v4;
    private final List<Interval> v6;

    private AddressSets(List<Interval> v4, List<Interval> v6) {
        this.v4 = v4;
        this.v6 = v6;
    }

    /** What the side matches: its addresses minus its {@code except} addresses. */
    public static AddressSets of(Endpoint side) {
        AddressSets included = of(side.addresses());
        AddressSets excluded = of(side.except());
        return new AddressSets(minus(included.v4, excluded.v4), minus(included.v6, excluded.v6));
    }

    /** The addresses the side names, before its {@code except} is taken out. */
    public static AddressSets named(Endpoint side) {
        return of(side.addresses());
    }

    private static AddressSets of(List<AddressTerm> terms) {
        List<Interval> v4 = new ArrayList<>();
        List<Interval> v6 = new ArrayList<>();
        for (AddressTerm term : terms) add(term, v4, v6);
        return new AddressSets(merge(v4), merge(v6));
    }

    /** Whether the side covers all of 0.0.0.0/0 or all of ::/0. */
    public boolean coversWorld() {
        return covers(v4, V4_MAX) || covers(v6, V6_MAX);
    }

    /** Every address any of the sets matches. */
    public static AddressSets union(List<AddressSets> sets) {
        List<Interval> v4 = new ArrayList<>();
        List<Interval> v6 = new ArrayList<>();
        for (AddressSets set : sets) {
            v4.addAll(set.v4);
            v6.addAll(set.v6);
        }
        return new AddressSets(merge(v4), merge(v6));
    }

    public boolean contains(IPAddress address) {
        BigInteger value = address.withoutPrefixLength().getValue();
        return meets(address.isIPv4() ? v4 : v6, value, value);
    }

    /** Whether the set matches any address of the range. */
    public boolean overlaps(IPAddressSeqRange range) {
        return meets(range.getLower().isIPv4() ? v4 : v6, range.getLower().getValue(), range.getUpper().getValue());
    }

    /**
     * Whether the sorted, disjoint intervals meet {@code low..high}: only the last interval
     * starting at or below {@code high} can, since every earlier one ends below its start.
     */
    private static boolean meets(List<Interval> intervals, BigInteger low, BigInteger high) {
        int first = 0;
        int last = intervals.size() - 1;
        while (first <= last) {
            int middle = (first + last) >>> 1;
            if (intervals.get(middle).low.compareTo(high) <= 0) first = middle + 1;
            else last = middle - 1;
        }
        return last >= 0 && intervals.get(last).high.compareTo(low) >= 0;
    }

    private static void add(AddressTerm term, List<Interval> v4, List<Interval> v6) {
        if (term instanceof AddressTerm.Any any) {
            if (any.family() != Family.IPV6) v4.add(new Interval(BigInteger.ZERO, V4_MAX));
            if (any.family() != Family.IPV4) v6.add(new Interval(BigInteger.ZERO, V6_MAX));
        } else if (term instanceof AddressLiteral literal) {
            add(literal.range(), v4, v6);
        } else if (term instanceof AddressTerm.NetworkRef ref) {
            ref.network().blocks().forEach(block -> add(block.range(), v4, v6));
        } else if (term instanceof AddressTerm.GroupRef ref) {
            addGroup(ref.group(), v4, v6);
        } else if (term instanceof AddressTerm.HostRef ref) {
            ref.host().addresses().forEach(a -> add(a.toSequentialRange(), v4, v6));
        }
    }

    /**
     * Every address of a group, nested groups included, walked with an explicit stack: groups
     * nest thousands deep in generated policies, too deep for the model's recursive
     * {@link Group#hosts()} and {@link Group#blocks()}.
     */
    private static void addGroup(Group group, List<Interval> v4, List<Interval> v6) {
        Deque<Group> pending = new ArrayDeque<>(List.of(group));
        Set<String> seen = new HashSet<>(Set.of(group.name()));
        while (!pending.isEmpty()) {
            for (AddressTerm member : pending.pop().members()) {
                if (member instanceof AddressTerm.GroupRef nested) {
                    if (seen.add(nested.group().name())) pending.push(nested.group());
                } else {
                    add(member, v4, v6);
                }
            }
        }
    }

    private static void add(IPAddressSeqRange range, List<Interval> v4, List<Interval> v6) {
        Interval interval = new Interval(range.getLower().getValue(), range.getUpper().getValue());
        (range.getLower().isIPv4() ? v4 : v6).add(interval);
    }

    private static List<Interval> merge(List<Interval> intervals) {
        List<Interval> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparing(Interval::low));
        List<Interval> merged = new ArrayList<>();
        for (Interval next : sorted) {
            Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && next.low.compareTo(last.high.add(BigInteger.ONE)) <= 0) {
                merged.set(merged.size() - 1, new Interval(last.low, last.high.max(next.high)));
            } else {
                merged.add(next);
            }
        }
        return merged;
    }

    /** {@code from} minus {@code cut}, both merged and sorted. */
    private static List<Interval> minus(List<Interval> from, List<Interval> cut) {
        List<Interval> result = new ArrayList<>();
        for (Interval interval : from) {
            BigInteger low = interval.low;
            for (Interval hole : cut) {
                if (hole.high.compareTo(low) < 0 || hole.low.compareTo(interval.high) > 0) continue;
                if (hole.low.compareTo(low) > 0) result.add(new Interval(low, hole.low.subtract(BigInteger.ONE)));
                low = hole.high.add(BigInteger.ONE);
            }
            if (low.compareTo(interval.high) <= 0) result.add(new Interval(low, interval.high));
        }
        return result;
    }

    private static boolean covers(List<Interval> merged, BigInteger max) {
        return merged.size() == 1 && merged.get(0).low.signum() == 0 && merged.get(0).high.equals(max);
    }
}
