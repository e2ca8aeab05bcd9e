package io.portpolicy.model;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/** IP version. */
public enum Family {
    IPV4, IPV6;

    public static Family of(IPAddress address) {
        return address.isIPv4() ? IPV4 : IPV6;
    }

    /** The IP versions of the ranges, in order (IPv4 first). */
    public static Set<Family> of(Collection<IPAddressSeqRange> ranges) {
        Set<Family> families = EnumSet.noneOf(Family.class);
        for (IPAddressSeqRange range : ranges) families.add(of(range.getLower()));
        return families;
    }

    public String label() {
        return this == IPV4 ? "IPv4" : "IPv6";
    }
}
