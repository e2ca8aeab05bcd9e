package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The space the sets of one direction at one layer of targets live in, encoded as BDD
 * variables. A packet is judged at the target owning its own address (the destination
 * inbound, the source outbound), so the own address is stored as the index of its
 * {@link OwnAtoms atom}: an address term there is an interval of indices, and "any" is the
 * whole layer, however many targets it has. The peer's address is a plain 128-bit field.
 *
 * <p>Layout, in variable order: family (1 bit: 0 IPv4), protocol (8), destination port (16),
 * source port (16), ICMP type (8), ICMP code (8), the peer's address (128; IPv4 uses its first
 * 32 bits and leaves the rest free), the own atom index. Fields that do not apply to a
 * protocol (ports for ICMP, types for TCP) are never constrained.
 *
 * <p>A space and all its sets are dropped together; sets are never freed one by one.
 */
public final class PacketSpace {

    static final int ADDRESS_BITS = 128;

    final Bdd bdd;
    final Direction direction;
    final TargetLayer layer;
    final OwnAtoms atoms;
    final Field family;
    final Field protocol;
    final Field destinationPort;
    final Field sourcePort;
    final Field icmpType;
    final Field icmpCode;
    final Field peer;
    final Field own;
    private final int universe;

    /**
     * @param nodes the BDD node table's starting size (see {@link Bdd#Bdd(int, int)})
     */
    PacketSpace(TargetLayer layer, OwnAtoms atoms, Direction direction, int nodes) {
        this(layer, atoms, direction, newBdd(atoms, nodes));
    }

    /**
     * A space over a BDD that other spaces with the same atoms may share: sets of all of them
     * are then comparable node for node (two policies' layers, for a diff). The layer's targets
     * own some of the atoms; the universe is those.
     */
    PacketSpace(TargetLayer layer, OwnAtoms atoms, Direction direction, Bdd bdd) {
        this.layer = layer;
        this.atoms = atoms;
        this.direction = direction;
        this.bdd = bdd;
        int at = 0;
        family = new Field("family", at, 1);
        protocol = new Field("protocol", at += 1, 8);
        destinationPort = new Field("destination port", at += 8, 16);
        sourcePort = new Field("source port", at += 16, 16);
        icmpType = new Field("icmp type", at += 16, 8);
        icmpCode = new Field("icmp code", at += 8, 8);
        peer = new Field("peer address", at += 8, ADDRESS_BITS);
        own = new Field("own atom", at += ADDRESS_BITS, atoms.bits());
        int owned = Bdd.FALSE;
        for (IPAddressSeqRange range : layer.addresses()) owned = bdd.orFree(owned, ownAddresses(range));
        universe = owned;
    }

    /** A BDD with the variables of a space over these atoms. */
    static Bdd newBdd(OwnAtoms atoms, int nodes) {
        return new Bdd(1 + 8 + 16 + 16 + 8 + 8 + ADDRESS_BITS + atoms.bits(), nodes);
    }

    public Direction direction() {
        return direction;
    }

    public TargetLayer layer() {
        return layer;
    }

    public PacketSet all() {
        return wrap(universe);
    }

    public PacketSet none() {
        return wrap(Bdd.FALSE);
    }

    PacketSet wrap(int node) {
        return new PacketSet(this, node);
    }

    // ---- sets for questions about a policy (all within the layer's targets) --------

    /** Packets of one IP version. */
    public PacketSet ofFamily(Family value) {
        return within(family(value));
    }

    /** Packets of a protocol; {@link Protocol#ANY} is every packet. */
    public PacketSet protocol(Protocol value) {
        if (value == Protocol.ANY) return all();
        int result = equal(protocol, value.number());
        if (value.family().isPresent()) result = bdd.andFree(result, family(value.family().get()));
        return within(result);
    }

    public PacketSet destinationPorts(PortRange ports) {
        return within(ports(destinationPort, ports));
    }

    public PacketSet sourcePorts(PortRange ports) {
        return within(ports(sourcePort, ports));
    }

    public PacketSet icmpType(int type) {
        return within(equal(icmpType, type));
    }

    /** Packets of one ICMP message: a type with one code. */
    public PacketSet icmpMessage(int type, int code) {
        return within(bdd.andFree(equal(icmpType, type), equal(icmpCode, code)));
    }

    /** Packets whose peer (the source inbound, the destination outbound) is in the range. */
    public PacketSet peers(IPAddressSeqRange range) {
        return within(peerAddresses(range));
    }

    /** Packets whose own address (the target's side) is in the range. */
    public PacketSet owns(IPAddressSeqRange range) {
        return within(ownAddresses(range));
    }

