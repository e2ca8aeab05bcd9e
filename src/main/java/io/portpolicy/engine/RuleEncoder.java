package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
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
import java.util.Objects;

/**
 * Encodes rules as packet sets of one direction's space, at every target of its layer at once.
 * A rule applies at a target when the target's own address is on the rule's side for that
 * direction (the destination inbound, the source outbound), and then matches only the
 * target's own addresses there; {@code self} means the target's addresses. On the own side
 * that is exactly "an atom of the layer", on the peer side "an address of the target owning
 * the own atom".
 */
final class RuleEncoder {

    private final PacketSpace space;
    private final Bdd bdd;
    private final Policy policy;
    /** Per side, address terms already encoded (named objects recur across rules). */
    private final Map<Object, Integer> ownCache = new HashMap<>();
    private final Map<Object, Integer> peerCache = new HashMap<>();
    private final int selfPeer;
    private final Map<Boolean, Integer> ephemeralBySide = new HashMap<>();
    /** Services already encoded: named services and common ports recur across rules. */
    private final Map<ServiceKey, Integer> serviceCache = new HashMap<>();

    RuleEncoder(PacketSpace space, Policy policy) {
        this.space = space;
        this.bdd = space.bdd;
        this.policy = policy;
        selfPeer = space.selfTraffic().node;
    }

    /** The packets a rule matches in this space's direction, at every target of the layer. */
    int encode(Rule rule) {
        boolean ownIsSource = space.ownIsSource();
        // A rule whose own side holds no address of this layer (most rules, at a group's
        // layer) matches nothing here: say so before building the rest.
        int own = side(ownIsSource ? rule.from() : rule.to(), true);
        if (own == Bdd.FALSE) return Bdd.FALSE;
        int peer = side(ownIsSource ? rule.to() : rule.from(), false);
        int from = ownIsSource ? own : peer;
        int to = ownIsSource ? peer : own;
        int services = Bdd.FALSE;
        for (ServiceMatch term : rule.services()) {
            services = bdd.orFree(services, bdd.keep(service(term, rule.from().ports())));
        }
        int addresses = bdd.and(from, to);
        int result = bdd.and(addresses, services);
        bdd.free(from);
        bdd.free(to);
        bdd.free(services);
        bdd.free(addresses);
        return result;
    }

    private int side(Endpoint endpoint, boolean own) {
        int included = terms(endpoint.addresses(), own);
        if (endpoint.except().isEmpty()) return included;
        int excluded = terms(endpoint.except(), own);
        int result = bdd.minus(included, excluded);
        bdd.free(included);
        bdd.free(excluded);
        return result;
    }

    private int terms(List<AddressTerm> terms, boolean own) {
        int result = Bdd.FALSE;
        for (AddressTerm term : terms) result = bdd.orFree(result, bdd.keep(term(term, own)));
        return result;
    }

    /** One term's addresses on one side, borrowed (the caller must not free it). */
    private int term(AddressTerm term, boolean own) {
        if (term instanceof AddressTerm.Self) return own ? space.universe() : selfPeer;
        Map<Object, Integer> cache = own ? ownCache : peerCache;
        Object key = cacheKey(term);
        Integer cached = cache.get(key);
        if (cached != null) return cached;
        int result;
        if (term instanceof AddressTerm.Any any) {
            if (any.family() == null) {
                result = bdd.keep(own ? space.universe() : Bdd.TRUE);
            } else {
                int family = space.family(any.family());
                result = own ? bdd.andFree(family, bdd.keep(space.universe())) : family;
            }
        } else {
            result = Bdd.FALSE;
            for (IPAddressSeqRange range : AddressResolver.resolve(List.of(term), null)) {
                result = bdd.orFree(result, own ? space.ownAddresses(range) : space.peerAddresses(range));
            }
            // Every set of a space lies within its universe (PacketSet.intersect relies on it). The
            // atoms a diff shares between two policies include the other policy's targets, whose
            // addresses a term may name but this policy does not judge.
            if (own) result = bdd.andFree(result, bdd.keep(space.universe()));
        }
        cache.put(key, result);
        return result;
    }

    /** Names are unique and cheap to hash; records would hash their whole (possibly deep) contents. */
    private static Object cacheKey(AddressTerm term) {
        if (term instanceof AddressTerm.Any any) return any.family() == null ? "any" : any.family();
        if (term instanceof AddressTerm.HostRef ref) return "host " + ref.host().name();
        if (term instanceof AddressTerm.NetworkRef ref) return "network " + ref.network().name();
        if (term instanceof AddressTerm.GroupRef ref) return "group " + ref.group().name();
        return ((AddressLiteral) term).range();
    }

