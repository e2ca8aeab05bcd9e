package io.portpolicy.model;

import io.portpolicy.source.Location;

import java.time.LocalDate;

/**
 * {@code waive RULE-ID "reason" [until DATE]} on a rule.
 *
 * @param reason {@code null} when missing (the linter reports that)
 * @param until  {@code null} when open-ended
 */
public record Waiver(String ruleId, String reason, LocalDate until, Location location) {

    /** Whether a reason is given: an empty or blank string names nobody and nothing, so it is none. */
    public boolean hasReason() {
        return reason != null && !reason.isBlank();
    }
}
