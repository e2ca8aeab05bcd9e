package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.check.Checker;
import io.portpolicy.check.IcmpTypes;
import io.portpolicy.cli.Main;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Host;
import io.portpolicy.model.Network;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.Setting;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code portpolicy query}, run in-process, explains its verdicts on every example policy: for
 * every host and group, packets (tcp/22, tcp/443, udp/53, ICMP echo) arriving from documentation
 * addresses outside the policy, from the first address of each of its networks and from
 * each other host, and the same packets leaving for those peers. For each answer: the packet
 * is judged at exactly the hosts owning its addresses and the groups named; the exit code
 * agrees with the printed verdict; every "decided by" names the direction's
 * default, an implicit rule, or {@code FILE:LINE:COL} where that file really has a rule of
 * the printed action; and each verdict, and what decided it, equals {@link ReferenceEvaluator}'s.
 * On a date when every example rule is live and, for policies with {@code expires}, on one after
 * the examples' expiry dates too.
 */
class QueryExplainsExamplesTest {

    private static final Path EXAMPLES = Path.of("policies-examples");
    private static final List<LocalDate> DATES = List.of(LocalDate.of(2026, 6, 1), LocalDate.of(2027, 7, 1));
    /** Peers outside every example (documentation space) and loopback, which hosts always admit. */
    private static final List<String> OUTSIDE = List.of("198.51.100.200", "2001:db8:ffff::200", "127.0.0.1");

    /** What decided the answers, per example file: a rule, an implicit rule, the default. */
    private enum By { RULE, IMPLICIT, DEFAULT }

    private static final Map<Path, Map<By, Integer>> SEEN = new ConcurrentHashMap<>();

    private static final Pattern HEADER_PORTS = Pattern.compile("^(tcp|udp) (\\S+) port (\\d+) -> (\\S+) port (\\d+)$");
    private static final Pattern HEADER_ICMP = Pattern.compile("^(icmp|icmpv6) (\\S+) -> (\\S+) type (\\S+) code (\\d+)$");
    private static final Pattern SIDE = Pattern.compile("^  (inbound|outbound) at (host|group) (\\S+): (allow|deny|reject)$");
    private static final Pattern DECIDED = Pattern.compile("^    decided by (.*)$");
    /** A default, after the place it is written, if it is. */
    private static final Pattern DEFAULT = Pattern.compile("^(?:(.+): )?default (inbound|outbound) (allow|deny|reject)$");
    private static final Pattern IMPLICIT = Pattern.compile("^implicit rule: (loopback traffic|IPv6 neighbour discovery)$");
    private static final Pattern RULE = Pattern.compile("^(.+):(\\d+):(\\d+): (.+)$");
    private static final Pattern EXPIRED = Pattern.compile("^    expired, so not compiled: (.*) would (allow|deny|reject) it$");
    private static final Pattern VERDICT = Pattern.compile("^verdict: (allow|deny|reject)$");

