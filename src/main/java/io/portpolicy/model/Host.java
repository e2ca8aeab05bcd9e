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

    public boolean hasFamily(Family family) {
        return addresses.stream().anyMatch(a -> Family.of(a) == family);
    }
}
