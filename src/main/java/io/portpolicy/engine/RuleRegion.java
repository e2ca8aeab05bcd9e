package io.portpolicy.engine;

import io.portpolicy.model.Rule;

/**
 * A rule in the effective policy: every packet it matches (at every target and direction of
 * its layer), and the packets it decides, those it matches that no earlier rule (or implicit
 * rule) matched first. What it decides is worked out when first asked for: a chain backend
 * reads only what each rule matches.
 */
public final class RuleRegion {

    private final Rule rule;
    private final PacketSet matched;
    private final DirectedPolicy owner;
    private final int position;
    private PacketSet decided;
    private PacketSet decidedFromAnyPeer;

    RuleRegion(Rule rule, PacketSet matched, DirectedPolicy owner, int position) {
        this.rule = rule;
        this.matched = matched;
        this.owner = owner;
        this.position = position;
    }

    public Rule rule() {
        return rule;
    }

    public PacketSet matched() {
        return matched;
    }

    public PacketSet decided() {
        if (decided == null) decided = owner.decided(position);
        return decided;
    }

    /** What it decides with the peer left free (remembered: later rules ask again). */
    PacketSet decidedFromAnyPeer() {
        if (decidedFromAnyPeer == null) decidedFromAnyPeer = decided().anyPeer();
        return decidedFromAnyPeer;
    }
}
