package io.portpolicy.cli;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.ipv4.IPv4Address;
import io.portpolicy.check.AddressParser;
import io.portpolicy.check.Checker;
import io.portpolicy.check.IcmpTypes;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.diag.VisibleText;
import io.portpolicy.engine.EphemeralPorts;
import io.portpolicy.engine.Packet;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.Verdict;
import io.portpolicy.lint.LintConfig;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressText;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Host;
import io.portpolicy.model.Numbers;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code portpolicy query}: the verdict for one packet, and the rule that decided it. The packet
 * is judged where it leaves and where it arrives: at the hosts owning its addresses, whatever
 * names were given, and at a group named for either side.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Answer allow, deny or reject for one packet, naming the rule or default that decided it.",
                "The packet is judged outbound at the host owning its source address and inbound at the host "
                        + "owning its destination address, and also at a group given as --from (outbound) or --to "
                        + "(inbound).",
                "Exit code: 0 allowed, 1 denied or rejected, 2 error."})
final class QueryCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the policy; - reads standard input")
    String file;

    @Option(names = "--from", required = true, paramLabel = "ADDR|NAME", description = "source address, host or group")
    String from;

    @Option(names = "--to", required = true, paramLabel = "NAME|ADDR", description = "destination host, group or address")
    String to;

    @Option(names = "--proto", required = true, paramLabel = "PROTO", description = "tcp, udp, icmp or icmpv6")
    String proto;

    @Option(names = "--port", paramLabel = "N", converter = PortNumber.class,
            description = "destination port (tcp, udp only)")
    Integer port;

    @Option(names = "--sport", paramLabel = "N", converter = PortNumber.class,
            description = "source port (tcp, udp only); default: the first port of the source's ephemeral range")
    Integer sourcePort;

    @Option(names = "--icmp-type", paramLabel = "TYPE[:CODE]",
            description = "ICMP type name or number (icmp, icmpv6 only); default echo-request")
    String icmpType;

    @Option(names = "--today", paramLabel = "YYYY-MM-DD", description = "the date expiry is judged by; default today")
    LocalDate today;

    @Option(names = "--config", paramLabel = "FILE",
            description = {"configuration (its 'ephemeral' setting)", Io.CONFIG_DEFAULT})
    Path config;

    private final Io io;

    QueryCommand(Io io) {
        this.io = io;
    }

    /**
     * One side of the packet: as written, the addresses it may take, the group named for it, if
     * any, and whether it was given as an address rather than a name.
     */
    private record End(String written, List<IPAddress> candidates, Target group, boolean givenAsAddress) {
    }

    /** Where the packet is judged, and in which direction. */
    private record Place(Target target, Direction direction) {
    }

    @Override
    public Integer call() {
        Optional<LintConfig> settings = io.config(config);
        if (settings.isEmpty()) return Main.ERROR;
        Diagnostics diagnostics = new Diagnostics();
        Optional<Policy> checked = Checker.check(file, io.in(), diagnostics);
        io.report(diagnostics);
        if (checked.isEmpty()) return Main.ERROR;
        Policy policy = settings.get().configured(checked.get());

        Protocol protocol = protocol();
        refuseOptionsOtherProtocolsTake(protocol);
        End source = end(policy, from, "--from");
        End destination = end(policy, to, "--to");
        Family family = family(source, destination, protocol);
        // Why the packet has its IP version, for an address given of the other one.
        String because = protocol.family().isPresent() ? protocol.keyword() + " is " + family.label()
                : "the packet is " + family.label() + ": give --from and --to addresses of one IP version";
        // An address given for an IPv4 one is the likeliest reason the packet is of the wrong version.
        List<Ipv4Meant> meant = Stream.of(ipv4Meant(source, "--from"), ipv4Meant(destination, "--to"))
                .flatMap(Optional::stream).toList();
        String ipv4Question = meant.isEmpty() ? null : ipv4Question(protocol, source, destination);
        String ipv4Hint = ipv4Question == null ? null : meant.stream()
                .map(m -> Quote.of(m.given()) + " stands for " + m.ipv4()).collect(Collectors.joining(" and "))
                + ": " + ipv4Question;
        IPAddress src = pick(source, family, "--from", destination.candidates(), because,
                () -> whyFamily(protocol, destination, "--to", family), ipv4Hint);
        IPAddress dst = pick(destination, family, "--to", List.of(src), because,
                () -> whyFamily(protocol, source, "--from", family), ipv4Hint);
        meant.forEach(m -> warnOfIpv4Meant(m, ipv4Question));

        int sport = 0;
        int dport = 0;
        int type = 0;
        int code = 0;
        if (protocol.hasPorts()) {
            if (port == null) throw Main.usage(spec, "--port is required for " + protocol.keyword());
            dport = port;
            sport = sourcePort != null ? sourcePort : new EphemeralPorts(policy).of(src).low();
        } else {
            int[] typeCode = icmp(protocol);
            type = typeCode[0];
            code = typeCode[1];
        }
        Packet packet = new Packet(src, dst, protocol.number(), sport, dport, type, code);

        List<Place> places = places(policy, packet, source, destination);
        if (places.isEmpty()) {
            throw Main.usage(spec, "neither " + Quote.of(from) + " nor " + Quote.of(to) + " is a host or group of this policy,"
                    + " or an address of a host; name the host or group to judge the packet at"
                    + groupsHolding(policy, packet));
        }

        LocalDate day = Main.dayOr(today);
        EffectivePolicy effective = EffectivePolicy.forFewTargets(policy, day);
        // "Why is this denied?" is often "the exception expired": the policy with every rule in
        // force says which expired rule would decide the packet otherwise.
        EffectivePolicy withExpired = policy.rules().stream().anyMatch(rule -> rule.expiredOn(day))
                ? EffectivePolicy.forFewTargets(policy, LocalDate.MIN) : null;
        StringBuilder answer = new StringBuilder(describe(packet, protocol)).append('\n');
        Action overall = Action.ALLOW;
        for (Place place : places) {
            Verdict verdict = effective.decide(place.target(), place.direction(), packet);
            answer.append(String.format("  %s at %s %s: %s\n    decided by %s\n", verdict.direction().keyword(),
                    place.target().kind(), place.target().name(), verdict.action().keyword(),
                    VisibleText.ofLine(verdict.reason())));
            Verdict unexpired = withExpired == null ? null : withExpired.decide(place.target(), place.direction(), packet);
            if (unexpired != null && unexpired.rule() != null && unexpired.rule().expiredOn(day)
                    && unexpired.action() != verdict.action()) {
                answer.append(String.format("    expired, so not compiled: %s would %s it\n",
                        VisibleText.ofLine(unexpired.reason()), unexpired.action().keyword()));
            }
            if (overall == Action.ALLOW) overall = verdict.action();
        }
        answer.append("verdict: ").append(overall.keyword()).append('\n');
        // The deciding rule is quoted with its file name: the user's text, which may not act on the terminal
        // (nor, a line feed in it, start a line: the reasons are made one line above).
        io.out().print(VisibleText.of(answer.toString()));
        return overall == Action.ALLOW ? Main.OK : Main.FINDINGS;
    }

    private Protocol protocol() {
        String keyword = Main.oneOf("--proto", proto, List.of("tcp", "udp", "icmp", "icmpv6"), spec);
        return Protocol.valueOf(keyword.toUpperCase(Locale.ROOT));
    }

    /** An option that does not apply to the protocol would be ignored; the question is then not the one asked. */
    private void refuseOptionsOtherProtocolsTake(Protocol protocol) {
        if (protocol.hasPorts()) {
            if (icmpType != null) {
                throw Main.usage(spec, "--icmp-type applies to icmp and icmpv6, not " + protocol.keyword()
                        + "; drop it, or ask about --proto icmp or icmpv6");
            }
            return;
        }
        String portOption = port != null ? "--port" : sourcePort != null ? "--sport" : null;
        if (portOption != null) {
            throw Main.usage(spec, portOption + " applies to tcp and udp, not " + protocol.keyword()
                    + "; drop it, and give the ICMP type with --icmp-type TYPE[:CODE]");
        }
    }

    private End end(Policy policy, String text, String option) {
        Host host = policy.hosts().get(text);
        if (host != null) return new End(text, host.addresses(), null, false);
        if (policy.groups().containsKey(text)) {
            Target group = Target.of(policy.groups().get(text));
            return new End(text, group.addresses().stream().map(IPAddressSeqRange::getLower).toList(), group, false);
        }
        IPAddress address = AddressParser.single(text);
        if (address == null) throw Main.usage(spec, notAnAddress(policy, text, option));
        return new End(text, List.of(address), null, true);
    }

    /**
     * Every place that judges the packet: the hosts owning its source (outbound) and destination
     * (inbound), however they were named, since their firewalls see it whatever the question
     * called them; and a group named for a side, a cloud target of its own.
     */
    private static List<Place> places(Policy policy, Packet packet, End source, End destination) {
        List<Place> places = new ArrayList<>();
        hostOwning(policy, packet.source()).ifPresent(host -> places.add(new Place(host, Direction.OUTBOUND)));
        if (source.group() != null) places.add(new Place(source.group(), Direction.OUTBOUND));
        hostOwning(policy, packet.destination()).ifPresent(host -> places.add(new Place(host, Direction.INBOUND)));
        if (destination.group() != null) places.add(new Place(destination.group(), Direction.INBOUND));
        return places;
    }

    /**
     * Where a policy of groups (a cloud policy) holds the packet's addresses, said as what to
     * write: "; --to 10.0.2.7 is in group 'app' (name it with --to app)", the destination first.
     */
    private static String groupsHolding(Policy policy, Packet packet) {
        String to = groupHolding(policy, packet.destination(), "--to");
        if (to != null) return to;
        String from = groupHolding(policy, packet.source(), "--from");
        return from != null ? from : "";
    }

    private static String groupHolding(Policy policy, IPAddress address, String option) {
        List<String> groups = policy.groups().values().stream().map(Target::of).filter(group -> group.owns(address))
                .map(Target::name).sorted().toList();
        if (groups.isEmpty()) return null;
        String given = "; " + option + " " + AddressText.of(address);
        if (groups.size() == 1) {
            return given + " is in group " + Quote.of(groups.get(0)) + " (name it with " + option + " " + groups.get(0) + ")";
        }
        return given + " is in groups " + String.join(", ", groups.stream().map(Quote::of).toList())
                + " (name one of them with " + option + ")";
    }

    /** The host an address belongs to; the checker gives each address at most one. */
    private static Optional<Target> hostOwning(Policy policy, IPAddress address) {
        return policy.hosts().values().stream().map(Target::of).filter(host -> host.owns(address)).findFirst();
    }

    /** What a rule's address may say but no one packet can be: every address, or the host being configured. */
    private static final Set<String> LANGUAGE_ADDRESS_KEYWORDS = Set.of("any", "any4", "any6", "self");

    /**
     * Why {@code text} is no address the policy language would accept (query takes the same
     * forms), or, when it reads as a word, no host or group of the policy either (a network
     * holds many addresses, and a query judges one packet).
     */
    private static String notAnAddress(Policy policy, String text, String option) {
        if (text.isBlank()) return option + " is empty; give an address, or a host or group of the policy";
        if (policy.networks().containsKey(text)) {
            return option + " " + Quote.of(text) + " is a network of the policy; a query is about one packet:"
                    + " give a host, a group or one address";
        }
        if (LANGUAGE_ADDRESS_KEYWORDS.contains(text)) {
            return option + " " + Quote.of(text) + " is a keyword of the policy language, not one address; a query is"
                    + " about one packet: give a host, a group or one address";
        }
        boolean addressLike = Character.isDigit(text.charAt(0)) || text.indexOf(':') >= 0;
        if (!addressLike) {
            TreeSet<String> names = new TreeSet<>(policy.hosts().keySet());
            names.addAll(policy.groups().keySet());
            String hint = Suggestions.didYouMean(text, names);
            return option + " " + Quote.of(text) + " is neither an address nor a host or group of the policy"
                    + (hint == null ? "" : "; " + hint);
        }
        int cut = text.indexOf('/') >= 0 ? text.indexOf('/') : text.indexOf('-');
        if (cut > 0 && AddressParser.single(text.substring(0, cut)) != null) {
            return option + " " + Quote.of(text) + " is a network or range; a query is about one packet: give one address"
                    + " such as " + text.substring(0, cut);
        }
        return option + ": " + AddressParser.invalid(text) + "; " + AddressParser.hint(text);
    }

    private static Family family(End source, End destination, Protocol protocol) {
        if (protocol.family().isPresent()) return protocol.family().get();
        // An address given is that side's only address, so it decides, whether a host owns it or not.
        for (End end : List.of(source, destination)) {
            if (end.givenAsAddress()) return Family.of(end.candidates().get(0));
        }
        boolean v4 = source.candidates().stream().anyMatch(IPAddress::isIPv4)
                && destination.candidates().stream().anyMatch(IPAddress::isIPv4);
        return v4 ? Family.IPV4 : Family.IPV6;
    }

    /**
     * The address of one side for the packet: its first of the family, but not one the other
     * side may use when it has another (a group holding the destination host would otherwise
     * send from the host's own address, and the answer would be about loopback).
     */
    private IPAddress pick(End end, Family family, String option, List<IPAddress> otherSide, String because,
                           Supplier<String> namedBecause, String ipv4Hint) {
        List<IPAddress> ofFamily = end.candidates().stream().filter(a -> Family.of(a) == family).toList();
        if (ofFamily.isEmpty() && end.givenAsAddress()) {
            IPAddress given = end.candidates().get(0);
            throw usage(option + " " + AddressText.of(given) + " is an " + Family.of(given).label()
                    + " address, but " + because, ipv4Hint);
        }
        if (ofFamily.isEmpty()) throw usage(option + " " + Quote.of(end.written()) + " has no "
                + family.label() + " address, but " + namedBecause.get(), ipv4Hint);
        return ofFamily.stream()
                .filter(a -> otherSide.stream().noneMatch(o -> o.withoutPrefixLength().equals(a.withoutPrefixLength())))
                .findFirst().orElse(ofFamily.get(0));
    }

    private CommandLine.ParameterException usage(String message, String hint) {
        return hint == null ? Main.usage(spec, message) : Main.usage(spec, message, hint);
    }

    /** An address given as {@code option} that stands for an IPv4 one. */
    private record Ipv4Meant(String option, String given, IPv4Address ipv4, String kind) {
    }

    /** The IPv4 address {@code end} stands for, read as the checker reads a policy's addresses. */
    private static Optional<Ipv4Meant> ipv4Meant(End end, String option) {
        if (!end.givenAsAddress()) return Optional.empty();
        IPAddress given = end.candidates().get(0);
        IPv4Address ipv4 = AddressParser.meantIpv4(given, end.written());
        return Optional.ofNullable(ipv4).map(meant -> new Ipv4Meant(option, end.written(), meant,
                AddressParser.ipv4MeantKind(given)));
    }

    /**
     * How to ask about the IPv4 packet the addresses given for IPv4 ones stand for, or {@code null}
     * where there is none to ask about: a hint must lead to a query that is not refused for its IP
     * version. So every address given for an IPv4 one is replaced by it, and another side given as
     * an IPv6 address must become an IPv4 one too; an icmpv6 packet is never IPv4, nor is a packet
     * of a host or group with no IPv4 address.
     */
    private static String ipv4Question(Protocol protocol, End source, End destination) {
        if (protocol.family().orElse(Family.IPV4) != Family.IPV4) return null;
        List<String> changes = new ArrayList<>();
        for (Map.Entry<String, End> side : List.of(Map.entry("--from", source), Map.entry("--to", destination))) {
            Optional<Ipv4Meant> meant = ipv4Meant(side.getValue(), side.getKey());
            if (meant.isPresent()) changes.add(side.getKey() + " " + meant.get().ipv4());
            else if (side.getValue().candidates().stream().noneMatch(IPAddress::isIPv4)) {
                if (!side.getValue().givenAsAddress()) return null;
                changes.add("an IPv4 " + side.getKey());
            }
        }
        return "give " + String.join(" and ", changes) + " to ask about an IPv4 packet";
    }

    /**
     * Warns of an address given for an IPv4 one, as the checker warns of one in a policy: the
     * answer is about an IPv6 packet, which IPv4 traffic never is.
     */
    private void warnOfIpv4Meant(Ipv4Meant meant, String ipv4Question) {
        Diagnostics warning = new Diagnostics();
        warning.add(Diagnostic.warning(null, meant.option() + " " + Quote.of(meant.given()) + " is an " + meant.kind()
                + " IPv6 address: the packet asked about is IPv6, and IPv4 traffic is matched only by rules for"
                + " the IPv4 form", ipv4Question));
        io.report(warning);
    }

    /**
     * Why the packet has {@code family}, said to a host or group that has no address of it: its
     * protocol, an address given on the other side, or a name there with no IPv4 address.
     */
    private static String whyFamily(Protocol protocol, End other, String otherOption, Family family) {
        if (protocol.family().isPresent()) return protocol.keyword() + " is " + family.label();
        String otherSide = otherOption + " " + (other.givenAsAddress() ? other.written() : Quote.of(other.written()));
        if (other.givenAsAddress()) return otherSide + " is " + family.label();
        return otherSide + " has no IPv4 address: the two share no IP version";
    }

    private int[] icmp(Protocol protocol) {
        if (icmpType == null) return new int[] {protocol == Protocol.ICMP ? 8 : 128, 0};
        String[] parts = icmpType.split(":", 2);
        // Like every word an option takes, a type name is read in any case.
        String typeName = parts[0].toLowerCase(Locale.ROOT);
        Integer type = IcmpTypes.number(protocol, typeName);
        if (type == null) type = Numbers.parse(parts[0], 255);
        Integer code = parts.length > 1 ? Numbers.parse(parts[1], 255) : Integer.valueOf(0);
        if (type != null && code != null) return new int[] {type, code};
        String why = type == null ? whyNoType(protocol, parts[0], typeName) : outOfRange("code", parts[1]);
        throw Main.usage(spec, "--icmp-type " + Quote.of(icmpType) + " is not an " + protocol.keyword()
                + " type name or TYPE[:CODE]" + (why == null ? "" : "; " + why));
    }

    /** Why {@code written} is no type of {@code protocol}, when more can be said than that it is none. */
    private static String whyNoType(Protocol protocol, String written, String name) {
        String range = outOfRange("type", written);
        if (range != null) return range;
        // The names of the two ICMPs differ (packet-too-big, source-quench): the other one was likely meant.
        Protocol other = protocol == Protocol.ICMP ? Protocol.ICMPV6 : Protocol.ICMP;
        if (IcmpTypes.number(other, name) != null) {
            return name + " is an " + other.keyword() + " type: ask with --proto " + other.keyword();
        }
        return Suggestions.didYouMean(name, IcmpTypes.names(protocol));
    }

    /** That {@code written}, a number in ASCII digits, is past 255; {@code null} when it is no such number. */
    private static String outOfRange(String what, String written) {
        boolean digits = !written.isEmpty() && written.chars().allMatch(c -> c >= '0' && c <= '9');
        return digits ? what + " " + written + " is out of range: ICMP types and codes are 0-255" : null;
    }

    /** A port option's value, refused in words rather than as "not an int" when it is no port. */
    static final class PortNumber implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            Integer port = Numbers.parse(text, PortRange.MAX);
            if (port != null) return port;
            throw new CommandLine.TypeConversionException(Quote.of(text) + " is not a port number (0-65535)");
        }
    }

    private static String describe(Packet packet, Protocol protocol) {
        if (protocol.hasPorts()) {
            return String.format("%s %s port %d -> %s port %d", protocol.keyword(), AddressText.of(packet.source()),
                    packet.sourcePort(), AddressText.of(packet.destination()), packet.destinationPort());
        }
        String name = IcmpTypes.name(protocol, packet.icmpType());
        return String.format("%s %s -> %s type %s code %d", protocol.keyword(), AddressText.of(packet.source()),
                AddressText.of(packet.destination()), name != null ? name : Integer.toString(packet.icmpType()),
                packet.icmpCode());
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
}
