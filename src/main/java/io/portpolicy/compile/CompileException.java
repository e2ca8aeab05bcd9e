package io.portpolicy.compile;

import io.portpolicy.model.Rule;
import io.portpolicy.source.Location;

/**
 * A policy rule the backend cannot express exactly, a policy statement it cannot honour (a
 * setting), or a target over its platform limit; {@code rule} is null when no rule is to blame.
 */
public class CompileException extends Exception {

    private final transient Rule rule;
    private final transient Location location;

    public CompileException(Rule rule, String message) {
        this(rule, rule == null ? null : rule.location(), message);
    }

    private CompileException(Rule rule, Location location, String message) {
        super(message);
        this.rule = rule;
        this.location = location;
    }

    /** A refusal of the policy statement at {@code location} (a setting, say) rather than of a rule. */
    public static CompileException at(Location location, String message) {
        return new CompileException(null, location, message);
    }

    public Rule rule() {
        return rule;
    }

    /** Where the policy says what cannot be compiled: the rule's place, a statement's, or null for neither. */
    public Location location() {
        return location;
    }
}
