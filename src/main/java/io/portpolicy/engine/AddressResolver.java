package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Family;
import io.portpolicy.model.Host;

import java.util.ArrayList;
import java.util.List;

/** Turns address terms into the address ranges they stand for, with {@code self} bound to a target. */
public final class AddressResolver {

    private static final IPAddressSeqRange ALL_V4 =
            new IPAddressString("0.0.0.0/0").getAddress().toSequentialRange();
    private static final IPAddressSeqRange ALL_V6 =
            new IPAddressString("::/0").getAddress().toSequentialRange();

    private AddressResolver() {
    }

    public static IPAddressSeqRange all(Family family) {
        return family == Family.IPV4 ? ALL_V4 : ALL_V6;
    }

    /** The parts of {@code ranges} that none of {@code holes} holds (each family apart), unsorted. */
    public static List<IPAddressSeqRange> minus(List<IPAddressSeqRange> ranges, List<IPAddressSeqRange> holes) {
        List<IPAddressSeqRange> left = new ArrayList<>(ranges);
        for (IPAddressSeqRange hole : holes) {
            List<IPAddressSeqRange> next = new ArrayList<>();
            for (IPAddressSeqRange range : left) {
                if (range.getLower().isIPv4() != hole.getLower().isIPv4()) next.add(range);
                else next.addAll(List.of(range.subtract(hole)));
            }
            left = next;
        }
        return left;
    }

    /** Whether some address is in both lists of ranges. */
    public static boolean overlap(List<IPAddressSeqRange> a, List<IPAddressSeqRange> b) {
        for (IPAddressSeqRange x : a) {
            for (IPAddressSeqRange y : b) {
                if (x.getLower().isIPv4() == y.getLower().isIPv4() && x.overlaps(y)) return true;
            }
        }
        return false;
    }

    public static List<IPAddressSeqRange> resolve(List<AddressTerm> terms, Target self) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (AddressTerm term : terms) addTo(ranges, term, self);
        return ranges;
    }

    private static void addTo(List<IPAddressSeqRange> ranges, AddressTerm term, Target self) {
        if (term instanceof AddressTerm.Any any) {
            if (any.family() != Family.IPV6) ranges.add(ALL_V4);
            if (any.family() != Family.IPV4) ranges.add(ALL_V6);
        } else if (term instanceof AddressTerm.Self) {
            ranges.addAll(self.addresses());
        } else if (term instanceof AddressTerm.HostRef ref) {
            addHost(ranges, ref.host());
        } else if (term instanceof AddressTerm.NetworkRef ref) {
            ref.network().blocks().forEach(b -> ranges.add(b.range()));
        } else if (term instanceof AddressTerm.GroupRef ref) {
            ref.group().hosts().forEach(h -> addHost(ranges, h));
            ref.group().blocks().forEach(b -> ranges.add(b.range()));
        } else if (term instanceof AddressLiteral literal) {
            ranges.add(literal.range());
        }
    }

    private static void addHost(List<IPAddressSeqRange> ranges, Host host) {
        host.addresses().forEach(a -> ranges.add(a.toSequentialRange()));
    }
}
