package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;

/**
 * Where the address ranges a policy names begin and end: the places its atoms are cut
 * ({@link OwnAtoms}). Sorted once per policy; every layer (one per group, for a diff or a cloud
 * policy) then looks up only the cuts inside its own addresses.
 */
final class AtomCuts {

    private final BigInteger[] ipv4;
    private final BigInteger[] ipv6;

    /** Cuts at the first address of each range and just after its last. */
    AtomCuts(Collection<IPAddressSeqRange> ranges) {
        TreeSet<BigInteger> v4 = new TreeSet<>();
        TreeSet<BigInteger> v6 = new TreeSet<>();
        for (IPAddressSeqRange range : ranges) {
            TreeSet<BigInteger> cuts = range.getLower().isIPv4() ? v4 : v6;
            cuts.add(range.getLower().getValue());
            cuts.add(range.getUpper().getValue().add(BigInteger.ONE));
        }
        ipv4 = v4.toArray(BigInteger[]::new);
        ipv6 = v6.toArray(BigInteger[]::new);
    }

    /** The cuts {@code c} with {@code low < c <= high}, ascending. */
    BigInteger[] within(boolean isIpv4, BigInteger low, BigInteger high) {
        BigInteger[] cuts = isIpv4 ? ipv4 : ipv6;
        return Arrays.copyOfRange(cuts, firstAbove(cuts, low), firstAbove(cuts, high));
    }

    /** The index of the first cut greater than {@code value}. */
    private static int firstAbove(BigInteger[] cuts, BigInteger value) {
        int found = Arrays.binarySearch(cuts, value);
        return found >= 0 ? found + 1 : -found - 1;
    }
}
