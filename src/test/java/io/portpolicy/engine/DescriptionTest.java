package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.testing.RandomPolicies;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A set's description holds exactly the set's packets, and describing is canonical. */
class DescriptionTest {

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void cubesHoldExactlyTheSetsPackets(@ForAll long seed) {
        Random random = new Random(seed);
        RandomDirections.each(RandomDirections.of(seed), (target, direction, directed) -> {
            PacketSet allowed = directed.decidedAs(Action.ALLOW);
            List<PacketCube> cubes = allowed.describe();
            assertEquals(cubes, allowed.intersect(allowed).describe(), "the same set describes the same way");
            for (int i = 0; i < 40; i++) {
                Packet packet = packet(random, target, direction, cubes);
                boolean inCubes = cubes.stream().anyMatch(c -> contains(c, packet));
                assertEquals(allowed.contains(packet), inCubes, () -> packet + " at " + target.name() + " "
                        + direction + "\n" + cubes);
            }
        });
    }

    @Property(tries = 100, shrinking = ShrinkingMode.OFF)
    void everyCubeIsInsideTheSet(@ForAll long seed) {
        Policy policy = EngineAgreesWithReferenceTest.check(new RandomPolicies(seed).policy());
        EffectivePolicy engine = EffectivePolicy.of(policy, LocalDate.of(2026, 6, 1));
        Target target = engine.targets().get(0);
        DirectedPolicy directed = engine.directed(target, Direction.INBOUND);
        PacketSet denied = directed.decidedAs(Action.DENY);
        Random random = new Random(seed);
        for (PacketCube cube : denied.describe()) {
            for (int i = 0; i < 5; i++) assertTrue(denied.contains(corner(random, cube)), cube::toString);
        }
    }

    /** A set's peer addresses, read off its diagram, are its cubes' peers, merged, IPv4 first. */
    @Property(tries = 200, shrinking = ShrinkingMode.OFF)
    void peerAddressesAreTheCubesPeers(@ForAll long seed) {
        RandomDirections.each(RandomDirections.of(seed), (target, direction, directed) -> {
            List<PacketSet> sets = new ArrayList<>(List.of(directed.decidedAs(Action.ALLOW),
                    directed.decidedAs(Action.DENY), directed.implicit()));
            for (RuleRegion region : directed.rules()) sets.add(region.matched());
            for (PacketSet set : sets) {
                assertEquals(cubePeers(set.describe(), direction), set.peerAddresses(), set.describe()::toString);
            }
        });
    }

    private static List<IPAddressSeqRange> cubePeers(List<PacketCube> cubes, Direction direction) {
        List<IPAddressSeqRange> peers = new ArrayList<>();
        for (io.portpolicy.model.Family family : io.portpolicy.model.Family.values()) {
            List<IPAddressSeqRange> ranges = new ArrayList<>();
            for (PacketCube cube : cubes) {
                if (cube.family() == family) {
                    ranges.addAll(direction == Direction.INBOUND ? cube.sources() : cube.destinations());
                }
            }
            ranges.sort((x, y) -> x.getLower().getValue().compareTo(y.getLower().getValue()));
            List<IPAddressSeqRange> merged = new ArrayList<>();
            for (IPAddressSeqRange range : ranges) {
                IPAddressSeqRange last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (last != null && last.getUpper().getValue().add(java.math.BigInteger.ONE)
                        .compareTo(range.getLower().getValue()) >= 0) {
                    if (range.getUpper().getValue().compareTo(last.getUpper().getValue()) > 0) {
                        merged.set(merged.size() - 1, last.getLower().toSequentialRange(range.getUpper()));
                    }
                } else {
                    merged.add(range);
                }
            }
            peers.addAll(merged);
        }
        return peers;
    }

    /** Packets at the corners of cubes (where off-by-one errors live) and elsewhere. */
    private static Packet packet(Random random, Target target, Direction direction, List<PacketCube> cubes) {
        if (!cubes.isEmpty() && random.nextBoolean()) return corner(random, cubes.get(random.nextInt(cubes.size())));
        IPAddressSeqRange own = target.addresses().get(random.nextInt(target.addresses().size()));
        IPAddress ownAddress = random.nextBoolean() ? own.getLower() : own.getUpper();
        IPAddress peer = ownAddress.increment(random.nextInt(40) - 20);
        if (peer == null) peer = ownAddress;
        int protocol = List.of(6, 17, 1, 58, 47).get(random.nextInt(5));
        return direction == Direction.INBOUND
                ? new Packet(peer, ownAddress, protocol, random.nextInt(65536), random.nextInt(65536), random.nextInt(256), 0)
                : new Packet(ownAddress, peer, protocol, random.nextInt(65536), random.nextInt(65536), random.nextInt(256), 0);
    }

    private static Packet corner(Random random, PacketCube cube) {
        return new Packet(pick(random, cube.sources()), pick(random, cube.destinations()),
                end(random, cube.protocols()), end(random, cube.sourcePorts()), end(random, cube.destinationPorts()),
                end(random, cube.icmpTypes()), end(random, cube.icmpCodes()));
    }

    private static IPAddress pick(Random random, List<IPAddressSeqRange> ranges) {
        IPAddressSeqRange range = ranges.get(random.nextInt(ranges.size()));
        return random.nextBoolean() ? range.getLower() : range.getUpper();
    }

    private static int end(Random random, List<ValueRange> ranges) {
        ValueRange range = ranges.get(random.nextInt(ranges.size()));
        return random.nextBoolean() ? range.low() : range.high();
    }

    private static boolean contains(PacketCube cube, Packet packet) {
        return cube.family() == packet.family()
                && in(cube.protocols(), packet.protocol()) && in(cube.destinationPorts(), packet.destinationPort())
                && in(cube.sourcePorts(), packet.sourcePort()) && in(cube.icmpTypes(), packet.icmpType())
                && in(cube.icmpCodes(), packet.icmpCode())
                && inAddresses(cube.sources(), packet.source()) && inAddresses(cube.destinations(), packet.destination());
    }

    private static boolean in(List<ValueRange> ranges, int value) {
        return ranges.stream().anyMatch(r -> r.low() <= value && value <= r.high());
    }

    private static boolean inAddresses(List<IPAddressSeqRange> ranges, IPAddress address) {
        List<IPAddressSeqRange> sameFamily = new ArrayList<>();
        for (IPAddressSeqRange range : ranges) if (range.getLower().isIPv4() == address.isIPv4()) sameFamily.add(range);
        return sameFamily.stream().anyMatch(r -> r.contains(address));
    }
}
