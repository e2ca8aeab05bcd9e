package io.portpolicy.lint;

import io.portpolicy.model.Policy;
import io.portpolicy.model.Waiver;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Runs every enabled rule of the catalog on one checked policy. */
public final class Linter {

    private final LintConfig config;
    private final LocalDate today;
    private final boolean honourWaivers;

    /** @param honourWaivers false for {@code --no-waivers}: inline waivers are then ignored */
    public Linter(LintConfig config, LocalDate today, boolean honourWaivers) {
        this.config = config;
        this.today = today;
        this.honourWaivers = honourWaivers;
    }

    /** Every finding, with configured severities and waivers applied, in {@link Finding#ORDER}. */
    public List<Finding> lint(Policy policy) {
        return lint(new LintContext(config.configured(policy), today, config, honourWaivers));
    }

    /** The same, in a context made beforehand (tests judge a policy's hosts in one layer and in two). */
    List<Finding> lint(LintContext context) {
        List<LintRule> enabled = RuleCatalog.rules().stream().filter(rule -> config.enabled(rule.id())).toList();
        List<Finding> found = new ArrayList<>();
        for (LintRule rule : enabled) if (!rule.judgesOtherFindings()) found.addAll(rule.check(context));
        context.otherFindings(found);
        for (LintRule rule : enabled) if (rule.judgesOtherFindings()) found.addAll(rule.check(context));
        return found.stream()
                .map(f -> f.withSeverity(config.severities().getOrDefault(f.ruleId(), f.severity())))
                .map(this::applyWaiver)
                .sorted(Finding.ORDER)
                .toList();
    }

    /** Whether a waiver accepts findings: it has a reason and its {@code until} has not passed. */
    public static boolean inForce(Waiver waiver, LocalDate today) {
        return waiver.hasReason() && (waiver.until() == null || !waiver.until().isBefore(today));
    }

    /** Whether the waiver is for the rule with this ID, written as its ID or as its name. */
    public static boolean waives(Waiver waiver, String ruleId) {
        return RuleCatalog.idOf(waiver.ruleId()).filter(ruleId::equals).isPresent();
    }

    /** Bad waivers (PP405) are never waivable: a waiver cannot vouch for itself. */
    private Finding applyWaiver(Finding finding) {
        if (!honourWaivers || finding.subject() == null || finding.ruleId().equals(WAIVER_RULE)) return finding;
        return finding.subject().options().waivers().stream()
                .filter(w -> waives(w, finding.ruleId()) && inForce(w, today))
                .findFirst()
                .map(w -> finding.waivedBecause(w.reason()))
                .orElse(finding);
    }

    public static final String WAIVER_RULE = "PP405";
}
