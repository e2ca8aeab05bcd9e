package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.Anomaly;
import io.portpolicy.lint.RuleInfo;

@RuleInfo(id = "PP302", name = "redundant-rule", severity = Severity.WARNING,
        summary = "Earlier rules with the same action cover this rule, or removing it changes nothing.",
        rationale = "A rule that changes nothing still has to be read, reviewed and kept in sync. It also "
                + "misleads: removing the rule that really grants the access leaves this one looking "
                + "responsible, and the access silently changes.",
        securitySeverity = "2.0")
public final class RedundantRule extends AnomalyRule {

    @Override
    Anomaly.Kind kind() {
        return Anomaly.Kind.REDUNDANT;
    }

    @Override
    String hint(Anomaly anomaly) {
        if (!anomaly.lapsing().isEmpty()) return "keep it: after " + anomaly.lapse() + " it may decide packets; review it then";
        return "remove it; the policy admits exactly the same packets without it";
    }
}
