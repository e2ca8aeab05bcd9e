package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.check.Checker;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.testing.RandomPolicies;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's verdict and deciding rule equal a brute-force first-match reading of the
 * policy, for random policies and for boundary and random packets.
 */
class EngineAgreesWithReferenceTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 6, 1);
    private static final int[] PORT_EDGES = {0, 1, 5, 6, 21, 22, 23, 52, 53, 54, 79, 80, 81, 442, 443, 444, 999, 1000,
            1023, 1024, 1025, 2000, 2001, 8079, 8080, 8081, 8082, 32767, 32768, 39999, 40000, 49151, 49152, 50000,
            50001, 60999, 61000, 65534, 65535};

    static Policy check(String text) {
        Diagnostics diagnostics = new Diagnostics();
        Policy policy = Checker.check("-", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), diagnostics)
                .orElse(null);
        assertTrue(policy != null, () -> "generated policy does not check:\n" + text + "\n" + diagnostics.sorted());
        return policy;
    }

    @Property(tries = 1500, shrinking = ShrinkingMode.OFF)
    void verdictsAgree(@ForAll long seed) {
        String text = new RandomPolicies(seed).policy();
        Policy policy = check(text);
        EffectivePolicy engine = EffectivePolicy.of(policy, TODAY);
        // Judging each host in a layer of its own (compile of one host, query) must agree too.
        EffectivePolicy apart = EffectivePolicy.forFewTargets(policy, TODAY);
        ReferenceEvaluator reference = new ReferenceEvaluator(policy, TODAY);
        Random random = new Random(seed);
        List<IPAddress> pool = interestingAddresses(engine);
        for (int i = 0; i < 60; i++) {
            Target target = engine.targets().get(random.nextInt(engine.targets().size()));
            Direction direction = random.nextBoolean() ? Direction.INBOUND : Direction.OUTBOUND;
            Packet packet = packet(random, pool, target, direction);
            Verdict verdict = engine.decide(target, direction, packet);
            ReferenceEvaluator.Decision expected = reference.decide(
                    new ReferenceEvaluator.At(target.name(), target.isGroup()), direction, packet);
            int engineRule = verdict.rule() != null ? verdict.rule().index()
                    : verdict.reason().startsWith("implicit") ? -1 : -2;
            assertEquals(expected.action() + "@" + expected.ruleIndex(), verdict.action() + "@" + engineRule,
                    () -> "at " + target.name() + " " + direction + " " + packet + "\n" + text);
            assertEquals(verdict, apart.decide(target, direction, packet),
                    () -> "judged apart, at " + target.name() + " " + direction + " " + packet + "\n" + text);
        }
    }

    /** Host addresses, range and CIDR ends and their neighbours, loopback, random fill. */
    private static List<IPAddress> interestingAddresses(EffectivePolicy engine) {
        List<IPAddress> pool = new ArrayList<>();
        for (Target target : engine.targets()) {
            for (IPAddressSeqRange range : target.addresses()) {
                pool.add(range.getLower());
                pool.add(range.getUpper());
                pool.add(range.getLower().increment(-1));
                pool.add(range.getUpper().increment(1));
            }
        }
        for (String literal : List.of("10.0.0.0", "10.0.0.15", "10.0.0.16", "10.0.0.63", "10.0.0.64", "127.0.0.1",
                "192.0.2.1", "2001:db8::", "2001:db8::f", "2001:db8::10", "2001:db8::3f", "::1", "2001:db8:1::1")) {
            pool.add(new IPAddressString(literal).getAddress());
        }
        pool.removeIf(a -> a == null);
        return pool;
    }

    private static Packet packet(Random random, List<IPAddress> pool, Target target, Direction direction) {
        IPAddress own = pool.get(random.nextInt(pool.size()));
        if (random.nextInt(5) != 0) {
            IPAddressSeqRange range = target.addresses().get(random.nextInt(target.addresses().size()));
            own = random.nextBoolean() ? range.getLower() : range.getUpper();
        }
        IPAddress other = pool.get(random.nextInt(pool.size()));
        for (int tries = 0; other.isIPv4() != own.isIPv4() && tries < 20; tries++) {
            other = pool.get(random.nextInt(pool.size()));
        }
        if (other.isIPv4() != own.isIPv4()) other = own;
        IPAddress source = direction == Direction.INBOUND ? other : own;
        IPAddress destination = direction == Direction.INBOUND ? own : other;
        int protocol = switch (random.nextInt(6)) {
            case 0, 1 -> 6;
            case 2, 3 -> 17;
            case 4 -> source.isIPv4() ? 1 : 58;
            default -> random.nextBoolean() ? 47 : (source.isIPv4() ? 58 : 1);
        };
        boolean ports = protocol == 6 || protocol == 17;
        boolean icmp = protocol == 1 || protocol == 58;
        return new Packet(source, destination, protocol,
                ports ? port(random) : 0, ports ? port(random) : 0,
                icmp ? List.of(0, 1, 3, 8, 128, 129, 133, 135, 136, 137, 2).get(random.nextInt(11)) : 0,
                icmp ? random.nextInt(5) : 0);
    }

    private static int port(Random random) {
        return random.nextInt(4) == 0 ? random.nextInt(65536) : PORT_EDGES[random.nextInt(PORT_EDGES.length)];
    }
}
