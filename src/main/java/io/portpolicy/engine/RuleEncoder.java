package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Family;
import io.portpolicy.model.Host;
import io.portpolicy.model.IcmpType;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.PortSpec;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes rules as packet sets of one direction's space, at every target at once. A rule
 * applies at a target when the target's own address is on the rule's side for that direction
 * (the destination inbound, the source outbound), and {@code self} means the target's
 * addresses. With the target as a BDD field, that is one encoding per rule instead of one per
 * rule and target.
 */
final class RuleEncoder {

    private final PacketSpace space;
    private final Bdd bdd;
    private final Policy policy;
    /** Packets whose source (destination) is an address of the target judging them. */
    private final int selfSource;
    private final int selfDestination;
    /** Packets whose own-side address (destination inbound, source outbound) is the target's. */
    private final int judged;
    private final Map<Object, Integer> sourceCache = new HashMap<>();
    private final Map<Object, Integer> destinationCache = new HashMap<>();
    /** Own-side terms, already intersected with {@link #judged}. */
    private final Map<Object, Integer> ownCache = new HashMap<>();
    private final int ipv4;
    private final int ipv6;
    private Integer ephemeralSource;
    private Integer ephemeralDestination;

    RuleEncoder(PacketSpace space, Policy policy) {
        this.space = space;
        this.bdd = space.bdd;
        this.policy = policy;
        ipv4 = space.family(Family.IPV4);
        ipv6 = space.family(Family.IPV6);
        selfSource = ownAddresses(space.source);
        selfDestination = ownAddresses(space.destination);
        judged = space.direction == Direction.INBOUND ? selfDestination : selfSource;
    }

    /**
     * The packets a rule matches in this space's direction, at every target. The own side is
     * built from terms already cut down to the targets' addresses ({@code judged}), which keeps
     * each rule's set small however many targets the policy has.
     */
    int encode(Rule rule) {
        boolean inbound = space.direction == Direction.INBOUND;
        int from = inbound ? side(rule.from(), space.source, selfSource, sourceCache)
                : side(rule.from(), space.source, judged, ownCache);
        int to = inbound ? side(rule.to(), space.destination, judged, ownCache)
                : side(rule.to(), space.destination, selfDestination, destinationCache);
        int services = services(rule);
        int addresses = bdd.and(from, to);
        int result = bdd.and(addresses, services);
        bdd.free(from);
        bdd.free(to);
        bdd.free(services);
        bdd.free(addresses);
        return result;
    }

    /**
     * Why a rule matches nothing even before targets are considered, or {@code null} when it
     * matches some packet somewhere ({@code self} taken as any address).
     */
    String whyEmpty(Rule rule) {
        int from = side(rule.from(), space.source, Bdd.TRUE, sourceCache);
        int to = side(rule.to(), space.destination, Bdd.TRUE, destinationCache);
        int services = services(rule);
        int addresses = bdd.and(from, to);
        int all = bdd.and(addresses, services);
        String reason = from == Bdd.FALSE ? "its 'except' removes every source address"
                : to == Bdd.FALSE ? "its 'except' removes every destination address"
                : addresses == Bdd.FALSE ? "its source and destination addresses have no IP version in common"
                : all == Bdd.FALSE ? "its protocols do not exist for its addresses' IP version"
                        + " (icmp is IPv4 only, icmpv6 IPv6 only)"
                : null;
        for (int node : new int[] {from, to, services, addresses, all}) bdd.free(node);
        return reason;
    }

    private int services(Rule rule) {
        int services = Bdd.FALSE;
        for (ServiceMatch term : rule.services()) services = orFree(services, service(term, rule.from().ports()));
        return services;
    }

    /** ∨ over targets t of (target = t ∧ address ∈ addresses(t)). */
    private int ownAddresses(Field field) {
        int result = Bdd.FALSE;
        List<Target> targets = space.targets();
        for (int id = 0; id < targets.size(); id++) {
            int here = space.target(id);
            int addresses = Bdd.FALSE;
            for (IPAddressSeqRange range : targets.get(id).addresses()) {
                addresses = orFree(addresses, space.addresses(field, range));
            }
            int both = bdd.and(here, addresses);
            bdd.free(here);
            bdd.free(addresses);
            result = orFree(result, both);
        }
        return result;
    }

    private int side(Endpoint endpoint, Field field, int self, Map<Object, Integer> cache) {
        int included = terms(endpoint.addresses(), field, self, cache);
        if (endpoint.except().isEmpty()) return included;
        // (∪ terms ∧ judged) minus ∪ except equals (∪ terms minus ∪ except) ∧ judged.
        Map<Object, Integer> exceptCache = cache != ownCache ? cache
                : field == space.source ? sourceCache : destinationCache;
        int excluded = terms(endpoint.except(), field, self, exceptCache);
        int result = bdd.minus(included, excluded);
        bdd.free(included);
        bdd.free(excluded);
        return result;
    }

