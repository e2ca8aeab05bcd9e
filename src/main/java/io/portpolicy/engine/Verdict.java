package io.portpolicy.engine;

import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Rule;

/**
 * The decision for one packet at one target in one direction, and what made it.
 *
 * @param rule   the deciding rule, or {@code null} when an implicit rule or the default decided
 * @param reason how it was decided, in words: the rule's location and text, the implicit
 *               rule's name, or {@code default inbound deny} (after its location when it is written)
 */
public record Verdict(Action action, Direction direction, Rule rule, String reason) {
}
