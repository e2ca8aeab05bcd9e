package io.portpolicy.lint;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.model.Policy;

import java.lang.management.ManagementFactory;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where one lint's time goes: checking, building the engine's analysis layers, the anomaly
 * analysis, then each lint rule over 20 ms, in one JVM. Each phase shows the main thread's
 * CPU time, the whole process's CPU time (work on a second thread, the JIT and the garbage
 * collector count there) and wall time.
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
        Policy policy = timed("check", () -> Checker.check(args[0], System.in, new Diagnostics()).orElseThrow());
        LintContext context = new LintContext(policy, LocalDate.of(2026, 6, 1), LintConfig.DEFAULT, true);
        timed("layers", () -> context.effective().analysisLayers());
        timed("anomalies", context::anomalies);
        timed("inbound hits", context::inboundHits);
        List<Finding> found = new ArrayList<>();
        for (LintRule rule : RuleCatalog.rules()) {
            if (rule.judgesOtherFindings()) continue;
            found.addAll(timed("  " + rule.id() + " " + rule.name(), () -> rule.check(context)));
        }
        System.out.printf("findings %d%n", found.size());
    }

    /** The work's result; prints its times unless it took under 20 ms of wall time. */
    private static <T> T timed(String phase, Supplier<T> work) {
        long thread = threadCpuNanos();
        long process = processCpuNanos();
        long wall = System.nanoTime();
        T result = work.get();
        long wallMillis = (System.nanoTime() - wall) / 1_000_000;
        if (wallMillis >= 20) {
            System.out.printf("%s: main thread %d ms CPU, process %d ms CPU, %d ms wall%n", phase,
                    (threadCpuNanos() - thread) / 1_000_000, (processCpuNanos() - process) / 1_000_000, wallMillis);
        }
        return result;
    }

    private static long threadCpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long processCpuNanos() {
        var system = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return system.getProcessCpuTime();
    }
}
