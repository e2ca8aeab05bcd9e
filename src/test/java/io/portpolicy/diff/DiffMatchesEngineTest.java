package io.portpolicy.diff;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Packet;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.testing.RandomPolicies;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * diff(A, B) is empty exactly when the engine says A and B decide every packet alike at every
 * target, for random A and B = A mutated in ways that keep the objects and address literals
 * (so both engines cut the address space alike and their canonical descriptions compare
 * directly): same-action runs reordered (always equivalent), two neighbours swapped, an action
 * flipped, a default changed. Every reported block is also checked on one of its packets: the
 * two engines decide it as the diff says.
 */
class DiffMatchesEngineTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);

    static Policy check(String text) {
        Diagnostics diagnostics = new Diagnostics();
        Policy policy = Checker.check("-", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), diagnostics)
                .orElse(null);
        assertTrue(policy != null, () -> "policy does not check:\n" + text + "\n" + diagnostics.sorted());
        return policy;
    }

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void emptyExactlyWhenEquivalent(@ForAll long seed) {
        String a = new RandomPolicies(seed).policy();
        Random random = new Random(seed);
        int kind = random.nextInt(5);
        String b = mutate(a, kind, random);
        Policy pa = check(a);
        Policy pb = check(b);
        List<PolicyDiff.Change> changes = PolicyDiff.access(pa, pb, TODAY);
        EffectivePolicy ea = EffectivePolicy.of(pa, TODAY);
        EffectivePolicy eb = EffectivePolicy.of(pb, TODAY);
        boolean equivalent = equivalent(ea, eb);
        assertEquals(equivalent, changes.isEmpty(), () -> "mutation " + kind + "\nA:\n" + a + "\nB:\n" + b);
        if (kind == 0 || kind == 4) assertTrue(equivalent, () -> "reordering same-action rules changed access\n" + a + "\n" + b);
        assertEachBlockAsTheEnginesDecide(changes, ea, eb, a + "\n" + b);
    }

    /**
     * A host added (B) or removed (A against B) changes what is judged at that host only: the
     * diff in one direction reports the same packets as the diff in the other, with before and
     * after swapped, and every block is decided by the two engines as it says. The two sides'
     * hosts then differ, so their shared spaces hold atoms one side's targets do not own.
     */
    @Property(tries = 150, shrinking = ShrinkingMode.OFF)
    void addingAHostMirrorsRemovingIt(@ForAll long seed) {
        String a = new RandomPolicies(seed).policy();
        String b = withNewHost(a, new Random(seed));
        Policy pa = check(a);
        Policy pb = check(b);
        EffectivePolicy ea = EffectivePolicy.of(pa, TODAY);
        EffectivePolicy eb = EffectivePolicy.of(pb, TODAY);
        List<PolicyDiff.Change> added = PolicyDiff.access(pa, pb, TODAY);
        List<PolicyDiff.Change> removed = PolicyDiff.access(pb, pa, TODAY);
        String policies = "A:\n" + a + "\nB:\n" + b;
        assertEachBlockAsTheEnginesDecide(added, ea, eb, policies);
        assertEachBlockAsTheEnginesDecide(removed, eb, ea, policies);
        assertEachBlockMirrored(added, removed, policies);
        assertEachBlockMirrored(removed, added, policies);
    }

    /** A host added beside an existing one changes nothing at the existing one, IPv4 or IPv6, in a group or not. */
    @Example
    void anAddedHostChangesNothingAtTheOthers() {
        String before = "host web1 = 10.0.1.11, 2001:db8::11\nallow https from any to 10.0.1.11, 2001:db8::11\n";
        for (String added : List.of("host web2 = 10.0.5.5\n", "host web2 = 2001:db8::12\n",
                "host web2 = 10.0.5.5\ngroup web = web1, web2\n")) {
            String after = before + added;
            for (boolean reversed : new boolean[] {false, true}) {
                List<PolicyDiff.Change> changes = reversed ? PolicyDiff.access(check(after), check(before), TODAY)
                        : PolicyDiff.access(check(before), check(after), TODAY);
                assertTrue(changes.stream().noneMatch(c -> c.target().name().equals("web1")),
                        () -> after + changes);
            }
        }
    }

    /** A new host, at addresses no host of the random policy has, sometimes joining a group. */
    private static String withNewHost(String text, Random random) {
        List<String> addresses = new ArrayList<>();
        boolean v4 = random.nextInt(4) != 0;
        if (v4) addresses.add("10.0.0." + (64 + random.nextInt(8)));
        if (!v4 || random.nextBoolean()) addresses.add("2001:db8::" + Integer.toHexString(64 + random.nextInt(8)));
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        lines.add(0, "host added = " + String.join(", ", addresses));
        List<Integer> groups = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("group ")) groups.add(i);
        if (!groups.isEmpty() && random.nextBoolean()) {
            int at = groups.get(random.nextInt(groups.size()));
            lines.set(at, lines.get(at) + ", added");
        }
        return String.join("\n", lines) + "\n";
    }

    /** A packet of every block of {@code changes} lies in a block of {@code mirror} there, actions swapped. */
    private static void assertEachBlockMirrored(List<PolicyDiff.Change> changes, List<PolicyDiff.Change> mirror,
                                                String policies) {
        for (PolicyDiff.Change change : changes) {
            for (Cube cube : change.cubes()) {
                Cube point = point(cube);
                assertTrue(mirror.stream().anyMatch(m -> m.target().name().equals(change.target().name())
                                && m.target().isGroup() == change.target().isGroup()
                                && m.direction() == change.direction()
                                && m.before().action() == change.after().action()
                                && m.after().action() == change.before().action()
                                && m.cubes().stream().anyMatch(c -> c.intersect(point) != null)),
                        () -> change.target().name() + " " + change.direction() + " " + point + "\n" + policies);
            }
        }
    }

    /** The block's first packet, as a block of its own. */
    private static Cube point(Cube cube) {
        return new Cube(cube.family(), first(cube.protocols()), first(cube.destinationPorts()),
                first(cube.sourcePorts()), first(cube.icmpTypes()), first(cube.icmpCodes()),
                List.of(cube.peers().get(0).getLower().toSequentialRange(cube.peers().get(0).getLower())),
                List.of(cube.owns().get(0).getLower().toSequentialRange(cube.owns().get(0).getLower())));
    }

    private static List<ValueRange> first(List<ValueRange> ranges) {
        return List.of(new ValueRange(ranges.get(0).low(), ranges.get(0).low()));
    }

    /** Every reported block, on one of its packets, is decided by the two engines as the diff says. */
    private static void assertEachBlockAsTheEnginesDecide(List<PolicyDiff.Change> changes, EffectivePolicy ea,
                                                          EffectivePolicy eb, String policies) {
        for (PolicyDiff.Change change : changes) {
            for (Cube cube : change.cubes()) {
                Packet packet = packet(cube, change.direction());
                Action before = action(ea, change, packet);
                Action after = action(eb, change, packet);
                String where = change.target().name() + " " + change.direction() + " " + packet + "\n" + policies;
                assertEquals(change.before().action(), before, where);
                assertEquals(change.after().action(), after, where);
                assertNotEquals(before, after, where);
            }
        }
    }

    /**
     * What the policy does with the packet at the change's target, or null when it does not judge
     * it there: it has no such target (of that kind), or the packet's own address is not the target's.
     */
    private static Action action(EffectivePolicy effective, PolicyDiff.Change change, Packet packet) {
        IPAddress own = change.direction() == Direction.INBOUND ? packet.destination() : packet.source();
        return effective.target(change.target().name())
                .filter(target -> target.isGroup() == change.target().isGroup() && target.owns(own))
                .map(target -> effective.decide(target, change.direction(), packet).action()).orElse(null);
    }

    /**
     * A host that becomes a group of the same name and addresses, or the reverse: they are two
     * targets, each judged on one side only, so what the host admitted closes (or opens) at the
     * host, and the group is compared with nothing.
     */
    @Example
    void aHostThatBecomesAGroupIsCompared() {
        String preamble = "default outbound deny\nhost web1 = 10.0.0.21 os linux\n";
        String ssh = "allow tcp/22 from 192.0.2.0/24 to web\n";
        String[][] pairs = {
            {preamble + "host web = 10.0.1.11\n", preamble + "group web = 10.0.1.11\n"},
            {preamble + "host web = 10.0.1.11\n" + ssh, preamble + "group web = 10.0.1.11\n" + ssh},
            {preamble + "host web = 10.0.1.11\n" + ssh, preamble + "group web = 10.0.1.11\n"},
            {"default outbound deny\nhost web = 10.0.1.11\n", "default outbound deny\nhost web1 = 10.0.1.11\ngroup web = web1\n"}};
        for (String[] pair : pairs) {
            for (int reversed = 0; reversed < 2; reversed++) {
                String a = pair[reversed];
                String b = pair[1 - reversed];
                Policy pa = check(a);
                Policy pb = check(b);
                assertEachBlockAsTheEnginesDecide(PolicyDiff.access(pa, pb, TODAY), EffectivePolicy.of(pa, TODAY),
                        EffectivePolicy.of(pb, TODAY), a + "\n" + b);
            }
        }
        List<PolicyDiff.Change> sshClosed = PolicyDiff.access(check(pairs[2][0]), check(pairs[2][1]), TODAY);
        assertTrue(sshClosed.stream().anyMatch(c -> !c.target().isGroup() && c.closed()
                && c.cubes().stream().anyMatch(cube -> cube.destinationPorts().equals(List.of(new ValueRange(22, 22))))),
                sshClosed::toString);
        // The group admits nothing (every default denies, and it has no implicit rules): all
        // that changes is what the host admitted, at the host.
        for (int reversed = 0; reversed < 2; reversed++) {
            List<PolicyDiff.Change> changes = PolicyDiff.access(check(pairs[0][reversed]),
                    check(pairs[0][1 - reversed]), TODAY);
            assertTrue(!changes.isEmpty() && changes.stream().allMatch(c -> c.target().kind().equals("host")
                    && c.target().name().equals("web") && (c.before().action() == null
                            ? c.before().label().equals("no host named web")
                            : c.after().label().equals("no host named web"))), changes::toString);
        }
    }

    /**
     * A target that loses an address: the address is no longer judged there, and nothing may
     * be reported as decided there by the new policy's rules (the two policies' atoms are
     * shared, and a rule naming the lost address once matched it).
     */
    @Example
    void aTargetThatLosesAnAddressGetsNoVerdictThere() {
        String[][] pairs = {
            {"host web1 = 10.0.1.11, 2001:db8:1::11 os linux\nallow ssh from 10.0.0.5\n",
             "host web1 = 10.0.1.11 os linux\nallow ssh from 10.0.0.5\n"
                     + "allow https from any to 2001:db8:1::/64, 10.0.1.11\n"},
            {"host web1 = 10.0.1.11\nhost web2 = 10.0.1.12\ngroup web = web1, web2\n"
                     + "allow tcp/80 from 192.0.2.0/24 to web\nreject tcp/80 from 192.0.2.0/24 to web1\n",
             "host web1 = 10.0.1.11\nhost web2 = 10.0.1.12\ngroup web = web2\n"
                     + "allow tcp/80 from 192.0.2.0/24 to web\nreject tcp/80 from 192.0.2.0/24 to web1\n"
                     + "allow tcp/8443 from 192.0.2.0/24 to 10.0.1.11\n"}};
        for (String[] pair : pairs) {
            Policy before = check(pair[0]);
            Policy after = check(pair[1]);
            for (PolicyDiff.Change change : PolicyDiff.access(before, after, TODAY)) {
                String where = change.target().name() + " " + change.direction() + " " + change.cubes() + "\n" + pair[1];
                if (change.after().action() != null) {
                    List<IPAddressSeqRange> owned = after.hosts().containsKey(change.target().name())
                            ? Target.of(after.hosts().get(change.target().name())).addresses()
                            : Target.of(after.groups().get(change.target().name())).addresses();
                    for (Cube cube : change.cubes()) {
                        for (IPAddressSeqRange own : cube.owns()) {
                            assertTrue(owned.stream().anyMatch(o -> o.contains(own)), where);
                        }
                    }
                }
            }
        }
    }

    /** Same objects and literals; only rule order, actions or defaults differ. */
    static String mutate(String text, int kind, Random random) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        List<Integer> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("allow ") || line.startsWith("deny ") || line.startsWith("reject ")) rules.add(i);
        }
        switch (kind) {
            case 0 -> {
                // Reverse every run of neighbouring rules with the same action.
                int start = 0;
                while (start < rules.size()) {
                    int end = start;
                    String action = verb(lines.get(rules.get(start)));
                    while (end + 1 < rules.size() && verb(lines.get(rules.get(end + 1))).equals(action)) end++;
                    List<String> run = new ArrayList<>();
                    for (int i = start; i <= end; i++) run.add(lines.get(rules.get(i)));
                    Collections.reverse(run);
                    for (int i = start; i <= end; i++) lines.set(rules.get(i), run.get(i - start));
                    start = end + 1;
                }
            }
            case 1 -> {
                if (rules.size() >= 2) {
                    int i = random.nextInt(rules.size() - 1);
                    String first = lines.get(rules.get(i));
                    lines.set(rules.get(i), lines.get(rules.get(i + 1)));
                    lines.set(rules.get(i + 1), first);
                }
            }
            case 2 -> {
                int i = rules.get(random.nextInt(rules.size()));
                String line = lines.get(i);
                String verb = verb(line);
                List<String> others = new ArrayList<>(List.of("allow", "deny", "reject"));
                others.remove(verb);
                lines.set(i, others.get(random.nextInt(2)) + line.substring(verb.length()));
            }
            case 3 -> {
                String direction = random.nextBoolean() ? "inbound" : "outbound";
                String action = List.of("allow", "deny", "reject").get(random.nextInt(3));
                String setting = "default " + direction + " " + action;
                int at = -1;
                for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("default " + direction)) at = i;
                if (at >= 0) lines.set(at, setting);
                else lines.add(0, setting);
            }
            default -> {
                // unchanged
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private static String verb(String line) {
        return line.substring(0, line.indexOf(' '));
    }

    /** Same targets, and at each target and direction the same allowed, denied and rejected packets. */
    private static boolean equivalent(EffectivePolicy a, EffectivePolicy b) {
        List<String> na = a.targets().stream().map(Target::name).toList();
        List<String> nb = b.targets().stream().map(Target::name).toList();
        if (!na.equals(nb)) return false;
        for (String name : na) {
            Target ta = a.target(name).orElseThrow();
            Target tb = b.target(name).orElseThrow();
            for (Direction direction : Direction.values()) {
                for (Action action : Action.values()) {
                    if (!description(a, ta, direction, action).equals(description(b, tb, direction, action))) return false;
                }
            }
        }
        return true;
    }

    private static String description(EffectivePolicy effective, Target target, Direction direction, Action action) {
        var directed = effective.directed(target, direction);
        PacketSet set = directed.decidedAs(action).intersect(directed.space().at(target));
        return set.describe().toString();
    }

    private static Packet packet(Cube cube, Direction direction) {
        IPAddress peer = cube.peers().get(0).getLower();
        IPAddress own = cube.owns().get(0).getLower();
        boolean inbound = direction == Direction.INBOUND;
        return new Packet(inbound ? peer : own, inbound ? own : peer, cube.protocols().get(0).low(),
                cube.sourcePorts().get(0).low(), cube.destinationPorts().get(0).low(), cube.icmpTypes().get(0).low(),
                cube.icmpCodes().get(0).low());
    }
}
