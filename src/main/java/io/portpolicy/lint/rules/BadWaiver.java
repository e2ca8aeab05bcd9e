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
import java.util.TreeSet;

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
                String problem = problem(context, rule, waiver);
                if (problem != null) {
                    found.add(context.finding(this, rule, waiver.location(),
                            "waive " + waiver.ruleId() + ": " + problem, hint(rule, waiver)));
                }
            }
        }
        return found;
    }

    private String problem(LintContext context, Rule rule, Waiver waiver) {
        String id = waiver.ruleId();
        if (!RuleCatalog.isKnownId(id)) {
            String suggestion = Suggestions.didYouMean(id, knownIds());
            return "there is no rule " + id + (suggestion == null ? "" : " (" + suggestion + ")");
        }
        if (id.equals(Linter.WAIVER_RULE)) return "bad waivers cannot be waived";
        Waiver first = firstFor(rule, id);
        // Only the first one in force is applied; which reason stands would depend on dates.
        if (!first.equals(waiver)) {
            return "a second waiver of " + id + " on this rule (the first is at " + first.location() + ")";
        }
        if (!waiver.hasReason()) return "no reason is given, so it waives nothing";
        if (waiver.until() != null && waiver.until().isBefore(context.today())) {
            return "it lapsed on " + waiver.until() + ", so it waives nothing";
        }
        // A disabled rule does not run, so whether the waiver waives something cannot be judged.
        if (!context.config().enabled(id)) return null;
        boolean waivesSomething = context.otherFindings().stream()
                .anyMatch(f -> f.ruleId().equals(id) && f.subject() != null && f.subject().index() == rule.index());
        return waivesSomething ? null : id + " reports nothing on this rule, so the waiver waives nothing";
    }

    private static Waiver firstFor(Rule rule, String id) {
        return rule.options().waivers().stream().filter(w -> w.ruleId().equals(id)).findFirst().orElseThrow();
    }

    private static String hint(Rule rule, Waiver waiver) {
        if (!RuleCatalog.isKnownId(waiver.ruleId())) return "'portpolicy rules' lists the rule IDs";
        if (!firstFor(rule, waiver.ruleId()).equals(waiver)) {
            return "keep one 'waive " + waiver.ruleId() + "' per rule, with the reason that was reviewed";
        }
        if (!waiver.hasReason()) {
            return "write waive " + waiver.ruleId() + " \"REASON\" with who accepted the risk and why";
        }
        return "remove the waiver, or renew it after review with a new reason and 'until' date";
    }

    private static TreeSet<String> knownIds() {
        TreeSet<String> ids = new TreeSet<>();
        RuleCatalog.rules().forEach(rule -> ids.add(rule.id()));
        return ids;
    }
}
