package io.portpolicy.lint.rules;

import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Severity;
import io.portpolicy.engine.Anomaly;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A rule reporting one kind of the engine's exact rule-set anomalies. Expired rules are left
 * out: they are not compiled, and PP402 already reports them.
 */
abstract class AnomalyRule implements LintRule {

    abstract Anomaly.Kind kind();

    abstract String hint(Anomaly anomaly);

    /** The finding's severity; the rule's default unless the rule says otherwise. */
    Severity severity(Anomaly anomaly) {
        return defaultSeverity();
    }

    @Override
    public final List<Finding> check(LintContext context) {
        return context.anomalies().stream()
                .filter(a -> a.kind() == kind() && !a.rule().expiredOn(context.today()))
                .map(a -> context.finding(this, a.rule(), a.rule().location(), a.message(),
                        hint(a) + cloudCaveat(context.policy(), a)).withSeverity(severity(a)))
                .toList();
    }

    /**
     * A policy with hosts is judged at its hosts (README, "lint"), but a group it names that
     * holds addresses no host has can still be compiled for a cloud target, where the rule may
     * matter: the advice says it holds for the hosts only. So may a rule naming {@code self}
     * that the implicit rules pre-empt: at a host, its traffic to itself is loopback; at a group,
     * which has no implicit rules, {@code self} is every member.
     */
    private static String cloudCaveat(Policy policy, Anomaly anomaly) {
        if (policy.hosts().isEmpty()) return "";
        Rule rule = anomaly.rule();
        if (anomaly.implicit() && !policy.groups().isEmpty() && rule.namesSelf()) {
            return " (judged at the hosts, where a host's traffic to itself is loopback, which the implicit rules "
                    + "allow; compiled for a group, where 'self' is every member, it decides traffic between members, "
                    + "which is not linted)";
        }
        Set<String> groups = new TreeSet<>();
        for (Endpoint side : List.of(rule.from(), rule.to())) {
            for (AddressTerm term : side.addresses()) {
                if (term instanceof AddressTerm.GroupRef ref && !ref.group().blocks().isEmpty()) {
                    groups.add(ref.group().name());
                }
            }
        }
        if (groups.isEmpty()) return "";
        return " (judged at the hosts: " + String.join(", ", groups.stream().map(g -> "group " + Quote.of(g)).toList())
                + " also holds addresses no host has, and what a cloud target compiled for it admits is not linted)";
    }
}
