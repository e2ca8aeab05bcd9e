package io.portpolicy.diff;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.check.IcmpTypes;
import io.portpolicy.check.ServiceCatalog;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.lint.SensitivePort;
import io.portpolicy.model.AddressText;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.NamedService;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.ServiceMatch;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** Compact words for sets of packets: merged address blocks, port ranges, service names. */
final class Summary {

    private Summary() {
    }

    /** Joins cubes that differ in one field only, until none do; the order is stable. */
    static List<Cube> merge(List<Cube> cubes) {
        List<Cube> current = new ArrayList<>(cubes);
        for (int round = 0; round < 4; round++) {
            int before = current.size();
            for (int field = 0; field < 6; field++) current = mergeOn(current, field);
            if (current.size() == before) break;
        }
        current.sort(Comparator.comparing(Summary::sortKey));
        return current;
    }

    private static String sortKey(Cube c) {
        return c.family() + " " + c.protocols() + " " + String.format("%05d", c.destinationPorts().get(0).low())
                + " " + c.owns() + " " + c.peers();
    }

    private static List<Cube> mergeOn(List<Cube> cubes, int field) {
        Map<String, Cube> byRest = new LinkedHashMap<>();
        for (Cube c : cubes) {
            String key = restKey(c, field);
            Cube known = byRest.get(key);
            byRest.put(key, known == null ? c : join(known, c, field));
        }
        return new ArrayList<>(byRest.values());
    }

    private static String restKey(Cube c, int field) {
        List<Object> parts = new ArrayList<>(List.of(c.family(), c.protocols(), c.destinationPorts(), c.sourcePorts(),
                c.icmpTypes(), c.peers(), c.owns(), c.icmpCodes()));
        int[] index = {1, 2, 3, 4, 5, 6};
        parts.set(index[field], "*");
        return parts.toString();
    }

    private static Cube join(Cube a, Cube b, int field) {
        return switch (field) {
            case 0 -> new Cube(a.family(), values(a.protocols(), b.protocols()), a.destinationPorts(), a.sourcePorts(),
                    a.icmpTypes(), a.icmpCodes(), a.peers(), a.owns());
            case 1 -> new Cube(a.family(), a.protocols(), values(a.destinationPorts(), b.destinationPorts()),
                    a.sourcePorts(), a.icmpTypes(), a.icmpCodes(), a.peers(), a.owns());
            case 2 -> new Cube(a.family(), a.protocols(), a.destinationPorts(), values(a.sourcePorts(), b.sourcePorts()),
                    a.icmpTypes(), a.icmpCodes(), a.peers(), a.owns());
            case 3 -> new Cube(a.family(), a.protocols(), a.destinationPorts(), a.sourcePorts(),
                    values(a.icmpTypes(), b.icmpTypes()), a.icmpCodes(), a.peers(), a.owns());
            case 4 -> new Cube(a.family(), a.protocols(), a.destinationPorts(), a.sourcePorts(), a.icmpTypes(),
                    a.icmpCodes(), addresses(a.peers(), b.peers()), a.owns());
            default -> new Cube(a.family(), a.protocols(), a.destinationPorts(), a.sourcePorts(), a.icmpTypes(),
                    a.icmpCodes(), a.peers(), addresses(a.owns(), b.owns()));
        };
    }

    private static List<ValueRange> values(List<ValueRange> a, List<ValueRange> b) {
        List<ValueRange> all = new ArrayList<>(a);
        all.addAll(b);
        return Cube.joinValues(all);
    }

    private static List<IPAddressSeqRange> addresses(List<IPAddressSeqRange> a, List<IPAddressSeqRange> b) {
        List<IPAddressSeqRange> all = new ArrayList<>(a);
        all.addAll(b);
        return Cube.joinAddresses(all);
    }

    // ---- words ---------------------------------------------------------------------------

