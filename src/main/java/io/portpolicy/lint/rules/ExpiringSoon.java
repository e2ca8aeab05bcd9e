package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Rule;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

@RuleInfo(id = "PP403", name = "expiring-soon", severity = Severity.WARNING,
        summary = "The rule expires within 14 days.",
        rationale = "When a rule expires its access disappears from the next compiled configuration. Two "
                + "weeks' notice leaves time to renew a still-needed exception through review, or to "
                + "tell its users it is ending.",
        securitySeverity = "1.0")
public final class ExpiringSoon implements LintRule {

    private static final int DAYS_AHEAD = 14;

    @Override
    public List<Finding> check(LintContext context) {
        List<Finding> found = new ArrayList<>();
        for (Rule rule : context.policy().rules()) {
            LocalDate expires = rule.options().expires();
            if (expires == null || rule.expiredOn(context.today())) continue;
            long days = ChronoUnit.DAYS.between(context.today(), expires);
            if (days > DAYS_AHEAD) continue;
            String when = days == 0 ? "today" : days == 1 ? "tomorrow" : "in " + days + " days";
            found.add(context.finding(this, rule, rule.location(),
                    "expires " + when + " (" + expires + "); from the day after, it is not compiled",
                    "renew 'expires' with a ticket if the access is still needed, or tell its owner it ends"));
        }
        return found;
    }
}
