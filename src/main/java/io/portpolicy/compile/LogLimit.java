package io.portpolicy.compile;

import java.util.List;

/**
 * How fast a host firewall may write log lines for one rule ({@code log} in the policy): a
 * token bucket of {@code burst} lines refilled at {@code perSecond} lines a second, so a flood
 * of matching packets cannot fill the disk or drown the log. The limit decides only whether a
 * packet is logged, never its verdict: backends put it on a log rule of its own, before the
 * rule that decides.
 *
 * <p>Defaults: 5 lines a second with bursts of 10, per rule. That shows what a rule does, even
 * during a scan, at a cost of at most about 430,000 lines a day per logged rule. Both bounds are
 * the largest iptables' {@code limit} match accepts (10,000); nftables takes the same values.
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
}
