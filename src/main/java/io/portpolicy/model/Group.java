package io.portpolicy.model;

import io.portpolicy.source.Location;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A named set of hosts, networks, groups and literal addresses. Groups nest without cycles
 * (the checker refuses cycles), so the flattening below terminates.
 */
public record Group(String name, List<AddressTerm> members, Location location) {

    public Group {
        members = List.copyOf(members);
    }

    /** Every host in the group, directly or through nested groups, in first-seen order. */
    public Set<Host> hosts() {
        Set<Host> hosts = new LinkedHashSet<>();
        for (AddressTerm member : members) {
            if (member instanceof AddressTerm.HostRef ref) hosts.add(ref.host());
            else if (member instanceof AddressTerm.GroupRef ref) hosts.addAll(ref.group().hosts());
        }
        return hosts;
    }

    /** Every literal and network block, directly or through nested groups. */
    public List<AddressLiteral> blocks() {
        List<AddressLiteral> blocks = new ArrayList<>();
        for (AddressTerm member : members) {
            if (member instanceof AddressLiteral literal) blocks.add(literal);
            else if (member instanceof AddressTerm.NetworkRef ref) blocks.addAll(ref.network().blocks());
            else if (member instanceof AddressTerm.GroupRef ref) blocks.addAll(ref.group().blocks());
        }
        return blocks;
    }
}