    /** One packet to ask about: the query's arguments but the file and date. */
    private record Ask(String from, String to, String proto, Integer port) {
        List<String> args(Path file, LocalDate today) {
            List<String> args = new ArrayList<>(List.of("query", file.toString(), "--from", from, "--to", to,
                    "--proto", proto, "--today", today.toString()));
            if (port != null) args.addAll(List.of("--port", Integer.toString(port)));
            return args;
        }
    }

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".policy")).sorted().toList();
        }
    }

    static Policy load(Path file) {
        Diagnostics diagnostics = new Diagnostics();
        Policy policy = Checker.check(file.toString(), new ByteArrayInputStream(new byte[0]), diagnostics).orElse(null);
        assertNotNull(policy, () -> file + " does not check: " + diagnostics.sorted());
        return policy;
    }

    @Test
    void everyExampleIsCoveredAndMostHaveTargets() throws IOException {
        List<Path> files = examples();
        assertTrue(files.size() >= 7, files.toString());
        long withTargets = files.stream().map(QueryExplainsExamplesTest::load)
                .filter(p -> !p.hosts().isEmpty() || !p.groups().isEmpty()).count();
        assertTrue(withTargets >= 6, "examples with hosts or groups: " + withTargets);
    }

    @TestFactory
    Stream<DynamicTest> queriesExplainTheirVerdicts() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : examples()) {
            Policy policy = load(file);
            for (String target : targets(policy)) {
                tests.add(DynamicTest.dynamicTest(file + " at " + target, () -> checkTarget(file, policy, target)));
            }
            if (targets(policy).isEmpty()) continue;
            // Dynamic tests run in order: this one sees what the queries above were decided by.
            tests.add(DynamicTest.dynamicTest(file + ": answers were decided by rules, defaults and implicit rules",
                    () -> {
                        Map<By, Integer> seen = SEEN.getOrDefault(file, Map.of());
                        assertTrue(seen.getOrDefault(By.RULE, 0) > 0, seen.toString());
                        assertTrue(seen.getOrDefault(By.DEFAULT, 0) > 0, seen.toString());
                        if (!policy.hosts().isEmpty()) assertTrue(seen.getOrDefault(By.IMPLICIT, 0) > 0, seen.toString());
                    }));
        }
        return tests.stream();
    }

    private static List<String> targets(Policy policy) {
        List<String> names = new ArrayList<>(policy.hosts().keySet().stream().sorted().toList());
        names.addAll(policy.groups().keySet().stream().sorted().toList());
        return names;
    }

    private static void checkTarget(Path file, Policy policy, String target) {
        int asked = 0;
        boolean expires = policy.rules().stream().anyMatch(r -> r.options().expires() != null);
        for (LocalDate today : expires ? DATES : DATES.subList(0, 1)) {
            ReferenceEvaluator reference = new ReferenceEvaluator(policy, today);
            for (Ask ask : asks(policy, target)) {
                check(file, policy, reference, today, ask)
                        .forEach(by -> SEEN.computeIfAbsent(file, f -> new ConcurrentHashMap<>()).merge(by, 1, Integer::sum));
                asked++;
            }
        }
        assertTrue(asked >= 8, "only " + asked + " queries at " + target);
    }

    /** Packets into the target from every peer, and out of it to every peer. */
    private static List<Ask> asks(Policy policy, String target) {
        List<String> peers = new ArrayList<>(OUTSIDE);
        policy.hosts().keySet().stream().sorted().filter(h -> !h.equals(target)).forEach(peers::add);
        for (Network network : policy.networks().values().stream()
                .sorted((a, b) -> a.name().compareTo(b.name())).toList()) {
            peers.add(network.blocks().get(0).range().getLower().toCanonicalString());
        }
        List<Ask> asks = new ArrayList<>();
        for (String peer : new LinkedHashSet<>(peers)) {
            asks.addAll(packets(policy, peer, target));
            asks.addAll(packets(policy, target, peer));
        }
        return asks;
    }

    private static List<Ask> packets(Policy policy, String from, String to) {
        Set<Family> shared = families(policy, from);
        shared.retainAll(families(policy, to));
        List<Ask> asks = new ArrayList<>();
        if (shared.isEmpty()) return asks;
        for (int port : new int[] {22, 443}) asks.add(new Ask(from, to, "tcp", port));
        asks.add(new Ask(from, to, "udp", 53));
        if (shared.contains(Family.IPV4)) asks.add(new Ask(from, to, "icmp", null));
        if (shared.contains(Family.IPV6)) asks.add(new Ask(from, to, "icmpv6", null));
        return asks;
    }

    private static Set<Family> families(Policy policy, String end) {
        Set<Family> families = EnumSet.noneOf(Family.class);
        List<IPAddressSeqRange> ranges;
        if (policy.hosts().containsKey(end)) ranges = Target.of(policy.hosts().get(end)).addresses();
        else if (policy.groups().containsKey(end)) ranges = Target.of(policy.groups().get(end)).addresses();
        else ranges = List.of(new IPAddressString(end).getAddress().toSequentialRange());
        for (IPAddressSeqRange range : ranges) families.add(range.getLower().isIPv4() ? Family.IPV4 : Family.IPV6);
        return families;
    }

    /** Runs one query and checks its answer; returns what decided each side. */
    private static List<By> check(Path file, Policy policy, ReferenceEvaluator reference, LocalDate today, Ask ask) {
        List<String> args = ask.args(file, today);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
        String printed = out.toString(StandardCharsets.UTF_8);
        String context = "portpolicy " + String.join(" ", args) + "\nexit " + exit + "\n" + printed
                + err.toString(StandardCharsets.UTF_8);
        assertTrue(exit == Main.OK || exit == Main.FINDINGS, context);
        assertEquals("", err.toString(StandardCharsets.UTF_8), context);

        String[] lines = printed.split("\n");
        assertTrue(lines.length >= 4, context);
        Packet packet = packet(lines[0], context);
        // Every rule in force, expired or not: which expired rule the answer must name.
        ReferenceEvaluator everyRule = new ReferenceEvaluator(policy, LocalDate.MIN);

        Action overall = Action.ALLOW;
        List<By> decidedBy = new ArrayList<>();
        List<String> places = new ArrayList<>();
        int i = 1;
        while (i + 1 < lines.length) {
            Matcher side = SIDE.matcher(lines[i]);
            Matcher decided = DECIDED.matcher(lines[i + 1]);
            i += 2;
            assertTrue(side.matches() && decided.matches(), () -> "unexpected lines in\n" + context);
            Direction direction = Direction.valueOf(side.group(1).toUpperCase(Locale.ROOT));
            boolean group = side.group(2).equals("group");
            Action action = action(side.group(4));
            ReferenceEvaluator.At at = new ReferenceEvaluator.At(side.group(3), group);
            ReferenceEvaluator.Decision expected = reference.decide(at, direction, packet);
            assertEquals(expected.action(), action, () -> "verdict differs from the reference in\n" + context);
            decidedBy.add(checkReason(policy, decided.group(1), direction, action, expected, context));
            ReferenceEvaluator.Decision unexpired = everyRule.decide(at, direction, packet);
            boolean expiredDecidesOtherwise = unexpired.ruleIndex() >= 0
                    && policy.rules().get(unexpired.ruleIndex()).expiredOn(today) && unexpired.action() != action;
            Matcher expired = EXPIRED.matcher(i < lines.length ? lines[i] : "");
            assertEquals(expiredDecidesOtherwise, expired.matches(),
                    () -> "an expired rule deciding otherwise is named exactly when there is one, in\n" + context);
            if (expired.matches()) {
                Rule rule = policy.rules().get(unexpired.ruleIndex());
                assertEquals(rule.location() + ": " + rule.text(), expired.group(1), context);
                assertEquals(unexpired.action(), action(expired.group(2)), context);
                i++;
            }
            if (overall == Action.ALLOW) overall = action;
            places.add(side.group(1) + " at " + side.group(2) + " " + side.group(3));
        }
        assertEquals(placesJudging(policy, packet, ask), places, context);

        Matcher verdict = VERDICT.matcher(lines[lines.length - 1]);
        assertTrue(verdict.matches(), context);
        Action printedVerdict = action(verdict.group(1));
        assertEquals(overall, printedVerdict, () -> "overall verdict is not the first refusal in\n" + context);
        assertEquals(printedVerdict == Action.ALLOW ? Main.OK : Main.FINDINGS, exit,
                () -> "exit code does not match the verdict in\n" + context);
        return decidedBy;
    }

    /**
     * Where the packet must be judged: outbound at the host owning its source and at a group
     * given as --from, inbound at the host owning its destination and at a group given as --to.
     */
    private static List<String> placesJudging(Policy policy, Packet packet, Ask ask) {
        List<String> places = new ArrayList<>();
        ownerOf(policy, packet.source()).ifPresent(host -> places.add("outbound at host " + host));
        if (policy.groups().containsKey(ask.from())) places.add("outbound at group " + ask.from());
        ownerOf(policy, packet.destination()).ifPresent(host -> places.add("inbound at host " + host));
        if (policy.groups().containsKey(ask.to())) places.add("inbound at group " + ask.to());
        return places;
    }

    private static Optional<String> ownerOf(Policy policy, IPAddress address) {
        return policy.hosts().values().stream()
                .filter(h -> h.addresses().stream().anyMatch(a -> a.withoutPrefixLength().equals(address)))
                .map(Host::name).findFirst();
    }

    private static By checkReason(Policy policy, String reason, Direction direction, Action action,
                                    ReferenceEvaluator.Decision expected, String context) {
        Matcher byDefault = DEFAULT.matcher(reason);
        Matcher implicit = IMPLICIT.matcher(reason);
        Matcher rule = RULE.matcher(reason);
        if (byDefault.matches()) {
            Setting<Action> written = policy.settings().defaultSetting(direction);
            assertEquals(written.written() ? written.location().toString() : null, byDefault.group(1), context);
            assertEquals(direction.keyword(), byDefault.group(2), context);
            assertEquals(written.value(), action(byDefault.group(3)), context);
            assertEquals(action, action(byDefault.group(3)), context);
            assertEquals(-2, expected.ruleIndex(), () -> "the reference says a rule decided, in\n" + context);
            return By.DEFAULT;
        } else if (implicit.matches()) {
            assertEquals(Action.ALLOW, action, context);
            assertEquals(-1, expected.ruleIndex(), () -> "the reference says no implicit rule decided, in\n" + context);
            return By.IMPLICIT;
        } else if (rule.matches()) {
            Path source = Path.of(rule.group(1));
            int line = Integer.parseInt(rule.group(2));
            int column = Integer.parseInt(rule.group(3));
            List<String> text;
            try {
                text = Files.readAllLines(source, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AssertionError("'decided by' names a file that cannot be read: " + source + "\n" + context, e);
            }
            assertTrue(line >= 1 && line <= text.size(), context);
            String written = text.get(line - 1);
            assertTrue(column >= 1 && column <= written.length(), context);
            String fromKeyword = written.substring(column - 1);
            assertTrue(fromKeyword.startsWith(action.keyword() + " "),
                    () -> source + ":" + line + ":" + column + " is not a rule with action " + action.keyword()
                            + ": '" + written + "'\n" + context);
            assertTrue(expected.ruleIndex() >= 0, () -> "the reference says no rule decided, in\n" + context);
            Rule decider = policy.rules().get(expected.ruleIndex());
            assertEquals(decider.location().line(), line, () -> "a different rule decided, in\n" + context);
            assertEquals(decider.location().column(), column, context);
            assertEquals(source.toAbsolutePath().normalize(),
                    Path.of(decider.location().path()).toAbsolutePath().normalize(), context);
            assertEquals(decider.text(), rule.group(4), context);
            return By.RULE;
        } else {
            return fail("'decided by " + reason + "' is neither a default, an implicit rule nor a rule location:\n"
                    + context);
        }
    }

    private static Packet packet(String header, String context) {
        Matcher ports = HEADER_PORTS.matcher(header);
        if (ports.matches()) {
            return new Packet(address(ports.group(2)), address(ports.group(4)), protocol(ports.group(1)).number(),
                    Integer.parseInt(ports.group(3)), Integer.parseInt(ports.group(5)), 0, 0);
        }
        Matcher icmp = HEADER_ICMP.matcher(header);
        assertTrue(icmp.matches(), () -> "unexpected first line in\n" + context);
        Protocol protocol = protocol(icmp.group(1));
        Integer type = IcmpTypes.number(protocol, icmp.group(4));
        return new Packet(address(icmp.group(2)), address(icmp.group(3)), protocol.number(), 0, 0,
                type != null ? type : Integer.parseInt(icmp.group(4)), Integer.parseInt(icmp.group(5)));
    }

    private static IPAddress address(String text) {
        IPAddress address = new IPAddressString(text).getAddress();
        assertNotNull(address, text);
        assertFalse(address.isMultiple(), text);
        return address;
    }

    private static Protocol protocol(String keyword) {
        return Protocol.valueOf(keyword.toUpperCase(Locale.ROOT));
    }

    private static Action action(String keyword) {
        for (Action action : Action.values()) if (action.keyword().equals(keyword)) return action;
        throw new AssertionError("not an action: " + keyword);
    }
}
