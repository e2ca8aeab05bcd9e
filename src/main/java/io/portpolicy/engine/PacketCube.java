package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Family;

import java.util.List;

/**
 * One block of a packet set's description: every combination of the listed values is in the
 * set. Fields a protocol does not have (ports for ICMP) come out as their full range.
 *
 * @param sources      source addresses, as few ranges as the set allows
 * @param destinations destination addresses
 */
public record PacketCube(Family family, List<ValueRange> protocols, List<ValueRange> destinationPorts,
                         List<ValueRange> sourcePorts, List<ValueRange> icmpTypes, List<ValueRange> icmpCodes,
                         List<IPAddressSeqRange> sources, List<IPAddressSeqRange> destinations) {

    public PacketCube {
        protocols = List.copyOf(protocols);
        destinationPorts = List.copyOf(destinationPorts);
        sourcePorts = List.copyOf(sourcePorts);
        icmpTypes = List.copyOf(icmpTypes);
        icmpCodes = List.copyOf(icmpCodes);
        sources = List.copyOf(sources);
        destinations = List.copyOf(destinations);
    }
}
