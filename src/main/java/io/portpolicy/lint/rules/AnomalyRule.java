package io.portpolicy.lint.rules;

import io.portpolicy.engine.Anomaly;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;

import java.util.List;

/**
 * A rule reporting one kind of the engine's exact rule-set anomalies. Expired rules are left
 * out: they are not compiled, and PP402 already reports them.
 */
abstract class AnomalyRule implements LintRule {

    abstract Anomaly.Kind kind();

    abstract String hint(Anomaly anomaly);

    @Override
    public final List<Finding> check(LintContext context) {
        return context.anomalies().stream()
                .filter(a -> a.kind() == kind() && !a.rule().expiredOn(context.today()))
                .map(a -> context.finding(this, a.rule(), a.rule().location(), a.message(), hint(a)))
                .toList();
    }
}
