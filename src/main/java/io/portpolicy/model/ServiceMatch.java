package io.portpolicy.model;

import io.portpolicy.source.Location;

import java.util.List;

/**
 * One protocol term of a rule's SERVICES, after named services are expanded.
 *
 * @param ports     destination ports for tcp/udp ({@link PortSpec#ALL} when not restricted);
 *                  {@code null} for other protocols
 * @param icmpTypes the ICMP types matched; empty means every type
 * @param service   the named service this term came from, or {@code null}
 * @param location  where the term (or the service name) is written
 */
public record ServiceMatch(Protocol protocol, PortSpec ports, List<IcmpType> icmpTypes,
                           NamedService service, Location location) {

    public ServiceMatch {
        icmpTypes = List.copyOf(icmpTypes);
    }

    public static ServiceMatch any(Location location) {
        return new ServiceMatch(Protocol.ANY, null, List.of(), null, location);
    }

    public ServiceMatch withPorts(PortSpec newPorts) {
        return new ServiceMatch(protocol, newPorts, icmpTypes, service, location);
    }

    public ServiceMatch via(NamedService named, Location at) {
        return new ServiceMatch(protocol, ports, icmpTypes, named, at);
    }

    @Override
    public String toString() {
        if (protocol == Protocol.ANY) return "any";
        if (protocol.hasPorts()) return ports.isAll() && !ports.ephemeral() ? protocol.keyword() : protocol.keyword() + "/" + ports;
        if (icmpTypes.isEmpty()) return protocol.keyword();
        String types = icmpTypes.stream().map(IcmpType::toString).reduce((a, b) -> a + "," + b).orElse("");
        return protocol.keyword() + "/" + (icmpTypes.size() == 1 ? types : "{" + types + "}");
    }
}
