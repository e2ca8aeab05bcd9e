package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.Anomaly;
import io.portpolicy.lint.RuleInfo;

@RuleInfo(id = "PP304", name = "empty-rule", severity = Severity.ERROR,
        summary = "The rule matches no packet at all.",
        rationale = "A rule that can match nothing (icmp between IPv6-only addresses, 'from X except X', "
                + "a destination that is no host or group of the policy) is always a mistake: whatever "
                + "it was written to allow or block is not allowed or blocked.",
        securitySeverity = "4.0")
public final class EmptyRule extends AnomalyRule {

    @Override
    Anomaly.Kind kind() {
        return Anomaly.Kind.EMPTY;
    }

    @Override
    String hint(Anomaly anomaly) {
        return "correct its addresses, services or family so it matches the traffic it is meant for, or remove it";
    }
}
