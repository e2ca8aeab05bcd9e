import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.source.SourceFile;
import io.portpolicy.syntax.PolicyReader;
import io.portpolicy.syntax.antlr.PolicyLexer;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cold, in-process timing of one lint phase, to split whole-process time into start-up, lexing,
 * parsing and checking. Each run is a fresh JVM doing the work once, as {@code portpolicy lint}
 * does; the differences between stages are the phase costs.
 *
 * <pre>
 *   javac -cp target/portpolicy.jar -d bench/out/phases bench/Phases.java
 *   java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp target/portpolicy.jar:bench/out/phases \
 *       Phases lex|parse|check FILE
 * </pre>
 *
 * Prints: stage, milliseconds from JVM start to main, milliseconds in the stage, and the total
 * CPU time of the process so far (all threads, including JIT compilers and GC).
 */
public final class Phases {

    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        String stage = args[0];
        Path path = Path.of(args[1]);
        long t0 = System.nanoTime();
        String text = Files.readString(path);
        SourceFile source = new SourceFile(args[1], path, text);
        Diagnostics diagnostics = new Diagnostics();
        switch (stage) {
            case "lex" -> {
                PolicyLexer lexer = new PolicyLexer(CharStreams.fromString(text));
                int n = 0;
                while (lexer.nextToken().getType() != Token.EOF) n++;
                if (n == 0) System.out.println("no tokens");
            }
            case "parse" -> PolicyReader.read(source, diagnostics);
            case "check" -> Checker.check(args[1], System.in, diagnostics);
            default -> throw new IllegalArgumentException(stage);
        }
        long t1 = System.nanoTime();
        long start = ManagementFactory.getRuntimeMXBean().getStartTime();
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        System.out.printf("%-6s start-to-main %4d ms  stage %5d ms  process cpu %5d ms  diagnostics %d%n",
                stage, mainAt - start, (t1 - t0) / 1_000_000, cpu / 1_000_000, diagnostics.size());
    }
}
