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

    // Written out: the generated hash reads every target of the layer (every host of the policy)
    // at each lookup of a layer by key, and is linked on its first call (docs/performance.md,
    // sixth round). Equal layers have the same size, first target and kind.
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof TargetLayer l && hosts == l.hosts && targets.equals(l.targets);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * targets.size() + (targets.isEmpty() ? 0 : targets.get(0).hashCode())) + (hosts ? 1 : 0);
    }

    List<IPAddressSeqRange> addresses() {
        List<IPAddressSeqRange> all = new ArrayList<>();
        targets.forEach(t -> all.addAll(t.addresses()));
        return all;
    }
}
