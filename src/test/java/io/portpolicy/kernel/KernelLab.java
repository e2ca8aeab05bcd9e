package io.portpolicy.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.opentest4j.AssertionFailedError;

/**
 * A throw-away network of Linux network namespaces for testing firewall rulesets against a
 * real kernel.
 *
 * <p>One namespace is the host under test (the <em>target</em>); each <em>peer</em> namespace
 * stands for remote addresses and is joined to the target by its own veth pair. The target's
 * addresses live on its loopback device, each peer's on its end of the veth; host routes join
 * them (IPv6 through the link-local next hops fe80::1 on the target side and fe80::2 on the
 * peer side). Rulesets are loaded into the target only. Probes run as helper processes
 * ({@code probe.py}) inside the namespaces, so the firewall sees ordinary traffic from real
 * sockets.
 *
 * <pre>{@code
 * try (KernelLab lab = KernelLab.builder()
 *         .target("10.0.0.1", "2001:db8::1")
 *         .peer("10.1.0.1", "2001:db8:1::1")
 *         .start()) {
 *     lab.loadNftables(ruleset);
 *     lab.assertVerdicts(List.of(
 *         Expect.allowed(Probe.tcp("10.1.0.1", "10.0.0.1", 22)),
 *         Expect.reset(Probe.tcp("10.1.0.1", "10.0.0.1", 23))));
 * }
 * }</pre>
 *
 * <p>Namespaces are named {@code ppk-<jvm pid>-<n>-t} and {@code ppk-<jvm pid>-<n>-p<i>}.
 * {@link #close()} removes them and every helper process; a shutdown hook does the same for
 * labs still open when the JVM exits, and the first lab of a JVM removes namespaces left by
 * earlier runs whose JVM is gone (killed with SIGKILL, say).
 */