    /**
     * "tcp port 22 (ssh)", "icmp echo-request", "any protocol", "every protocol but tcp". The
     * source ports are the source's: {@link #endpoints} names them.
     */
    static String traffic(Cube c, Collection<NamedService> services) {
        if (c.protocols().equals(Cube.BYTE)) return "any protocol";
        List<Integer> protocols = numbers(c.protocols());
        StringBuilder out = new StringBuilder();
        if (protocols.size() <= 6) {
            out.append(names(protocols));
        } else {
            List<Integer> others = numbers(Cube.complement(c.protocols(), 255));
            out.append(others.size() <= 6 ? "every protocol but " + names(others) : "protocols " + join(c.protocols()));
        }
        boolean icmp = protocols.stream().allMatch(p -> p == 1 || p == 58);
        if (hasPorts(c) && !c.destinationPorts().equals(Cube.PORT)) {
            out.append(ports(c.destinationPorts()));
            String service = service(protocols, c.destinationPorts(), services);
            if (service != null) out.append(" (").append(service).append(')');
        }
        if (icmp && !c.icmpTypes().equals(Cube.BYTE)) {
            Protocol protocol = protocols.get(0) == 1 ? Protocol.ICMP : Protocol.ICMPV6;
            List<String> types = new ArrayList<>();
            for (ValueRange r : c.icmpTypes()) {
                String name = r.isSingle() ? IcmpTypes.name(protocol, r.low()) : null;
                types.add(name != null && protocols.size() == 1 ? name : "type " + r);
            }
            out.append(' ').append(String.join(", ", types));
        }
        if (icmp && !c.icmpCodes().equals(Cube.BYTE)) out.append(" code ").append(join(c.icmpCodes()));
        return out.toString();
    }

    private static List<Integer> numbers(List<ValueRange> ranges) {
        List<Integer> numbers = new ArrayList<>();
        for (ValueRange r : ranges) for (int n = r.low(); n <= r.high(); n++) numbers.add(n);
        return numbers;
    }

    private static String names(List<Integer> protocols) {
        return String.join("/", protocols.stream().map(Summary::protocolName).toList());
    }

    /** Whether the block is of TCP or UDP only, so that its ports mean something. */
    private static boolean hasPorts(Cube c) {
        return numbers(c.protocols()).stream().allMatch(p -> p == 6 || p == 17);
    }

    /** " port 22", " ports 80,443". */
    private static String ports(List<ValueRange> ports) {
        return (ports.size() == 1 && ports.get(0).isSingle() ? " port " : " ports ") + join(ports);
    }

