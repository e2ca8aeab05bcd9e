package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.PortRange;

import java.math.BigInteger;
import java.util.List;

/**
 * The space every set of packets lives in, encoded as BDD variables. Besides the header fields
 * it has two "where" fields: the direction and the target (host or group) the packet is
 * judged at, so one BDD can describe a whole policy at every target at once.
 *
 * <p>Layout, in variable order: direction (1 bit: 0 inbound), target id, family (1 bit: 0
 * IPv4), protocol (8), destination port (16), source port (16), ICMP type (8), ICMP code (8),
 * destination address (128), source address (128). IPv4 addresses use the first 32 bits of
 * an address field; the other 96 are left free. Fields that do not apply to a protocol (ports
 * for ICMP, types for TCP) are never constrained.
 */
public final class PacketSpace {

    static final int ADDRESS_BITS = 128;

    final Bdd bdd;
    final Field direction;
    final Field target;
    final Field family;
    final Field protocol;
    final Field destinationPort;
    final Field sourcePort;
    final Field icmpType;
    final Field icmpCode;
    final Field destination;
    final Field source;
    private final List<Target> targets;

    /** A space for judging packets at these targets (ids are positions in the list). */
    public PacketSpace(List<Target> targets) {
        this.targets = List.copyOf(targets);
        int targetBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, targets.size() - 1)));
        int at = 0;
        direction = new Field("direction", at, 1);
        target = new Field("target", at += 1, targetBits);
        family = new Field("family", at += targetBits, 1);
        protocol = new Field("protocol", at += 1, 8);
        destinationPort = new Field("destination port", at += 8, 16);
        sourcePort = new Field("source port", at += 16, 16);
        icmpType = new Field("icmp type", at += 16, 8);
        icmpCode = new Field("icmp code", at += 8, 8);
        destination = new Field("destination", at += 8, ADDRESS_BITS);
        source = new Field("source", at += ADDRESS_BITS, ADDRESS_BITS);
        bdd = new Bdd(at + ADDRESS_BITS);
    }

    public List<Target> targets() {
        return targets;
    }

    public PacketSet all() {
        return wrap(Bdd.TRUE);
    }

    public PacketSet none() {
        return wrap(Bdd.FALSE);
    }

    PacketSet wrap(int node) {
        return new PacketSet(this, node);
    }

    // ---- building blocks (all results referenced) -----------------------------

    /** Values of a narrow field (up to 63 bits) between low and high inclusive. */
    int range(Field field, long low, long high) {
        return bitRange(field.offset(), field.width(), BigInteger.valueOf(low), BigInteger.valueOf(high));
    }

    int equal(Field field, long value) {
        return range(field, value, value);
    }

    int ports(Field field, PortRange ports) {
        return range(field, ports.low(), ports.high());
    }

    int family(Family value) {
        return bdd.keep(value == Family.IPV4 ? bdd.notVariable(family.offset()) : bdd.variable(family.offset()));
    }

    int direction(Direction value) {
        return equal(direction, value == Direction.INBOUND ? 0 : 1);
    }

    int target(int id) {
        return equal(target, id);
    }

    /** The addresses of a range in an address field, with the family bit set to match. */
    int addresses(Field field, IPAddressSeqRange range) {
        boolean v4 = range.getLower().isIPv4();
        int width = v4 ? 32 : ADDRESS_BITS;
        int bits = bitRange(field.offset(), width, range.getLower().getValue(), range.getUpper().getValue());
        int fam = family(v4 ? Family.IPV4 : Family.IPV6);
        int result = bdd.and(bits, fam);
        bdd.free(bits);
        bdd.free(fam);
        return result;
    }

    int addresses(Field field, IPAddress address) {
        return addresses(field, address.toSequentialRange());
    }

    /**
     * The values low..high of the {@code width}-bit number held in variables
     * {@code first..first+width-1}, most significant first: (x >= low) and (x <= high), each
     * built from the least significant bit up in one operation per bit.
     */
    private int bitRange(int first, int width, BigInteger low, BigInteger high) {
        int atLeast = Bdd.TRUE;
        int atMost = Bdd.TRUE;
        for (int bit = 0; bit < width; bit++) {
            int variable = first + width - 1 - bit;
            int nextLeast = low.testBit(bit)
                    ? bdd.and(bdd.variable(variable), atLeast)
                    : bdd.or(bdd.variable(variable), atLeast);
            int nextMost = high.testBit(bit)
                    ? bdd.or(bdd.notVariable(variable), atMost)
                    : bdd.and(bdd.notVariable(variable), atMost);
            bdd.free(atLeast);
            bdd.free(atMost);
            atLeast = nextLeast;
            atMost = nextMost;
        }
        int result = bdd.and(atLeast, atMost);
        bdd.free(atLeast);
        bdd.free(atMost);
        return result;
    }

    // ---- evaluating one packet --------------------------------------------------

    /** Whether the packet, judged at target {@code id} in {@code dir}, is in the set. */
    boolean contains(int node, Direction dir, int id, Packet packet) {
        boolean[] bits = assignment(dir, id, packet);
        while (!Bdd.isTerminal(node)) {
            node = bits[bdd.var(node)] ? bdd.high(node) : bdd.low(node);
        }
        return node == Bdd.TRUE;
    }

    private boolean[] assignment(Direction dir, int id, Packet packet) {
        boolean[] bits = new boolean[source.end()];
        set(bits, direction, dir == Direction.INBOUND ? 0 : 1);
        set(bits, target, id);
        set(bits, family, packet.family() == Family.IPV4 ? 0 : 1);
        set(bits, protocol, packet.protocol());
        set(bits, destinationPort, packet.destinationPort());
        set(bits, sourcePort, packet.sourcePort());
        set(bits, icmpType, packet.icmpType());
        set(bits, icmpCode, packet.icmpCode());
        setAddress(bits, destination, packet.destination());
        setAddress(bits, source, packet.source());
        return bits;
    }

    private static void set(boolean[] bits, Field field, long value) {
        for (int i = 0; i < field.width(); i++) {
            bits[field.offset() + i] = ((value >>> (field.width() - 1 - i)) & 1) == 1;
        }
    }

    private static void setAddress(boolean[] bits, Field field, IPAddress address) {
        BigInteger value = address.getValue();
        int width = address.getBitCount();
        for (int i = 0; i < width; i++) bits[field.offset() + i] = value.testBit(width - 1 - i);
    }
}
