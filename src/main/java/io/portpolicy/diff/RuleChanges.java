package io.portpolicy.diff;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.engine.AddressResolver;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Host;
import io.portpolicy.model.PortSpec;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;
import io.portpolicy.model.Settings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which rules differ between two policies, read from the rule lists before any packet set is
 * built: the rules between the longest common beginning and the longest common end of the two
 * lists of rules in force, rules compared by what they match (action, services, source ports,
 * each side's addresses resolved), not by where or how they are written.
 *
 * <p>A target whose addresses are the same on both sides, in a direction in which none of
 * those rules has an address of the target on its own side, meets the same rules in the same
 * order on both sides, so it decides every packet alike: the diff need not build it at all.
 * (This is the engine's own test, {@code mayDiffer}, answered from the rules instead of their
 * sets; it is only asked when what every rule's meaning depends on besides the rule, the
 * settings and the hosts' addresses and os, is the same on both sides.)
 */
final class RuleChanges {

    /** Per direction, the differing rules' own-side addresses, resolved once ({@code self} is every target's own). */
    private final Map<Direction, List<IPAddressSeqRange>> reach = new EnumMap<>(Direction.class);
    private final Set<Direction> reachesEveryTarget = EnumSet.noneOf(Direction.class);
    /** Per side, the positions of its differing rules and of every rule that may overlap one of either side's. */
    private final Set<Integer> beforeFocus = new TreeSet<>();
    private final Set<Integer> afterFocus = new TreeSet<>();

    private RuleChanges(List<Rule> differing) {
        for (Direction direction : Direction.values()) {
            List<IPAddressSeqRange> ranges = new ArrayList<>();
            for (Rule rule : differing) {
                Endpoint own = direction == Direction.INBOUND ? rule.to() : rule.from();
                for (AddressTerm term : own.addresses()) {
                    if (term instanceof AddressTerm.Self) reachesEveryTarget.add(direction);
                    else ranges.addAll(AddressResolver.resolve(List.of(term), null));
                }
            }
            reach.put(direction, ranges);
        }
    }

    /** The rules that differ, or {@code null} when every target must be compared. */
    static RuleChanges between(EffectivePolicy before, EffectivePolicy after) {
        if (!context(before.policy()).equals(context(after.policy()))) return null;
        List<Rule> old = before.compiledRules();
        List<Rule> neu = after.compiledRules();
        List<Meaning> oldMeanings = old.stream().map(Meaning::of).toList();
        List<Meaning> newMeanings = neu.stream().map(Meaning::of).toList();
        int common = 0;
        while (common < Math.min(old.size(), neu.size()) && oldMeanings.get(common).equals(newMeanings.get(common))) {
            common++;
        }
        int end = 0;
        while (end < Math.min(old.size(), neu.size()) - common
                && oldMeanings.get(old.size() - 1 - end).equals(newMeanings.get(neu.size() - 1 - end))) {
            end++;
        }
        List<Rule> differing = new ArrayList<>(old.subList(common, old.size() - end));
        differing.addAll(neu.subList(common, neu.size() - end));
        RuleChanges changes = new RuleChanges(differing);
        changes.focus(before, old.size(), neu.size(), common, end, changes.beforeFocus, changes.afterFocus);
        changes.focus(after, neu.size(), old.size(), common, end, changes.afterFocus, changes.beforeFocus);
        return changes;
    }

    /**
     * Adds one side's differing rules to its focus, and every rule that may overlap one of them
     * to both sides' focus: a rule of the common beginning or end is the same rule on both
     * sides, at the same position from that end, so both sides encode the same rules besides
     * their own differing ones.
     */
    private void focus(EffectivePolicy side, int size, int otherSize, int common, int end, Set<Integer> mine,
                       Set<Integer> theirs) {
        for (int position = common; position < size - end; position++) {
            mine.add(position);
            for (int neighbour : side.mayOverlap(position)) {
                mine.add(neighbour);
                if (neighbour < common) theirs.add(neighbour);
                else if (neighbour >= size - end) theirs.add(neighbour - size + otherSize);
            }
        }
    }

    /**
     * The positions of the rules (in the side's list of rules in force) that can decide a packet
     * whose verdict may differ: the differing rules and the rules that may overlap them. Where
     * a change reaches a target, building it from these alone is exact for those packets
     * ({@link EffectivePolicy#directedFocused}).
     */
    Set<Integer> focus(boolean before) {
        return before ? beforeFocus : afterFocus;
    }

    /**
     * Whether some differing rule may apply at the target in the direction: whether an address
     * on its own side (the destination inbound, the source outbound; {@code except} ignored,
     * which can only make this say yes more often) is one of the target's.
     */
    boolean mayApplyAt(Target target, Direction direction) {
        if (reachesEveryTarget.contains(direction)) return true;
        for (IPAddressSeqRange range : reach.get(direction)) {
            for (IPAddressSeqRange mine : target.addresses()) {
                if (range.getLower().isIPv4() == mine.getLower().isIPv4() && range.overlaps(mine)) return true;
            }
        }
        return false;
    }

    /** What every rule's meaning depends on besides the rule: the settings, and the hosts' addresses and os (ephemeral ports). */
    private static List<Object> context(Policy policy) {
        Settings settings = policy.settings();
        Map<String, List<Object>> hosts = new LinkedHashMap<>();
        for (Host host : policy.hosts().values()) {
            hosts.put(host.name(), List.of(new HashSet<>(host.addresses()), String.valueOf(host.os())));
        }
        return List.of(settings.defaultFor(Direction.INBOUND), settings.defaultFor(Direction.OUTBOUND),
                settings.isStateless(), settings.ephemeral().value(), hosts);
    }

    /** A rule's match, independent of where it is written and of how its addresses are named. */
    private record Meaning(Action action, List<List<Object>> services, PortSpec sourcePorts, List<Object> from,
                           List<Object> fromExcept, List<Object> to, List<Object> toExcept) {
        // Written out: a record's generated equals and hashCode are linked on their first call,
        // which a short run notices (docs/performance.md, seventh round).
        @Override
        public boolean equals(Object o) {
            return o instanceof Meaning m && action == m.action && services.equals(m.services)
                    && Objects.equals(sourcePorts, m.sourcePorts) && from.equals(m.from)
                    && fromExcept.equals(m.fromExcept) && to.equals(m.to) && toExcept.equals(m.toExcept);
        }

        @Override
        public int hashCode() {
            return Objects.hash(action, services, sourcePorts, from, fromExcept, to, toExcept);
        }

        static Meaning of(Rule rule) {
            List<List<Object>> services = new ArrayList<>();
            for (ServiceMatch service : rule.services()) {
                services.add(Arrays.asList(service.protocol(), service.ports(), service.icmpTypes()));
            }
            return new Meaning(rule.action(), services, rule.from().ports(), terms(rule.from().addresses()),
                    terms(rule.from().except()), terms(rule.to().addresses()), terms(rule.to().except()));
        }

        /** Each term as its address ranges; {@code self} as itself, since it means each target's own. */
        private static List<Object> terms(List<AddressTerm> terms) {
            List<Object> meanings = new ArrayList<>();
            for (AddressTerm term : terms) {
                meanings.add(term instanceof AddressTerm.Self ? "self" : AddressResolver.resolve(List.of(term), null));
            }
            return meanings;
        }
    }
}
