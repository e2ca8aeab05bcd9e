package io.portpolicy.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this machine can run kernel tests: root, iproute2 with network namespaces,
 * nft, iptables-restore, ip6tables-restore and python3.
 *
 * <p>Tests call {@link #require()} (typically in {@code @BeforeAll}). Where something is
 * missing they are skipped with a message saying what, except when the environment variable
 * {@code CI} is {@code true}: there a missing prerequisite fails the test, so that CI can never
 * pass by silently skipping the kernel tests.
 */
public final class KernelEnvironment {

    /** The tools the harness runs. */
    public static final List<String> TOOLS = List.of("ip", "nft", "iptables-restore", "ip6tables-restore", "python3");

    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin",
            "/usr/local/bin");

    private static volatile List<String> problems;

    private KernelEnvironment() {
    }

    /** Skips (or, with CI=true, fails) the calling test unless kernel tests can run here. */
    public static void require() {
        require(problems(), inCi());
    }

    /** The decision itself: nothing if no problems, else skip, or fail when {@code ci}. */
    static void require(List<String> found, boolean ci) {
        if (found.isEmpty()) {
            return;
        }
        String message = "kernel tests need " + String.join("; ", found);
        if (ci) {
            Assertions.fail(message + " (CI=true: failing instead of skipping; .ci/run should install these)");
        }
        Assumptions.abort(message + " -- skipped (set CI=true to make this a failure)");
    }

    /** True when the environment variable CI is "true" (as .ci/run's caller sets it). */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** What prevents kernel tests from running here; empty when nothing does. Cached. */
    public static List<String> problems() {
        List<String> p = problems;
        if (p == null) {
            synchronized (KernelEnvironment.class) {
                p = problems;
                if (p == null) {
                    p = List.copyOf(detect());
                    problems = p;
                }
            }
        }
        return p;
    }

    private static List<String> detect() {
        List<String> found = new ArrayList<>();
        if (!isRoot()) {
            found.add("root (running as uid " + uid() + ")");
        }
        List<String> missing = new ArrayList<>();
        for (String tool : TOOLS) {
            if (find(tool).isEmpty()) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            found.add("the tools " + String.join(", ", missing) + " (not on PATH nor in /usr/sbin, /sbin)");
        }
        if (found.isEmpty()) {
            // root may still be refused namespaces (an unprivileged container): try one
            String name = "ppk-" + ProcessHandle.current().pid() + "-envcheck";
            Commands.Result add = Commands.run(Duration.ofSeconds(10), tool("ip"), "netns", "add", name);
            if (add.ok()) {
                Commands.run(Duration.ofSeconds(10), tool("ip"), "netns", "del", name);
            } else {
                found.add("permission to create network namespaces (" + add.stderr().strip() + ")");
            }
        }
        return found;
    }

    static boolean isRoot() {
        return "0".equals(uid());
    }

    /** The effective user id, from /proc/self/status. */
    private static String uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 ? f[1] : f[0];
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("user.name", "?");
    }

    /** The absolute path of a tool, looked up on PATH and then in the sbin directories. */
    public static Optional<String> find(String tool) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(EXTRA_DIRS);
        if ("python3".equals(tool)) {
            // prefer the distribution's interpreter: the harness needs nothing else
            Path sys = Path.of("/usr/bin/python3");
            if (Files.isExecutable(sys)) {
                return Optional.of(sys.toString());
            }
        }
        for (String d : dirs) {
            Path p = Path.of(d, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }

    /** The absolute path of a tool; throws if it is missing. */
    static String tool(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException("missing tool: " + name));
    }
}
