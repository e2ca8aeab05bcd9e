package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.Linter;
import io.portpolicy.lint.RuleCatalog;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Rule;
import io.portpolicy.model.Waiver;

import java.util.ArrayList;
import java.util.List;

@RuleInfo(id = "PP405", name = "bad-waiver", severity = Severity.ERROR,
        summary = "A 'waive' without a reason, for an unknown rule ID, past its 'until' date, waiving nothing, "
                + "or given twice on one rule.",
        rationale = "A waiver is a reviewed decision to accept a risk. Without a reason nobody can review "
                + "it; past its date the decision has lapsed; for an unknown ID or a finding that does not "
                + "occur it accepts nothing and only hides a future finding. Waivers do not apply to this "
                + "rule: a waiver cannot vouch for itself.",
        securitySeverity = "5.0")
public final class BadWaiver implements LintRule {

    @Override
    public boolean judgesOtherFindings() {
        return true;
    }

    @Override
    public List<Finding> check(LintContext context) {
        if (!context.waiversHonoured()) return List.of();
        List<Finding> found = new ArrayList<>();
        for (Rule rule : context.policy().rules()) {
            for (Waiver waiver : rule.options().waivers()) {
                Problem problem = problem(context, rule, waiver);
                if (problem != null) {
                    found.add(context.finding(this, rule, waiver.location(),
                            "waive " + waiver.ruleId() + ": " + problem.message(), problem.hint()));
                }
            }
        }
        return found;
    }

    private record Problem(String message, String hint) {
    }

    private Problem problem(LintContext context, Rule rule, Waiver waiver) {
        String written = waiver.ruleId();
        String id = RuleCatalog.idOf(written).orElse(null);
        if (id == null) {
            String suggestion = Suggestions.didYouMean(written, RuleCatalog.idsAndNames());
            return new Problem("there is no rule " + written + (suggestion == null ? "" : " (" + suggestion + ")"),
                    "'portpolicy rules' lists the rule IDs and names");
        }
        if (id.equals(Linter.WAIVER_RULE)) {
            return new Problem("bad waivers cannot be waived", "remove the waiver, and correct what PP405 reports instead");
        }
        Waiver first = rule.options().waivers().stream().filter(w -> Linter.waives(w, id)).findFirst().orElseThrow();
        // Only the first one in force is applied; which reason stands would depend on dates.
        if (!first.equals(waiver)) {
            return new Problem("a second waiver of " + id + " on this rule (the first is at " + first.location() + ")",
                    "keep one 'waive " + id + "' per rule, with the reason that was reviewed");
        }
        if (!waiver.hasReason()) {
            return new Problem("no reason is given, so it waives nothing",
                    "write waive " + written + " \"REASON\" with who accepted the risk and why");
        }
        if (waiver.until() != null && waiver.until().isBefore(context.today())) {
            return new Problem("it lapsed on " + waiver.until() + ", so it waives nothing",
                    "remove the waiver, or renew it after review with a new reason and 'until' date");
        }
        // A disabled rule does not run, so whether the waiver waives something cannot be judged.
        if (!context.config().enabled(id)) return null;
        boolean waivesSomething = context.otherFindings().stream()
                .anyMatch(f -> f.ruleId().equals(id) && f.subject() != null && f.subject().index() == rule.index());
        if (waivesSomething) return null;
        if (rule.expiredOn(context.today())) {
            // Only the rule's text is still judged (PP402, PP404): say why the rest is silent.
            return new Problem(id + " reports nothing on this rule, which expired after " + rule.options().expires()
                    + " and is no longer checked, so the waiver waives nothing",
                    "remove the expired rule (PP402) and its waiver with it, or, if the access is still needed, "
                            + "extend 'expires' with a new ticket");
        }
        return new Problem(id + " reports nothing on this rule, so the waiver waives nothing",
                "remove the waiver: there is nothing for it to accept");
    }
}
