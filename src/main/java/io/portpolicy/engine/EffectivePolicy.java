package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.Network;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a policy does, exactly: for every target (each host, and each group for cloud targets)
 * and direction, the partition of packet space into allowed, denied and rejected packets, and
 * which rule (or implicit rule, or default) decided each part. Every consumer reads this.
 *
 * <p>Order of evaluation at a target: the implicit rules (hosts only: loopback and IPv6
 * neighbour discovery), then the rules top to bottom, first match wins, with expired rules
 * left out, then the direction's default. Rules match only the target's own addresses on the
 * target's side, so packets whose own address is not the target's get the implicit rules or
 * the default.
 *
 * <p>All hosts are analysed together (no address has two owners). Groups may share
 * addresses, so each group is analysed on its own, when first asked for.
 */
public final class EffectivePolicy {

    private final Policy policy;
    private final LocalDate today;
    private final List<Target> targets = new ArrayList<>();
    private final Map<String, Target> byName = new HashMap<>();
    private final List<IPAddressSeqRange> cuts;
    private final int nodes;
    private final Map<String, Map<Direction, DirectedPolicy>> layers = new HashMap<>();
    private static final String HOSTS = "";

    private EffectivePolicy(Policy policy, LocalDate today) {
        this.policy = policy;
        this.today = today;
        policy.hosts().values().stream().sorted(Comparator.comparing(Host::name)).map(Target::of).forEach(targets::add);
        policy.groups().values().stream().sorted(Comparator.comparing(Group::name)).map(Target::of).forEach(targets::add);
        targets.forEach(t -> byName.put(t.name(), t));
        cuts = cuts(policy);
        nodes = (int) Math.min((1L << 16) + 200L * policy.rules().size(), 1 << 23);
    }

    public static EffectivePolicy of(Policy policy, LocalDate today) {
        return new EffectivePolicy(policy, today);
    }

    /** Every range the policy names: atoms of target space never straddle their ends. */
    private static List<IPAddressSeqRange> cuts(Policy policy) {
        List<IPAddressSeqRange> cuts = new ArrayList<>();
        for (Host host : policy.hosts().values()) host.addresses().forEach(a -> cuts.add(a.toSequentialRange()));
        for (Network network : policy.networks().values()) network.blocks().forEach(b -> cuts.add(b.range()));
        for (Group group : policy.groups().values()) group.blocks().forEach(b -> cuts.add(b.range()));
        for (Rule rule : policy.rules()) {
            for (List<AddressTerm> terms : List.of(rule.from().addresses(), rule.from().except(),
                    rule.to().addresses(), rule.to().except())) {
                for (AddressTerm term : terms) if (term instanceof AddressLiteral literal) cuts.add(literal.range());
            }
        }
        return cuts;
    }

    public Policy policy() {
        return policy;
    }

    /** The rules that are compiled: all but the expired ones, in order. */
    public List<Rule> compiledRules() {
        return policy.rules().stream().filter(r -> !r.expiredOn(today)).toList();
    }

    /** Hosts by name, then groups by name. */
    public List<Target> targets() {
        return targets;
    }

    public Optional<Target> target(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The directed policy of the layer the target is judged in. */
    public DirectedPolicy directed(Target target, Direction direction) {
        return layer(target.isGroup() ? target.name() : HOSTS).get(direction);
    }

    /**
     * The layers anomaly analysis judges the rules at: the hosts when the policy has any (host
     * firewalls are what it describes), else each group (a cloud policy).
     */
    public List<DirectedPolicy> analysisLayers() {
        List<DirectedPolicy> result = new ArrayList<>();
        boolean hasHosts = !policy.hosts().isEmpty();
        for (Target target : targets) {
            if (target.isGroup() == hasHosts) continue;
            result.addAll(layer(target.isGroup() ? target.name() : HOSTS).values());
            if (hasHosts) break;
        }
        return result;
    }

    private Map<Direction, DirectedPolicy> layer(String key) {
        return layers.computeIfAbsent(key, name -> {
            TargetLayer layer = name.equals(HOSTS)
                    ? new TargetLayer(targets.stream().filter(t -> !t.isGroup()).toList(), true)
                    : new TargetLayer(List.of(byName.get(name)), false);
            OwnAtoms atoms = new OwnAtoms(layer.addresses(), cuts);
            Map<Direction, DirectedPolicy> both = new EnumMap<>(Direction.class);
            for (Direction direction : Direction.values()) {
                both.put(direction, new DirectedPolicy(policy, new PacketSpace(layer, atoms, direction, nodes), today));
            }
            return both;
        });
    }

    /** The verdict for one packet judged at a target, and what decided it. */
    public Verdict decide(Target target, Direction direction, Packet packet) {
        IPAddress own = direction == Direction.INBOUND ? packet.destination() : packet.source();
        if (target.owns(own)) {
            DirectedPolicy directed = directed(target, direction);
            if (directed.implicit().contains(packet)) return implicit(direction, packet);
            for (RuleRegion region : directed.rules()) {
                if (region.decided().contains(packet)) {
                    Rule rule = region.rule();
                    return new Verdict(rule.action(), direction, rule, rule.location() + ": " + rule.text());
                }
            }
        } else if (!target.isGroup() && (packet.source().isLoopback() || packet.destination().isLoopback()
                || isNeighbourDiscovery(packet))) {
            return implicit(direction, packet);
        }
        Action fallback = policy.settings().defaultFor(direction);
        return new Verdict(fallback, direction, null, "default " + direction.keyword() + " " + fallback.keyword());
    }

    private static boolean isNeighbourDiscovery(Packet packet) {
        return packet.protocol() == Protocol.ICMPV6.number() && !packet.source().isIPv4()
                && packet.icmpType() >= 133 && packet.icmpType() <= 136;
    }

    private static Verdict implicit(Direction direction, Packet packet) {
        return new Verdict(Action.ALLOW, direction, null, packet.source().isLoopback()
                || packet.destination().isLoopback() ? "implicit rule: loopback traffic"
                : "implicit rule: IPv6 neighbour discovery");
    }
}
