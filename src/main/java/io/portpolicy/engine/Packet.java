package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import io.portpolicy.model.Family;

/**
 * One packet's header fields that policies match on.
 *
 * @param protocol IANA protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, ...)
 * @param sourcePort      for tcp/udp, else 0
 * @param destinationPort for tcp/udp, else 0
 * @param icmpType        for icmp/icmpv6, else 0
 * @param icmpCode        for icmp/icmpv6, else 0
 */
public record Packet(IPAddress source, IPAddress destination, int protocol, int sourcePort, int destinationPort,
                     int icmpType, int icmpCode) {

    public Packet {
        if (source.isIPv4() != destination.isIPv4()) {
            throw new IllegalArgumentException("source and destination must be the same IP version");
        }
    }

    public Family family() {
        return Family.of(source);
    }
}
