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
    private final String hint;

    public CompileException(Rule rule, String message) {
        this(rule, rule == null ? null : rule.location(), message, null);
    }

    private CompileException(Rule rule, Location location, String message, String hint) {
        super(message);
        this.rule = rule;
        this.location = location;
        this.hint = hint;
    }

    /** A refusal of the policy statement at {@code location} (a setting, say) rather than of a rule. */
    public static CompileException at(Location location, String message) {
        return at(location, message, null);
    }

    /** Likewise, with a hint: one line telling the user what to do. */
    public static CompileException at(Location location, String message, String hint) {
        return new CompileException(null, location, message, hint);
    }

    public Rule rule() {
        return rule;
    }

    /** Where the policy says what cannot be compiled: the rule's place, a statement's, or null for neither. */
    public Location location() {
        return location;
    }

    /** What the user can do, shown below the source line; null when the message says it. */
    public String hint() {
        return hint;
    }
}
