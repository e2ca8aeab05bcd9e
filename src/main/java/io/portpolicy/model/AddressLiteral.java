package io.portpolicy.model;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.source.Location;

/**
 * An address, CIDR or range written in a policy or inventory.
 *
 * @param range       the addresses it covers (a CIDR with host bits set covers its whole network)
 * @param text        as written, for messages
 * @param hostBitsSet a CIDR such as 10.1.2.3/24 whose address is not the network address
 */
public record AddressLiteral(IPAddressSeqRange range, String text, boolean hostBitsSet, Location location)
        implements AddressTerm {

    public Family family() {
        return range.getLower().isIPv4() ? Family.IPV4 : Family.IPV6;
    }

    @Override
    public String toString() {
        return text;
    }
}
