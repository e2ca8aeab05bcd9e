package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.PortRange;

import java.math.BigInteger;
import java.util.List;

/**
 * The space every set of packets lives in, encoded as BDD variables, for one direction. Besides
 * the header fields it has a "where" field, the target (host or group) judging the packet, so
 * one BDD describes a whole policy at every target at once.
 *
 * <p>Layout, in variable order: family (1 bit: 0 IPv4), protocol (8), destination port (16),
 * source port (16), ICMP type (8), ICMP code (8), the peer's address (128), the target id,
 * the target's own address (128) — the destination inbound, the source outbound. The target
 * id sits right above the own address because the two are tied ("the target owns this
 * address"); anywhere else the BDD would copy everything between them once per target.
 * IPv4 addresses use the first 32 bits of an address field; the other 96 are left free.
 * Fields that do not apply to a protocol (ports for ICMP, types for TCP) are never constrained.
 *
 * <p>A space and all its sets are dropped together; sets are never freed one by one.
 */
public final class PacketSpace {

    static final int ADDRESS_BITS = 128;

    final Bdd bdd;
    final Direction direction;
    final Field family;
    final Field protocol;
    final Field destinationPort;
    final Field sourcePort;
    final Field icmpType;
    final Field icmpCode;
    final Field peer;
    final Field target;
    final Field own;
    final Field destination;
    final Field source;
    private final List<Target> targets;

    /**
     * A space for judging packets in one direction at these targets (ids are list positions).
     *
     * @param nodes the BDD node table's starting size (see {@link Bdd#Bdd(int, int)})
     */
    public PacketSpace(List<Target> targets, Direction direction, int nodes) {
        this.targets = List.copyOf(targets);
        this.direction = direction;
        int targetBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, targets.size() - 1)));
        int at = 0;
        family = new Field("family", at, 1);
        protocol = new Field("protocol", at += 1, 8);
        destinationPort = new Field("destination port", at += 8, 16);
        sourcePort = new Field("source port", at += 16, 16);
        icmpType = new Field("icmp type", at += 16, 8);
        icmpCode = new Field("icmp code", at += 8, 8);
        peer = new Field("peer address", at += 8, ADDRESS_BITS);
        target = new Field("target", at += ADDRESS_BITS, targetBits);
        own = new Field("own address", at += targetBits, ADDRESS_BITS);
        destination = direction == Direction.INBOUND ? own : peer;
        source = direction == Direction.INBOUND ? peer : own;
        bdd = new Bdd(at + ADDRESS_BITS, nodes);
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

    int target(int id) {
        return equal(target, id);
    }

    /** The addresses of a range in an address field, with the family bit set to match. */
    int addresses(Field field, IPAddressSeqRange range) {
        boolean v4 = range.getLower().isIPv4();
        int width = v4 ? 32 : ADDRESS_BITS;
        int bits = bitRange(field.offset(), width, range.getLower().getValue(), range.getUpper().getValue());
        // The family bit is the first variable, so the result is one node above the range.
        int result = v4 ? bdd.node(family.offset(), bits, Bdd.FALSE) : bdd.node(family.offset(), Bdd.FALSE, bits);
        bdd.free(bits);
        return result;
    }

    int addresses(Field field, IPAddress address) {
        return addresses(field, address.toSequentialRange());
    }

    /**
     * The values low..high of the {@code width}-bit number held in variables
     * {@code first..first+width-1}, most significant first, built node by node. Above the most
     * significant bit where low and high differ (the split), both share their bits; at the
     * split, low's side goes on "at least low's suffix" and high's side "at most high's".
     */
    private int bitRange(int first, int width, BigInteger low, BigInteger high) {
        int split = 0;
        while (split < width && bit(low, width, split) == bit(high, width, split)) split++;
        int node = Bdd.TRUE;
        if (split < width) {
            int atLeast = Bdd.TRUE;
            int atMost = Bdd.TRUE;
            for (int i = width - 1; i > split; i--) {
                int variable = first + i;
                int nextLeast = bit(low, width, i) ? bdd.node(variable, Bdd.FALSE, atLeast)
                        : bdd.node(variable, atLeast, Bdd.TRUE);
                int nextMost = bit(high, width, i) ? bdd.node(variable, Bdd.TRUE, atMost)
                        : bdd.node(variable, atMost, Bdd.FALSE);
                bdd.free(atLeast);
                bdd.free(atMost);
                atLeast = nextLeast;
                atMost = nextMost;
            }
            node = bdd.node(first + split, atLeast, atMost);
            bdd.free(atLeast);
            bdd.free(atMost);
        }
        for (int i = Math.min(split, width) - 1; i >= 0; i--) {
            int next = bit(low, width, i) ? bdd.node(first + i, Bdd.FALSE, node) : bdd.node(first + i, node, Bdd.FALSE);
            bdd.free(node);
            node = next;
        }
        return node;
    }

    /** Bit {@code i} of a {@code width}-bit value, counting from the most significant. */
    private static boolean bit(BigInteger value, int width, int i) {
        return value.testBit(width - 1 - i);
    }

    // ---- evaluating one packet --------------------------------------------------

    /** Whether the packet, judged at target {@code id}, is in the set. */
    boolean contains(int node, int id, Packet packet) {
        boolean[] bits = assignment(id, packet);
        while (!Bdd.isTerminal(node)) {
            node = bits[bdd.var(node)] ? bdd.high(node) : bdd.low(node);
        }
        return node == Bdd.TRUE;
    }

    private boolean[] assignment(int id, Packet packet) {
        boolean[] bits = new boolean[own.end()];
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
