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
import java.util.Map;
import java.util.Set;

/**
 * Why a rule can match no packet anywhere, whatever the targets: every address excepted away,
 * no IP version shared by its two sides, or only protocols of another IP version; and, given
 * the targets, why one it applies to matches nothing there, where it meets only their own
 * addresses on the side it applies by.
 */
final class EmptyRules {

    private EmptyRules() {
    }

    /** The reason, or {@code null} when the rule can match some packet at some target of any IP version. */
    static String reason(Rule rule) {
        Set<Family> all = EnumSet.allOf(Family.class);
        return anywhere(rule, families(rule.from(), all), families(rule.to(), all));
    }

    /**
     * The reason, or {@code null} when the rule can match some packet at some target or applies
     * to none, where the targets have {@code targetAddresses} (by IP version, each version listed
     * with some address): {@code self}, written or implied,
     * is a target's own addresses, and a rule applying to a target by its {@code to} side
     * (inbound) or its {@code from} side (outbound) matches only the target's own addresses
     * there, so {@code from 2001:db8::/32 to any} matches nothing at IPv4-only hosts.
     */
    static String reason(Rule rule, Map<Family, List<IPAddressSeqRange>> targetAddresses) {
        Set<Family> targetFamilies = targetAddresses.keySet();
        Set<Family> from = families(rule.from(), targetFamilies);
        Set<Family> to = families(rule.to(), targetFamilies);
        String anywhere = anywhere(rule, from, to);
        if (anywhere != null) return anywhere;
        Set<Family> inbound = ownFamilies(rule.to(), targetAddresses);
        Set<Family> outbound = ownFamilies(rule.from(), targetAddresses);
        if (inbound.isEmpty() && outbound.isEmpty()) return null;
        Set<Family> atTargets = shared(inbound, from);
        atTargets.addAll(shared(outbound, to));
        // Each side may hold both versions as written: what lacks one is the targets' own addresses.
        if (atTargets.isEmpty()) {
            return "the hosts and groups it applies to have no address of the IP version of its other side";
        }
        return protocolsExist(atTargets, rule.services()) ? null
                : "its protocols do not exist for the IP version of the hosts and groups it applies to " + PROTOCOL_VERSIONS;
    }

    private static final String PROTOCOL_VERSIONS = "(icmp is IPv4 only, icmpv6 IPv6 only)";

    /** Why the rule matches no packet whatever the targets, its sides having addresses of {@code from} and {@code to}. */
    private static String anywhere(Rule rule, Set<Family> from, Set<Family> to) {
        if (from.isEmpty()) return "its 'except' removes every source address";
        if (to.isEmpty()) return "its 'except' removes every destination address";
        return versionReason(shared(from, to), rule.services());
    }

    private static Set<Family> shared(Set<Family> one, Set<Family> other) {
        Set<Family> both = EnumSet.noneOf(Family.class);
        both.addAll(one);
        both.retainAll(other);
        return both;
    }

    /** Why no packet has both an IP version of {@code both} and one of the services, or {@code null}. */
    private static String versionReason(Set<Family> both, List<ServiceMatch> services) {
        if (both.isEmpty()) return "its source and destination addresses have no IP version in common";
        return protocolsExist(both, services) ? null
                : "its protocols do not exist for its addresses' IP version " + PROTOCOL_VERSIONS;
    }

    /** Whether some service's protocol exists in an IP version of {@code families}. */
    private static boolean protocolsExist(Set<Family> families, List<ServiceMatch> services) {
        for (ServiceMatch term : services) {
            Protocol protocol = term.protocol();
            if (protocol.family().isEmpty() || families.contains(protocol.family().get())) return true;
        }
        return false;
    }

    /** The IP versions a side has addresses of once its exceptions are removed ({@code self}: the targets'). */
    private static Set<Family> families(Endpoint side, Set<Family> targetFamilies) {
        Set<Family> result = EnumSet.noneOf(Family.class);
        for (Family family : Family.values()) {
            boolean self = includesSelf(side, family) && targetFamilies.contains(family);
            if (self || !remaining(side, family).isEmpty()) result.add(family);
        }
        return result;
    }

    /** The IP versions of the targets' own addresses a side has once its exceptions are removed. */
    private static Set<Family> ownFamilies(Endpoint side, Map<Family, List<IPAddressSeqRange>> targetAddresses) {
        Set<Family> result = EnumSet.noneOf(Family.class);
        for (Map.Entry<Family, List<IPAddressSeqRange>> addresses : targetAddresses.entrySet()) {
            Family family = addresses.getKey();
            List<IPAddressSeqRange> own = addresses.getValue();
            if (includesSelf(side, family) || remaining(side, family).stream()
                    .anyMatch(range -> own.stream().anyMatch(range::overlaps))) {
                result.add(family);
            }
        }
        return result;
    }

    /** Whether a side's {@code self} stands for addresses of {@code family}: not excepted itself, nor by an {@code any}. */
    private static boolean includesSelf(Endpoint side, Family family) {
        boolean selfIncluded = side.addresses().stream().anyMatch(t -> t instanceof AddressTerm.Self);
        boolean selfExcepted = side.except().stream().anyMatch(t -> t instanceof AddressTerm.Self);
        boolean exceptsAll = side.except().stream().anyMatch(t -> t instanceof AddressTerm.Any any
                && (any.family() == null || any.family() == family));
        return selfIncluded && !selfExcepted && !exceptsAll;
    }

    /** A side's address ranges of {@code family} other than {@code self}, less its exceptions. */
    private static List<IPAddressSeqRange> remaining(Endpoint side, Family family) {
        List<IPAddressSeqRange> rest = ranges(side.addresses(), family);
        for (IPAddressSeqRange excluded : ranges(side.except(), family)) {
            List<IPAddressSeqRange> next = new ArrayList<>();
            for (IPAddressSeqRange range : rest) {
                IPAddressSeqRange[] left = range.subtract(excluded);
                if (left != null) next.addAll(List.of(left));
            }
            rest = next;
        }
        return rest;
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