    /** What a service term matches; the same for every rule naming it, wherever it was written. */
    private record ServiceKey(Protocol protocol, PortSpec ports, List<IcmpType> icmpTypes, PortSpec sourcePorts) {
        // Written out: a record's generated equals and hashCode are linked on their first call,
        // 20 ms of a short run here (docs/performance.md, seventh round).
        @Override
        public boolean equals(Object o) {
            return o instanceof ServiceKey k && protocol == k.protocol && Objects.equals(ports, k.ports)
                    && Objects.equals(icmpTypes, k.icmpTypes) && Objects.equals(sourcePorts, k.sourcePorts);
        }

        @Override
        public int hashCode() {
            // Asked for once per service of every rule in every layer: no varargs array.
            int hash = protocol.hashCode();
            hash = 31 * hash + Objects.hashCode(ports);
            hash = 31 * hash + Objects.hashCode(icmpTypes);
            return 31 * hash + Objects.hashCode(sourcePorts);
        }
    }

    /** One service term with the rule's source ports, borrowed (the caller must not free it). */
    private int service(ServiceMatch term, PortSpec sourcePorts) {
        return serviceCache.computeIfAbsent(new ServiceKey(term.protocol(), term.ports(), term.icmpTypes(), sourcePorts),
                key -> encodeService(term, sourcePorts));
    }

    private int encodeService(ServiceMatch term, PortSpec sourcePorts) {
        Protocol protocol = term.protocol();
        if (protocol == Protocol.ANY) return Bdd.TRUE;
        int result = space.equal(space.protocol, protocol.number());
        if (protocol.family().isPresent()) result = bdd.andFree(result, space.family(protocol.family().get()));
        if (protocol.hasPorts()) {
            result = bdd.andFree(result, ports(term.ports(), space.destinationPort, !space.ownIsSource()));
            if (sourcePorts != null) {
                result = bdd.andFree(result, ports(sourcePorts, space.sourcePort, space.ownIsSource()));
            }
        } else if (!term.icmpTypes().isEmpty()) {
            int types = Bdd.FALSE;
            for (IcmpType type : term.icmpTypes()) {
                int one = space.equal(space.icmpType, type.type());
                if (type.code() != null) one = bdd.andFree(one, space.equal(space.icmpCode, type.code()));
                types = bdd.orFree(types, one);
            }
            result = bdd.andFree(result, types);
        }
        return result;
    }

    /** @param ownSide whether the ports belong to the own address's side of the packet */
    private int ports(PortSpec spec, Field field, boolean ownSide) {
        int result = Bdd.FALSE;
        for (PortRange range : spec.ranges()) result = bdd.orFree(result, space.ports(field, range));
        if (spec.ephemeral()) result = bdd.orFree(result, bdd.keep(ephemeral(field, ownSide)));
        return result;
    }

    /**
     * {@code ephemeral} on one side: the range of the host owning the address on that side, or
     * the policy's setting for hosts without an os and for addresses no host owns. Borrowed.
     */
    private int ephemeral(Field portField, boolean ownSide) {
        Integer cached = ephemeralBySide.get(ownSide);
        if (cached != null) return cached;
        int owned = Bdd.FALSE;
        int result = Bdd.FALSE;
        for (Host host : policy.hosts().values()) {
            if (host.os() == null) continue;
            int addresses = Bdd.FALSE;
            for (IPAddress address : host.addresses()) {
                IPAddressSeqRange range = address.toSequentialRange();
                addresses = bdd.orFree(addresses, ownSide ? space.ownAddresses(range) : space.peerAddresses(range));
            }
            int ports = space.ports(portField, host.os().ephemeral());
            result = bdd.orFree(result, bdd.and(addresses, ports));
            owned = bdd.orFree(owned, addresses);
            bdd.free(ports);
        }
        int elsewhere = bdd.not(owned);
        int defaults = space.ports(portField, policy.settings().ephemeral().value());
        result = bdd.orFree(result, bdd.and(elsewhere, defaults));
        bdd.free(owned);
        bdd.free(elsewhere);
        bdd.free(defaults);
        ephemeralBySide.put(ownSide, result);
        return result;
    }
}
