package io.portpolicy.model;

import io.portpolicy.source.Location;

import java.time.LocalDate;
import java.util.List;

/**
 * One checked rule.
 *
 * @param index    position in the whole policy (includes spliced), from 0; first match wins
 * @param location where the rule's action keyword is
 * @param text     the rule as written, whitespace collapsed, for messages
 * @param matchText the same without its options (log, comment, owner, ticket, expires, waive):
 *                  what it matches and with what action, as written
 */
public record Rule(int index, Action action, List<ServiceMatch> services, Endpoint from, Endpoint to,
                   RuleOptions options, Location location, String text, String matchText) {

    public Rule {
        services = List.copyOf(services);
    }

    /**
     * The rule as written without the options that leave what it decides alone (comment, owner,
     * ticket, log, waivers), with its expiry: the rule decides nothing after that date. What a
     * finding about the rule is known by, in a baseline and in a diff's findings: documenting or
     * waiving a rule does not make its findings new.
     */
    public String identity() {
        return options.expires() == null ? matchText : matchText + " expires " + options.expires();
    }

    /** A rule whose {@code expires} date is before {@code today} is not compiled. */
    public boolean expiredOn(LocalDate today) {
        return options.expires() != null && options.expires().isBefore(today);
    }

    /**
     * Whether either side holds {@code self}, written or implied (a rule without {@code to}): the
     * rule applies at every target.
     */
    public boolean namesSelf() {
        return from.addresses().stream().anyMatch(term -> term instanceof AddressTerm.Self)
                || to.addresses().stream().anyMatch(term -> term instanceof AddressTerm.Self);
    }

    /**
     * The position and the written text only: equal rules agree on both, and lint rules key maps
     * by rule, where hashing every service and address term of each rule (the record's own
     * hash) cost a tenth of a small lint's time in a cold JVM.
     */
    @Override
    public int hashCode() {
        return 31 * index + text.hashCode();
    }

    @Override
    public String toString() {
        return location + ": " + text;
    }
}
