package io.portpolicy.engine;

/**
 * An exact set of packets (with the direction and target they are judged at). Sets are
 * canonical: two sets are equal exactly when they hold the same packets.
 */
public final class PacketSet {

    private final PacketSpace space;
    final int node;

    PacketSet(PacketSpace space, int node) {
        this.space = space;
        this.node = node;
    }

    public PacketSpace space() {
        return space;
    }

    public PacketSet union(PacketSet other) {
        return space.wrap(space.bdd.or(node, other.node));
    }

    public PacketSet intersect(PacketSet other) {
        // Every set of a space lies within its universe: meeting that (a group's layer asked for
        // the packets at its one group) would otherwise walk the whole diagram to rebuild the set.
        if (other.space == space) {
            if (other.node == space.universe() || other.node == node) return this;
            if (node == space.universe()) return other;
        }
        return space.wrap(space.bdd.and(node, other.node));
    }

    public PacketSet minus(PacketSet other) {
        return space.wrap(space.bdd.minus(node, other.node));
    }

    /** Every packet of the space (judged at one of its targets) that is not in this set. */
    public PacketSet complement() {
        return space.wrap(space.bdd.minus(space.universe(), node));
    }

    /**
     * The set as few blocks of address ranges, port ranges and protocol values as its
     * canonical form allows; the same set always gives the same blocks.
     */
    public java.util.List<PacketCube> describe() {
        return new Describer(space).describe(node);
    }

    public boolean isEmpty() {
        return node == Bdd.FALSE;
    }

    public boolean isAll() {
        return node == space.universe();
    }

    /**
     * Whether a set of another space over the same BDD (see
     * {@link EffectivePolicy#sharingSpaces}) holds the same packets.
     */
    public boolean samePackets(PacketSet other) {
        if (other.space.bdd != space.bdd) throw new IllegalArgumentException("sets of unrelated spaces");
        return other.node == node;
    }

    public boolean containsAll(PacketSet other) {
        return space.bdd.subset(other.node, node);
    }

    public boolean intersects(PacketSet other) {
        return space.bdd.intersects(node, other.node);
    }

    /** Whether the packet, judged at the target owning its own address, is in the set. */
    public boolean contains(Packet packet) {
        return space.contains(node, packet);
    }

    /**
     * The packets whose every other field is that of a packet in this set with some peer
     * address: "who may send this", with the peer left free.
     */
    public PacketSet anyPeer() {
        return space.wrap(space.bdd.exists(node, space.peerVariables()));
    }

    /**
     * The packets (peer left free) that are in this set for <em>every</em> peer address of
     * their IP version: what the set admits from the whole world.
     */
    public PacketSet everyPeer() {
        return space.wrap(space.bdd.forAll(node, space.peerVariables()));
    }

    /**
     * The packets (protocol, ports and ICMP fields left free) that are in this set whatever
     * those fields hold: the peers and targets it admits every protocol and port between.
     */
    public PacketSet everyService() {
        return space.wrap(space.bdd.forAll(node, space.serviceVariables()));
    }

    /**
     * The packets (protocol, ports and ICMP fields left free) between peers and targets this
     * set holds some packet between: its address pairs, with every service.
     */
    public PacketSet anyService() {
        return space.wrap(space.bdd.exists(node, space.serviceVariables()));
    }

    /**
     * The same flows to other destination ports: the packets whose every other field is that of
     * a packet in this set with some destination port, the port left free.
     */
    public PacketSet anyDestinationPort() {
        return space.wrap(space.bdd.exists(node, space.destinationPortVariables()));
    }

    /**
     * The same flows from other source ports: the packets whose every other field is that of a
     * packet in this set with some source port. A set equal to its {@code anySourcePort()} does
     * not depend on the source port, which a platform without that field can express.
     */
    public PacketSet anySourcePort() {
        return space.wrap(space.bdd.exists(node, space.sourcePortVariables()));
    }

    /**
     * The same flows with other ICMP messages: the packets whose every other field is that of a
     * packet in this set with some ICMP type and code.
     */
    public PacketSet anyIcmpMessage() {
        return space.wrap(space.bdd.exists(node, space.icmpVariables()));
    }

    /**
     * The packets, judged at any target of the layer, whose every other field is that of a
     * packet in this set at some own address: the set with its own side left free. A set
     * equal to its {@code anyOwn()} treats every address of the layer alike, which is what a
     * platform without a destination field (a security group, a network ACL) can express.
     */
    public PacketSet anyOwn() {
        return space.within(space.bdd.exists(node, space.ownVariables()));
    }

    /** The peer addresses of the set's packets (every other field dropped), as ranges. */
    public java.util.List<inet.ipaddr.IPAddressSeqRange> peerAddresses() {
        int projected = space.bdd.exists(node, space.allButPeerVariables());
        java.util.List<inet.ipaddr.IPAddressSeqRange> ranges = new Describer(space).peers(projected);
        space.bdd.free(projected);
        return ranges;
    }

    /** The own addresses of the set's packets (every other field dropped), as ranges. */
    public java.util.List<inet.ipaddr.IPAddressSeqRange> ownAddresses() {
        return space.ownAddresses(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PacketSet other && other.space == space && other.node == node;
    }

    @Override
    public int hashCode() {
        return node;
    }
}
