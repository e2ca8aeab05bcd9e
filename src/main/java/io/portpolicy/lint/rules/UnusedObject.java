package io.portpolicy.lint.rules;

import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Severity;
import io.portpolicy.lint.AddressSets;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.NamedService;
import io.portpolicy.model.Network;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;
import io.portpolicy.source.Location;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

@RuleInfo(id = "PP401", name = "unused-object", severity = Severity.NOTE,
        summary = "A host, network, group or service nothing refers to.",
        rationale = "Unused definitions are usually leftovers of removed rules or a typo in the rule that "
                + "was meant to use them. They make the policy look as if it grants access it does not, "
                + "and they go stale unnoticed.",
        securitySeverity = "1.0")
public final class UnusedObject implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        Policy policy = context.policy();
        Set<String> addressNames = new HashSet<>();
        Set<String> serviceNames = new HashSet<>();
        for (Rule rule : policy.rules()) {
            for (Endpoint side : List.of(rule.from(), rule.to())) {
                side.addresses().forEach(term -> addressNames.add(referencedName(term)));
                side.except().forEach(term -> addressNames.add(referencedName(term)));
            }
            rule.services().forEach(term -> serviceNames.add(serviceName(term)));
        }
        policy.groups().values().forEach(g -> g.members().forEach(term -> addressNames.add(referencedName(term))));
        policy.services().values().forEach(s -> s.terms().forEach(term -> serviceNames.add(serviceName(term))));

        List<Finding> found = new ArrayList<>();
        // What the rules' sides match, as one sorted set: a target is reached where it meets it.
        AddressSets ruleAddresses = reachingEveryHost(policy) ? null : ruleAddresses(policy);
        for (Host host : policy.hosts().values()) {
            boolean reached = ruleAddresses == null || host.addresses().stream().anyMatch(ruleAddresses::contains);
            if (!addressNames.contains(host.name()) && !reached) {
                found.add(unused(context, "host", host.name(), host.location(),
                        "no rule applies to it: no 'self', and no rule names it or covers its addresses"));
            }
        }
        for (Network network : policy.networks().values()) {
            if (!addressNames.contains(network.name())) {
                found.add(unused(context, "network", network.name(), network.location(), "no rule or group names it"));
            }
        }
        // In a policy without hosts each group is a target, which rules reach as they reach hosts.
        boolean groupsAreTargets = policy.hosts().isEmpty();
        for (Group group : policy.groups().values()) {
            boolean reached = groupsAreTargets && (ruleAddresses == null
                    || group.blocks().stream().anyMatch(block -> ruleAddresses.overlaps(block.range())));
            if (!addressNames.contains(group.name()) && !reached) {
                found.add(unused(context, "group", group.name(), group.location(), "no rule or group names it"));
            }
        }
        for (NamedService service : policy.services().values()) {
            if (!serviceNames.contains(service.name())) {
                found.add(unused(context, "service", service.name(), service.location(), "no rule or service names it"));
            }
        }
        return found;
    }

    /**
     * A host is a target (and so is a group where there are no hosts): a rule with {@code self}
     * (written or implied) applies to every target, and a rule covering its addresses applies
     * to it without naming it.
     */
    private static boolean reachingEveryHost(Policy policy) {
        return policy.rules().stream().anyMatch(Rule::namesSelf);
    }

    private static AddressSets ruleAddresses(Policy policy) {
        return AddressSets.union(policy.rules().stream().flatMap(rule -> Stream.of(rule.from(), rule.to()))
                .map(AddressSets::of).toList());
    }

    private Finding unused(LintContext context, String kind, String name, Location at, String why) {
        return context.finding(this, at, kind + " " + Quote.of(name) + " is unused: " + why,
                "remove it, or check the rule that was meant to use it for a typo");
    }

    private static String referencedName(AddressTerm term) {
        if (term instanceof AddressTerm.HostRef ref) return ref.host().name();
        if (term instanceof AddressTerm.NetworkRef ref) return ref.network().name();
        if (term instanceof AddressTerm.GroupRef ref) return ref.group().name();
        return "";
    }

    private static String serviceName(ServiceMatch term) {
        return term.service() == null ? "" : term.service().name();
    }
}
