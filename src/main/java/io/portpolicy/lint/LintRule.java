package io.portpolicy.lint;

import io.portpolicy.diag.Severity;

import java.util.List;

/**
 * One lint check. Implementations carry {@link RuleInfo} and are registered in
 * {@link RuleCatalog}; adding a rule is one class and one line there.
 */
public interface LintRule {

    /** The findings of this rule on the context's policy, with default severity and not waived. */
    List<Finding> check(LintContext context);

    /**
     * Whether the rule judges the other rules' findings (see {@link LintContext#otherFindings()}):
     * such rules run after all others.
     */
    default boolean judgesOtherFindings() {
        return false;
    }

    default RuleInfo info() {
        RuleInfo info = getClass().getAnnotation(RuleInfo.class);
        if (info == null) throw new IllegalStateException(getClass().getName() + " has no @RuleInfo");
        return info;
    }

    default String id() {
        return info().id();
    }

    default String name() {
        return info().name();
    }

    default Severity defaultSeverity() {
        return info().severity();
    }
}
