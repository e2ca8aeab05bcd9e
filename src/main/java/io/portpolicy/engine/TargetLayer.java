package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;

import java.util.ArrayList;
import java.util.List;

/**
 * Targets judged together because no two of them share an address: every host of the policy
 * (an address has at most one owner), or a single group. Within a layer the target judging a
 * packet is simply the owner of its own address.
 *
 * @param hosts whether these are hosts, which also get the implicit rules
 */
public record TargetLayer(List<Target> targets, boolean hosts) {

    public TargetLayer {
        targets = List.copyOf(targets);
    }

    List<IPAddressSeqRange> addresses() {
        List<IPAddressSeqRange> all = new ArrayList<>();
        targets.forEach(t -> all.addAll(t.addresses()));
        return all;
    }
}
