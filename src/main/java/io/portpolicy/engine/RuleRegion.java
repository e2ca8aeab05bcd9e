package io.portpolicy.engine;

import io.portpolicy.model.Rule;

/**
 * A rule in the effective policy.
 *
 * @param matched every packet the rule matches, at every target and direction
 * @param decided the packets the rule decides: those it matches that no earlier rule (or
 *                implicit rule) matched first
 */
public record RuleRegion(Rule rule, PacketSet matched, PacketSet decided) {
}
