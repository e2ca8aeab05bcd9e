package io.portpolicy.compile.cloud;

import io.portpolicy.compile.CompileException;
import io.portpolicy.diag.Quote;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.model.Group;
import io.portpolicy.model.Policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A name a cloud backend derives from a group's name (an NSG's name, a security group's, a
 * network tag), and the refusals that go with it, located at the group's definition: the
 * group's name is what the user changes. Two groups of one policy whose names the platform
 * takes for the same are refused, since deploying both would make one resource of them.
 *
 * @param noun   what the name is, for messages: "Azure NSG name"
 * @param derive the name of a group; empty when the group's name has no letter or digit to make it from
 * @param same   the name as the platform compares it: {@link #IGNORING_CASE} where the platform ignores case
 * @param clash  what two groups with the same name would do: "deploying one overwrites the other"
 * @param rules  how names are derived, for the hint; null when the name is the group's own
 */
public record GroupNames(String noun, UnaryOperator<String> derive, UnaryOperator<String> same, String clash,
                         String rules) {

    /** For a platform whose names are the same in upper and lower case. */
    public static final UnaryOperator<String> IGNORING_CASE = name -> name.toLowerCase(Locale.ROOT);
    /** For a platform whose names differ in any character. */
    public static final UnaryOperator<String> EXACT = UnaryOperator.identity();

    /**
     * The name of {@code group}, refused when it is empty or another group of the policy has one
     * the platform takes for the same.
     */
    public String of(EffectivePolicy effective, String group) throws CompileException {
        Policy policy = effective.policy();
        String name = derive.apply(group);
        if (name.isEmpty()) {
            throw refusal(policy, group, "group " + Quote.of(group) + " has no letter or digit to make the " + noun + " from",
                    "rename it" + (rules == null ? "" : " (" + rules + ")"));
        }
        String key = same.apply(name);
        // Every group is asked about: comparing each with every other would take time growing
        // with the square of their number (20,000 groups: minutes), so the groups are indexed once.
        Map<String, List<Group>> byName = effective.view(this, this::byName);
        List<Group> others = byName.getOrDefault(key, List.of()).stream()
                .filter(other -> !other.name().equals(group))
                .sorted(Comparator.comparing(Group::name)).toList();
        if (others.isEmpty()) return name;
        TreeSet<String> names = new TreeSet<>(List.of(name));
        for (Group other : others) names.add(derive.apply(other.name()));
        // Names that differ are alike as the platform compares them: say as what.
        String become = names.size() == 1 ? " both become the " + noun + " " + Quote.of(name)
                : " become the " + noun + " " + names.stream().map(Quote::of).collect(Collectors.joining(" / "))
                        + ", alike as " + Quote.of(key);
        throw refusal(policy, group, "groups " + Quote.of(group) + " and "
                + others.stream().map(o -> Quote.of(o.name()) + " (" + o.location() + ")").collect(Collectors.joining(", "))
                + become + ": " + clash,
                "rename one of them" + (rules == null ? "" : " (" + rules + ")"));
    }

    /** The policy's groups by their names as the platform compares them (groups without one left out). */
    private Map<String, List<Group>> byName(Policy policy) {
        Map<String, List<Group>> byName = new HashMap<>();
        for (Group group : policy.groups().values()) {
            String name = derive.apply(group.name());
            if (!name.isEmpty()) byName.computeIfAbsent(same.apply(name), key -> new ArrayList<>()).add(group);
        }
        return byName;
    }

    /** A refusal of {@code group}'s name, at the statement defining the group. */
    public static CompileException refusal(Policy policy, String group, String message, String hint) {
        return CompileException.at(policy.groups().get(group).location(), message, hint);
    }
}
