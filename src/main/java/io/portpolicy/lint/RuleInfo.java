package io.portpolicy.lint;

import io.portpolicy.diag.Severity;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A lint rule's stable metadata, written on the class that implements it (as Error Prone's
 * {@code @BugPattern} is), so the check, the catalog, SARIF and the documentation pages all
 * read the same words.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RuleInfo {

    /** {@code PPnnn}: users write it in {@code waive}, configs and baselines, so it never changes. */
    String id();

    /** The kebab-case name from lint-rules.md, equally stable. */
    String name();

    Severity severity();

    /** One sentence: what the rule finds. */
    String summary();

    /** Why it matters, for the documentation page and SARIF's full description. */
    String rationale();

    /**
     * GitHub code scanning's {@code security-severity} (0.1-10.0: over 9 critical, 7-8.9 high,
     * 4-6.9 medium, below 4 low); how much a finding matters for security, not for correctness.
     */
    String securitySeverity();
}
