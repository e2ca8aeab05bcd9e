package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.List;

@RuleInfo(id = "PP404", name = "undocumented-exposure", severity = Severity.WARNING,
        summary = "A rule open to the world, or carrying 'expires', has no owner, ticket or comment.",
        rationale = "Exposure to the internet and temporary exceptions are the rules a reviewer must be "
                + "able to justify. Without an owner, a ticket or a comment nobody can say whether the "
                + "access is still needed, or whom to ask before removing it.",
        securitySeverity = "4.0")
public final class UndocumentedExposure implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        List<Finding> found = new ArrayList<>();
        for (Rule rule : context.policy().rules()) {
            if (rule.options().documented()) continue;
            // Only allow rules are world-sourced: a deny from the world opens nothing and needs no justification.
            boolean fromWorld = context.worldSourced().contains(rule);
            String what = fromWorld ? "allows traffic from the whole world"
                    : rule.options().expires() != null ? "is a temporary exception ('expires')" : null;
            if (what == null) continue;
            found.add(context.finding(this, rule, rule.location(),
                    what + " but names no owner, ticket or comment",
                    "add owner \"TEAM\", ticket \"ID\" or comment \"WHY\" so reviewers know who needs it and why")
                    .fromTheWorld(fromWorld));
        }
        return found;
    }
}
