package io.portpolicy.compile;

import io.portpolicy.model.Rule;

import java.util.List;

/**
 * How fast a host firewall may write log lines for one rule ({@code log} in the policy): a
 * token bucket of {@code burst} lines refilled at {@code perSecond} lines a second, so a flood
 * of matching packets cannot fill the disk or drown the log. The limit decides only whether a
 * packet is logged, never its verdict: backends put it on a log rule of its own, before the
 * rule that decides. A policy rule often needs many target rules (a chain per protocol, a rule
 * per address block); all of them share the policy rule's one bucket ({@link #bucket}), or a
 * scan matching them all would be logged as many times over.
 *
 * <p>Defaults: 5 lines a second with bursts of 10, per rule. That shows what a rule does, even
 * during a scan, at a cost of at most about 430,000 lines a day per logged rule. Both bounds are
 * the largest iptables' {@code limit} match accepts (10,000); its {@code hashlimit} match, which
 * the backend uses, and nftables take the same values.
 *
 * @param perSecond lines a second once the burst is spent
 * @param burst     lines written at once before the rate applies
 */
public record LogLimit(int perSecond, int burst) {

    public static final String RATE = "log-rate";
    public static final String BURST = "log-burst";

    /** The settings a backend that logs lists among its {@link Backend#options()}. */
    public static final List<TargetOption> OPTIONS = List.of(
            TargetOption.number(RATE, 5, 1, 10_000),
            TargetOption.number(BURST, 10, 1, 10_000));

    public static LogLimit of(TargetOptions options) {
        return new LogLimit(options.number(RATE), options.number(BURST));
    }

    /**
     * The name of the one bucket every log rule of {@code rule} shares, in every chain, block
     * and direction: "log_rule_" and the rule's position in the policy, from 1.
     */
    public static String bucket(Rule rule) {
        return "log_rule_" + (rule.index() + 1);
    }

    /** How long an emptied bucket takes to fill again, in milliseconds, rounded up. */
    public long refillMillis() {
        return (burst * 1000L + perSecond - 1) / perSecond;
    }
}
