package io.portpolicy.engine;

import io.portpolicy.model.Rule;

import java.time.LocalDate;
import java.util.List;

/**
 * An order-aware rule-set anomaly (lint rules PP301-PP304).
 *
 * @param related the other rules involved: for {@link Kind#SHADOWED} and {@link Kind#REDUNDANT}
 *                the earlier rules that decide what this rule matches, or, for a redundant rule
 *                that does decide packets, the later rules that would decide them without it;
 *                for {@link Kind#CORRELATED} the earlier rule it overlaps
 * @param lapsing the rules it rests on that carry {@code expires} and expire first (all of the
 *                earliest date): after that date it may no longer hold. Empty when it holds for
 *                the rule's whole life
 * @param implicit whether the implicit rules (hosts only) decide some of what the rule matches,
 *                 for a rule that decides nothing
 */
public record Anomaly(Kind kind, Rule rule, List<Rule> related, List<Rule> lapsing, String message,
                      boolean implicit) {

    public enum Kind { SHADOWED, REDUNDANT, CORRELATED, EMPTY }

    public Anomaly {
        related = List.copyOf(related);
        lapsing = List.copyOf(lapsing);
    }

    /** An anomaly that holds for the rule's whole life. */
    public Anomaly(Kind kind, Rule rule, List<Rule> related, String message) {
        this(kind, rule, related, List.of(), message, false);
    }

    /** "the rule at FILE:LINE expires on DATE", for messages and fixes; null when it holds for good. */
    public String lapse() {
        return lapse(lapsing);
    }

    static String lapse(List<Rule> lapsing) {
        if (lapsing.isEmpty()) return null;
        String at = Anomalies.lines(lapsing);
        LocalDate date = lapsing.get(0).options().expires();
        return (lapsing.size() == 1 ? "the rule at " + at + " expires" : "the rules at " + at + " expire")
                + " on " + date;
    }
}
