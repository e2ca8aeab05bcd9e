package io.portpolicy.lint;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.model.Policy;

import java.lang.management.ManagementFactory;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one lint's time goes: checking, building the engine's analysis layers, the anomaly
 * analysis, then each lint rule over 20 ms, as CPU time of the main thread and wall time, in
 * one JVM (work on a second thread shows in the wall time only).
 * It sits in the lint package to build a {@link LintContext} as the linter does.
 *
 * <pre>
 *   javac -cp target/portpolicy.jar -d bench/out/timing bench/LintRuleTimes.java
 *   java -cp target/portpolicy.jar:bench/out/timing io.portpolicy.lint.LintRuleTimes FILE
 * </pre>
 */
public final class LintRuleTimes {

    private LintRuleTimes() {
    }

    public static void main(String[] args) {
        long start = cpuMillis();
        long wall = wallMillis();
        Policy policy = Checker.check(args[0], System.in, new Diagnostics()).orElseThrow();
        System.out.printf("check %d ms CPU, %d ms wall%n", cpuMillis() - start, wallMillis() - wall);
        LintContext context = new LintContext(policy, LocalDate.of(2026, 6, 1), LintConfig.DEFAULT, true);
        start = cpuMillis();
        wall = wallMillis();
        context.effective().analysisLayers();
        System.out.printf("layers %d ms CPU, %d ms wall%n", cpuMillis() - start, wallMillis() - wall);
        start = cpuMillis();
        wall = wallMillis();
        context.anomalies();
        System.out.printf("anomalies %d ms CPU, %d ms wall%n", cpuMillis() - start, wallMillis() - wall);
        start = cpuMillis();
        wall = wallMillis();
        context.inboundHits();
        System.out.printf("inbound hits %d ms CPU, %d ms wall%n", cpuMillis() - start, wallMillis() - wall);
        List<Finding> found = new ArrayList<>();
        for (LintRule rule : RuleCatalog.rules()) {
            if (rule.judgesOtherFindings()) continue;
            start = cpuMillis();
            wall = wallMillis();
        wall = wallMillis();
            found.addAll(rule.check(context));
            long spent = cpuMillis() - start;
            if (spent > 20) {
                System.out.printf("  %s %s %d ms CPU, %d ms wall%n", rule.id(), rule.name(), spent, wallMillis() - wall);
            }
        }
        System.out.printf("findings %d%n", found.size());
    }

    private static long wallMillis() {
        return System.nanoTime() / 1_000_000;
    }

    private static long cpuMillis() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000;
    }
}
