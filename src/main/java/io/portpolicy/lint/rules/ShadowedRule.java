package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.Anomaly;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Rule;

@RuleInfo(id = "PP301", name = "shadowed-rule", severity = Severity.ERROR,
        summary = "Earlier rules with a different action match every packet this rule matches, so it never applies.",
        rationale = "The author meant this rule to decide some traffic, and it decides none: the access it "
                + "grants or removes does not exist. Either the earlier rules are too broad or this rule "
                + "is in the wrong place; both are mistakes a reader of the policy will not see.",
        securitySeverity = "6.5")
public final class ShadowedRule extends AnomalyRule {

    @Override
    Anomaly.Kind kind() {
        return Anomaly.Kind.SHADOWED;
    }

    /**
     * Shadowed only until an earlier rule expires, it does apply after that: a temporary rule
     * set above it on purpose (a change freeze) is the usual reason, so it is a warning.
     */
    @Override
    Severity severity(Anomaly anomaly) {
        return anomaly.lapsing().isEmpty() ? defaultSeverity() : Severity.WARNING;
    }

    @Override
    String hint(Anomaly anomaly) {
        if (anomaly.related().isEmpty()) {
            return "remove it: the implicit rules (loopback, IPv6 neighbour discovery) always come first";
        }
        Rule first = anomaly.related().get(0);
        String above = "move it above line " + first.location().line() + " of " + first.location().path();
        if (!anomaly.lapsing().isEmpty()) {
            return "keep it if it is meant to apply after " + anomaly.lapse() + "; " + above
                    + " if it should win before then";
        }
        return above + " if it should win, or remove it";
    }
}
