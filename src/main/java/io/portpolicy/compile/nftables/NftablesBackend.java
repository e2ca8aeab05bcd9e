package io.portpolicy.compile.nftables;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.compile.Artifact;
import io.portpolicy.compile.Backend;
import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.CompileRequest;
import io.portpolicy.compile.Header;
import io.portpolicy.compile.HostRules;
import io.portpolicy.compile.LogLimit;
import io.portpolicy.compile.TargetOption;
import io.portpolicy.compile.Text;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Os;
import io.portpolicy.model.Rule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code nft -f} input for one host: one {@code table inet portpolicy} (the {@code table}
 * setting names it otherwise), replaced atomically
 * ({@code table} / {@code delete table} / {@code table { ... }}), with base chains input,
 * forward (policy drop) and output. Each base chain: the implicit rules (loopback, IPv6
 * neighbour discovery), connection tracking when stateful, a guard sending packets not
 * addressed to (not sent from) the host's own addresses to the default, then a verdict map to
 * the chain of the packet's IP version and protocol, which holds the policy rules' blocks that
 * can match it, in order, one nft rule per block (preceded by a rate-limited log rule when the
 * rule logs); then the default. Lists of values are named sets declared at the top of the
 * table ({@link NamedSets}), shared by every rule that matches the same list; so is the named
 * limit of each logged rule, shared by all its log rules ({@link LogLimit#bucket}).
 */
public final class NftablesBackend implements Backend {

    /** The setting naming the table: nft's identifiers, at most 255 characters, none of its reserved words. */
    public static final TargetOption TABLE = TargetOption.name("table", "portpolicy", "[A-Za-z][A-Za-z0-9_]{0,254}",
            "a letter, then letters, digits or '_', at most 255 characters")
            .except(reservedWords(), "and not one of nft's reserved words such as 'inet', 'table' or 'log'");
    /** nft keeps at most 128 bytes of a comment; {@code "} cannot be escaped in it. */
    static final int COMMENT_BYTES = 128;
    /** nft's log prefix limit. */
    static final int LOG_PREFIX_BYTES = 127;

    @Override
    public String name() {
        return "nftables";
    }

    @Override
    public List<String> formats() {
        return List.of("nft");
    }

    @Override
    public boolean forGroups() {
        return false;
    }

    @Override
    public Optional<Os> os() {
        return Optional.of(Os.LINUX);
    }

    @Override
    public List<TargetOption> options() {
        List<TargetOption> options = new ArrayList<>(LogLimit.OPTIONS);
        options.add(TABLE);
        return options;
    }

    @Override
    public Artifact compile(CompileRequest request) throws CompileException {
        StringBuilder out = new StringBuilder();
        for (String line : Header.lines(request, name())) out.append("# ").append(line).append('\n');
        out.append('\n');
        String table = request.options().text(TABLE.name());
        out.append("table inet ").append(table).append('\n');
        out.append("delete table inet ").append(table).append('\n');
        out.append("table inet ").append(table).append(" {\n");
        LogLimit limit = LogLimit.of(request.options());
        // Each direction's chains are rendered on the thread that read its rules, with sets of
        // their own; the output's sets then join the input's (see NamedSets.takeIn).
        Map<Direction, Chains> parts = HostRules.bothOf(request.effective(), request.target(), Chains::of);
        Chains input = parts.get(Direction.INBOUND).orThrow();
        Chains output = parts.get(Direction.OUTBOUND).orThrow();
        NamedSets sets = input.sets;
        if (!sets.takeIn(output.sets)) output = Chains.of(output.rules, sets).orThrow();
        StringBuilder chains = new StringBuilder(input.text);
        chains.append('\n');
        chains.append("\tchain forward {\n");
        chains.append("\t\ttype filter hook forward priority filter; policy drop;\n");
        chains.append("\t}\n\n");
        chains.append(output.text);
        sets.declare(out);
        List<Rule> logged = logged(input.rules, output.rules);
        for (Rule rule : logged) {
            out.append("\tlimit ").append(LogLimit.bucket(rule)).append(" { rate ").append(limit.perSecond())
                    .append("/second burst ").append(limit.burst()).append(" packets }\n");
        }
        if (!sets.isEmpty() || !logged.isEmpty()) out.append('\n');
        out.append(chains);
        out.append("}\n");
        return Artifact.single(".nft", out.toString());
    }

    /** The rules that log and match packets at the host, in either direction, in policy order: a named limit each. */
    private static List<Rule> logged(HostRules input, HostRules output) {
        Map<Integer, Rule> byPosition = new TreeMap<>();
        for (HostRules direction : List.of(input, output)) {
            for (HostRules.Compiled compiled : direction.rules()) {
                if (compiled.rule().options().log() && !compiled.cubes().isEmpty()) {
                    byPosition.put(compiled.rule().index(), compiled.rule());
                }
            }
        }
        return List.copyOf(byPosition.values());
    }

    /** One direction's chains, rendered with the sets they name (or why they could not be). */
    private record Chains(HostRules rules, StringBuilder text, NamedSets sets, CompileException failure) {

        static Chains of(HostRules rules) {
            return of(rules, new NamedSets());
        }

        static Chains of(HostRules rules, NamedSets sets) {
            StringBuilder text = new StringBuilder();
            try {
                chain(text, rules.direction() == Direction.INBOUND ? "input" : "output", rules, sets);
                return new Chains(rules, text, sets, null);
            } catch (CompileException e) {
                return new Chains(rules, text, sets, e);
            }
        }

        Chains orThrow() throws CompileException {
            if (failure != null) throw failure;
            return this;
        }
    }

    /** The transport classes a base chain dispatches to, each to a chain of its own per IP version. */
    private enum Transport {
        TCP, UDP, ICMP, OTHER;

        /** The l4proto a packet of this class has, as nft names it; OTHER has none. */
        String l4proto(Family family) {
            switch (this) {
                case TCP: return "tcp";
                case UDP: return "udp";
                case ICMP: return family == Family.IPV4 ? "icmp" : "ipv6-icmp";
                default: return null;
            }
        }

        boolean holds(PacketCube cube) {
            int icmp = cube.family() == Family.IPV4 ? HostRules.ICMP : HostRules.ICMPV6;
            switch (this) {
                case TCP: return HostRules.contains(cube.protocols(), HostRules.TCP);
                case UDP: return HostRules.contains(cube.protocols(), HostRules.UDP);
                case ICMP: return HostRules.contains(cube.protocols(), icmp);
                default:
                    return cube.protocols().stream().mapToInt(v -> v.high() - v.low() + 1).sum()
                            > (TCP.holds(cube) ? 1 : 0) + (UDP.holds(cube) ? 1 : 0) + (ICMP.holds(cube) ? 1 : 0);
            }
        }

        /**
         * The parts of a block ({@link HostRules#rejectParts}) whose lines belong in this class's
         * chain: those holding the class, but none after a part that took all its packets. The
         * parts differ only in protocols, so an earlier part holding TCP, UDP or ICMP (one
         * protocol each) took every packet of the block in that class; OTHER is many protocols.
         */
        List<PacketCube> partsReaching(List<PacketCube> parts) {
            List<PacketCube> out = new ArrayList<>();
            for (PacketCube part : parts) {
                if (!holds(part)) continue;
                out.add(part);
                if (this != OTHER) break;
            }
            return out;
        }
    }

    /**
     * A base chain and the chains it dispatches to. The base chain holds the implicit rules,
     * connection tracking and the guard; then one verdict map sends each packet, by IP version
     * and transport protocol, to the chain holding, in policy order, only the rules that can
     * match it ({@code goto}: where that chain ends, the default applies). A packet therefore
     * crosses the rules of its own protocol and version, not all of them. A class no rule can
     * match has no chain: its packets go on to the version's OTHER chain, if any, whose rules
     * cannot match them (a rule for every protocol would have given the class a chain), and so
     * to the default.
     */
    private static void chain(StringBuilder out, String name, HostRules rules, NamedSets sets) throws CompileException {
        boolean inbound = rules.direction() == Direction.INBOUND;
        Action fallback = rules.defaultAction();
        out.append("\tchain ").append(name).append(" {\n");
        out.append("\t\ttype filter hook ").append(name).append(" priority filter; policy ")
                .append(fallback == Action.ALLOW ? "accept" : "drop").append(";\n");
        line(out, (inbound ? "iif" : "oif") + " \"lo\" accept", "implicit: loopback traffic is always admitted");
        line(out, "icmpv6 type " + sets.of(NamedSets.Kind.ICMPV6_TYPES,
                        List.of("nd-router-solicit", "nd-router-advert", "nd-neighbor-solicit", "nd-neighbor-advert")) + " accept",
                "implicit: IPv6 neighbour discovery is always admitted");
        if (!rules.stateless()) {
            line(out, "ct state established,related accept", "stateful: replies to admitted connections");
            line(out, "ct state invalid meta l4proto != icmp meta l4proto != ipv6-icmp drop", HostRules.INVALID_BUT_ICMP);
        }
        String own = inbound ? "daddr" : "saddr";
        String whose = inbound ? "not addressed to this host" : "not sent from this host";
        String fallbackComment = "default " + rules.direction().keyword() + " " + fallback.keyword();
        for (Family family : Family.values()) {
            List<IPAddressSeqRange> addresses = rules.own(family);
            String match = "meta nfproto " + nfproto(family);
            if (!addresses.isEmpty()) match += " " + ip(family) + " " + own + " != " + sets.ofAddresses(kind(family), addresses);
            for (String verdict : verdicts(fallback)) line(out, match + verdict, whose + ": " + fallbackComment);
        }
        Map<String, StringBuilder> dispatched = new HashMap<>();
        for (HostRules.Compiled compiled : rules.rules()) {
            if (compiled.cubes().isEmpty()) continue;
            Rule rule = compiled.rule();
            // Made safe once: a rule may give many lines.
            String comment = comment(HostRules.describe(rule, COMMENT_BYTES));
            for (PacketCube cube : compiled.cubes()) {
                StringBuilder logLine = new StringBuilder();
                if (rule.options().log()) safeLine(logLine, match(rules, cube, rule, sets) + log(rule), comment);
                List<PacketCube> parts = rule.action() == Action.REJECT ? HostRules.rejectParts(cube) : List.of(cube);
                Map<PacketCube, StringBuilder> verdictLines = new HashMap<>();
                for (PacketCube part : parts) {
                    safeLine(verdictLines.computeIfAbsent(part, k -> new StringBuilder()),
                            match(rules, part, rule, sets) + verdict(rule.action(), part), comment);
                }
                for (Transport transport : Transport.values()) {
                    if (!transport.holds(cube)) continue;
                    StringBuilder lines = dispatched.computeIfAbsent(subchain(name, cube.family(), transport),
                            k -> new StringBuilder()).append(logLine);
                    for (PacketCube part : transport.partsReaching(parts)) lines.append(verdictLines.get(part));
                }
            }
        }
        List<String> byProtocol = new ArrayList<>();
        List<String> byVersion = new ArrayList<>();
        for (Family family : Family.values()) {
            for (Transport transport : Transport.values()) {
                String chain = subchain(name, family, transport);
                if (!dispatched.containsKey(chain)) continue;
                if (transport == Transport.OTHER) byVersion.add(nfproto(family) + " : goto " + chain);
                else byProtocol.add(nfproto(family) + " . " + transport.l4proto(family) + " : goto " + chain);
            }
        }
        if (!byProtocol.isEmpty()) {
            line(out, "meta nfproto . meta l4proto vmap { " + String.join(", ", byProtocol) + " }",
                    "to the rules for the packet's IP version and protocol");
        }
        if (!byVersion.isEmpty()) {
            line(out, "meta nfproto vmap { " + String.join(", ", byVersion) + " }",
                    "to the rules for the packet's IP version and any other protocol");
        }
        // Where both IP versions have a chain for other protocols, the maps send every packet on
        // (goto): a reject here could never match. Otherwise packets of a class without a chain end here.
        if (fallback == Action.REJECT && byVersion.size() < Family.values().length) {
            for (String verdict : verdicts(fallback)) line(out, verdict.strip(), fallbackComment);
        }
        out.append("\t}\n");
        for (Family family : Family.values()) {
            for (Transport transport : Transport.values()) {
                String chain = subchain(name, family, transport);
                if (!dispatched.containsKey(chain)) continue;
                out.append("\n\tchain ").append(chain).append(" {\n").append(dispatched.get(chain));
                if (fallback == Action.REJECT) for (String reject : rejects(transport)) line(out, reject, fallbackComment);
                out.append("\t}\n");
            }
        }
    }

    /** A default of reject at the end of a dispatched chain: only TCP reaches the TCP chain, any protocol OTHER. */
    private static List<String> rejects(Transport transport) {
        switch (transport) {
            case TCP: return List.of("reject with tcp reset");
            case OTHER: return verdicts(Action.REJECT).stream().map(String::strip).toList();
            default: return List.of("reject with icmpx type admin-prohibited");
        }
    }

    private static String subchain(String base, Family family, Transport transport) {
        return base + "_" + nfproto(family) + "_" + transport.name().toLowerCase(Locale.ROOT);
    }

    private static String nfproto(Family family) {
        return family == Family.IPV4 ? "ipv4" : "ipv6";
    }

    /** The words nft 1.0.6 refuses as a table name (how they were found: the resource's header). */
    private static Set<String> reservedWords() {
        try (InputStream in = NftablesBackend.class.getResourceAsStream("reserved-words.txt")) {
            if (in == null) throw new IllegalStateException("reserved-words.txt is missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#")).collect(Collectors.toUnmodifiableSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default as rule endings: a reject needs a TCP reset rule and an ICMP error rule. */
    private static List<String> verdicts(Action action) {
        switch (action) {
            case ALLOW: return List.of(" accept");
            case DENY: return List.of(" drop");
            default: return List.of(" meta l4proto tcp reject with tcp reset", " reject with icmpx type admin-prohibited");
        }
    }

    private static String verdict(Action action, PacketCube cube) {
        switch (action) {
            case ALLOW: return "accept";
            case DENY: return "drop";
            default:
                return HostRules.isOnly(cube.protocols(), HostRules.TCP) ? "reject with tcp reset"
                        : "reject with icmpx type admin-prohibited";
        }
    }

    /**
     * The log rule's statements: the rule's named limit first, so packets over it are not
     * logged. It has no verdict: a packet over the limit does not match it and goes on to the
     * rule that decides.
     */
    private static String log(Rule rule) {
        String prefix = rule.options().logPrefix() != null ? rule.options().logPrefix() : "portpolicy";
        prefix = Text.ascii(Text.oneLine(prefix), " ._:/=+,@#()[]-");
        prefix = Text.cutBytes(prefix, LOG_PREFIX_BYTES - 1) + " ";
        return "limit name \"" + LogLimit.bucket(rule) + "\" log prefix \"" + prefix + "\"";
    }

    /** The match part of one block's rule. */
    static String match(HostRules rules, PacketCube cube, Rule rule, NamedSets sets) throws CompileException {
        boolean inbound = rules.direction() == Direction.INBOUND;
        List<String> parts = new ArrayList<>();
        String ip = ip(cube.family());
        List<IPAddressSeqRange> peers = rules.peers(cube);
        if (!HostRules.isEveryAddress(peers)) {
            parts.add(ip + (inbound ? " saddr " : " daddr ") + sets.ofAddresses(kind(cube.family()), peers));
        }
        if (!rules.ownIsWholeHost(cube)) {
            parts.add(ip + (inbound ? " daddr " : " saddr ") + sets.ofAddresses(kind(cube.family()), rules.owns(cube)));
        }
        if (parts.isEmpty()) parts.add("meta nfproto " + nfproto(cube.family()));
        parts.addAll(protocol(cube, rule, sets));
        StringBuilder out = new StringBuilder();
        for (String part : parts) out.append(part).append(' ');
        return out.toString();
    }

    private static List<String> protocol(PacketCube cube, Rule rule, NamedSets sets) throws CompileException {
        List<ValueRange> protocols = cube.protocols();
        boolean ports = !HostRules.isFull(cube.destinationPorts(), 65535) || !HostRules.isFull(cube.sourcePorts(), 65535);
        boolean icmp = !HostRules.isFull(cube.icmpTypes(), 255) || !HostRules.isFull(cube.icmpCodes(), 255);
        List<String> parts = new ArrayList<>();
        if (HostRules.isFull(protocols, 255)) {
            if (ports || icmp) throw new CompileException(rule, "ports or ICMP types without a protocol");
            return parts;
        }
        List<Integer> each = HostRules.each(protocols);
        if (ports) {
            if (icmp || !each.stream().allMatch(p -> p == HostRules.TCP || p == HostRules.UDP)) {
                throw new CompileException(rule, "ports for a protocol without ports");
            }
            String l4 = each.size() == 1 ? protocolName(each.get(0)) : "th";
            if (each.size() > 1) parts.add("meta l4proto " + protocols(each, sets));
            if (!HostRules.isFull(cube.sourcePorts(), 65535)) {
                parts.add(l4 + " sport " + sets.of(NamedSets.Kind.PORTS, values(cube.sourcePorts())));
            }
            if (!HostRules.isFull(cube.destinationPorts(), 65535)) {
                parts.add(l4 + " dport " + sets.of(NamedSets.Kind.PORTS, values(cube.destinationPorts())));
            }
            return parts;
        }
        if (icmp) {
            boolean v4 = each.size() == 1 && each.get(0) == HostRules.ICMP && cube.family() == Family.IPV4;
            boolean v6 = each.size() == 1 && each.get(0) == HostRules.ICMPV6 && cube.family() == Family.IPV6;
            if (!v4 && !v6) throw new CompileException(rule, "ICMP types for a protocol that is not ICMP of the packet's IP version");
            String header = v4 ? "icmp" : "icmpv6";
            if (!HostRules.isFull(cube.icmpTypes(), 255)) {
                parts.add(header + " type " + sets.of(v4 ? NamedSets.Kind.ICMP_TYPES : NamedSets.Kind.ICMPV6_TYPES,
                        values(cube.icmpTypes())));
            }
            if (!HostRules.isFull(cube.icmpCodes(), 255)) {
                parts.add(header + " code " + sets.of(v4 ? NamedSets.Kind.ICMP_CODES : NamedSets.Kind.ICMPV6_CODES,
                        values(cube.icmpCodes())));
            }
            return parts;
        }
        parts.add("meta l4proto " + protocols(each, sets));
        return parts;
    }

    private static String protocols(List<Integer> numbers, NamedSets sets) {
        return sets.of(NamedSets.Kind.PROTOCOLS, numbers.stream().map(NftablesBackend::protocolName).toList());
    }

    private static String protocolName(int number) {
        switch (number) {
            case HostRules.TCP: return "tcp";
            case HostRules.UDP: return "udp";
            case HostRules.ICMP: return "icmp";
            case HostRules.ICMPV6: return "ipv6-icmp";
            default: return Integer.toString(number);
        }
    }

    private static NamedSets.Kind kind(Family family) {
        return family == Family.IPV4 ? NamedSets.Kind.IPV4 : NamedSets.Kind.IPV6;
    }

    private static String ip(Family family) {
        return family == Family.IPV4 ? "ip" : "ip6";
    }

    private static List<String> values(List<ValueRange> values) {
        return values.stream().map(ValueRange::toString).toList();
    }

    private static void line(StringBuilder out, String rule, String comment) {
        safeLine(out, rule, comment(comment));
    }

    /** A rule line whose comment {@link #comment} has already made safe. */
    private static void safeLine(StringBuilder out, String rule, String safeComment) {
        out.append("\t\t").append(rule).append(" comment \"").append(safeComment).append("\"\n");
    }

    /** A comment nft accepts: one line, no {@code "} (it cannot be escaped) nor backslash, at most 128 bytes. */
    static String comment(String text) {
        return Text.cutBytes(Text.replace(Text.oneLine(text), "\"\\", "'/"), COMMENT_BYTES).strip();
    }
}