    /** Packets whose own address is in any of the ranges. */
    public PacketSet owns(Collection<IPAddressSeqRange> ranges) {
        PacketSet result = none();
        for (IPAddressSeqRange range : ranges) result = result.union(owns(range));
        return result;
    }

    /** Packets whose peer is in any of the ranges. */
    public PacketSet peers(Collection<IPAddressSeqRange> ranges) {
        PacketSet result = none();
        for (IPAddressSeqRange range : ranges) result = result.union(peers(range));
        return result;
    }

    /** The packets judged at one target of the layer: those whose own address is the target's. */
    public PacketSet at(Target target) {
        return owns(target.addresses());
    }

    private PacketSet selfTraffic;

    /**
     * Packets between two addresses of the same target (a target talking to itself), at every
     * target of the layer: what {@code self} means on the peer side, part of the implicit rules,
     * and what exposes nothing. Built once per space.
     */
    public PacketSet selfTraffic() {
        if (selfTraffic == null) {
            PacketSet result = none();
            for (Target target : layer.targets()) result = result.union(at(target).intersect(peers(target.addresses())));
            selfTraffic = result;
        }
        return selfTraffic;
    }

    /**
     * The replies to requests judged at the same targets in the other direction (the layer's
     * other space): each request's destination port becomes its reply's source port, and the
     * reply's destination port is left free for the caller to narrow to the client's
     * ephemeral ports. Own and peer addresses stay where they are: a request entering a server
     * and its reply leaving it are both judged at the server (and leaving a client and entering
     * it, at the client). One copy of the diagram, however many blocks the requests make.
     */
    public PacketSet repliesTo(PacketSet requests) {
        PacketSpace from = otherDirection(requests);
        int anySourcePort = from.bdd.exists(requests.node, from.sourcePortVariables());
        int[] renamed = new int[own.end()];
        for (int v = 0; v < renamed.length; v++) renamed[v] = v;
        // Destination-port variables come just before the source port's, which the request no
        // longer tests: moving them there keeps the variables' order.
        for (int i = 0; i < destinationPort.width(); i++) renamed[destinationPort.offset() + i] = sourcePort.offset() + i;
        int replies = bdd.copyOf(from.bdd, anySourcePort, renamed);
        from.bdd.free(anySourcePort);
        return wrap(replies);
    }

    /**
     * The packets of a set of the layer's other direction whose other end is a target of the
     * layer too, judged at that end ({@link EndSwap}): a request entering a server, as it
     * leaves its client.
     */
    public PacketSet atOtherEnd(PacketSet set) {
        return wrap(EndSwap.swap(otherDirection(set), this, set.node));
    }

    /** The space of a set of the other direction of this layer. */
    private PacketSpace otherDirection(PacketSet set) {
        PacketSpace from = set.space();
        if (from.atoms != atoms || !from.layer.equals(layer) || from.direction == direction) {
            throw new IllegalArgumentException("the set must be of the other direction of the same layer");
        }
        return from;
    }

    /**
     * The targets of the layer that own some packet of the set, in the layer's order: the
     * targets {@code t} for which {@code set.intersects(at(t))}, read off the set's own-atom
     * projection in one walk instead of one intersection per target.
     */
    public List<Target> owners(PacketSet set) {
        BitSet owned = ownAtoms(set.node);
        // Most rules of a layer built around a diff's change are empty: no target to look for.
        if (owned.isEmpty()) return List.of();
        List<Target> owners = new ArrayList<>();
        List<Target> targets = layer.targets();
        for (int t = 0; t < targets.size(); t++) {
            for (int[] span : targetSpans()[t]) {
                int next = owned.nextSetBit(span[0]);
                if (next >= 0 && next <= span[1]) {
                    owners.add(targets.get(t));
                    break;
                }
            }
        }
        return owners;
    }

    private int[][][] targetSpans;

    /** Per target of the layer, the atom index spans of its address ranges. */
    private int[][][] targetSpans() {
        if (targetSpans == null) {
            List<Target> targets = layer.targets();
            targetSpans = new int[targets.size()][][];
            for (int t = 0; t < targets.size(); t++) {
                targetSpans[t] = targets.get(t).addresses().stream().map(atoms::span)
                        .filter(java.util.Objects::nonNull).toArray(int[][]::new);
            }
        }
        return targetSpans;
    }

    /** The own addresses of the set's packets (every other field dropped), as ranges: IPv4 first, each sorted. */
    List<IPAddressSeqRange> ownAddresses(PacketSet set) {
        return atoms.ranges(ownAtoms(set.node));
    }

