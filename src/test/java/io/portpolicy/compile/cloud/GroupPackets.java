package io.portpolicy.compile.cloud;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Packet;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Direction;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Packets to cross-check a cloud target against the engine: at the group's own addresses (the
 * ends of each of its ranges and one inside), from and to the ends of every peer range the
 * group's decisive rules name and their neighbours, on the ends of every port, ICMP type and
 * code range, and random values. Deterministic for a given {@link Random}.
 */
public final class GroupPackets {

    private static final List<String> FIXED_PEERS = List.of("0.0.0.0", "10.0.0.1", "192.0.2.77", "203.0.113.9",
            "255.255.255.255", "::", "2001:db8::1", "2001:db8:ffff::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

    private GroupPackets() {
    }

    /** Packets in {@code direction} whose own address (destination inbound, source outbound) is the group's. */
    public static List<Packet> of(EffectivePolicy effective, Target group, Direction direction, Random random) {
        return of(effective, group, direction, random, List.of(), packet -> true);
    }

    /**
     * The same, with peers a platform treats specially added ({@code extraPeers}), and only the
     * packets {@code real} keeps: those the platform can see at all (a security group never sees
     * loopback).
     */
    public static List<Packet> of(EffectivePolicy effective, Target group, Direction direction, Random random,
                                  List<String> extraPeers, Predicate<Packet> real) {
        TreeSet<IPAddress> peers = new TreeSet<>();
        TreeSet<IPAddress> own = new TreeSet<>();
        TreeSet<Integer> ports = new TreeSet<>(List.of(0, 1, 22, 53, 80, 443, 1023, 1024, 32768, 49152, 65535));
        TreeSet<Integer> icmp = new TreeSet<>(List.of(0, 1, 2, 3, 4, 8, 128, 135, 255));
        for (Direction d : Direction.values()) {
            for (GroupRules.Decisive decisive : GroupRules.of(effective, group, d).decisive()) {
                for (List<PacketCube> cubes : List.of(decisive.matchedCubes(), decisive.decidedCubes())) {
                    for (PacketCube cube : cubes) {
                        for (IPAddressSeqRange range : d == Direction.INBOUND ? cube.sources() : cube.destinations()) {
                            addEnds(peers, range);
                        }
                        // The members a rule singles out (platforms that name destinations compile those).
                        for (IPAddressSeqRange range : d == Direction.INBOUND ? cube.destinations() : cube.sources()) {
                            addEnds(own, range);
                        }
                        addEnds(ports, cube.destinationPorts(), 65535);
                        addEnds(ports, cube.sourcePorts(), 65535);
                        addEnds(icmp, cube.icmpTypes(), 255);
                        addEnds(icmp, cube.icmpCodes(), 255);
                    }
                }
            }
        }
        for (String fixed : FIXED_PEERS) peers.add(new IPAddressString(fixed).getAddress());
        for (String extra : extraPeers) peers.add(new IPAddressString(extra).getAddress());
        own.removeIf(address -> !group.owns(address));
        for (IPAddressSeqRange range : group.addresses()) {
            addEnds(peers, range);
            own.add(range.getLower().withoutPrefixLength());
            own.add(range.getUpper().withoutPrefixLength());
            BigInteger size = range.getCount();
            if (size.compareTo(BigInteger.TWO) > 0) {
                own.add(range.getLower().withoutPrefixLength().increment(new BigInteger(size.bitLength() - 1, random)
                        .mod(size).longValue() & Long.MAX_VALUE));
            }
        }
        List<Integer> portList = new ArrayList<>(ports);
        List<Integer> icmpList = new ArrayList<>(icmp);
        List<Packet> out = new ArrayList<>();
        for (IPAddress self : own) {
            for (IPAddress peer : peers) {
                if (self.isIPv4() != peer.isIPv4()) continue;
                IPAddress source = direction == Direction.INBOUND ? peer : self;
                IPAddress destination = direction == Direction.INBOUND ? self : peer;
                int icmpOfFamily = self.isIPv4() ? 1 : 58;
                for (int i = 0; i < 4; i++) {
                    out.add(new Packet(source, destination, 6, pick(portList, random, 65535), pick(portList, random, 65535), 0, 0));
                    out.add(new Packet(source, destination, 17, pick(portList, random, 65535), pick(portList, random, 65535), 0, 0));
                    out.add(new Packet(source, destination, icmpOfFamily, 0, 0, pick(icmpList, random, 255),
                            pick(icmpList, random, 255)));
                }
                for (int protocol : new int[] {0, 47, 50, self.isIPv4() ? 58 : 1, 1 + random.nextInt(255)}) {
                    if (protocol == 6 || protocol == 17 || protocol == icmpOfFamily) continue;
                    out.add(new Packet(source, destination, protocol, 0, 0, 0, 0));
                }
            }
        }
        out.removeIf(real.negate());
        return out;
    }

    private static int pick(List<Integer> values, Random random, int max) {
        return random.nextInt(4) == 0 ? random.nextInt(max + 1) : values.get(random.nextInt(values.size()));
    }

    private static void addEnds(TreeSet<IPAddress> out, IPAddressSeqRange range) {
        IPAddress low = range.getLower().withoutPrefixLength();
        IPAddress high = range.getUpper().withoutPrefixLength();
        out.add(low);
        out.add(high);
        if (!low.isZero()) out.add(low.increment(-1));
        if (!high.isMax()) out.add(high.increment(1));
    }

    private static void addEnds(TreeSet<Integer> out, List<ValueRange> values, int max) {
        for (ValueRange v : values) {
            for (int value : new int[] {v.low(), v.high(), v.low() - 1, v.high() + 1}) {
                if (value >= 0 && value <= max) out.add(value);
            }
        }
    }
}
