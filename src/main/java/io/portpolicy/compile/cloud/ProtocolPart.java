package io.portpolicy.compile.cloud;

import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Family;

import java.util.ArrayList;
import java.util.List;

/**
 * The traffic of one block of packets as cloud rules name it: every protocol at once, or one
 * protocol with its destination ports (TCP, UDP) or ICMP types and codes.
 *
 * @param protocol         the IP protocol number, or {@link #ALL}
 * @param destinationPorts for TCP and UDP; every port otherwise
 * @param sourcePorts      for TCP and UDP; every port otherwise
 * @param icmpTypes        for ICMP of the block's family; every type otherwise
 * @param icmpCodes        likewise
 */
public record ProtocolPart(int protocol, List<ValueRange> destinationPorts, List<ValueRange> sourcePorts,
                           List<ValueRange> icmpTypes, List<ValueRange> icmpCodes) {

    public static final int ALL = -1;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMPV6 = 58;

    private static final List<ValueRange> EVERY_PORT = List.of(new ValueRange(0, 65535));
    private static final List<ValueRange> EVERY_BYTE = List.of(new ValueRange(0, 255));

    public ProtocolPart {
        destinationPorts = List.copyOf(destinationPorts);
        sourcePorts = List.copyOf(sourcePorts);
        icmpTypes = List.copyOf(icmpTypes);
        icmpCodes = List.copyOf(icmpCodes);
    }

    public boolean isAll() {
        return protocol == ALL;
    }

    public boolean hasPorts() {
        return protocol == TCP || protocol == UDP;
    }

    public boolean isIcmp() {
        return protocol == ICMP || protocol == ICMPV6;
    }

    public boolean everySourcePort() {
        return full(sourcePorts, 65535);
    }

    public boolean everyIcmpType() {
        return full(icmpTypes, 255);
    }

    public boolean everyIcmpCode() {
        return full(icmpCodes, 255);
    }

    /**
     * The block's traffic, one part per protocol, or one {@link #ALL} part when the block holds
     * every protocol, port, type and code. The engine leaves the fields a protocol does not have
     * free (ports of ICMP, types of TCP); a real packet carries zero there, so a protocol
     * belongs to the block only where the block admits zero in its missing fields. ICMP is read
     * as ICMP only in its own family (protocol 1 in IPv4, 58 in IPv6).
     */
    public static List<ProtocolPart> of(PacketCube cube) {
        boolean portsFull = full(cube.destinationPorts(), 65535) && full(cube.sourcePorts(), 65535);
        boolean icmpFull = full(cube.icmpTypes(), 255) && full(cube.icmpCodes(), 255);
        if (full(cube.protocols(), 255) && portsFull && icmpFull) {
            return List.of(new ProtocolPart(ALL, EVERY_PORT, EVERY_PORT, EVERY_BYTE, EVERY_BYTE));
        }
        boolean portsHoldZero = holds(cube.destinationPorts(), 0) && holds(cube.sourcePorts(), 0);
        boolean icmpHoldsZero = holds(cube.icmpTypes(), 0) && holds(cube.icmpCodes(), 0);
        int icmpOfFamily = icmpOf(cube.family());
        List<ProtocolPart> parts = new ArrayList<>();
        for (ValueRange range : cube.protocols()) {
            for (int protocol = range.low(); protocol <= range.high(); protocol++) {
                if (protocol == TCP || protocol == UDP) {
                    if (icmpHoldsZero) {
                        parts.add(new ProtocolPart(protocol, cube.destinationPorts(), cube.sourcePorts(), EVERY_BYTE, EVERY_BYTE));
                    }
                } else if (protocol == icmpOfFamily) {
                    if (portsHoldZero) {
                        parts.add(new ProtocolPart(protocol, EVERY_PORT, EVERY_PORT, cube.icmpTypes(), cube.icmpCodes()));
                    }
                } else if (portsHoldZero && icmpHoldsZero) {
                    parts.add(new ProtocolPart(protocol, EVERY_PORT, EVERY_PORT, EVERY_BYTE, EVERY_BYTE));
                }
            }
        }
        return parts;
    }

    /** The ICMP protocol of a family: ICMP (1) in IPv4, ICMPv6 (58) in IPv6. */
    public static int icmpOf(Family family) {
        return family == Family.IPV4 ? ICMP : ICMPV6;
    }

    private static boolean full(List<ValueRange> values, int max) {
        return values.size() == 1 && values.get(0).low() == 0 && values.get(0).high() == max;
    }

    private static boolean holds(List<ValueRange> values, int value) {
        return values.stream().anyMatch(v -> v.low() <= value && value <= v.high());
    }
}
