package io.portpolicy.engine;

import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.Policy;
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
 * left out, then the direction's default.
 */
public final class EffectivePolicy {

    private final Policy policy;
    private final List<Target> targets = new ArrayList<>();
    private final Map<String, Integer> targetIds = new HashMap<>();
    private final Map<Direction, DirectedPolicy> directions = new EnumMap<>(Direction.class);

    private EffectivePolicy(Policy policy, LocalDate today) {
        this.policy = policy;
        policy.hosts().values().stream().sorted(Comparator.comparing(Host::name)).map(Target::of).forEach(targets::add);
        int hostCount = targets.size();
        policy.groups().values().stream().sorted(Comparator.comparing(Group::name)).map(Target::of).forEach(targets::add);
        for (int id = 0; id < targets.size(); id++) targetIds.put(targets.get(id).name(), id);
        int nodes = nodesFor(policy);
        for (Direction direction : Direction.values()) {
            directions.put(direction,
                    new DirectedPolicy(policy, new PacketSpace(targets, direction, nodes), hostCount, today));
        }
    }

    /** Starting BDD table size: measured live sets stay near a few hundred nodes per rule. */
    private static int nodesFor(Policy policy) {
        long estimate = (1L << 16) + (long) NODES_PER_RULE * policy.rules().size();
        return (int) Math.min(estimate, 1 << 24);
    }

    static int NODES_PER_RULE = Integer.getInteger("portpolicy.nodesPerRule", 400);

    public static EffectivePolicy of(Policy policy, LocalDate today) {
        return new EffectivePolicy(policy, today);
    }

    public Policy policy() {
        return policy;
    }

    /** Hosts by name, then groups by name; a target's id is its position here. */
    public List<Target> targets() {
        return targets;
    }

    public Optional<Target> target(String name) {
        Integer id = targetIds.get(name);
        return id == null ? Optional.empty() : Optional.of(targets.get(id));
    }

    public DirectedPolicy direction(Direction direction) {
        return directions.get(direction);
    }

    /** The verdict for one packet judged at a target, and what decided it. */
    public Verdict decide(Target target, Direction direction, Packet packet) {
        int id = targetIds.get(target.name());
        DirectedPolicy directed = directions.get(direction);
        if (directed.implicit().contains(id, packet)) {
            return new Verdict(Action.ALLOW, direction, null, packet.source().isLoopback()
                    || packet.destination().isLoopback() ? "implicit rule: loopback traffic"
                    : "implicit rule: IPv6 neighbour discovery");
        }
        for (RuleRegion region : directed.rules()) {
            if (region.decided().contains(id, packet)) {
                Rule rule = region.rule();
                return new Verdict(rule.action(), direction, rule, rule.location() + ": " + rule.text());
            }
        }
        Action fallback = directed.defaultAction();
        return new Verdict(fallback, direction, null, "default " + direction.keyword() + " " + fallback.keyword());
    }
}
