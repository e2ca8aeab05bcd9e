package io.portpolicy.model;

import java.time.LocalDate;
import java.util.List;

/**
 * The options after a rule's addresses. Absent strings and dates are {@code null}.
 *
 * @param log       whether matches are logged
 * @param logPrefix the prefix given to {@code log}, or {@code null}
 */
public record RuleOptions(boolean log, String logPrefix, String comment, String owner, String ticket,
                          LocalDate expires, List<Waiver> waivers) {

    public static final RuleOptions NONE = new RuleOptions(false, null, null, null, null, null, List.of());

    public RuleOptions {
        waivers = List.copyOf(waivers);
    }

    /**
     * Whether anyone is on record for the rule: an owner, a ticket or a comment. An empty or
     * blank string names nobody and nothing, so it is none (as a blank waiver reason is).
     */
    public boolean documented() {
        return given(owner) || given(ticket) || given(comment);
    }

    private static boolean given(String text) {
        return text != null && !text.isBlank();
    }
}
