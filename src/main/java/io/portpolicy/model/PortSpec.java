package io.portpolicy.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Ports as written in a rule: literal ranges, and possibly {@code ephemeral}, which means the
 * ephemeral range of whoever owns each address on that side and is therefore only resolved
 * per address (see the engine).
 */
public record PortSpec(List<PortRange> ranges, boolean ephemeral) {

    public static final PortSpec ALL = new PortSpec(List.of(PortRange.ALL), false);

    public PortSpec {
        ranges = List.copyOf(ranges);
    }

    // Written out: a record's generated equals and hashCode are linked on their first call,
    // which a short run notices (docs/performance.md, sixth round).
    @Override
    public boolean equals(Object o) {
        return o instanceof PortSpec p && ephemeral == p.ephemeral && ranges.equals(p.ranges);
    }

    @Override
    public int hashCode() {
        return 2 * ranges.hashCode() + (ephemeral ? 1 : 0);
    }

    public boolean isAll() {
        return ranges.contains(PortRange.ALL);
    }

    @Override
    public String toString() {
        String literal = ranges.stream().map(PortRange::toString).collect(Collectors.joining(","));
        if (!ephemeral) return ranges.size() == 1 ? literal : "{" + literal + "}";
        return ranges.isEmpty() ? "ephemeral" : "{" + literal + ",ephemeral}";
    }
}
