package io.portpolicy.model;

import io.portpolicy.source.Location;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A named set of hosts, networks, groups and literal addresses. Groups nest without cycles
 * (the checker refuses cycles); nesting can be deep, so flattening walks it with an explicit
 * stack rather than recursion, visiting each nested group once.
 */
public record Group(String name, List<AddressTerm> members, Location location) {

    public Group {
        members = List.copyOf(members);
    }

    /** Every host in the group, directly or through nested groups, in first-seen order. */
    public Set<Host> hosts() {
        Set<Host> hosts = new LinkedHashSet<>();
        for (AddressTerm member : flattened()) {
            if (member instanceof AddressTerm.HostRef ref) hosts.add(ref.host());
        }
        return hosts;
    }

    /** Every literal and network block, directly or through nested groups. */
    public List<AddressLiteral> blocks() {
        List<AddressLiteral> blocks = new ArrayList<>();
        for (AddressTerm member : flattened()) {
            if (member instanceof AddressLiteral literal) blocks.add(literal);
            else if (member instanceof AddressTerm.NetworkRef ref) blocks.addAll(ref.network().blocks());
        }
        return blocks;
    }

    /** The members of this group and of every group nested in it, depth first, groups left out. */
    private List<AddressTerm> flattened() {
        List<AddressTerm> out = new ArrayList<>();
        Set<Group> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Iterator<AddressTerm>> stack = new ArrayDeque<>();
        seen.add(this);
        stack.push(members.iterator());
        while (!stack.isEmpty()) {
            Iterator<AddressTerm> next = stack.peek();
            if (!next.hasNext()) {
                stack.pop();
                continue;
            }
            AddressTerm member = next.next();
            if (member instanceof AddressTerm.GroupRef ref) {
                if (seen.add(ref.group())) stack.push(ref.group().members().iterator());
            } else {
                out.add(member);
            }
        }
        return out;
    }
}
