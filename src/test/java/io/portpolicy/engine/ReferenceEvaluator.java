package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.IcmpType;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.PortSpec;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;

import java.time.LocalDate;
import java.util.List;

/**
 * A brute-force, one-packet-at-a-time reading of the language's meaning, written apart from
 * the engine (no BDDs, no shared resolution code) so the two can check each other.
 */
final class ReferenceEvaluator {

    /** Where a packet is judged: a host or a group, by name. */
    record At(String name, boolean group) {
    }

    private final Policy policy;
    private final LocalDate today;

    ReferenceEvaluator(Policy policy, LocalDate today) {
        this.policy = policy;
        this.today = today;
    }

    /** The action and the deciding rule's index (-1 implicit, -2 default). */
    record Decision(Action action, int ruleIndex) {
    }

    Decision decide(At at, Direction direction, Packet packet) {
        if (!at.group()) {
            if (packet.source().isLoopback() || packet.destination().isLoopback()) return new Decision(Action.ALLOW, -1);
            // A host talking to its own addresses goes over the loopback interface too.
            if (ownedBy(at, packet.source()) && ownedBy(at, packet.destination())) return new Decision(Action.ALLOW, -1);
            if (packet.protocol() == 58 && !packet.source().isIPv4() && packet.icmpType() >= 133 && packet.icmpType() <= 136) {
                return new Decision(Action.ALLOW, -1);
            }
        }
        for (Rule rule : policy.rules()) {
            if (rule.options().expires() != null && rule.options().expires().isBefore(today)) continue;
            if (matches(rule, at, direction, packet)) return new Decision(rule.action(), rule.index());
        }
        return new Decision(policy.settings().defaultFor(direction), -2);
    }

    private boolean matches(Rule rule, At at, Direction direction, Packet packet) {
        IPAddress own = direction == Direction.INBOUND ? packet.destination() : packet.source();
        if (!ownedBy(at, own)) return false;
        return in(rule.from(), at, packet.source()) && in(rule.to(), at, packet.destination())
                && rule.services().stream().anyMatch(s -> serviceMatches(s, rule.from().ports(), packet));
    }

    private boolean in(Endpoint side, At at, IPAddress address) {
        return side.addresses().stream().anyMatch(t -> termHas(t, at, address))
                && side.except().stream().noneMatch(t -> termHas(t, at, address));
    }

    private boolean termHas(AddressTerm term, At at, IPAddress address) {
        if (term instanceof AddressTerm.Any any) {
            return any.family() == null || (any.family() == io.portpolicy.model.Family.IPV4) == address.isIPv4();
        }
        if (term instanceof AddressTerm.Self) return ownedBy(at, address);
        if (term instanceof AddressTerm.HostRef ref) return hostHas(ref.host(), address);
        if (term instanceof AddressTerm.NetworkRef ref) {
            return ref.network().blocks().stream().anyMatch(b -> literalHas(b, address));
        }
        if (term instanceof AddressTerm.GroupRef ref) return groupHas(ref.group(), address);
        return literalHas((AddressLiteral) term, address);
    }

    private boolean ownedBy(At at, IPAddress address) {
        return at.group() ? groupHas(policy.groups().get(at.name()), address)
                : hostHas(policy.hosts().get(at.name()), address);
    }

    private static boolean hostHas(Host host, IPAddress address) {
        return host.addresses().stream().anyMatch(a -> a.equals(address));
    }

    private static boolean groupHas(Group group, IPAddress address) {
        for (AddressTerm member : group.members()) {
            if (member instanceof AddressTerm.HostRef ref && hostHas(ref.host(), address)) return true;
            if (member instanceof AddressTerm.GroupRef ref && groupHas(ref.group(), address)) return true;
            if (member instanceof AddressTerm.NetworkRef ref
                    && ref.network().blocks().stream().anyMatch(b -> literalHas(b, address))) return true;
            if (member instanceof AddressLiteral literal && literalHas(literal, address)) return true;
        }
        return false;
    }

    private static boolean literalHas(AddressLiteral literal, IPAddress address) {
        return literal.range().getLower().isIPv4() == address.isIPv4() && literal.range().contains(address);
    }

    private boolean serviceMatches(ServiceMatch service, PortSpec sourcePorts, Packet packet) {
        Protocol protocol = service.protocol();
        if (protocol == Protocol.ANY) return true;
        if (protocol.number() != packet.protocol()) return false;
        if (protocol == Protocol.ICMP && !packet.source().isIPv4()) return false;
        if (protocol == Protocol.ICMPV6 && packet.source().isIPv4()) return false;
        if (protocol == Protocol.TCP || protocol == Protocol.UDP) {
            return portIn(service.ports(), packet.destinationPort(), packet.destination())
                    && (sourcePorts == null || portIn(sourcePorts, packet.sourcePort(), packet.source()));
        }
        List<IcmpType> types = service.icmpTypes();
        if (types.isEmpty()) return true;
        for (IcmpType type : types) {
            if (type.type() == packet.icmpType() && (type.code() == null || type.code() == packet.icmpCode())) {
                return true;
            }
        }
        return false;
    }

    private boolean portIn(PortSpec spec, int port, IPAddress owner) {
        for (PortRange range : spec.ranges()) if (range.low() <= port && port <= range.high()) return true;
        if (!spec.ephemeral()) return false;
        PortRange ephemeral = policy.settings().ephemeral().value();
        for (Host host : policy.hosts().values()) {
            if (host.os() != null && hostHas(host, owner)) ephemeral = host.os().ephemeral();
        }
        return ephemeral.low() <= port && port <= ephemeral.high();
    }
}
