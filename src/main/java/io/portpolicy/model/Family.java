package io.portpolicy.model;

import inet.ipaddr.IPAddress;

/** IP version. */
public enum Family {
    IPV4, IPV6;

    public static Family of(IPAddress address) {
        return address.isIPv4() ? IPV4 : IPV6;
    }

    public String label() {
        return this == IPV4 ? "IPv4" : "IPv6";
    }
}
