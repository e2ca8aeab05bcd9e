package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Action;
import io.portpolicy.model.Setting;

import java.util.List;

@RuleInfo(id = "PP108", name = "default-allow-inbound", severity = Severity.ERROR,
        summary = "The inbound default is allow, so every port no rule denies is open.",
        rationale = "Least privilege means listing what may come in and refusing the rest. With an "
                + "allow default, any service that starts listening, including ones installed later or "
                + "by mistake, is reachable from everywhere, and the policy no longer says what is exposed.",
        securitySeverity = "8.9")
public final class DefaultAllowInbound implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        Setting<Action> inbound = context.policy().settings().defaultInbound();
        if (inbound.value() != Action.ALLOW) return List.of();
        return List.of(context.finding(this, inbound.location(),
                "'default inbound allow' admits every packet no rule denies",
                "write 'default inbound deny' and allow only the services each host offers"));
    }
}
