package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.lint.AddressSets;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.Setting;
import io.portpolicy.source.Location;

import java.util.ArrayList;
import java.util.List;

@RuleInfo(id = "PP109", name = "unrestricted-egress", severity = Severity.NOTE,
        summary = "Outbound traffic is allowed by default, or a rule allows every protocol to the world outbound.",
        rationale = "Unrestricted egress lets a compromised host fetch tools, reach its command-and-control "
                + "server and exfiltrate data on any port. Listing the destinations a host really needs "
                + "(resolvers, time, updates, its next tier) limits what an intruder can do from it.",
        securitySeverity = "3.9")
public final class UnrestrictedEgress implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        Policy policy = context.policy();
        List<Finding> found = new ArrayList<>();
        Setting<Action> outbound = policy.settings().defaultOutbound();
        if (outbound.value() == Action.ALLOW) {
            String message = outbound.written() ? "'default outbound allow' lets the hosts open any connection"
                    : "no 'default outbound' is written, and the language's default is allow: the hosts may "
                            + "open any connection";
            Location at = outbound.written() ? outbound.location() : policy.root().at(1, 1, 1);
            found.add(context.finding(this, at, message,
                    "write 'default outbound deny' and allow the destinations the hosts need"));
        }
        for (Rule rule : policy.rules()) {
            boolean everyProtocol = rule.services().stream().anyMatch(s -> s.protocol() == Protocol.ANY);
            if (rule.action() == Action.ALLOW && everyProtocol && AddressSets.of(rule.to()).coversWorld()
                    && sentByATarget(policy, rule)) {
                found.add(context.finding(this, rule, rule.location(),
                        "allows every protocol from the hosts to the whole world",
                        "allow only the services and destinations the hosts need"));
            }
        }
        return found;
    }

    /**
     * Whether the rule applies outbound somewhere: its source is self or holds a target's
     * address. Every group address is some group's own literal or network member, so the
     * groups need not be flattened.
     */
    private static boolean sentByATarget(Policy policy, Rule rule) {
        if (rule.from().addresses().stream().anyMatch(a -> a instanceof AddressTerm.Self)) return true;
        AddressSets from = AddressSets.of(rule.from());
        for (Host host : policy.hosts().values()) {
            if (host.addresses().stream().anyMatch(from::contains)) return true;
        }
        for (Group group : policy.groups().values()) {
            for (AddressTerm member : group.members()) {
                List<AddressLiteral> blocks = member instanceof AddressLiteral literal ? List.of(literal)
                        : member instanceof AddressTerm.NetworkRef ref ? ref.network().blocks() : List.of();
                if (blocks.stream().anyMatch(b -> from.contains(b.range().getLower()))) return true;
            }
        }
        return false;
    }
}
