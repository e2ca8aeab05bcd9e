package io.portpolicy.kernel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Measures how long {@code nft -f} takes to load a ruleset into a network namespace: a
 * benchmark helper, not an assertion. Reuse it for compiler output:
 *
 * <pre>{@code
 * try (KernelLab lab = KernelLab.builder().target("10.0.0.1").peer("10.1.0.1").selfCheck(false).start()) {
 *     NftLoadBenchmark.Timing t = NftLoadBenchmark.time(lab, compiledRuleset, 5);
 *     System.out.println(t);
 * }
 * }</pre>
 */
public final class NftLoadBenchmark {

    private NftLoadBenchmark() {
    }

    /** Load times of one ruleset, each a fresh {@code ip netns exec nft -f} run. */
    public record Timing(String label, List<Duration> runs, Duration processOverhead) {
        public Duration min() {
            return Collections.min(runs);
        }

        public Duration median() {
            List<Duration> s = new ArrayList<>(runs);
            Collections.sort(s);
            return s.get(s.size() / 2);
        }

        public Duration max() {
            return Collections.max(runs);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-28s min %6d ms  median %6d ms  max %6d ms  (%d runs; "
                    + "starting ip netns exec nft costs about %d ms of each)", label, min().toMillis(),
                    median().toMillis(), max().toMillis(), runs.size(), processOverhead.toMillis());
        }
    }

    /**
     * Loads the ruleset {@code runs} times into the lab's target and times each load. The ruleset
     * should replace itself (the {@code table} / {@code delete table} / {@code table {...}} idiom)
     * so that every run does the same work; the target's ruleset is flushed first and after.
     */
    public static Timing time(KernelLab lab, String label, String ruleset, int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1");
        }
        lab.flushRules();
        List<Duration> overhead = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            overhead.add(lab.execInTarget(KernelEnvironment.tool("nft"), "list", "tables").orThrow().elapsed());
        }
        Collections.sort(overhead);
        List<Duration> times = new ArrayList<>();
        try {
            for (int i = 0; i < runs; i++) {
                times.add(lab.loadNftables(ruleset));
            }
        } finally {
            lab.flushRules();
        }
        return new Timing(label, times, overhead.get(1));
    }

    public static Timing time(KernelLab lab, String ruleset, int runs) {
        return time(lab, "ruleset", ruleset, runs);
    }

    /** The address of the i-th generated source: 10.x.y.z, never 10.0.0.0/16 (the lab's own). */
    static String address(int i) {
        int n = i + 65536;
        return "10." + ((n >> 16) & 0xff) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
    }

    static int port(int i) {
        return 1024 + (i * 7) % 60000;
    }

    private static String header(String table) {
        return "table inet " + table + "\ndelete table inet " + table + "\ntable inet " + table + " {\n";
    }

    /** {@code n} rules, one per (source address, TCP port) pair: what a naive compiler emits. */
    public static String oneRulePerPair(int n) {
        StringBuilder sb = new StringBuilder(header("ppbench"));
        sb.append("  chain input {\n    type filter hook input priority filter; policy drop;\n");
        sb.append("    ct state established,related accept\n");
        for (int i = 0; i < n; i++) {
            sb.append("    ip saddr ").append(address(i)).append(" tcp dport ").append(port(i)).append(" accept\n");
        }
        sb.append("  }\n}\n");
        return sb.toString();
    }

    /** The same {@code n} pairs as one named set of concatenations, matched by a single rule. */
    public static String oneSetOfPairs(int n) {
        StringBuilder sb = new StringBuilder(header("ppbench"));
        sb.append("  set allowed {\n    type ipv4_addr . inet_service\n    elements = {");
        for (int i = 0; i < n; i++) {
            sb.append(i % 8 == 0 ? "\n      " : " ").append(address(i)).append(" . ").append(port(i))
                    .append(i + 1 < n ? "," : "");
        }
        sb.append("\n    }\n  }\n");
        sb.append("  chain input {\n    type filter hook input priority filter; policy drop;\n");
        sb.append("    ct state established,related accept\n");
        sb.append("    ip saddr . tcp dport @allowed accept\n  }\n}\n");
        return sb.toString();
    }
}
