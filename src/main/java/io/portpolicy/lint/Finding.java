package io.portpolicy.lint;

import io.portpolicy.diag.Severity;
import io.portpolicy.model.Rule;
import io.portpolicy.source.Location;

import java.util.Comparator;

/**
 * One problem a lint rule found.
 *
 * @param hint        one line telling the user what to do
 * @param subject     the policy rule the finding is about (its waivers apply), or {@code null}
 *                    for findings about declarations and settings
 * @param subjectText the text that identifies what the finding is about, independent of line
 *                    numbers: the rule's text, or the declaration's line; baselines key on it
 * @param world       whether the whole world may send what it is about: a baseline that accepted
 *                    the finding from fewer sources does not accept it once it is the world's
 * @param waiver      the reason of the waiver that accepts it, or {@code null} when not waived
 */
public record Finding(String ruleId, String name, Severity severity, Location location, String message,
                      String hint, Rule subject, String subjectText, boolean world, String waiver) {

    /** By file, line, column, then rule ID and message, so every output is in one stable order. */
    public static final Comparator<Finding> ORDER = Comparator.comparing(Finding::location)
            .thenComparing(Finding::ruleId)
            .thenComparing(Finding::message);

    public boolean waived() {
        return waiver != null;
    }

    /** {@code FILE:LINE:COL: SEVERITY RULE-ID name: message}, the line the text reports give a finding. */
    public String headline() {
        return location + ": " + severity.label() + " " + ruleId + " " + name + ": " + message;
    }

    public Finding withSeverity(Severity newSeverity) {
        return new Finding(ruleId, name, newSeverity, location, message, hint, subject, subjectText, world, waiver);
    }

    public Finding fromTheWorld(boolean fromWorld) {
        return new Finding(ruleId, name, severity, location, message, hint, subject, subjectText, fromWorld, waiver);
    }

    public Finding waivedBecause(String reason) {
        return new Finding(ruleId, name, severity, location, message, hint, subject, subjectText, world, reason);
    }
}