    private static String protocolName(int p) {
        return switch (p) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case 58 -> "icmpv6";
            default -> "protocol " + p;
        };
    }

    private static String join(List<ValueRange> ranges) {
        List<String> parts = new ArrayList<>();
        for (ValueRange r : ranges) parts.add(r.toString());
        return String.join(",", parts);
    }

    /**
     * The service whose protocols and ports are exactly these, if one is. Each side's ports are
     * joined per protocol, as a block's are: a service written port by port (docker is tcp/2375,
     * tcp/2376) is the block of their range.
     */
    private static String service(List<Integer> protocols, List<ValueRange> ports, Collection<NamedService> services) {
        Map<Integer, List<ValueRange>> wanted = new TreeMap<>();
        for (int p : protocols) wanted.put(p, Cube.joinValues(ports));
        List<NamedService> candidates = new ArrayList<>(services);
        // A policy's own service of a built-in's name replaces the built-in.
        Set<String> defined = new HashSet<>();
        services.forEach(service -> defined.add(service.name()));
        ServiceCatalog.builtin().values().stream().filter(b -> !defined.contains(b.name())).forEach(candidates::add);
        for (NamedService service : candidates) {
            Map<Integer, List<ValueRange>> terms = new TreeMap<>();
            boolean plain = true;
            for (ServiceMatch term : service.terms()) {
                if (!term.protocol().hasPorts() || term.ports() == null || term.ports().ephemeral()) {
                    plain = false;
                    break;
                }
                for (PortRange r : term.ports().ranges()) {
                    terms.computeIfAbsent(term.protocol().number(), p -> new ArrayList<>())
                            .add(new ValueRange(r.low(), r.high()));
                }
            }
            terms.replaceAll((protocol, ranges) -> Cube.joinValues(ranges));
            if (plain && terms.equals(wanted)) return service.name();
        }
        return null;
    }

    static String addresses(List<IPAddressSeqRange> ranges, Family family) {
        String any = family == Family.IPV4 ? "any IPv4 address" : "any IPv6 address";
        if (ranges.size() == 1 && ranges.get(0).equals(Cube.whole(family))) return any;
        if (isWide(ranges, family)) {
            // Most of the address space: name what is left out instead (loopback, the host itself, ...).
            return any + " except " + blocks(Cube.outside(family, ranges), family);
        }
        // A block with holes reads better as the block "except" the holes (often the target itself).
        IPAddressSeqRange hull = ranges.get(0).getLower().toSequentialRange(ranges.get(ranges.size() - 1).getUpper());
        IPAddress[] hullBlocks = hull.spanWithPrefixBlocks();
        if (ranges.size() > 1 && hullBlocks.length == 1) {
            List<IPAddressSeqRange> holes = new ArrayList<>();
            for (IPAddressSeqRange rest : Cube.outside(family, ranges)) {
                IPAddressSeqRange inside = rest.intersect(hull);
                if (inside != null) holes.add(inside);
            }
            if (count(holes) < count(ranges)) return blocks(List.of(hull), family) + " except " + blocks(holes, family);
        }
        return blocks(ranges, family);
    }

    private static int count(List<IPAddressSeqRange> ranges) {
        int n = 0;
        for (IPAddressSeqRange r : ranges) n += r.spanWithPrefixBlocks().length;
        return n;
    }

    /** Whether the ranges cover at least half of the family's addresses. */
    static boolean isWide(List<IPAddressSeqRange> ranges, Family family) {
        java.math.BigInteger total = java.math.BigInteger.ZERO;
        for (IPAddressSeqRange r : ranges) total = total.add(r.getCount());
        return total.shiftLeft(1).compareTo(Cube.whole(family).getCount()) >= 0;
    }

    private static String blocks(List<IPAddressSeqRange> ranges, Family family) {
        List<String> parts = new ArrayList<>();
        for (IPAddressSeqRange r : ranges) {
            for (IPAddress block : r.spanWithPrefixBlocks()) parts.add(AddressText.block(block));
        }
        if (parts.size() > 6) {
            // Fewer words as ranges; a range that is one CIDR block still reads as the block.
            List<String> spans = new ArrayList<>();
            for (IPAddressSeqRange r : ranges) spans.add(AddressText.range(r));
            if (spans.size() < parts.size()) parts = spans;
        }
        return String.join(", ", parts);
    }

    /** The target's own side: its name when the cube covers all its addresses of that family. */
    static String own(Cube c, Target target) {
        List<IPAddressSeqRange> mine = Cube.joinAddresses(target.addresses().stream()
                .filter(r -> r.getLower().isIPv4() == (c.family() == Family.IPV4)).toList());
        if (mine.equals(c.owns())) return target.name();
        return target.name() + " at " + addresses(c.owns(), c.family());
    }

    /** "from X to Y" with the target on its side, and the source's ports ("from X port 8080 to Y"). */
    static String endpoints(Cube c, Target target, Direction direction) {
        String peer = addresses(c.peers(), c.family());
        String own = own(c, target);
        String sourcePorts = hasPorts(c) && !c.sourcePorts().equals(Cube.PORT) ? ports(c.sourcePorts()) : "";
        return direction == Direction.INBOUND ? "from " + peer + sourcePorts + " to " + own
                : "from " + own + sourcePorts + " to " + peer;
    }

    /**
     * Why a block of an opening is risky, or null: from the whole internet or a wide range, or
     * every protocol from anywhere. "Every protocol" and "every port" are read off what the new
     * side admits at the target ({@code admitted}), from the block's peers; a port is named at
     * the block that opens it. The sensitive ports are those of {@code catalog}: the built-in
     * ones and the configuration's, as lint's.
     */
    static String risk(Cube c, PolicyDiff.Admitted admitted, List<SensitivePort> catalog) {
        String reach = reach(c.peers(), c.family());
        List<IPAddressSeqRange> everythingFrom = Cube.addresses(c.peers(), admitted.everything().get(c.family()));
        if (reach == null) {
            // From a few addresses, only a whole-protocol opening is a risk in itself.
            return everythingFrom.isEmpty() ? null : "every protocol and port";
        }
        List<String> reasons = new ArrayList<>(List.of(reach));
        List<ValueRange> tcpPorts = destinationPorts(c, 6);
        List<ValueRange> udpPorts = destinationPorts(c, 17);
        // A block opening every port of a protocol is "every port": naming some of them adds nothing.
        List<Integer> admin = tcpPorts.equals(Cube.PORT) ? List.of()
                : ADMIN_PORTS.stream().filter(port -> contains(tcpPorts, port)).toList();
        if (!admin.isEmpty()) {
            reasons.add("remote administration " + (admin.size() == 1 ? "port " : "ports ")
                    + String.join(", ", admin.stream().map(String::valueOf).toList()));
        }
        String sensitive = sensitivePorts(catalog, tcpPorts, udpPorts, admin);
        if (sensitive != null) reasons.add(sensitive);
        if (reach(everythingFrom, c.family()) != null) {
            reasons.add("every protocol and port");
        } else {
            // Named by protocol: a block of every protocol but TCP may open every UDP port while a TCP port stays shut.
            List<String> everyPort = new ArrayList<>();
            if (everyPortFromWide(c, 6, admitted.everyTcpPacket())) everyPort.add("TCP");
            if (everyPortFromWide(c, 17, admitted.everyUdpPacket())) everyPort.add("UDP");
            if (!everyPort.isEmpty()) reasons.add("every " + String.join(" and ", everyPort) + " port");
        }
        return String.join(", ", reasons);
    }

    /** How many sensitive ports a RISK names before it counts the rest. */
    private static final int SENSITIVE_PORTS_NAMED = 3;

    /**
     * The catalog's ports the block opens, as RISK names them ("sensitive ports 3306 (MySQL and
     * MariaDB), 5432 (PostgreSQL)"), or null: every one, not only the first, by port wherever
     * the configuration's own come in the catalog, up to a few and then how many more. A port
     * already named for remote administration is not named again, and a port open over TCP and
     * UDP is named once.
     */
    private static String sensitivePorts(List<SensitivePort> catalog, List<ValueRange> tcpPorts,
                                         List<ValueRange> udpPorts, List<Integer> admin) {
        List<SensitivePort> hits = new ArrayList<>();
        for (SensitivePort port : catalog) {
            List<ValueRange> ports = port.protocol() == Protocol.TCP ? tcpPorts : udpPorts;
            if (ports.equals(Cube.PORT)) continue;
            boolean hit = ports.stream().anyMatch(r -> r.low() <= port.ports().high() && port.ports().low() <= r.high());
            boolean namedForAdministration = port.ports().low() == port.ports().high() && admin.contains(port.ports().low());
            if (hit && !namedForAdministration) hits.add(port);
        }
        if (hits.isEmpty()) return null;
        hits.sort(Comparator.comparingInt(port -> port.ports().low()));
        List<String> named = hits.stream().map(port -> port.ports() + " (" + port.service() + ")").distinct().toList();
        List<String> shown = named.stream().limit(SENSITIVE_PORTS_NAMED).toList();
        int more = named.size() - shown.size();
        return (named.size() == 1 ? "sensitive port " : "sensitive ports ") + String.join(", ", shown)
                + (more > 0 ? " and " + more + " more" : "");
    }

    /** Whether the block is of the protocol, and every port of it is admitted from a wide part of its peers. */
    private static boolean everyPortFromWide(Cube c, int protocol, Map<Family, List<IPAddressSeqRange>> everyPacketFrom) {
        return contains(c.protocols(), protocol)
                && reach(Cube.addresses(c.peers(), everyPacketFrom.get(c.family())), c.family()) != null;
    }

    /** How far the peers reach, when that is a risk in itself: "open to the whole world" or "to a wide range". */
    private static String reach(List<IPAddressSeqRange> peers, Family family) {
        if (peers.isEmpty()) return null;
        if (isWide(peers, family)) return "open to the whole world";
        BigInteger wide = BigInteger.ONE.shiftLeft(family == Family.IPV4 ? 16 : 64);
        return peers.stream().anyMatch(r -> r.getCount().compareTo(wide) > 0) ? "open to a wide range" : null;
    }

    /** The destination ports the block opens for the protocol (none when it is of other protocols). */
    private static List<ValueRange> destinationPorts(Cube c, int protocol) {
        return contains(c.protocols(), protocol) ? c.destinationPorts() : List.of();
    }

    /** Remote administration over TCP: ssh, telnet, rdp, WinRM. */
    private static final List<Integer> ADMIN_PORTS = List.of(22, 23, 3389, 5985, 5986);

    private static boolean contains(List<ValueRange> ranges, int value) {
        return ranges.stream().anyMatch(r -> r.low() <= value && value <= r.high());
    }

    static <T> List<T> sorted(List<T> items, Function<T, String> key) {
        List<T> out = new ArrayList<>(items);
        out.sort(Comparator.comparing(key));
        return out;
    }
}
