package io.portpolicy.compile.cloud;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.compile.CompileRequest;
import io.portpolicy.compile.HostRules;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Group;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Groups that share addresses, for platforms where an instance holding such an address may get
 * both groups' rules (an interface in two AWS security groups, an instance with two GCP network
 * tags). That is exact wherever the two groups' rules decide every packet at the shared
 * addresses alike. The rules mean the same at every group but where they name {@code self} at
 * the other end of the packet (the source inbound, the destination outbound), which is each
 * group in its own rules (docs/language.md): there a packet may get one verdict at one group
 * and another at the other, and the platform combines them its own way. So each such rule is
 * a warning: it changes neither the output nor the exit status.
 */
public final class SharedAddresses {

    /** How many shared ranges a warning names before it says how many more there are. */
    private static final int SHOWN = 3;

    private SharedAddresses() {
    }

    /**
     * A warning for each other group sharing addresses with the request's group where the two
     * decide some packet there differently, at the rule naming {@code self} that makes the
     * difference ({@link GroupRules#decidingOtherwise}). The message names both groups in the
     * same order from either side, so compiling both with {@code --all} warns of a rule once.
     *
     * @param combined what the platform does with an instance in both groups: "gets both
     *                 security groups, which admit what either admits"
     */
    public static List<Diagnostic> warnings(CompileRequest request, String combined) {
        EffectivePolicy effective = request.effective();
        Target group = request.target();
        Map<String, List<IPAddressSeqRange>> others =
                effective.view(SharedAddresses.class, SharedAddresses::byGroup).getOrDefault(group.name(), Map.of());
        List<Diagnostic> out = new ArrayList<>();
        for (Map.Entry<String, List<IPAddressSeqRange>> other : others.entrySet()) {
            List<IPAddressSeqRange> thisOnly = without(group.addresses(), other.getValue());
            for (Direction direction : Direction.values()) {
                Optional<Rule> rule = GroupRules.of(effective, group, direction).decidingOtherwise(other.getValue(), thisOnly);
                if (rule.isEmpty()) continue;
                String pair = group.name().compareTo(other.getKey()) < 0 ? group.name() + " and " + other.getKey()
                        : other.getKey() + " and " + group.name();
                out.add(Diagnostic.warning(rule.get().location(), "groups " + pair + " share " + shown(other.getValue())
                        + " and decide some packet there differently: this rule names 'self' at the other end of the"
                        + " packet, which is each group in its own rules; an instance in both " + combined, "keep instances with these addresses in one of the groups, or name the"
                        + " groups instead of 'self' so that both decide alike"));
                break;
            }
        }
        return out;
    }

    /** The addresses of {@code ranges} outside {@code taken}. */
    private static List<IPAddressSeqRange> without(List<IPAddressSeqRange> ranges, List<IPAddressSeqRange> taken) {
        List<IPAddressSeqRange> rest = HostRules.merged(ranges);
        for (IPAddressSeqRange cut : taken) {
            List<IPAddressSeqRange> next = new ArrayList<>();
            for (IPAddressSeqRange range : rest) next.addAll(List.of(range.subtract(cut)));
            rest = next;
        }
        return rest;
    }

    private static String shown(List<IPAddressSeqRange> ranges) {
        String listed = ranges.stream().limit(SHOWN).map(HostRules::element).collect(Collectors.joining(", "));
        return ranges.size() <= SHOWN ? listed : listed + " and " + (ranges.size() - SHOWN) + " more ranges";
    }

    /**
     * For each group, the other groups sharing some of its addresses (by name, sorted) and the
     * addresses they share. Found in one sweep over every group's ranges in address order, not
     * by comparing each group with every other.
     */
    private static Map<String, Map<String, List<IPAddressSeqRange>>> byGroup(Policy policy) {
        record Owned(IPAddressSeqRange range, String group) {
        }
        Map<Family, List<Owned>> byFamily = new HashMap<>();
        for (Group group : policy.groups().values()) {
            for (IPAddressSeqRange range : HostRules.merged(Target.of(group).addresses())) {
                byFamily.computeIfAbsent(Family.of(range.getLower()), f -> new ArrayList<>()).add(new Owned(range, group.name()));
            }
        }
        Map<String, Map<String, List<IPAddressSeqRange>>> shared = new HashMap<>();
        for (List<Owned> ranges : byFamily.values()) {
            ranges.sort(Comparator.comparing((Owned o) -> o.range().getLower()));
            List<Owned> open = new ArrayList<>();
            for (Owned next : ranges) {
                open.removeIf(o -> o.range().getUpper().compareTo(next.range().getLower()) < 0);
                for (Owned o : open) {
                    if (o.group().equals(next.group())) continue;
                    IPAddressSeqRange both = o.range().intersect(next.range());
                    shared.computeIfAbsent(o.group(), g -> new TreeMap<>()).computeIfAbsent(next.group(), g -> new ArrayList<>()).add(both);
                    shared.computeIfAbsent(next.group(), g -> new TreeMap<>()).computeIfAbsent(o.group(), g -> new ArrayList<>()).add(both);
                }
                open.add(next);
            }
        }
        return shared;
    }
}