    /**
     * The atoms that some packet of the set has as its own address. The family bit is the
     * first variable and IPv4 atoms come first, so a path's family bounds the atoms it may reach.
     */
    private BitSet ownAtoms(int node) {
        BitSet owned = new BitSet(atoms.count());
        if (node == Bdd.FALSE) return owned;
        boolean split = !Bdd.isTerminal(node) && bdd.var(node) == family.offset();
        int v4 = split ? bdd.low(node) : node;
        int v6 = split ? bdd.high(node) : node;
        bdd.startWalk();
        collectAtoms(v4, 0, atoms.ipv4Count(), owned);
        bdd.startWalk();
        collectAtoms(v6, atoms.ipv4Count(), atoms.count(), owned);
        return owned;
    }

    /** Walks down to the own field and marks the atoms (within [from, to)) each node there admits. */
    private void collectAtoms(int node, int from, int to, BitSet owned) {
        // Once every atom of the family is marked, the rest of the diagram can add none.
        if (node == Bdd.FALSE || owned.nextClearBit(from) >= to || !bdd.firstVisit(node)) return;
        if (node == Bdd.TRUE || bdd.var(node) >= own.offset()) {
            markAtoms(node, 0, 0, from, to, owned);
            return;
        }
        collectAtoms(bdd.low(node), from, to, owned);
        collectAtoms(bdd.high(node), from, to, owned);
    }

    /** Marks the atom indices with the given leading {@code bit} bits that reach TRUE from the node. */
    void markAtoms(int node, int bit, long prefix, int from, int to, BitSet owned) {
        if (node == Bdd.FALSE) return;
        if (node == Bdd.TRUE || bit == own.width()) {
            int free = own.width() - bit;
            long low = Math.max(from, prefix << free);
            long high = Math.min(to - 1L, ((prefix + 1) << free) - 1);
            if (low <= high) owned.set((int) low, (int) high + 1);
            return;
        }
        if (bdd.var(node) == own.offset() + bit) {
            markAtoms(bdd.low(node), bit + 1, prefix << 1, from, to, owned);
            markAtoms(bdd.high(node), bit + 1, (prefix << 1) | 1, from, to, owned);
        } else {
            markAtoms(node, bit + 1, prefix << 1, from, to, owned);
            markAtoms(node, bit + 1, (prefix << 1) | 1, from, to, owned);
        }
    }

    /** The set cut to the layer's targets; takes ownership of the node. */
    PacketSet within(int node) {
        int result = bdd.and(node, universe);
        bdd.free(node);
        return wrap(result);
    }

    /** Quantifiers' variable sets, each made once (borrowed): the exposure rules ask thousands of times. */
    private int peerVariables = NOT_MADE;
    private int ownVariables = NOT_MADE;
    private int allButPeerVariables = NOT_MADE;
    private int serviceVariables = NOT_MADE;
    private int destinationPortVariables = NOT_MADE;
    private int sourcePortVariables = NOT_MADE;
    private int icmpVariables = NOT_MADE;
    private static final int NOT_MADE = -1;

    /** The protocol, port and ICMP fields' variables (borrowed); they lie side by side, protocol first. */
    int serviceVariables() {
        if (serviceVariables == NOT_MADE) {
            serviceVariables = bdd.variables(protocol.offset(), icmpCode.end() - protocol.offset());
        }
        return serviceVariables;
    }

    /** The destination port field's variables (borrowed). */
    int destinationPortVariables() {
        if (destinationPortVariables == NOT_MADE) {
            destinationPortVariables = bdd.variables(destinationPort.offset(), destinationPort.width());
        }
        return destinationPortVariables;
    }

    /** The source port field's variables (borrowed). */
    int sourcePortVariables() {
        if (sourcePortVariables == NOT_MADE) sourcePortVariables = bdd.variables(sourcePort.offset(), sourcePort.width());
        return sourcePortVariables;
    }

    /** The ICMP type and code fields' variables (borrowed); they lie side by side, type first. */
    int icmpVariables() {
        if (icmpVariables == NOT_MADE) {
            icmpVariables = bdd.variables(icmpType.offset(), icmpCode.end() - icmpType.offset());
        }
        return icmpVariables;
    }

    /** The peer field's variables (borrowed). */
    int peerVariables() {
        if (peerVariables == NOT_MADE) peerVariables = bdd.variables(peer.offset(), peer.width());
        return peerVariables;
    }

    /** The own field's variables (borrowed). */
    int ownVariables() {
        if (ownVariables == NOT_MADE) ownVariables = bdd.variables(own.offset(), own.width());
        return ownVariables;
    }