    private int terms(List<AddressTerm> terms, Field field, int self, Map<Object, Integer> cache) {
        int result = Bdd.FALSE;
        for (AddressTerm term : terms) {
            result = orFree(result, bdd.keep(term(term, field, self, cache)));
        }
        return result;
    }

    /**
     * One term's addresses, borrowed (the caller must not free it); cached per named object,
     * since rules name the same ones often.
     */
    private int term(AddressTerm term, Field field, int self, Map<Object, Integer> cache) {
        if (term instanceof AddressTerm.Self) return self;
        boolean ownSide = cache == ownCache;
        Object key = term instanceof AddressTerm.Any any ? (any.family() == null ? "any" : any.family()) : cacheKey(term);
        Integer cached = cache.get(key);
        if (cached != null) return cached;
        int result;
        if (term instanceof AddressTerm.Any any) {
            result = bdd.keep(any.family() == null ? Bdd.TRUE : any.family() == Family.IPV4 ? ipv4 : ipv6);
        } else {
            result = Bdd.FALSE;
            for (IPAddressSeqRange range : AddressResolver.resolve(List.of(term), null)) {
                result = orFree(result, space.addresses(field, range));
            }
        }
        if (ownSide) result = andFree(result, bdd.keep(judged));
        cache.put(key, result);
        return result;
    }

    private static Object cacheKey(AddressTerm term) {
        if (term instanceof AddressTerm.HostRef ref) return ref.host();
        if (term instanceof AddressTerm.NetworkRef ref) return ref.network();
        if (term instanceof AddressTerm.GroupRef ref) return ref.group();
        return ((AddressLiteral) term).range();
    }

    private int service(ServiceMatch term, PortSpec sourcePorts) {
        Protocol protocol = term.protocol();
        if (protocol == Protocol.ANY) return Bdd.TRUE;
        int result = space.equal(space.protocol, protocol.number());
        if (protocol.family().isPresent()) {
            result = andFree(result, bdd.keep(protocol.family().get() == Family.IPV4 ? ipv4 : ipv6));
        }
        if (protocol.hasPorts()) {
            result = andFree(result, ports(term.ports(), space.destinationPort, true));
            if (sourcePorts != null) result = andFree(result, ports(sourcePorts, space.sourcePort, false));
        } else if (!term.icmpTypes().isEmpty()) {
            int types = Bdd.FALSE;
            for (IcmpType type : term.icmpTypes()) {
                int one = space.equal(space.icmpType, type.type());
                if (type.code() != null) one = andFree(one, space.equal(space.icmpCode, type.code()));
                types = orFree(types, one);
            }
            result = andFree(result, types);
        }
        return result;
    }

    private int ports(PortSpec spec, Field field, boolean destination) {
        int result = Bdd.FALSE;
        for (PortRange range : spec.ranges()) result = orFree(result, space.ports(field, range));
        if (spec.ephemeral()) result = orFree(result, bdd.keep(ephemeral(destination)));
        return result;
    }

    /**
     * {@code ephemeral} on one side: the range of the host owning the address on that side, or
     * the policy's setting for hosts without an os and for addresses no host owns.
     */
    private int ephemeral(boolean destination) {
        Integer cached = destination ? ephemeralDestination : ephemeralSource;
        if (cached != null) return cached;
        Field addressField = destination ? space.destination : space.source;
        Field portField = destination ? space.destinationPort : space.sourcePort;
        int owned = Bdd.FALSE;
        int result = Bdd.FALSE;
        for (Host host : policy.hosts().values()) {
            if (host.os() == null) continue;
            int addresses = Bdd.FALSE;
            for (IPAddress address : host.addresses()) {
                addresses = orFree(addresses, space.addresses(addressField, address));
            }
            int ports = space.ports(portField, host.os().ephemeral());
            result = orFree(result, bdd.and(addresses, ports));
            owned = orFree(owned, addresses);
            bdd.free(ports);
        }
        int elsewhere = bdd.not(owned);
        int defaults = space.ports(portField, policy.settings().ephemeral().value());
        result = orFree(result, bdd.and(elsewhere, defaults));
        bdd.free(owned);
        bdd.free(elsewhere);
        bdd.free(defaults);
        if (destination) ephemeralDestination = result;
        else ephemeralSource = result;
        return result;
    }

    private int orFree(int accumulated, int next) {
        int result = bdd.or(accumulated, next);
        bdd.free(accumulated);
        bdd.free(next);
        return result;
    }

    private int andFree(int accumulated, int next) {
        int result = bdd.and(accumulated, next);
        bdd.free(accumulated);
        bdd.free(next);
        return result;
    }
}
