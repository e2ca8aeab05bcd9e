package io.portpolicy.engine;

import inet.ipaddr.IPAddressString;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
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
 * left out, then the direction's default.
 */
public final class EffectivePolicy {

    private final Policy policy;
    private final PacketSpace space;
    private final Map<String, Integer> targetIds = new HashMap<>();
    private final List<RuleRegion> regions = new ArrayList<>();
    private final PacketSet implicit;
    private final Map<Direction, PacketSet> defaults = new EnumMap<>(Direction.class);
    private final Map<Action, PacketSet> byAction = new EnumMap<>(Action.class);

    private EffectivePolicy(Policy policy, LocalDate today) {
        this.policy = policy;
        List<Target> targets = new ArrayList<>();
        policy.hosts().values().stream().sorted(Comparator.comparing(Host::name)).map(Target::of).forEach(targets::add);
        int hostCount = targets.size();
        policy.groups().values().stream().sorted(Comparator.comparing(Group::name)).map(Target::of).forEach(targets::add);
        for (int id = 0; id < targets.size(); id++) targetIds.put(targets.get(id).name(), id);
        space = new PacketSpace(targets);
        Bdd bdd = space.bdd;

        int valid = targets.isEmpty() ? Bdd.FALSE : space.range(space.target, 0, targets.size() - 1);
        int hosts = hostCount == 0 ? Bdd.FALSE : space.range(space.target, 0, hostCount - 1);
        int implicitNode = bdd.and(hosts, implicitTraffic());
        implicit = space.wrap(implicitNode);

        RuleEncoder encoder = new RuleEncoder(space, policy);
        int covered = bdd.keep(implicitNode);
        Map<Action, Integer> decided = new EnumMap<>(Action.class);
        for (Action action : Action.values()) decided.put(action, Bdd.FALSE);
        decided.put(Action.ALLOW, bdd.keep(implicitNode));
        for (Rule rule : policy.rules()) {
            if (rule.expiredOn(today)) continue;
            int matched = encoder.encode(rule);
            int region = bdd.minus(matched, covered);
            int nextCovered = bdd.or(covered, matched);
            bdd.free(covered);
            covered = nextCovered;
            int nextDecided = bdd.or(decided.get(rule.action()), region);
            bdd.free(decided.get(rule.action()));
            decided.put(rule.action(), nextDecided);
            regions.add(new RuleRegion(rule, space.wrap(matched), space.wrap(region)));
        }
        int rest = bdd.minus(valid, covered);
        for (Direction direction : Direction.values()) {
            int dir = space.direction(direction);
            int region = bdd.and(rest, dir);
            bdd.free(dir);
            defaults.put(direction, space.wrap(region));
            Action action = policy.settings().defaultFor(direction);
            int nextDecided = bdd.or(decided.get(action), region);
            bdd.free(decided.get(action));
            decided.put(action, nextDecided);
        }
        decided.forEach((action, node) -> byAction.put(action, space.wrap(node)));
        bdd.free(rest);
        bdd.free(covered);
        bdd.free(valid);
        bdd.free(hosts);
    }

    public static EffectivePolicy of(Policy policy, LocalDate today) {
        return new EffectivePolicy(policy, today);
    }

    /** Loopback traffic and ICMPv6 neighbour discovery (types 133-136), in both directions. */
    private int implicitTraffic() {
        Bdd bdd = space.bdd;
        int loopback = Bdd.FALSE;
        for (String block : List.of("127.0.0.0/8", "::1/128")) {
            var range = new IPAddressString(block).getAddress().toSequentialRange();
            for (Field side : List.of(space.source, space.destination)) {
                int one = space.addresses(side, range);
                int next = bdd.or(loopback, one);
                bdd.free(one);
                bdd.free(loopback);
                loopback = next;
            }
        }
        int icmpv6 = space.equal(space.protocol, Protocol.ICMPV6.number());
        int v6 = space.family(Family.IPV6);
        int types = space.range(space.icmpType, 133, 136);
        int nd = bdd.and(icmpv6, v6);
        int neighbourDiscovery = bdd.and(nd, types);
        int result = bdd.or(loopback, neighbourDiscovery);
        for (int node : new int[] {loopback, icmpv6, v6, types, nd, neighbourDiscovery}) bdd.free(node);
        return result;
    }

    public Policy policy() {
        return policy;
    }

    public PacketSpace space() {
        return space;
    }

    public List<Target> targets() {
        return space.targets();
    }

    public Optional<Target> target(String name) {
        Integer id = targetIds.get(name);
        return id == null ? Optional.empty() : Optional.of(space.targets().get(id));
    }

    /** The compiled rules in order (expired rules are not among them). */
    public List<RuleRegion> rules() {
        return regions;
    }

    /** Packets decided by the implicit rules. */
    public PacketSet implicit() {
        return implicit;
    }

    /** Packets no rule matches in that direction, decided by the default. */
    public PacketSet defaultRegion(Direction direction) {
        return defaults.get(direction);
    }

    /** Every packet the policy decides with this action, at every target and direction. */
    public PacketSet decidedAs(Action action) {
        return byAction.get(action);
    }

    /** The verdict for one packet judged at a target, and what decided it. */
    public Verdict decide(Target target, Direction direction, Packet packet) {
        int id = targetIds.get(target.name());
        if (implicit.contains(direction, id, packet)) {
            return new Verdict(Action.ALLOW, direction, null, packet.source().isLoopback()
                    || packet.destination().isLoopback() ? "implicit rule: loopback traffic"
                    : "implicit rule: IPv6 neighbour discovery");
        }
        for (RuleRegion region : regions) {
            if (region.decided().contains(direction, id, packet)) {
                Rule rule = region.rule();
                return new Verdict(rule.action(), direction, rule, rule.location() + ": " + rule.text());
            }
        }
        Action fallback = policy.settings().defaultFor(direction);
        return new Verdict(fallback, direction, null, "default " + direction.keyword() + " " + fallback.keyword());
    }
}
