package io.portpolicy.kernel;

import java.net.InetAddress;
import java.time.Duration;

/**
 * One packet exchange to try: TCP connect, UDP datagram to an echoing listener, ICMP echo, or
 * one ICMP message of any type that expects no answer. Its direction follows from its
 * addresses: a peer's source and a target destination probe inbound; a target source and a
 * peer destination probe outbound.
 *
 * @param protocol    what to send
 * @param source      the source address (must belong to a lab namespace)
 * @param sourcePort  the source port, 0 for any (an ephemeral port); ignored for ICMP
 * @param destination the destination address (must belong to another lab namespace)
 * @param port        the destination port; 0 for ICMP
 * @param icmpType    the type of an {@link Protocol#ICMP_MESSAGE}, else 0
 * @param icmpCode    the code of an {@link Protocol#ICMP_MESSAGE}, else 0
 * @param timeout     how long to wait for an answer, null for the lab's default
 */
public record Probe(Protocol protocol, InetAddress source, int sourcePort, InetAddress destination, int port,
        int icmpType, int icmpCode, Duration timeout) {

    /** What a probe sends. */
    public enum Protocol {
        TCP("tcp"), UDP("udp"), ICMP_ECHO("icmp"),
        /**
         * One ICMP (IPv4) or ICMPv6 message of the probe's type and code that asks for no
         * answer (an echo reply, a router advertisement, an error, an unassigned type): ALLOWED
         * when it reaches the destination, else DROPPED.
         */
        ICMP_MESSAGE("icmp-message");

        final String wire;

        Protocol(String wire) {
            this.wire = wire;
        }
    }

    public Probe {
        if (protocol == Protocol.ICMP_ECHO || protocol == Protocol.ICMP_MESSAGE) {
            sourcePort = 0;
            port = 0;
        } else if (port < 1 || port > 65535 || sourcePort < 0 || sourcePort > 65535) {
            throw new IllegalArgumentException("ports must be 1-65535 (source 0 for any): " + sourcePort + " -> " + port);
        }
        if (protocol != Protocol.ICMP_MESSAGE) {
            icmpType = 0;
            icmpCode = 0;
        } else if (icmpType < 0 || icmpType > 255 || icmpCode < 0 || icmpCode > 255) {
            throw new IllegalArgumentException("ICMP type and code must be 0-255: " + icmpType + ":" + icmpCode);
        }
        if (LabAddresses.isV6(source) != LabAddresses.isV6(destination)) {
            throw new IllegalArgumentException("source and destination of different families: " + source + " -> "
                    + destination);
        }
        if (!LabAddresses.allowed(source) || !LabAddresses.allowed(destination)) {
            throw new IllegalArgumentException("address outside the lab ranges: " + source + " -> " + destination);
        }
    }

    public static Probe tcp(String source, String destination, int port) {
        return new Probe(Protocol.TCP, LabAddresses.parse(source), 0, LabAddresses.parse(destination), port, 0, 0, null);
    }

    public static Probe udp(String source, String destination, int port) {
        return new Probe(Protocol.UDP, LabAddresses.parse(source), 0, LabAddresses.parse(destination), port, 0, 0, null);
    }

    public static Probe icmpEcho(String source, String destination) {
        return new Probe(Protocol.ICMP_ECHO, LabAddresses.parse(source), 0, LabAddresses.parse(destination), 0, 0, 0, null);
    }

    /** One ICMP message (ICMPv6 between IPv6 addresses) of this type and code, expecting no answer. */
    public static Probe icmpMessage(String source, String destination, int type, int code) {
        return new Probe(Protocol.ICMP_MESSAGE, LabAddresses.parse(source), 0, LabAddresses.parse(destination), 0,
                type, code, null);
    }

    /** The same probe from a fixed source port (stateless policies match source ports). */
    public Probe fromPort(int sourcePort) {
        return new Probe(protocol, source, sourcePort, destination, port, icmpType, icmpCode, timeout);
    }

    public Probe withTimeout(Duration timeout) {
        return new Probe(protocol, source, sourcePort, destination, port, icmpType, icmpCode, timeout);
    }

    public boolean isIpv6() {
        return LabAddresses.isV6(source);
    }

    @Override
    public String toString() {
        if (protocol == Protocol.ICMP_ECHO) {
            return "icmp-echo " + LabAddresses.text(source) + " -> " + LabAddresses.text(destination);
        }
        if (protocol == Protocol.ICMP_MESSAGE) {
            return (isIpv6() ? "icmpv6 " : "icmp ") + icmpType + ":" + icmpCode + " " + LabAddresses.text(source) + " -> "
                    + LabAddresses.text(destination);
        }
        return protocol.wire + " " + endpoint(source, sourcePort == 0 ? "*" : Integer.toString(sourcePort)) + " -> "
                + endpoint(destination, Integer.toString(port));
    }

    private static String endpoint(InetAddress a, String port) {
        String t = LabAddresses.text(a);
        return (LabAddresses.isV6(a) ? "[" + t + "]" : t) + ":" + port;
    }
}
