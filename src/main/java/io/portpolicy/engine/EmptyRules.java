package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Family;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Why a rule can match no packet anywhere, whatever the targets: every address excepted away,
 * no IP version shared by its two sides, or only protocols of another IP version.
 */
final class EmptyRules {

    private EmptyRules() {
    }

    /** The reason, or {@code null} when the rule can match some packet at some target of any IP version. */
    static String reason(Rule rule) {
        return reason(rule, EnumSet.allOf(Family.class));
    }

    /**
     * The reason, or {@code null} when the rule can match some packet at some target, where
     * the targets have addresses of {@code targetFamilies} only: {@code self}, written or
     * implied, is a target's own addresses, of those versions.
     */
    static String reason(Rule rule, Set<Family> targetFamilies) {
        Set<Family> from = families(rule.from(), targetFamilies);
        Set<Family> to = families(rule.to(), targetFamilies);
        if (from.isEmpty()) return "its 'except' removes every source address";
        if (to.isEmpty()) return "its 'except' removes every destination address";
        Set<Family> both = EnumSet.copyOf(from);
        both.retainAll(to);
        if (both.isEmpty()) return "its source and destination addresses have no IP version in common";
        Set<Family> services = EnumSet.noneOf(Family.class);
        for (ServiceMatch term : rule.services()) {
            Protocol protocol = term.protocol();
            if (protocol.family().isPresent()) services.add(protocol.family().get());
            else services.addAll(EnumSet.allOf(Family.class));
        }
        services.retainAll(both);
        return services.isEmpty()
                ? "its protocols do not exist for its addresses' IP version (icmp is IPv4 only, icmpv6 IPv6 only)"
                : null;
    }

    /** The IP versions a side has addresses of once its exceptions are removed ({@code self}: the targets'). */
    private static Set<Family> families(Endpoint side, Set<Family> targetFamilies) {
        Set<Family> result = EnumSet.noneOf(Family.class);
        boolean selfIncluded = side.addresses().stream().anyMatch(t -> t instanceof AddressTerm.Self);
        boolean selfExcepted = side.except().stream().anyMatch(t -> t instanceof AddressTerm.Self);
        for (Family family : Family.values()) {
            List<IPAddressSeqRange> rest = ranges(side.addresses(), family);
            for (IPAddressSeqRange excluded : ranges(side.except(), family)) {
                List<IPAddressSeqRange> next = new ArrayList<>();
                for (IPAddressSeqRange range : rest) {
                    IPAddressSeqRange[] left = range.subtract(excluded);
                    if (left != null) next.addAll(List.of(left));
                }
                rest = next;
            }
            boolean exceptsAll = side.except().stream().anyMatch(t -> t instanceof AddressTerm.Any any
                    && (any.family() == null || any.family() == family));
            boolean self = selfIncluded && !selfExcepted && !exceptsAll && targetFamilies.contains(family);
            if (!rest.isEmpty() || self) result.add(family);
        }
        return result;
    }

    private static List<IPAddressSeqRange> ranges(List<AddressTerm> terms, Family family) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (AddressTerm term : terms) {
            if (term instanceof AddressTerm.Self) continue;
            if (term instanceof AddressTerm.Any any) {
                if (any.family() == null || any.family() == family) ranges.add(AddressResolver.all(family));
                continue;
            }
            for (IPAddressSeqRange range : AddressResolver.resolve(List.of(term), null)) {
                if (range.getLower().isIPv4() == (family == Family.IPV4)) ranges.add(range);
            }
        }
        return ranges;
    }
}
