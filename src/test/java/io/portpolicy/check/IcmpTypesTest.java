package io.portpolicy.check;

import io.portpolicy.model.Protocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every ICMP and ICMPv6 type name the language knows has the number IANA assigns it. The
 * numbers are written here by hand from IANA's registries, not read from the table under test:
 * "ICMP Type Numbers" (Internet Control Message Protocol (ICMP) Parameters) and "ICMPv6 'type'
 * Numbers" (Internet Control Message Protocol version 6 (ICMPv6) Parameters).
 */
class IcmpTypesTest {

    private static final Map<Protocol, Map<String, Integer>> IANA = Map.of(
            Protocol.ICMP, Map.ofEntries(
                    Map.entry("echo-reply", 0),
                    Map.entry("destination-unreachable", 3),
                    Map.entry("source-quench", 4),
                    Map.entry("redirect", 5),
                    Map.entry("echo-request", 8), // IANA: "Echo"
                    Map.entry("router-advertisement", 9),
                    Map.entry("router-solicitation", 10), // IANA: "Router Selection" (RFC 1256's solicitation)
                    Map.entry("time-exceeded", 11),
                    Map.entry("parameter-problem", 12),
                    Map.entry("timestamp-request", 13), // IANA: "Timestamp"
                    Map.entry("timestamp-reply", 14),
                    Map.entry("address-mask-request", 17),
                    Map.entry("address-mask-reply", 18)),
            Protocol.ICMPV6, Map.ofEntries(
                    Map.entry("destination-unreachable", 1),
                    Map.entry("packet-too-big", 2),
                    Map.entry("time-exceeded", 3),
                    Map.entry("parameter-problem", 4),
                    Map.entry("echo-request", 128),
                    Map.entry("echo-reply", 129),
                    Map.entry("mld-listener-query", 130), // IANA: "Multicast Listener Query"
                    Map.entry("mld-listener-report", 131),
                    Map.entry("mld-listener-done", 132),
                    Map.entry("router-solicitation", 133),
                    Map.entry("router-advertisement", 134),
                    Map.entry("neighbor-solicitation", 135),
                    Map.entry("neighbor-advertisement", 136),
                    Map.entry("redirect", 137))); // IANA: "Redirect Message"

    /** The table's names and this expectation's, so that a name in only one of them fails too. */
    static Stream<Arguments> everyTypeName() {
        return Stream.of(Protocol.ICMP, Protocol.ICMPV6).flatMap(protocol -> {
            Set<String> names = new TreeSet<>(IcmpTypes.names(protocol));
            names.addAll(IANA.get(protocol).keySet());
            return names.stream().map(name -> Arguments.of(protocol, name));
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyTypeName")
    void hasItsIanaNumber(Protocol protocol, String name) {
        assertEquals(IANA.get(protocol).get(name), IcmpTypes.number(protocol, name),
                protocol + " " + name + ": the table vs IANA's registry, which must name the same types");
    }
}
