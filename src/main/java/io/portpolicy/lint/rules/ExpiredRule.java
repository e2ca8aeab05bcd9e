package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;

import java.util.List;

@RuleInfo(id = "PP402", name = "expired-rule", severity = Severity.ERROR,
        summary = "The rule's 'expires' date is before today, so it is no longer compiled.",
        rationale = "An expired rule is dead text: the access it describes is gone from every generated "
                + "configuration. Leaving it in the policy misleads readers, and if the access is still "
                + "needed, something is now broken.",
        securitySeverity = "2.0")
public final class ExpiredRule implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        return context.policy().rules().stream()
                .filter(rule -> rule.expiredOn(context.today()))
                .map(rule -> context.finding(this, rule, rule.location(),
                        "expired after " + rule.options().expires() + ", its last day: the rule is no longer compiled",
                        "remove the rule, or, if the access is still needed, extend 'expires' with a new ticket"))
                .toList();
    }
}
