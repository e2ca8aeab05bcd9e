package io.portpolicy.engine;

import io.portpolicy.model.Rule;

import java.util.List;

/**
 * An order-aware rule-set anomaly (lint rules PP301-PP304).
 *
 * @param related the other rules involved: for {@link Kind#SHADOWED} and {@link Kind#REDUNDANT}
 *                the earlier rules that decide what this rule matches, or, for a redundant rule
 *                that does decide packets, the later rules that would decide them without it;
 *                for {@link Kind#CORRELATED} the earlier rule it overlaps
 */
public record Anomaly(Kind kind, Rule rule, List<Rule> related, String message) {

    public enum Kind { SHADOWED, REDUNDANT, CORRELATED, EMPTY }

    public Anomaly {
        related = List.copyOf(related);
    }
}
