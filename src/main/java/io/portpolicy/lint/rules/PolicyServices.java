package io.portpolicy.lint.rules;

import io.portpolicy.check.ServiceCatalog;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.lint.Exposure;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.ServiceMatch;

import java.util.ArrayList;
import java.util.List;

/**
 * Built-in services as a policy means them: its own service of a built-in's name replaces the
 * built-in in every rule (SSH on 2222), and the rules about that service follow it
 * (PP102, PP103, PP501).
 */
final class PolicyServices {

    private PolicyServices() {
    }

    /** The ports of service {@code name} of one protocol (tcp or udp) as the policy means it: every port for {@code any}. */
    static List<PortRange> ports(Policy policy, String name, Protocol protocol) {
        List<PortRange> ports = new ArrayList<>();
        for (ServiceMatch term : policy.services().getOrDefault(name, ServiceCatalog.builtin().get(name)).terms()) {
            if (term.protocol() == Protocol.ANY) ports.add(PortRange.ALL);
            if (term.protocol() == protocol) ports.addAll(term.ports().ranges());
        }
        return Exposure.mergePorts(ports);
    }

    /**
     * A built-in service an exposure rule judges: its standard ports of each protocol and,
     * where the policy redefines the name, the policy's ports too. A rule to the standard port
     * still reaches a server listening there, and one to the policy's port the server the
     * policy says is there.
     *
     * @param standard the ports as the message names them when the policy keeps the built-in
     */
    record Judged(String name, String standard, List<Protocol> protocols, List<PortRange> standardPorts,
                  Policy policy) {

        boolean redefined() {
            return policy.services().containsKey(name);
        }

        /** The packets of the service, both meanings. */
        PacketSet packets(PacketSpace space) {
            PacketSet packets = space.none();
            for (Protocol protocol : protocols) {
                List<PortRange> ports = new ArrayList<>(standardPorts);
                ports.addAll(ports(policy, name, protocol));
                for (PortRange range : Exposure.mergePorts(ports)) {
                    packets = packets.union(space.protocol(protocol).intersect(space.destinationPorts(range)));
                }
            }
            return packets;
        }

        /**
         * The ports of the service that the sets admit, as a message names them: the standard
         * ones where the policy keeps the built-in, else which are standard and which its own.
         */
        String describe(List<PacketSet> admitted) {
            if (!redefined()) return standard;
            boolean standardAdmitted = false;
            List<String> own = new ArrayList<>();
            for (Protocol protocol : protocols) {
                List<PortRange> open = new ArrayList<>();
                for (PacketSet set : admitted) open.addAll(Exposure.openPorts(set, protocol));
                for (PortRange port : standardPorts) standardAdmitted |= ReturnTraffic.covered(port, open) > 0;
                List<PortRange> ownOpen = new ArrayList<>();
                for (PortRange port : ports(policy, name, protocol)) {
                    for (PortRange notStandard : port.minus(standardPorts)) {
                        ownOpen.addAll(notStandard.minus(notStandard.minus(open)));
                    }
                }
                if (!ownOpen.isEmpty()) own.add(protocol.keyword() + "/" + Exposure.ports(Exposure.mergePorts(ownOpen)));
            }
            List<String> parts = new ArrayList<>();
            if (standardAdmitted) parts.add(standard + ", the standard port");
            if (!own.isEmpty()) parts.add(String.join(", ", own) + ", the policy's '" + name + "'");
            return String.join(", and ", parts);
        }
    }
}
