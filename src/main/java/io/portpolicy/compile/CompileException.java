package io.portpolicy.compile;

import io.portpolicy.model.Rule;

/** A policy rule the backend cannot express exactly, or a target over its platform limit; {@code rule} is null when no rule is to blame. */
public class CompileException extends Exception {

    private final transient Rule rule;

    public CompileException(Rule rule, String message) {
        super(message);
        this.rule = rule;
    }

    public Rule rule() {
        return rule;
    }
}
