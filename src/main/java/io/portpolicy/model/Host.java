package io.portpolicy.model;

import inet.ipaddr.IPAddress;
import io.portpolicy.source.Location;

import java.util.List;

/**
 * Something firewall configurations are generated for.
 *
 * @param os {@code null} when not given: the policy's ephemeral setting applies
 */
public record Host(String name, List<IPAddress> addresses, Os os, Location location) {

    public Host {
        addresses = List.copyOf(addresses);
    }

    // Written out: a record's generated equals and hashCode are linked on their first call, which
    // a short run notices (docs/performance.md, sixth round). Equal hosts have the same name.
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Host h && name.equals(h.name) && os == h.os && addresses.equals(h.addresses)
                && location.equals(h.location);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    public boolean hasFamily(Family family) {
        return addresses.stream().anyMatch(a -> Family.of(a) == family);
    }
}
