package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.Anomaly;
import io.portpolicy.lint.RuleInfo;

@RuleInfo(id = "PP303", name = "correlated-rules", severity = Severity.NOTE,
        summary = "Two rules partially overlap with different actions, so their order matters.",
        rationale = "Where two rules overlap, the earlier one decides. That is often intended (a deny "
                + "carved out of a broader allow), but reordering the rules silently changes access, so "
                + "the dependency is worth knowing about.",
        securitySeverity = "1.0")
public final class CorrelatedRules extends AnomalyRule {

    @Override
    Anomaly.Kind kind() {
        return Anomaly.Kind.CORRELATED;
    }

    @Override
    String hint(Anomaly anomaly) {
        return "keep the order if it is intended (a comment saying so helps); otherwise narrow one rule so they no longer overlap";
    }
}
