package io.portpolicy.engine.bench;

import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.engine.EngineBenchAccess;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * JMH micro-benchmarks of the engine's core set operations on the packet sets of a generated
 * policy's rules (hosts' layer, inbound: the sets the effective policy and the anomaly
 * analysis work on). Not part of {@code mvn test} (no test class name; surefire ignores it).
 *
 * <p>The pair benchmarks do {@value #OPS} operations per invocation and report the mean time of
 * one; the folds and {@code encode} report the time of one pass over every compiled rule. The BDD kernel memoises operations, so
 * its caches are emptied before each invocation: a pass never finds its own results from the
 * previous pass. Results are freed after use, so the node table does not grow across passes.
 *
 * <ul>
 *   <li>{@code union}, {@code intersect}, {@code difference}, {@code intersects} (emptiness of
 *       the intersection), {@code subset} (containsAll: a difference and an emptiness test) and
 *       {@code equalAfterUnion} (a union and the canonical-node equality test) on {@value #OPS}
 *       seeded random pairs: with {@code right=rule} both operands are single rules' sets;
 *       with {@code right=accumulated} the right operand is the set of packets no earlier rule
 *       matched (large), as in the engine's forward pass;</li>
 *   <li>{@code unionFold}, {@code differenceFold}: the forward pass's accumulations over every
 *       rule in order (one pass);</li>
 *   <li>{@code encode}: encoding every rule into a set, one pass (addresses of named objects already
 *       cached by the encoder, as for every rule but the first to use each name).</li>
 * </ul>
 *
 * Run (quick, on a shared machine), from the repository root:
 * <pre>
 *   mvn -B -q -Dbuild.dir=target-engine test-compile
 *   mvn -B -q -Dbuild.dir=target-engine dependency:build-classpath -Dmdep.includeScope=test \
 *       -Dmdep.outputFile=target-engine/test.classpath
 *   java -cp target-engine/test-classes:target-engine/classes:$(cat target-engine/test.classpath) \
 *       io.portpolicy.engine.bench.SetOperationsBenchmark            # defaults below
 *   # or any JMH options, e.g. another size and more iterations:
 *   java -cp ... org.openjdk.jmh.Main SetOperationsBenchmark -p rules=3000 -f 1 -wi 3 -i 5
 * </pre>
 * The policy is {@code java bench/GeneratePolicy.java RULES 42}, made in the fork's working
 * directory (the repository root); {@code -p policyFile=PATH} uses a given file instead.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SetOperationsBenchmark {

    static final int OPS = 1000;
    static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    /** The generated policy's inbound host layer, built once per fork. */
    @State(Scope.Benchmark)
    public static class Engine {
        @Param("1000")
        public int rules;

        @Param("")
        public String policyFile;

        EngineBenchAccess.Layer layer;
        /** Indices of rules that match something in this layer. */
        final List<Integer> live = new ArrayList<>();

        @Setup(Level.Trial)
        public void build() throws IOException, InterruptedException {
            Path file = policyFile.isEmpty() ? generate(rules) : Path.of(policyFile);
            Diagnostics diagnostics = new Diagnostics();
            Policy policy = Checker.check(file.toString(), new ByteArrayInputStream(new byte[0]), diagnostics)
                    .orElseThrow(() -> new IllegalStateException(file + " does not check: " + diagnostics.sorted()));
            layer = EngineBenchAccess.hosts(policy, TODAY, Direction.INBOUND);
            for (int i = 0; i < layer.matched.size(); i++) if (!layer.matched.get(i).isEmpty()) live.add(i);
            if (live.size() < 2) throw new IllegalStateException("too few rules match at the hosts: " + live.size());
        }

        @Setup(Level.Invocation)
        public void clearCaches() {
            layer.clearCaches();
        }

        private static Path generate(int rules) throws IOException, InterruptedException {
            Path file = Files.createTempFile("portpolicy-bench-" + rules + "-", ".policy");
            file.toFile().deleteOnExit();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(java, "bench/GeneratePolicy.java", Integer.toString(rules), "42")
                    .redirectOutput(file.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (process.waitFor() != 0 || Files.size(file) == 0) {
                throw new IllegalStateException("bench/GeneratePolicy.java failed (run from the repository root; "
                        + "working directory " + new File(".").getAbsolutePath() + ")");
            }
            return file;
        }
    }

    /** {@value #OPS} seeded random operand pairs. */
    @State(Scope.Benchmark)
    public static class Pairs {
        @Param({"rule", "accumulated"})
        public String right;

        PacketSet[] left = new PacketSet[OPS];
        PacketSet[] other = new PacketSet[OPS];

        @Setup(Level.Trial)
        public void pick(Engine engine) {
            Random random = new Random(42);
            for (int k = 0; k < OPS; k++) {
                int i = engine.live.get(random.nextInt(engine.live.size()));
                left[k] = engine.layer.matched.get(i);
                if (right.equals("rule")) {
                    other[k] = engine.layer.matched.get(engine.live.get(random.nextInt(engine.live.size())));
                } else {
                    other[k] = engine.layer.uncoveredBefore.get(i);
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void union(Engine engine, Pairs pairs, Blackhole bh) {
        for (int k = 0; k < OPS; k++) consume(engine, bh, pairs.left[k].union(pairs.other[k]));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void intersect(Engine engine, Pairs pairs, Blackhole bh) {
        for (int k = 0; k < OPS; k++) consume(engine, bh, pairs.left[k].intersect(pairs.other[k]));
    }

    /** The larger operand minus the rule: negates only the rule, as the engine arranges it. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void difference(Engine engine, Pairs pairs, Blackhole bh) {
        for (int k = 0; k < OPS; k++) consume(engine, bh, pairs.other[k].minus(pairs.left[k]));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void intersects(Engine engine, Pairs pairs, Blackhole bh) {
        for (int k = 0; k < OPS; k++) bh.consume(pairs.left[k].intersects(pairs.other[k]));
    }

    /** Whether the right operand holds all of the rule's set (a difference, then emptiness). */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void subset(Engine engine, Pairs pairs, Blackhole bh) {
        for (int k = 0; k < OPS; k++) bh.consume(pairs.other[k].containsAll(pairs.left[k]));
    }

    /** Equality is one node comparison on canonical sets; measured after making a set to compare. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void equalAfterUnion(Engine engine, Pairs pairs, Blackhole bh) {
        for (int k = 0; k < OPS; k++) {
            PacketSet both = pairs.left[k].union(pairs.other[k]);
            bh.consume(both.equals(pairs.other[k]));
            engine.layer.free(both);
        }
    }

    /** Union of every rule's set, in order (one pass): how the decided-by-action sets grow. */
    @Benchmark
    public void unionFold(Engine engine, Blackhole bh) {
        PacketSet accumulated = engine.layer.none();
        for (PacketSet matched : engine.layer.matched) {
            PacketSet next = accumulated.union(matched);
            engine.layer.free(accumulated);
            accumulated = next;
        }
        consume(engine, bh, accumulated);
    }

    /** What no rule matched so far, rule by rule (one pass): the forward pass's main chain. */
    @Benchmark
    public void differenceFold(Engine engine, Blackhole bh) {
        PacketSet uncovered = engine.layer.all().union(engine.layer.none());
        for (PacketSet matched : engine.layer.matched) {
            PacketSet next = uncovered.minus(matched);
            engine.layer.free(uncovered);
            uncovered = next;
        }
        consume(engine, bh, uncovered);
    }

    /** Encoding every compiled rule (one pass). */
    @Benchmark
    public void encode(Engine engine, Blackhole bh) {
        for (Rule rule : engine.layer.rules) consume(engine, bh, engine.layer.encode(rule));
    }

    private static void consume(Engine engine, Blackhole bh, PacketSet result) {
        bh.consume(result.isEmpty());
        engine.layer.free(result);
    }

    /** Runs this class's benchmarks with the defaults above; arguments are JMH's own. */
    public static void main(String[] args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(0, SetOperationsBenchmark.class.getName());
        org.openjdk.jmh.Main.main(all.toArray(String[]::new));
    }
}
