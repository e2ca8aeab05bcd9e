package io.portpolicy.diag;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever text it is given, lint answers with diagnostics: exit 0 or 2, no exception, no
 * stack trace, in bounded time. Inputs are grammar-shaped policies and valid examples, mutated
 * at the token and character level, extreme sizes and nesting, and random YAML inventories.
 */
class RobustnessPropertyTest {

    /** Generous for one small input; a hang or quadratic blow-up takes far longer. */
    private static final Duration BOUND = Duration.ofSeconds(10);

    private static Path base;

    @BeforeContainer
    static void createBase() throws IOException {
        base = Files.createTempDirectory("portpolicy-fuzz");
    }

    @AfterContainer
    static void deleteBase() throws IOException {
        try (Stream<Path> paths = Files.walk(base)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    // ---- properties ---------------------------------------------------------------

    @Property(tries = 1000)
    void mutatedPoliciesOnlyEverGiveDiagnostics(@ForAll("policies") String policy,
                                                @ForAll("mutations") List<Mutation> mutations,
                                                @ForAll("policies") String included) throws IOException {
        String mutated = policy;
        for (Mutation m : mutations) mutated = m.apply(mutated);
        assertOnlyDiagnostics(mutated, included, "hosts: {}\n");
    }

    /** The shipped examples, truncated and mutated: real policies' shapes, not only generated ones. */
    @Property(tries = 300)
    void mutatedShippedExamplesOnlyEverGiveDiagnostics(@ForAll("shippedExamples") String policy,
                                                       @ForAll("mutations") List<Mutation> mutations) throws IOException {
        String mutated = policy;
        for (Mutation m : mutations) mutated = m.apply(mutated);
        assertOnlyDiagnostics(mutated, "", "hosts: {}\n");
    }

    @Property(tries = 600)
    void randomInventoriesOnlyEverGiveDiagnostics(@ForAll("inventories") String yaml,
                                                  @ForAll("mutations") List<Mutation> mutations) throws IOException {
        String mutated = yaml;
        for (Mutation m : mutations) mutated = m.apply(mutated);
        assertOnlyDiagnostics("import \"inv.yaml\"\nhost jumphost = 10.0.0.5\n"
                + "allow ssh from admins to web1\n", "", mutated);
    }

    @Property(tries = 40)
    void extremeSizesOnlyEverGiveDiagnostics(@ForAll("extremes") String policy) throws IOException {
        assertOnlyDiagnostics(policy, "", "hosts: {}\n");
    }

    @Property(tries = 20)
    void extremeInventoriesOnlyEverGiveDiagnostics(@ForAll("extremeInventories") String yaml) throws IOException {
        assertOnlyDiagnostics("import \"inv.yaml\"\n", "", yaml);
    }

    /** Lints main.policy; other.policy and inv.yaml are there for includes and imports to find. */
    static void assertOnlyDiagnostics(String main, String other, String yaml) throws IOException {
        Path dir = Files.createTempDirectory(base, "t");
        // getBytes, unlike writeString, accepts lone surrogates (writing them as '?').
        Files.write(dir.resolve("main.policy"), main.getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("other.policy"), other.getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("inv.yaml"), yaml.getBytes(StandardCharsets.UTF_8));
        CliRun run = assertTimeoutPreemptively(BOUND,
                () -> CliRun.run(false, "lint", dir.resolve("main.policy").toString()),
                () -> "lint did not finish within " + BOUND + " on:\n" + main);
        String context = "exit " + run.exit() + ", stderr:\n" + run.err() + "\ninput:\n" + main + "\nyaml:\n" + yaml;
        // 1 is lint's findings exit: a mutation such as "default inbound allow" has real findings.
        assertTrue(run.exit() == 0 || run.exit() == 1 || run.exit() == 2, context);
        assertFalse(run.err().contains("Exception"), context);
        assertFalse(run.err().contains("at io.portpolicy"), context);
        assertFalse(run.err().contains("internal error"), context);
        // Every failure is explained by at least one located error.
        if (run.exit() == 2) assertTrue(run.err().contains(": error: "), context);
    }

    // ---- policies -----------------------------------------------------------------

    private static final List<String> EXAMPLES = List.of("""
            host jumphost = 10.0.0.5
            host web1 = 10.0.1.11, 2001:db8:1::11 os linux
            host web2 = 10.0.1.12 os linux
            network office = 192.0.2.0/24, 2001:db8:10::/48
            network partners = 198.51.100.10-198.51.100.20
            group web = web1, web2
            group admins = jumphost, office
            service app = tcp/8080-8081, udp/9000
            """, """
            default inbound deny
            default outbound allow
            stateless
            ephemeral 49152-65535
            include "other.policy"
            import "inv.yaml"
            """, """
            allow tcp/443 from any to web
            allow https from any to web
            allow tcp/22 from jumphost
            allow ssh, https from admins to web
            deny tcp/23 from any to any
            reject tcp/25 from any except office to web
            allow udp/53 from self to 192.0.2.53
            allow tcp/{80,443,8000-8100} from office to web
            allow icmp/echo-request from office
            allow icmpv6 from any
            allow any from jumphost to web
            allow tcp from any port 443 to self port ephemeral
            allow tcp/8080 from partners to web expires 2026-12-31 owner "payments" ticket "OPS-123" comment "load test"
            allow tcp/3389 from office to web waive PP102 "vendor support, reviewed by security" until 2027-01-31
            allow tcp/443 from any to web log "web-in"
            allow icmp/{3:4, 0, 8} from any; deny icmpv6/135 to self
            """);

    private static Arbitrary<String> names() {
        return Arbitraries.oneOf(
                Arbitraries.of("web1", "web2", "web", "jumphost", "jumphots", "office", "admins", "app", "dns",
                        "ssh", "https", "partners", "PP102", "a.b-c_d", "any", "self", "from", "host"),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12));
    }

    private static Arbitrary<String> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 70000).map(String::valueOf),
                Arbitraries.of("0", "65535", "65536", "255", "256", "00", "2147483648", "99999999999999999999",
                        "1" + "0".repeat(400)));
    }

    private static Arbitrary<String> addresses() {
        Arbitrary<String> octets = Arbitraries.integers().between(0, 300).map(String::valueOf);
        Arbitrary<String> ipv4 = octets.list().ofMinSize(1).ofMaxSize(6).map(l -> String.join(".", l));
        return Arbitraries.oneOf(ipv4, names(), Arbitraries.of(
                "10.0.0.5", "10.0.0.256", "010.0.0.1", "2001:db8::1", "2001:db8::1::2", "::", "::ffff:10.0.0.1",
                "fe80::1", "1:2:3:4:5:6:7:8:9", "192.0.2.0/24", "192.0.2.0/33", "2001:db8::/129", "0.0.0.0/0",
                "10.0.0.9-10.0.0.1", "10.0.0.1-2001:db8::1", "198.51.100.10-198.51.100.20", "any", "any4", "any6",
                "self", "10.0.0.0/99999999999", "1.2.3.4.5", "::/0", ":::", "1:2"));
    }

    private static Arbitrary<String> services() {
        Arbitrary<String> proto = Arbitraries.of("tcp", "udp", "icmp", "icmpv6");
        Arbitrary<String> ports = Arbitraries.oneOf(numbers(),
                Combinators.combine(numbers(), numbers()).as((a, b) -> a + "-" + b),
                numbers().list().ofMinSize(1).ofMaxSize(4).map(l -> "{" + String.join(", ", l) + "}"),
                Arbitraries.of("ephemeral", "echo-request", "3:4", "echo-reply:0", "bogus", "{ephemeral, 22}"));
        return Arbitraries.oneOf(
                Combinators.combine(proto, ports).as((p, n) -> p + "/" + n), proto, names(),
                Arbitraries.of("any", "ssh", "https", "htps"));
    }

    private static Arbitrary<String> list(Arbitrary<String> items) {
        return items.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(", ", l));
    }

    private static Arbitrary<String> statements() {
        Arbitrary<String> action = Arbitraries.of("allow", "deny", "reject");
        Arbitrary<String> host = Combinators.combine(names(), list(addresses()),
                        Arbitraries.of("", " os linux", " os linx", " os windows", " os"))
                .as((n, a, os) -> "host " + n + " = " + a + os);
        Arbitrary<String> set = Combinators.combine(Arbitraries.of("network", "group"), names(), list(addresses()))
                .as((k, n, m) -> k + " " + n + " = " + m);
        Arbitrary<String> service = Combinators.combine(names(), list(services()))
                .as((n, s) -> "service " + n + " = " + s);
        Arbitrary<String> endpoint = Combinators.combine(list(addresses()),
                        Arbitraries.oneOf(Arbitraries.just(""), list(addresses()).map(a -> " except " + a)),
                        Arbitraries.oneOf(Arbitraries.just(""), services().map(p -> " port " + p)))
                .as((a, e, p) -> a + e + p);
        Arbitrary<String> option = Arbitraries.oneOf(
                Arbitraries.of("log", "log \"in\"", "comment \"x\"", "owner \"o\"", "ticket \"T-1\"",
                        "expires 2026-12-31", "expires 2026-02-30", "expires 9999999-1-1", "comment \"a\\qb\"",
                        "waive PP102 \"r\" until 2027-01-31", "waive PP1", "comment \"unterminated"));
        Arbitrary<String> rule = Combinators.combine(action, list(services()),
                        Arbitraries.oneOf(Arbitraries.just(""), endpoint.map(e -> " from " + e)),
                        Arbitraries.oneOf(Arbitraries.just(""), endpoint.map(e -> " to " + e)),
                        option.list().ofMaxSize(3).map(l -> l.isEmpty() ? "" : " " + String.join(" ", l)))
                .as((a, s, f, t, o) -> a + " " + s + f + t + o);
        Arbitrary<String> setting = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of("inbound", "outbound", "sideways"), action)
                        .as((d, a) -> "default " + d + " " + a),
                Arbitraries.of("stateless", "include \"other.policy\"", "include \"main.policy\"",
                        "include \"nope.policy\"", "include \"inv.yaml\"", "import \"inv.yaml\"",
                        "import \"other.policy\"", "include \"\"", "include \".\"", "import \"/\""),
                Combinators.combine(numbers(), numbers()).as((a, b) -> "ephemeral " + a + "-" + b));
        return Arbitraries.frequencyOf(List.of(
                Tuple.of(4, rule), Tuple.of(2, host), Tuple.of(2, set), Tuple.of(1, service), Tuple.of(1, setting)));
    }

    @Provide
    Arbitrary<String> policies() {
        Arbitrary<String> generated = statements().list().ofMaxSize(10)
                .flatMap(l -> Arbitraries.of(";\n", "\n", " ", "; ").map(sep -> String.join(sep, l)));
        return Arbitraries.oneOf(generated, Arbitraries.of(EXAMPLES),
                Combinators.combine(Arbitraries.of(EXAMPLES), generated).as((e, g) -> e + g));
    }

    @Provide
    Arbitrary<String> shippedExamples() throws IOException {
        List<String> texts = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("policies-examples"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".policy")).sorted().toList()) {
                texts.add(Files.readString(file));
            }
        }
        return Arbitraries.of(texts);
    }

    // ---- mutations ----------------------------------------------------------------

    /** One edit of the text; positions are taken modulo its length so every edit applies. */
    record Mutation(int kind, int position, int other, String text) {

        String apply(String s) {
            List<int[]> words = words(s);
            switch (kind) {
                case 0: // truncate
                    return s.substring(0, position % (s.length() + 1));
                case 1: { // insert text anywhere, even inside a word
                    int at = position % (s.length() + 1);
                    return s.substring(0, at) + text + s.substring(at);
                }
                case 2: // delete a word
                    if (words.isEmpty()) return s;
                    return cut(s, words.get(position % words.size()), "");
                case 3: { // duplicate a word
                    if (words.isEmpty()) return s;
                    int[] w = words.get(position % words.size());
                    return s.substring(0, w[1]) + " " + s.substring(w[0], w[1]) + s.substring(w[1]);
                }
                case 4: { // swap two words
                    if (words.size() < 2) return s;
                    int[] a = words.get(position % words.size());
                    int[] b = words.get(other % words.size());
                    if (a[0] > b[0]) { int[] t = a; a = b; b = t; }
                    if (a[0] == b[0]) return s;
                    return s.substring(0, a[0]) + s.substring(b[0], b[1]) + s.substring(a[1], b[0])
                            + s.substring(a[0], a[1]) + s.substring(b[1]);
                }
                case 5: // replace a word
                    if (words.isEmpty()) return s;
                    return cut(s, words.get(position % words.size()), text);
                case 6: { // remove a single character (a quote, a brace, a comma...)
                    if (s.isEmpty()) return s;
                    int at = position % s.length();
                    return s.substring(0, at) + s.substring(at + 1);
                }
                default: // repeat a slice many times: long lines, deep braces, many errors
                    if (s.isEmpty()) return text.repeat(other % 3000 + 1);
                    int at = position % s.length();
                    int end = Math.min(s.length(), at + 1 + other % 20);
                    return s.substring(0, end) + s.substring(at, end).repeat(other % 3000 + 1) + s.substring(end);
            }
        }

        private static String cut(String s, int[] word, String replacement) {
            return s.substring(0, word[0]) + replacement + s.substring(word[1]);
        }

        /** Start and end of each run of non-blank characters. */
        private static List<int[]> words(String s) {
            List<int[]> words = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
                int start = i;
                while (i < s.length() && !Character.isWhitespace(s.charAt(i))) i++;
                if (i > start) words.add(new int[] {start, i});
            }
            return words;
        }
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<String> text = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(8),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(8),
                Arbitraries.of("\"", "{", "}", ",", ";", "=", "/", "-", ":", "::", "#", "\\", "\n", "\r\n", "\t",
                        "\uFEFF", "\u00A0", "\uD83D\uDE00", "\uD800", "é", "99999999999999999999", "from", "to",
                        "port", "except", "ephemeral", "include \"main.policy\"", "{{{{", "host", "allow"),
                names(), numbers(), addresses());
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.integers().between(0, 7),
                        Arbitraries.integers().between(0, 100_000), Arbitraries.integers().between(0, 100_000), text)
                .as(Mutation::new);
        return mutation.list().ofMaxSize(4);
    }

    // ---- extremes -----------------------------------------------------------------

    @Provide
    Arbitrary<String> extremes() {
        Arbitrary<Integer> n = Arbitraries.integers().between(1, 8_000);
        return Arbitraries.oneOf(
                // Deep group and service chains, acyclic and closed into a cycle.
                Combinators.combine(n, Arbitraries.of(true, false)).as((k, cyclic) -> chain("group g", k, cyclic,
                        "10.0.0.1") + "allow ssh from g0\n"),
                Combinators.combine(n, Arbitraries.of(true, false)).as((k, cyclic) -> chain("service s", k, cyclic,
                        "tcp/22") + "allow s0 from any\n"),
                // Each service naming the next twice: expanding it naively doubles at each level.
                n.map(k -> chain("service s", Math.min(k, 200), false, "tcp/22").replaceAll("= (s\\d+)", "= $1, $1")
                        + "allow s0 from any\n"),
                // Very long lines and words.
                n.map(k -> "allow tcp/22 from " + "10.0.0.1, ".repeat(k) + "10.0.0.2\n"),
                n.map(k -> "allow tcp/{" + "1, ".repeat(k) + "2}\n"),
                n.map(k -> "host " + "h".repeat(k * 10) + " = 10.0.0.1\nallow ssh from " + "h".repeat(k * 10 - 1)),
                n.map(k -> "allow tcp/" + "9".repeat(k) + "\n"),
                n.map(k -> "allow tcp/22 comment \"" + "\\\\".repeat(k) + "\"\n"),
                n.map(k -> "host web1 = " + "1.".repeat(k) + "1\n"),
                n.map(k -> "host web1 = " + "1:".repeat(k) + ":1\n"),
                // Deep nesting the grammar does not have, and many broken statements.
                n.map(k -> "allow tcp/" + "{".repeat(k) + "22" + "}".repeat(k) + "\n"),
                n.map(k -> "allow tcp/22 from any @\n".repeat(k)),
                n.map(k -> "form ".repeat(k)),
                n.map(k -> "\"".repeat(k)),
                n.map(k -> "host h" + k + " = 10.0.0.1\n".repeat(Math.min(k, 3000))));
    }

    /** {@code prefix0 = prefix1, ..., prefixK = leaf}, or {@code = prefix0} to close a cycle. */
    private static String chain(String prefix, int length, boolean cyclic, String leaf) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) out.append(prefix).append(i).append(" = ").append(prefix.substring(prefix.indexOf(' ') + 1)).append(i + 1).append('\n');
        out.append(prefix).append(length).append(" = ").append(cyclic ? prefix.substring(prefix.indexOf(' ') + 1) + "0" : leaf).append('\n');
        return out.toString();
    }

    // ---- inventories --------------------------------------------------------------

    @Provide
    Arbitrary<String> inventories() {
        Arbitrary<String> scalar = Arbitraries.oneOf(addresses(), names(), numbers(),
                Arbitraries.of("null", "~", "''", "\"\"", "true", "linux", "linx", "[]", "{}", "&a x", "*a", "!!binary AA==",
                        "\"10.0.1.11\"", "'web'", "|\n  text", "? complex"));
        Arbitrary<String> flowList = scalar.list().ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]");
        Arbitrary<String> value = Arbitraries.oneOf(scalar, flowList);
        Arbitrary<String> hostField = Combinators.combine(Arbitraries.of("addresses", "os", "groups", "role", "addresses"),
                value).as((k, v) -> k + ": " + v);
        Arbitrary<String> host = Combinators.combine(names(), hostField.list().ofMaxSize(4),
                        Arbitraries.of(true, false))
                .as((n, fields, flow) -> flow
                        ? "  " + n + ": { " + String.join(", ", fields) + " }\n"
                        : "  " + n + ":\n" + fields.stream().map(f -> "    " + f + "\n").reduce("", String::concat));
        Arbitrary<String> group = Combinators.combine(names(), value).as((n, v) -> "  " + n + ": " + v + "\n");
        Arbitrary<String> section = Arbitraries.oneOf(
                host.list().ofMaxSize(4).map(l -> "hosts:\n" + String.join("", l)),
                group.list().ofMaxSize(4).map(l -> "groups:\n" + String.join("", l)),
                Combinators.combine(Arbitraries.of("hosts", "groups", "extra", "hosts"), value)
                        .as((k, v) -> k + ": " + v + "\n"),
                Arbitraries.of("- a\n- b\n", "just text\n", "---\n", "...\n", "hosts: &h {a: {addresses: [10.0.0.1]}}\n"
                        + "groups: *h\n", "%YAML 1.2\n---\n", "hosts:\n\tweb1: {}\n", "key: [unclosed\n"));
        return section.list().ofMaxSize(4).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<String> extremeInventories() {
        Arbitrary<Integer> n = Arbitraries.integers().between(1, 8_000);
        return Arbitraries.oneOf(
                n.map(k -> "hosts: " + "[".repeat(k) + "]".repeat(k) + "\n"),
                n.map(k -> "hosts: " + "{a: ".repeat(k) + "b" + "}".repeat(k) + "\n"),
                n.map(k -> "groups:\n  g: [" + "10.0.0.1, ".repeat(k) + "x]\n"),
                n.map(k -> "hosts:\n" + "  h: {addresses: [10.0.0.1]}\n".repeat(Math.min(k, 2000))),
                n.map(k -> "a: &a [x, x]\n" + "b: &b [*a, *a]\n".repeat(Math.min(k, 60))),
                n.map(k -> "hosts:\n  " + "h".repeat(k * 10) + ": {addresses: [10.0.0.1]}\n"));
    }
}
