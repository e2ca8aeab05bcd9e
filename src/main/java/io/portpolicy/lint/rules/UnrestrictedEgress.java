package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import io.portpolicy.model.Setting;
import io.portpolicy.source.Location;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

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
        // A policy without hosts is compiled for cloud groups: its machines are their members.
        String machines = policy.hosts().isEmpty() ? "the groups' members" : "the hosts";
        // A file of shared definitions, linted on its own, has no machines: nothing to say of them.
        boolean machinesDefined = !policy.hosts().isEmpty() || !policy.groups().isEmpty();
        if (outbound.value() == Action.ALLOW && machinesDefined) {
            String message = outbound.written() ? "'default outbound allow' lets " + machines + " open any connection"
                    : "no 'default outbound' is written, and the language's default is allow: " + machines + " may "
                            + "open any connection";
            Location at = outbound.written() ? outbound.location() : policy.root().at(1, 1, 1);
            found.add(context.finding(this, at, message,
                    "write 'default outbound deny' and allow the destinations " + machines + " need"));
        }
        Set<Rule> toTheWorld = everyProtocolToTheWorld(context);
        for (Rule rule : policy.rules()) {
            if (!toTheWorld.contains(rule)) continue;
            found.add(context.finding(this, rule, rule.location(),
                    "allows every protocol from " + machines + " to the whole world",
                    "allow only the services and destinations " + machines + " need"));
        }
        return found;
    }

    /**
     * The allow rules that, at some target, match every protocol and port to every peer of an
     * IP version, and decide some outbound packets: an expired rule is not compiled, and one
     * that earlier rules shadow (PP301) opens nothing. Its reach is read off what it matches, as
     * PP404 reads sources: a deny of a few destinations before it leaves it as wide as written.
     */
    private static Set<Rule> everyProtocolToTheWorld(LintContext context) {
        Set<Rule> rules = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DirectedPolicy layer : Exposure.layers(context, Direction.OUTBOUND)) {
            for (RuleRegion region : layer.rules()) {
                if (region.rule().action() != Action.ALLOW || rules.contains(region.rule())) continue;
                if (region.matched().everyService().everyPeer().isEmpty() || region.decided().isEmpty()) continue;
                rules.add(region.rule());
            }
        }
        return rules;
    }
}
