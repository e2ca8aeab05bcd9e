package io.portpolicy.engine;

import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only door into the engine's package-private parts for the JMH benchmarks in
 * {@code io.portpolicy.engine.bench}: the rule encoder, freeing a set's node, and clearing the
 * BDD kernel's operation caches between measured invocations.
 */
public final class EngineBenchAccess {

    private EngineBenchAccess() {
    }

    /** The hosts' layer of a policy in one direction, with what the benchmarks operate on. */
    public static final class Layer {
        private final DirectedPolicy directed;
        private final RuleEncoder encoder;
        /** The compiled rules, in order. */
        public final List<Rule> rules = new ArrayList<>();
        /** What each compiled rule matches (all referenced, never freed). */
        public final List<PacketSet> matched = new ArrayList<>();
        /** The packets no earlier rule (nor implicit rule) matched, before each rule. */
        public final List<PacketSet> uncoveredBefore = new ArrayList<>();

        private Layer(Policy policy, DirectedPolicy directed) {
            this.directed = directed;
            this.encoder = new RuleEncoder(directed.space(), policy);
            PacketSet uncovered = directed.space().all().minus(directed.implicit());
            for (RuleRegion region : directed.rules()) {
                rules.add(region.rule());
                matched.add(region.matched());
                uncoveredBefore.add(uncovered);
                uncovered = uncovered.minus(region.matched());
            }
        }

        public PacketSet all() {
            return directed.space().all();
        }

        public PacketSet none() {
            return directed.space().none();
        }

        /** Encodes a rule afresh with one encoder kept for the layer (named objects stay cached). */
        public PacketSet encode(Rule rule) {
            return directed.space().wrap(encoder.encode(rule));
        }

        /** Drops a result the caller made and no longer needs. */
        public void free(PacketSet set) {
            set.space().bdd.free(set.node);
        }

        /** Empties the kernel's operation caches, so each measured pass computes from scratch. */
        public void clearCaches() {
            directed.space().bdd.clearMemos();
        }
    }

    /** The layer all hosts are judged in (the one anomaly analysis uses), in one direction. */
    public static Layer hosts(Policy policy, LocalDate today, Direction direction) {
        EffectivePolicy effective = EffectivePolicy.of(policy, today);
        Target host = effective.targets().stream().filter(t -> !t.isGroup()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the policy has no host"));
        return new Layer(policy, effective.directed(host, direction));
    }
}