public final class KernelLab implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofMillis(400);
    private static final Pattern OUR_NAMESPACE = Pattern.compile("ppk-(\\d+)-[\\w-]+");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<KernelLab> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean SWEPT = new AtomicBoolean();
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread th = new Thread(r, "kernel-lab-watchdog");
        th.setDaemon(true);
        return th;
    });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (KernelLab lab : OPEN) {
                try {
                    lab.close();
                } catch (RuntimeException e) {
                    System.err.println("kernel lab cleanup: " + e.getMessage());
                }
            }
        }, "kernel-lab-cleanup"));
    }

    /** One namespace and the addresses it owns. */
    private static final class Node {
        final String namespace;
        final String link; // the interface that leads to the other side
        final List<InetAddress> addresses;

        Node(String namespace, String link, List<InetAddress> addresses) {
            this.namespace = namespace;
            this.link = link;
            this.addresses = addresses;
        }
    }

    private final String id;
    private final Node target;
    private final List<Node> peers;
    private final Duration probeTimeout;
    private final boolean flushNeighbours;
    private final Path workDir;
    private final Path script;
    private final String ip;
    private final String python;
    private final List<String> created = Collections.synchronizedList(new ArrayList<>());
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private final AtomicInteger files = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private KernelLab(Builder b) throws IOException {
        this.id = "ppk-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        this.target = new Node(id + "-t", null, List.copyOf(b.target));
        List<Node> ps = new ArrayList<>();
        for (int i = 0; i < b.peers.size(); i++) {
            ps.add(new Node(id + "-p" + i, "p" + i, List.copyOf(b.peers.get(i))));
        }
        this.peers = List.copyOf(ps);
        this.probeTimeout = b.probeTimeout;
        this.flushNeighbours = b.flushNeighbours;
        this.ip = KernelEnvironment.tool("ip");
        this.python = KernelEnvironment.tool("python3");
        this.workDir = Files.createTempDirectory("portpolicy-kernel-");
        this.script = workDir.resolve("probe.py");
        try (InputStream in = KernelLab.class.getResourceAsStream("/kernel/probe.py")) {
            if (in == null) {
                throw new IllegalStateException("kernel/probe.py is not on the test class path");
            }
            Files.copy(in, script);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Describes a lab; {@link #start()} creates it. */
    public static final class Builder {
        private final List<InetAddress> target = new ArrayList<>();
        private final List<List<InetAddress>> peers = new ArrayList<>();
        private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;
        private boolean selfCheck = true;
        private boolean flushNeighbours = true;

        private Builder() {
        }

        /** Addresses the host under test owns (IPv4 and/or IPv6, allowed ranges only). */
        public Builder target(String... addresses) {
            for (String a : addresses) {
                target.add(LabAddresses.parse(a));
            }
            return this;
        }

        /** Adds a peer namespace owning these addresses (the sources of inbound probes, destinations of outbound). */
        public Builder peer(String... addresses) {
            List<InetAddress> list = new ArrayList<>();
            for (String a : addresses) {
                list.add(LabAddresses.parse(a));
            }
            if (list.isEmpty()) {
                throw new IllegalArgumentException("a peer needs at least one address");
            }
            peers.add(list);
            return this;
        }

        /** How long a probe waits for an answer before calling it DROPPED (default 0.4 s). */
        public Builder probeTimeout(Duration timeout) {
            this.probeTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Whether start() pings every target address from every peer address first (default on). */
        public Builder selfCheck(boolean on) {
            this.selfCheck = on;
            return this;
        }

        /**
         * Whether every probe batch starts with empty neighbour caches (default on), so that
         * IPv6 neighbour discovery must pass the loaded ruleset every time rather than
         * depending on what a previous batch left cached.
         */
        public Builder flushNeighbours(boolean on) {
            this.flushNeighbours = on;
            return this;
        }

        /** Creates the namespaces, links, addresses and routes; on any failure removes what it made. */
        public KernelLab start() {
            if (target.isEmpty()) {
                throw new IllegalArgumentException("the target needs at least one address");
            }
            if (peers.isEmpty()) {
                throw new IllegalArgumentException("a lab needs at least one peer");
            }
            Set<InetAddress> seen = new HashSet<>();
            for (InetAddress a : target) {
                if (!seen.add(a)) {
                    throw new IllegalArgumentException("address given twice: " + LabAddresses.text(a));
                }
            }
            for (List<InetAddress> p : peers) {
                for (InetAddress a : p) {
                    if (!seen.add(a)) {
                        throw new IllegalArgumentException("address given twice: " + LabAddresses.text(a));
                    }
                }
            }
            KernelEnvironment.require();
            sweepStale();
            KernelLab lab;
            try {
                lab = new KernelLab(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            OPEN.add(lab);
            try {
                lab.build();
                if (selfCheck) {
                    lab.selfCheck();
                }
                return lab;
            } catch (RuntimeException | Error e) {
                try {
                    lab.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ topology

    private static final List<String> SYSCTLS = List.of(
            // IPv6 addresses usable at once (no duplicate address detection)
            "net/ipv6/conf/all/accept_dad=0", "net/ipv6/conf/default/accept_dad=0",
            "net/ipv6/conf/all/disable_ipv6=0", "net/ipv6/conf/default/disable_ipv6=0",
            "net/ipv6/conf/default/router_solicitations=0",
            // rejections must never be rate-limited into looking like drops
            "net/ipv4/icmp_ratelimit=0", "net/ipv6/icmp/ratelimit=0",
            "net/ipv4/icmp_msgs_per_sec=1000000", "net/ipv4/icmp_msgs_burst=1000000",
            // host routes on point-to-point links: no reverse-path surprises
            "net/ipv4/conf/all/rp_filter=0", "net/ipv4/conf/default/rp_filter=0",
            // many probes may wait for one neighbour resolution
            "net/ipv4/neigh/default/unres_qlen_bytes=4194304", "net/ipv6/neigh/default/unres_qlen_bytes=4194304");

    private void build() {
        List<Node> all = new ArrayList<>();
        all.add(target);
        all.addAll(peers);
        for (Node n : all) {
            Commands.run(COMMAND_TIMEOUT, ip, "netns", "add", n.namespace).orThrow();
            created.add(n.namespace);
            StringBuilder sh = new StringBuilder();
            for (String kv : SYSCTLS) {
                int eq = kv.indexOf('=');
                // a setting this kernel lacks (or keeps global) is skipped, not fatal
                sh.append("[ -w /proc/sys/").append(kv, 0, eq).append(" ] && echo ").append(kv.substring(eq + 1))
                        .append(" > /proc/sys/").append(kv, 0, eq).append(" 2>/dev/null; ");
            }
            sh.append("exit 0");
            Commands.run(COMMAND_TIMEOUT, ip, "netns", "exec", n.namespace, "sh", "-c", sh.toString()).orThrow();
        }
        for (Node p : peers) {
            Commands.run(COMMAND_TIMEOUT, ip, "-n", target.namespace, "link", "add", p.link, "type", "veth", "peer",
                    "name", "t0", "netns", p.namespace).orThrow();
        }
        List<String> t = new ArrayList<>();
        t.add("link set lo up");
        for (InetAddress a : target.addresses) {
            t.add(addAddress(a, "lo"));
        }
        for (Node p : peers) {
            t.add("link set " + p.link + " up");
            t.add("address add fe80::1/64 dev " + p.link + " nodad");
            for (InetAddress a : p.addresses) {
                t.add(LabAddresses.isV6(a)
                        ? "route add " + LabAddresses.text(a) + "/128 via fe80::2 dev " + p.link
                        : "route add " + LabAddresses.text(a) + "/32 dev " + p.link);
            }
        }
        batch(target.namespace, t);
        for (Node p : peers) {
            List<String> c = new ArrayList<>();
            c.add("link set lo up");
            c.add("link set t0 up");
            c.add("address add fe80::2/64 dev t0 nodad");
            for (InetAddress a : p.addresses) {
                c.add(addAddress(a, "t0"));
            }
            for (InetAddress a : target.addresses) {
                c.add(LabAddresses.isV6(a)
                        ? "route add " + LabAddresses.text(a) + "/128 via fe80::1 dev t0"
                        : "route add " + LabAddresses.text(a) + "/32 dev t0");
            }
            batch(p.namespace, c);
        }
    }

    private static String addAddress(InetAddress a, String dev) {
        return LabAddresses.isV6(a)
                ? "address add " + LabAddresses.text(a) + "/128 dev " + dev + " nodad"
                : "address add " + LabAddresses.text(a) + "/32 dev " + dev;
    }

    private void batch(String namespace, List<String> commands) {
        Commands.runWithInput(COMMAND_TIMEOUT, String.join("\n", commands) + "\n", ip, "-n", namespace, "-batch", "-")
                .orThrow();
    }

    /** Every peer address pings every target address of its family, before any ruleset is loaded. */
    private void selfCheck() {
        List<Probe> probes = new ArrayList<>();
        for (Node p : peers) {
            for (InetAddress from : p.addresses) {
                for (InetAddress to : target.addresses) {
                    if (LabAddresses.isV6(from) == LabAddresses.isV6(to)) {
                        probes.add(Probe.icmpEcho(LabAddresses.text(from), LabAddresses.text(to))
                                .withTimeout(Duration.ofSeconds(2)));
                    }
                }
            }
        }
        List<ProbeResult> bad = new ArrayList<>();
        for (ProbeResult r : probe(probes)) {
            if (r.verdict() != Verdict.ALLOWED) {
                bad.add(r);
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalStateException("lab self-check failed (no ruleset loaded, yet):\n" + table(bad));
        }
    }

    // ------------------------------------------------------------------ rulesets

    /**
     * Loads nftables text into the target with {@code nft -f}.
     *
     * @return how long the load took, including the ~ms of starting {@code ip netns exec nft}
     * @throws RulesetLoadException with nft's standard error if nft refuses it
     */
    public Duration loadNftables(String ruleset) {
        return load("nft", ruleset, "nft", "-f");
    }

    /**
     * Loads iptables-restore and ip6tables-restore files into the target (either may be null).
     *
     * @throws RulesetLoadException with the tool's standard error if it refuses one
     */
    public void loadIptables(String ipv4Rules, String ipv6Rules) {
        if (ipv4Rules != null) {
            load("iptables-restore", ipv4Rules, "iptables-restore");
        }
        if (ipv6Rules != null) {
            load("ip6tables-restore", ipv6Rules, "ip6tables-restore");
        }
    }

    private Duration load(String what, String ruleset, String... tool) {
        ensureOpen();
        Path file = workDir.resolve("ruleset-" + files.incrementAndGet() + "." + what);
        try {
            Files.writeString(file, ruleset, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of(ip, "netns", "exec", target.namespace,
                KernelEnvironment.tool(tool[0])));
        cmd.addAll(Arrays.asList(tool).subList(1, tool.length));
        cmd.add(file.toString());
        Commands.Result r = Commands.run(Duration.ofMinutes(5), cmd.toArray(new String[0]));
        if (!r.ok()) {
            throw new RulesetLoadException(what, r.exitCode(), r.stderr().isBlank() ? r.stdout() : r.stderr(),
                    ruleset);
        }
        return r.elapsed();
    }

    /** Removes every nftables table from the target, including those iptables-nft made. */
    public void flushRules() {
        execInTarget(KernelEnvironment.tool("nft"), "flush", "ruleset").orThrow();
    }

    /** Runs a command inside the target namespace (e.g. {@code nft list ruleset}). */
    public Commands.Result execInTarget(String... command) {
        ensureOpen();
        List<String> cmd = new ArrayList<>(List.of(ip, "netns", "exec", target.namespace));
        cmd.addAll(Arrays.asList(command));
        return Commands.run(COMMAND_TIMEOUT, cmd.toArray(new String[0]));
    }

    public String targetNamespace() {
        return target.namespace;
    }

    public List<String> peerNamespaces() {
        List<String> names = new ArrayList<>();
        for (Node p : peers) {
            names.add(p.namespace);
        }
        return names;
    }

    /** Every namespace this lab created (and will delete). */
    public List<String> namespaces() {
        synchronized (created) {
            return List.copyOf(created);
        }
    }

    // ------------------------------------------------------------------ probes

    public ProbeResult probe(Probe probe) {
        return probe(List.of(probe)).get(0);
    }

    /**
     * Runs probes concurrently and returns their results in the same order. Every TCP and UDP
     * destination port gets a listener (on every address of the destination namespace) for the
     * duration of the batch, so a TCP reset can only come from the firewall; a destination of
     * ICMP messages gets raw ICMP and ICMPv6 sockets, which see only what its firewall admitted.
     *
     * @throws IllegalArgumentException if an address is not in the lab, both ends are in the same
     *                                  namespace, neither end is the target, or two TCP/UDP probes
     *                                  share a fixed source port and destination
     */
    public List<ProbeResult> probe(List<Probe> probes) {
        ensureOpen();
        if (probes.isEmpty()) {
            return List.of();
        }
        Map<Node, List<Integer>> byProber = new LinkedHashMap<>();
        Map<Node, Set<String>> listeners = new LinkedHashMap<>();
        Set<String> fixedTuples = new HashSet<>();
        for (int i = 0; i < probes.size(); i++) {
            Probe p = probes.get(i);
            Node from = owner(p.source());
            Node to = owner(p.destination());
            if (from == null || to == null) {
                throw new IllegalArgumentException("probe " + p + ": "
                        + LabAddresses.text(from == null ? p.source() : p.destination()) + " belongs to no namespace of this lab");
            }
            if (from == to || (from != target && to != target)) {
                throw new IllegalArgumentException("probe " + p + ": must go between the target and a peer");
            }
            if (p.protocol() == Probe.Protocol.ICMP_MESSAGE) {
                listeners.computeIfAbsent(to, k -> new TreeSet<>()).add(p.protocol().wire);
            } else if (p.protocol() != Probe.Protocol.ICMP_ECHO) {
                listeners.computeIfAbsent(to, k -> new TreeSet<>()).add(p.protocol().wire + ":" + p.port());
                if (p.sourcePort() != 0 && !fixedTuples.add(p.toString())) {
                    throw new IllegalArgumentException("probe " + p + " given twice in one batch (same fixed source port)");
                }
            }
            byProber.computeIfAbsent(from, k -> new ArrayList<>()).add(i);
        }
        if (flushNeighbours) {
            List<Node> all = new ArrayList<>();
            all.add(target);
            all.addAll(peers);
            for (Node n : all) {
                Commands.run(COMMAND_TIMEOUT, ip, "-n", n.namespace, "neigh", "flush", "all").orThrow();
            }
        }
        List<Server> servers = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread th = new Thread(r, "kernel-lab-probe");
            th.setDaemon(true);
            return th;
        });
        try {
            for (Map.Entry<Node, Set<String>> e : listeners.entrySet()) {
                servers.add(startServer(e.getKey(), e.getValue(), pool));
            }
            for (Server s : servers) {
                s.awaitReady();
            }
            Map<Node, Future<Map<Integer, String[]>>> running = new LinkedHashMap<>();
            for (Map.Entry<Node, List<Integer>> e : byProber.entrySet()) {
                running.put(e.getKey(), pool.submit(() -> runProber(e.getKey(), e.getValue(), probes)));
            }
            Map<Integer, String[]> lines = new HashMap<>();
            for (Map.Entry<Node, Future<Map<Integer, String[]>>> e : running.entrySet()) {
                try {
                    lines.putAll(e.getValue().get());
                } catch (java.util.concurrent.ExecutionException ex) {
                    Throwable c = ex.getCause();
                    throw c instanceof RuntimeException ? (RuntimeException) c : new IllegalStateException(c);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", ex);
                }
            }
            Set<String> seen = new HashSet<>();
            for (Server s : servers) {
                seen.addAll(s.stop());
            }
            List<ProbeResult> results = new ArrayList<>();
            for (int i = 0; i < probes.size(); i++) {
                Probe p = probes.get(i);
                String[] f = lines.get(i);
                if (f == null) {
                    results.add(new ProbeResult(p, Verdict.ERROR, p.sourcePort(), false, "no result from probe.py"));
                    continue;
                }
                int sport = Integer.parseInt(f[2]);
                if (p.protocol() == Probe.Protocol.ICMP_MESSAGE) {
                    results.add(messageResult(p, f, seen));
                    continue;
                }
                boolean reached = p.protocol() != Probe.Protocol.ICMP_ECHO
                        && seen.contains(seenKey(p.protocol().wire, p.source(), sport, p.destination(), p.port()));
                results.add(new ProbeResult(p, Verdict.valueOf(f[1]), sport, reached, f[3]));
            }
            return results;
        } finally {
            for (Server s : servers) {
                s.kill();
            }
            pool.shutdownNow();
        }
    }

    /**
     * An ICMP message's result: the prober only sent it (SENT, with the identifier it used in
     * the source port's column) unless its own output hook refused it; whether it arrived is
     * what the destination's listener saw.
     */
    private static ProbeResult messageResult(Probe p, String[] line, Set<String> seen) {
        int identifier = Integer.parseInt(line[2]);
        if (!line[1].equals("SENT")) {
            return new ProbeResult(p, Verdict.valueOf(line[1]), identifier, false, line[3]);
        }
        boolean arrived = seen.contains(seenKey(p.protocol().wire, p.source(), identifier, p.destination(), p.icmpType()));
        return new ProbeResult(p, arrived ? Verdict.ALLOWED : Verdict.DROPPED, identifier, arrived,
                line[3] + (arrived ? ", seen by the destination" : ", never seen by the destination"));
    }

    /**
     * Runs the probes and fails, with a table of every probe, unless each got its expected
     * verdict (and detail, where one is given).
     */
    public List<ProbeResult> assertVerdicts(List<Expect> expectations) {
        List<Probe> probes = new ArrayList<>();
        for (Expect e : expectations) {
            probes.add(e.probe());
        }
        List<ProbeResult> results = probe(probes);
        StringBuilder sb = new StringBuilder();
        int wrong = 0;
        for (int i = 0; i < results.size(); i++) {
            Expect e = expectations.get(i);
            ProbeResult r = results.get(i);
            boolean ok = e.matches(r);
            if (!ok) {
                wrong++;
            }
            sb.append(ok ? "   " : "!! ").append(r).append(ok ? "" : "   <-- expected " + e).append('\n');
        }
        if (wrong > 0) {
            throw new AssertionFailedError(wrong + " of " + results.size() + " probes got an unexpected verdict in "
                    + target.namespace + ":\n" + sb);
        }
        return results;
    }

    /** The results as a table, one line each. */
    public static String table(List<ProbeResult> results) {
        StringBuilder sb = new StringBuilder();
        for (ProbeResult r : results) {
            sb.append("   ").append(r).append('\n');
        }
        return sb.toString();
    }

    private Node owner(InetAddress a) {
        if (target.addresses.contains(a)) {
            return target;
        }
        for (Node p : peers) {
            if (p.addresses.contains(a)) {
                return p;
            }
        }
        return null;
    }

    private static String seenKey(String proto, InetAddress src, int sport, InetAddress dst, int dport) {
        return proto + " " + LabAddresses.text(src) + " " + sport + " " + LabAddresses.text(dst) + " " + dport;
    }

    private Process startHelper(Node node, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(ip, "netns", "exec", node.namespace, python, "-u",
                script.toString()));
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(workDir.resolve("helper-" + files.incrementAndGet() + ".err").toFile())
                    .start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    private Map<Integer, String[]> runProber(Node node, List<Integer> indexes, List<Probe> probes) throws IOException,
            InterruptedException {
        Process p = startHelper(node, List.of("probe"));
        Duration longest = Duration.ZERO;
        StringBuilder in = new StringBuilder();
        for (int i : indexes) {
            Probe pr = probes.get(i);
            Duration t = pr.timeout() == null ? probeTimeout : pr.timeout();
            if (t.compareTo(longest) > 0) {
                longest = t;
            }
            in.append(i).append('\t').append(pr.protocol().wire).append('\t').append(LabAddresses.text(pr.source()))
                    .append('\t').append(pr.sourcePort()).append('\t').append(LabAddresses.text(pr.destination()))
                    .append('\t').append(pr.port()).append('\t')
                    .append(String.format(Locale.ROOT, "%.3f", t.toNanos() / 1e9)).append('\t').append(pr.icmpType())
                    .append('\t').append(pr.icmpCode()).append('\n');
        }
        try (OutputStream os = p.getOutputStream()) {
            os.write(in.toString().getBytes(StandardCharsets.UTF_8));
        }
        Map<Integer, String[]> out = new HashMap<>();
        boolean done = false;
        // generous: the helper runs at most 256 probes at once
        long limitMs = 30_000 + longest.toMillis() * (indexes.size() / 256 + 2) * 2;
        Future<?> watchdog = WATCHDOG.schedule(() -> p.destroyForcibly(), limitMs, TimeUnit.MILLISECONDS);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals("DONE")) {
                    done = true;
                    continue;
                }
                String[] f = line.split("\t", 4);
                if (f.length == 4) {
                    out.put(Integer.parseInt(f[0]), f);
                }
            }
        } finally {
            watchdog.cancel(false);
        }
        p.waitFor(10, TimeUnit.SECONDS);
        processes.remove(p);
        if (!done) {
            throw new IllegalStateException("probe.py in " + node.namespace + " did not finish (exit "
                    + (p.isAlive() ? "none" : p.exitValue()) + "):\n" + helperErrors());
        }
        return out;
    }

    /** A listener process in one namespace, with what it saw. */
    private final class Server {
        final Node node;
        final Process process;
        final CountDownLatch ready = new CountDownLatch(1);
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final Future<?> reader;

        Server(Node node, Process process, ExecutorService pool) {
            this.node = node;
            this.process = process;
            this.reader = pool.submit(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.equals("READY")) {
                            ready.countDown();
                        } else if (line.startsWith("SEEN\t")) {
                            String[] f = line.split("\t");
                            try {
                                seen.add(seenKey(f[1], LabAddresses.parse(f[2]), Integer.parseInt(f[3]),
                                        LabAddresses.parse(f[4]), Integer.parseInt(f[5])));
                            } catch (IllegalArgumentException e) {
                                // an ICMPv6 message outside the lab's ranges (link-local neighbour discovery): no probe's
                            }
                        }
                    }
                }
                return null;
            });
        }

        void awaitReady() {
            try {
                if (!ready.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("listener in " + node.namespace + " did not start:\n"
                            + helperErrors());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        Set<String> stop() {
            try {
                process.getOutputStream().close(); // end of input: the listener exits
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                reader.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
            }
            processes.remove(process);
            return seen;
        }

        void kill() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            processes.remove(process);
        }
    }

    private Server startServer(Node node, Set<String> specs, ExecutorService pool) {
        StringBuilder addrs = new StringBuilder();
        for (InetAddress a : node.addresses) {
            addrs.append(addrs.length() == 0 ? "" : ",").append(LabAddresses.text(a));
        }
        List<String> args = new ArrayList<>(List.of("serve", addrs.toString()));
        args.addAll(specs);
        return new Server(node, startHelper(node, args), pool);
    }

    private String helperErrors() {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(workDir)) {
            for (Path f : (Iterable<Path>) s.filter(x -> x.getFileName().toString().endsWith(".err")).sorted()::iterator) {
                String text = Files.readString(f);
                if (!text.isBlank()) {
                    sb.append(f.getFileName()).append(":\n").append(text.strip()).append('\n');
                }
            }
        } catch (IOException e) {
            sb.append("(cannot read helper errors: ").append(e.getMessage()).append(")");
        }
        return sb.length() == 0 ? "(no error output)" : sb.toString();
    }

    // ------------------------------------------------------------------ cleanup

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("lab " + id + " is closed");
        }
    }

    /**
     * Ends every helper process and deletes every namespace of this lab (with them the veths,
     * addresses, routes, rulesets and connection-tracking state). Idempotent.
     *
     * @throws IllegalStateException if a namespace could not be deleted (after trying them all)
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            for (Process p : processes) {
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            processes.clear();
            List<String> failures = new ArrayList<>();
            List<String> names = namespaces();
            for (int i = names.size() - 1; i >= 0; i--) {
                String ns = names.get(i);
                killInside(ns);
                Commands.Result r = Commands.run(COMMAND_TIMEOUT, ip, "netns", "del", ns);
                if (!r.ok() && Files.exists(Path.of("/run/netns", ns))) {
                    failures.add(r.describe());
                }
            }
            deleteTree(workDir);
            if (!failures.isEmpty()) {
                throw new IllegalStateException("could not delete lab namespaces:\n" + String.join("\n", failures));
            }
        } finally {
            OPEN.remove(this);
        }
    }

    /** Ends any process still inside a namespace of ours (only helpers of ours run there). */
    private void killInside(String ns) {
        Commands.Result pids = Commands.run(COMMAND_TIMEOUT, ip, "netns", "pids", ns);
        for (String s : pids.stdout().split("\\s+")) {
            if (s.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(s)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    /** Deletes namespaces named like ours whose JVM no longer runs. Once per JVM. */
    static void sweepStale() {
        if (!SWEPT.compareAndSet(false, true)) {
            return;
        }
        String ip = KernelEnvironment.tool("ip");
        long self = ProcessHandle.current().pid();
        Commands.Result list = Commands.run(COMMAND_TIMEOUT, ip, "netns", "list");
        for (String line : list.stdout().split("\n")) {
            String name = line.trim().split("\\s+")[0];
            Matcher m = OUR_NAMESPACE.matcher(name);
            if (!m.matches()) {
                continue;
            }
            long pid = Long.parseLong(m.group(1));
            if (pid == self || ProcessHandle.of(pid).isPresent()) {
                continue;
            }
            Commands.Result pids = Commands.run(COMMAND_TIMEOUT, ip, "netns", "pids", name);
            for (String s : pids.stdout().split("\\s+")) {
                if (s.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(s)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Commands.run(COMMAND_TIMEOUT, ip, "netns", "del", name);
            System.err.println("kernel lab: removed stale namespace " + name + " (its JVM " + pid + " is gone)");
        }
    }

    @Override
    public String toString() {
        return "KernelLab[" + id + "]";
    }
}
