package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.model.Direction;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import inet.ipaddr.IPAddress;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A request's replies and its other end: sets carried to the other direction of a layer. */
class RepliesTest {

    private static final Map<Direction, PacketSpace> AT_WEB = spacesAtWeb();

    private static Map<Direction, PacketSpace> spacesAtWeb() {
        EffectivePolicy effective = EffectivePolicy.of(EngineAgreesWithReferenceTest.check(
                "host web = 10.0.1.11, 2001:db8:1::11\nhost db = 10.0.2.21\nallow tcp/443 from any to web\n"),
                LocalDate.of(2026, 1, 1));
        Target web = effective.target("web").orElseThrow();
        Map<Direction, PacketSpace> spaces = new EnumMap<>(Direction.class);
        for (Direction d : Direction.values()) spaces.put(d, effective.directed(web, d).space());
        return spaces;
    }

    private static IPAddressSeqRange range(String cidr) {
        return new IPAddressString(cidr).getAddress().toSequentialRange();
    }

    /** Packets of one protocol between the peers and the own addresses, with these ports. */
    private static PacketSet flows(PacketSpace space, Protocol protocol, PortRange sourcePorts,
                                   PortRange destinationPorts, String peers, String own) {
        return space.protocol(protocol).intersect(space.sourcePorts(sourcePorts))
                .intersect(space.destinationPorts(destinationPorts))
                .intersect(space.peers(range(peers))).intersect(space.owns(range(own)));
    }

    @Test
    void theRequestsDestinationPortIsTheReplysSourcePortAndTheAddressesStay() {
        PacketSpace in = AT_WEB.get(Direction.INBOUND);
        PacketSpace out = AT_WEB.get(Direction.OUTBOUND);
        PacketSet requests = flows(in, Protocol.TCP, new PortRange(1024, 65535), PortRange.single(443),
                "10.0.5.0/24", "10.0.1.11")
                .union(flows(in, Protocol.UDP, PortRange.ALL, new PortRange(53, 54), "2001:db8:5::/64", "2001:db8:1::11"));
        PacketSet replies = flows(out, Protocol.TCP, PortRange.single(443), PortRange.ALL, "10.0.5.0/24", "10.0.1.11")
                .union(flows(out, Protocol.UDP, new PortRange(53, 54), PortRange.ALL, "2001:db8:5::/64", "2001:db8:1::11"));
        assertEquals(replies, out.repliesTo(requests));
    }

    @Test
    void repliesAreJudgedInTheOtherDirectionOfTheSameLayer() {
        PacketSpace in = AT_WEB.get(Direction.INBOUND);
        assertThrows(IllegalArgumentException.class, () -> in.repliesTo(in.all()));
    }

    /** Requests leaving the target, from any two blocks of ports, have the replies built directly. */
    @Property(tries = 100)
    void repliesOfRequestsLeavingAreBuiltByTheirPorts(@ForAll @IntRange(max = 65535) int a,
                                                     @ForAll @IntRange(max = 65535) int b,
                                                     @ForAll @IntRange(max = 65535) int c,
                                                     @ForAll @IntRange(max = 65535) int d,
                                                     @ForAll boolean udp) {
        PacketSpace out = AT_WEB.get(Direction.OUTBOUND);
        PacketSpace in = AT_WEB.get(Direction.INBOUND);
        Protocol protocol = udp ? Protocol.UDP : Protocol.TCP;
        PortRange first = new PortRange(Math.min(a, b), Math.max(a, b));
        PortRange second = new PortRange(Math.min(c, d), Math.max(c, d));
        PacketSet requests = flows(out, protocol, first, second, "10.0.2.0/24", "10.0.1.11")
                .union(flows(out, Protocol.TCP, second, first, "198.51.100.0/25", "10.0.1.11"));
        PacketSet replies = flows(in, protocol, second, PortRange.ALL, "10.0.2.0/24", "10.0.1.11")
                .union(flows(in, Protocol.TCP, first, PortRange.ALL, "198.51.100.0/25", "10.0.1.11"));
        assertEquals(replies, in.repliesTo(requests));
    }

    /**
     * A set carried to the other end holds exactly the packets of the set whose two ends are
     * both targets of the layer: checked at the corners of the set's blocks and of the targets'
     * addresses, in every layer of random policies.
     */
    @Property(tries = 60)
    void theOtherEndHoldsThePacketsBetweenTwoTargets(@ForAll long seed) {
        Random random = new Random(seed);
        EffectivePolicy effective = RandomDirections.of(seed);
        Map<Object, Map<Direction, DirectedPolicy>> layers = new LinkedHashMap<>();
        for (DirectedPolicy directed : effective.analysisLayers()) {
            layers.computeIfAbsent(directed.space().layer(), k -> new EnumMap<>(Direction.class))
                    .put(directed.space().direction(), directed);
        }
        for (Map<Direction, DirectedPolicy> layer : layers.values()) {
            for (Direction direction : Direction.values()) {
                DirectedPolicy here = layer.get(direction);
                PacketSpace there = layer.get(direction == Direction.INBOUND ? Direction.OUTBOUND : Direction.INBOUND).space();
                List<IPAddress> ends = new ArrayList<>();
                here.space().layer().addresses().forEach(r -> {
                    ends.add(r.getLower());
                    ends.add(r.getUpper());
                });
                for (RuleRegion region : here.rules()) {
                    PacketSet set = region.decided();
                    PacketSet carried = there.atOtherEnd(set);
                    List<PacketCube> cubes = set.describe();
                    for (int i = 0; i < 20; i++) {
                        Packet packet = packet(random, cubes, ends);
                        boolean betweenTargets = here.space().layer().addresses().stream()
                                .anyMatch(r -> r.contains(packet.source()))
                                && here.space().layer().addresses().stream().anyMatch(r -> r.contains(packet.destination()));
                        assertEquals(set.contains(packet) && betweenTargets, carried.contains(packet),
                                () -> packet + " of " + region.rule());
                    }
                }
            }
        }
    }

    /** A packet at a corner of one of the blocks, or between two ends of the targets' addresses. */
    private static Packet packet(Random random, List<PacketCube> cubes, List<IPAddress> ends) {
        if (!cubes.isEmpty() && random.nextBoolean()) {
            PacketCube cube = cubes.get(random.nextInt(cubes.size()));
            return new Packet(corner(random, cube.sources()), corner(random, cube.destinations()),
                    end(random, cube.protocols()), end(random, cube.sourcePorts()),
                    end(random, cube.destinationPorts()), end(random, cube.icmpTypes()),
                    end(random, cube.icmpCodes()));
        }
        IPAddress source = ends.get(random.nextInt(ends.size()));
        List<IPAddress> sameFamily = ends.stream().filter(a -> a.isIPv4() == source.isIPv4()).toList();
        return new Packet(source, sameFamily.get(random.nextInt(sameFamily.size())), List.of(6, 17, 1, 58).get(random.nextInt(4)),
                random.nextInt(65536), random.nextInt(65536), random.nextInt(256), 0);
    }

    private static IPAddress corner(Random random, List<IPAddressSeqRange> ranges) {
        IPAddressSeqRange range = ranges.get(random.nextInt(ranges.size()));
        return random.nextBoolean() ? range.getLower() : range.getUpper();
    }

    private static int end(Random random, List<ValueRange> ranges) {
        ValueRange range = ranges.get(random.nextInt(ranges.size()));
        return random.nextBoolean() ? range.low() : range.high();
    }
}
