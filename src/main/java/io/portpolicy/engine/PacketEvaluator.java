package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Endpoint;
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
 * Decides one packet at one target by the language's meaning: the implicit rules, then the
 * policy's rules top to bottom (first match wins, expired rules left out), then the default.
 */
public final class PacketEvaluator {

    /** ICMPv6 router and neighbour solicitation and advertisement (RFC 4861): types 133-136. */
    public static boolean isNeighbourDiscovery(int icmpv6Type) {
        return icmpv6Type >= 133 && icmpv6Type <= 136;
    }

    private final Policy policy;
    private final LocalDate today;
    private final EphemeralPorts ephemeral;

    public PacketEvaluator(Policy policy, LocalDate today) {
        this.policy = policy;
        this.today = today;
        this.ephemeral = new EphemeralPorts(policy);
    }

    /** The verdict for a packet that the target sends ({@code OUTBOUND}) or receives ({@code INBOUND}). */
    public Verdict evaluate(Target target, Direction direction, Packet packet) {
        IPAddress own = direction == Direction.INBOUND ? packet.destination() : packet.source();
        if (!target.owns(own)) {
            throw new IllegalArgumentException(own + " is not an address of " + target.kind() + " " + target.name());
        }
        if (!target.isGroup()) {
            if (packet.source().isLoopback() || packet.destination().isLoopback()) {
                return new Verdict(Action.ALLOW, direction, null, "implicit rule: loopback traffic");
            }
            if (packet.protocol() == Protocol.ICMPV6.number() && isNeighbourDiscovery(packet.icmpType())) {
                return new Verdict(Action.ALLOW, direction, null, "implicit rule: IPv6 neighbour discovery");
            }
        }
        for (Rule rule : policy.rules()) {
            if (!rule.expiredOn(today) && matches(rule, target, packet)) {
                return new Verdict(rule.action(), direction, rule, rule.location() + ": " + rule.text());
            }
        }
        Action fallback = policy.settings().defaultFor(direction);
        return new Verdict(fallback, direction, null, "default " + direction.keyword() + " " + fallback.keyword());
    }

    private boolean matches(Rule rule, Target target, Packet packet) {
        return contains(rule.from(), target, packet.source())
                && contains(rule.to(), target, packet.destination())
                && rule.services().stream().anyMatch(term -> matches(term, rule.from().ports(), packet));
    }

    private static boolean contains(Endpoint side, Target self, IPAddress address) {
        return contains(AddressResolver.resolve(side.addresses(), self), address)
                && !contains(AddressResolver.resolve(side.except(), self), address);
    }

    private static boolean contains(List<IPAddressSeqRange> ranges, IPAddress address) {
        return ranges.stream().anyMatch(r -> r.getLower().isIPv4() == address.isIPv4() && r.contains(address));
    }

    private boolean matches(ServiceMatch term, PortSpec sourcePorts, Packet packet) {
        Protocol protocol = term.protocol();
        if (protocol == Protocol.ANY) return true;
        if (protocol.number() != packet.protocol()) return false;
        if (protocol.family().isPresent() && protocol.family().get() != packet.family()) return false;
        if (protocol.hasPorts()) {
            return contains(term.ports(), packet.destinationPort(), packet.destination())
                    && (sourcePorts == null || contains(sourcePorts, packet.sourcePort(), packet.source()));
        }
        List<IcmpType> types = term.icmpTypes();
        return types.isEmpty() || types.stream().anyMatch(t -> t.matches(packet.icmpType(), packet.icmpCode()));
    }

    private boolean contains(PortSpec ports, int port, IPAddress owner) {
        return ports.ranges().stream().anyMatch(r -> r.contains(port))
                || (ports.ephemeral() && ephemeral.of(owner).contains(port));
    }
}