    /**
     * Every variable but the peer field's and the family bit (borrowed): what a projection onto
     * the peer drops. The family bit stays: it says how to read the peer field.
     */
    int allButPeerVariables() {
        if (allButPeerVariables == NOT_MADE) {
            int others = Bdd.TRUE;
            for (int v = Math.max(own.end(), peer.end()) - 1; v >= 0; v--) {
                if (peer.holds(v) || family.holds(v)) continue;
                int next = bdd.node(v, Bdd.FALSE, others);
                bdd.free(others);
                others = next;
            }
            allButPeerVariables = others;
        }
        return allButPeerVariables;
    }

    /** Every packet whose own address belongs to some target of the layer (borrowed). */
    int universe() {
        return universe;
    }

    /** Whether the own-address side of a packet in this direction is its source. */
    boolean ownIsSource() {
        return direction == Direction.OUTBOUND;
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

    /** Peer addresses in a range, with the family bit set to match. */
    int peerAddresses(IPAddressSeqRange range) {
        return withFamily(peerBits(range), range.getLower().isIPv4());
    }

    /** Peer addresses in a range, whichever the family bit says. */
    int peerBits(IPAddressSeqRange range) {
        int width = range.getLower().isIPv4() ? 32 : ADDRESS_BITS;
        return bitRange(peer.offset(), width, range.getLower().getValue(), range.getUpper().getValue());
    }

    /** Own addresses in a range: the atoms inside it, with the family bit set to match. */
    int ownAddresses(IPAddressSeqRange range) {
        int[] span = atoms.span(range);
        if (span == null) return Bdd.FALSE;
        return atomInterval(span[0], span[1], range.getLower().isIPv4() ? Family.IPV4 : Family.IPV6);
    }

    private int atomInterval(int first, int last, Family fam) {
        if (first > last) return Bdd.FALSE;
        return withFamily(atomBits(first, last), fam == Family.IPV4);
    }

    /** Peer sets made of atoms' addresses ({@link EndSwap}), by atoms; referenced for the space's life. */
    private final Map<BitSet, Integer> peersOfAtoms = new HashMap<>();

    /**
     * The addresses of the atoms as peers, whichever the family bit says (borrowed). A policy
     * names few address sets, and each is asked for again and again.
     */
    int peersOfAtoms(BitSet owned) {
        Integer known = peersOfAtoms.get(owned);
        if (known != null) return known;
        int peers = Bdd.FALSE;
        for (IPAddressSeqRange range : atoms.ranges(owned)) peers = bdd.orFree(peers, peerBits(range));
        peersOfAtoms.put((BitSet) owned.clone(), peers);
        return peers;
    }

    /** The atoms {@code first..last}, whichever the family bit says. */
    private int atomBits(int first, int last) {
        return bitRange(own.offset(), own.width(), BigInteger.valueOf(first), BigInteger.valueOf(last));
    }

    /** A set of atoms as the own field, whichever the family bit says: one range per run of them. */
    int atomBits(BitSet chosen) {
        int result = Bdd.FALSE;
        for (int a = chosen.nextSetBit(0); a >= 0; a = chosen.nextSetBit(a + 1)) {
            int last = chosen.nextClearBit(a) - 1;
            result = bdd.orFree(result, atomBits(a, last));
            a = last;
        }
        return result;
    }

    /** The family bit is the first variable, so this is one node above the given set. */
    private int withFamily(int bits, boolean v4) {
        int result = v4 ? bdd.node(family.offset(), bits, Bdd.FALSE) : bdd.node(family.offset(), Bdd.FALSE, bits);
        bdd.free(bits);
        return result;
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

    /** Whether the packet is in the set; packets whose own address is no target's are in none. */
    boolean contains(int node, Packet packet) {
        IPAddress ownAddress = ownIsSource() ? packet.source() : packet.destination();
        int atom = atoms.indexOf(ownAddress);
        if (atom < 0) return false;
        boolean[] bits = new boolean[own.end()];
        set(bits, family, packet.family() == Family.IPV4 ? 0 : 1);
        set(bits, protocol, packet.protocol());
        set(bits, destinationPort, packet.destinationPort());
        set(bits, sourcePort, packet.sourcePort());
        set(bits, icmpType, packet.icmpType());
        set(bits, icmpCode, packet.icmpCode());
        IPAddress peerAddress = ownIsSource() ? packet.destination() : packet.source();
        BigInteger value = peerAddress.getValue();
        int width = peerAddress.getBitCount();
        for (int i = 0; i < width; i++) bits[peer.offset() + i] = value.testBit(width - 1 - i);
        set(bits, own, atom);
        return bdd.holds(node, bits);
    }

    private static void set(boolean[] bits, Field field, long value) {
        for (int i = 0; i < field.width(); i++) {
            bits[field.offset() + i] = ((value >>> (field.width() - 1 - i)) & 1) == 1;
        }
    }
}
