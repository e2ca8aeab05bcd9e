package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.Os;

import java.util.ArrayList;
import java.util.List;

/**
 * What a configuration is generated for: a host, or a group (for cloud targets). {@code self}
 * in a rule means the target's own addresses.
 *
 * @param os the host's os, {@code null} for groups and hosts without one
 */
public record Target(String name, boolean isGroup, List<IPAddressSeqRange> addresses, Os os) {

    public Target {
        addresses = List.copyOf(addresses);
    }

    public static Target of(Host host) {
        return new Target(host.name(), false, host.addresses().stream().map(IPAddress::toSequentialRange).toList(),
                host.os());
    }

    public static Target of(Group group) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (Host host : group.hosts()) host.addresses().forEach(a -> ranges.add(a.toSequentialRange()));
        group.blocks().forEach(b -> ranges.add(b.range()));
        return new Target(group.name(), true, ranges, null);
    }

    // Written out: a record's generated equals and hashCode are linked on their first call, which
    // a short run notices, and hashing every address range of a target in each map lookup is
    // wasted work: no two targets of a policy share a name and kind (docs/performance.md, sixth round).
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Target t && isGroup == t.isGroup && name.equals(t.name) && os == t.os
                && addresses.equals(t.addresses);
    }

    @Override
    public int hashCode() {
        return 2 * name.hashCode() + (isGroup ? 1 : 0);
    }

    public boolean owns(IPAddress address) {
        return addresses.stream().anyMatch(r -> r.contains(address));
    }

    public String kind() {
        return isGroup ? "group" : "host";
    }
}
