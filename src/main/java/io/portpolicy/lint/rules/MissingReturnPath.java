package io.portpolicy.lint.rules;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.diag.Severity;
import io.portpolicy.engine.AddressResolver;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

@RuleInfo(id = "PP201", name = "missing-return-path", severity = Severity.ERROR,
        summary = "In a stateless policy, a TCP or UDP flow a rule allows whose reply (from the server port to "
                + "the client's ephemeral ports) is not allowed, or an ICMP echo request whose echo reply is not.",
        rationale = "Without connection tracking nothing lets replies through by itself: a request that is "
                + "allowed but whose answer is dropped is a connection that hangs until it times out. The "
                + "reply must leave the server (its outbound rules) and enter the client (its inbound "
                + "rules) wherever those are hosts of the policy.",
        securitySeverity = "2.0")
public final class MissingReturnPath implements LintRule {

    /**
     * The one ICMP query and reply followed, ping's: other ICMP messages are no request that an
     * engineer expects an answer to through the policy (errors answer other traffic).
     */
    private record Echo(int request, int reply) {
        static final Map<Protocol, Echo> BY_PROTOCOL =
                Map.of(Protocol.ICMP, new Echo(8, 0), Protocol.ICMPV6, new Echo(128, 129));
        /** An echo reply's only code. */
        static final int CODE = 0;
    }

    /**
     * The UDP ports of the built-in one-way services, syslog and snmptrap: their messages are
     * never answered, so they are no requests, and a return rule for them would only open the
     * sender's ephemeral ports.
     */
    private static final List<PortRange> ONE_WAY_UDP = List.of(new PortRange(162, 162), new PortRange(514, 514));

    /** The UDP ports of the built-in services answered elsewhere than a client's ephemeral port. */
    private static final PortRange NTP = new PortRange(123, 123);
    private static final PortRange TFTP = new PortRange(69, 69);

    /**
     * What one request rule misses: per protocol and client port range (per protocol alone for
     * ICMP, which has no ports), the server ports and clients.
     */
    private static final class Missing {
        final Map<String, Protocol> protocols = new LinkedHashMap<>();
        final Map<String, List<PortRange>> serverPorts = new LinkedHashMap<>();
        final Map<String, List<IPAddressSeqRange>> clients = new LinkedHashMap<>();
        final Map<String, List<PortRange>> clientPorts = new LinkedHashMap<>();
        /** The clients' ephemeral range, per key with ports. */
        final Map<String, PortRange> ephemeral = new LinkedHashMap<>();
        final Set<String> leaving = new LinkedHashSet<>();
        final Set<String> entering = new LinkedHashSet<>();
        /** The deny and reject rules that drop some of the replies: a return rule must come before them. */
        final Set<Rule> droppedBy = new TreeSet<>(Comparator.comparingInt(Rule::index));
    }

    /**
     * Every address, grouped by the ephemeral range its owner uses (lowest range first: the
     * order a finding lists the replies in), with the replies to each group as sets of each
     * reply space, made once.
     */
    private static final class ClientGroups {
        private final List<ReturnTraffic.Clients> groups;
        private final Map<PacketSpace, List<PacketSet>> toClients = new HashMap<>();
        private final Map<PacketSpace, List<PacketSet>> toEphemeralPorts = new HashMap<>();

        ClientGroups(Policy policy) {
            groups = ReturnTraffic.split(policy,
                            List.of(AddressResolver.all(Family.IPV4), AddressResolver.all(Family.IPV6))).stream()
                    .sorted(Comparator.comparing(ReturnTraffic.Clients::ephemeral,
                            Comparator.comparingInt(PortRange::low).thenComparingInt(PortRange::high)))
                    .toList();
        }

        List<ReturnTraffic.Clients> groups() {
            return groups;
        }

        /**
         * The packets of a reply space to group {@code g}'s addresses, to the ports of them given.
         * The client is the reply's peer where replies leave their targets (servers), else the
         * target.
         */
        PacketSet toPorts(PacketSpace replies, int g, List<PortRange> ports) {
            if (ports.equals(List.of(groups.get(g).ephemeral()))) {
                return toEphemeralPorts.computeIfAbsent(replies, this::ephemeralPorts).get(g);
            }
            PacketSet toPorts = replies.none();
            for (PortRange range : ports) toPorts = toPorts.union(replies.destinationPorts(range));
            return toClients(replies).get(g).intersect(toPorts);
        }

        private List<PacketSet> toClients(PacketSpace replies) {
            return toClients.computeIfAbsent(replies, space -> groups.stream()
                    .map(group -> space.direction() == Direction.OUTBOUND ? space.peers(group.ranges())
                            : space.owns(group.ranges()))
                    .toList());
        }

        private List<PacketSet> ephemeralPorts(PacketSpace replies) {
            List<PacketSet> toClients = toClients(replies);
            List<PacketSet> result = new ArrayList<>();
            for (int g = 0; g < groups.size(); g++) {
                result.add(toClients.get(g).intersect(replies.destinationPorts(groups.get(g).ephemeral())));
            }
            return result;
        }
    }

    /**
     * What the allow rules of each directed policy leave out of many sets, found with one
     * difference per directed policy for all of them: a set's part outside the rules is then
     * its part of that one difference. Taking the rules away from each rule's set in turn
     * walked the layer's whole union of allow rules once per rule.
     */
    private static final class NotAllowed {
        private final Map<DirectedPolicy, PacketSet> asked = new LinkedHashMap<>();
        private final Map<DirectedPolicy, PacketSet> missing = new HashMap<>();

        /** Adds a set whose part outside {@code judge}'s allow rules {@link #of} will be asked for. */
        void ask(DirectedPolicy judge, PacketSet set) {
            if (!missing.isEmpty()) throw new IllegalStateException("every set is asked for before the first answer");
            asked.merge(judge, set, PacketSet::union);
        }

        /** The part of an asked set that {@code judge} does not allow. */
        PacketSet of(DirectedPolicy judge, PacketSet set) {
            if (set.isEmpty()) return set;
            return set.intersect(missing.computeIfAbsent(judge,
                    j -> asked.get(j).minus(j.decidedAs(Action.ALLOW))));
        }
    }

    /** One allow rule's flows of one protocol in one direction of a layer, and their replies. */
    private static final class Request {
        final Rule rule;
        final Protocol protocol;
        final Map<Direction, DirectedPolicy> layer;
        PacketSet flows;
        /** The flows as their other end judges them, where that end is a target of the layer too. */
        PacketSet atOtherEnd;
        /**
         * Per client group (one set for an echo request), the replies judged where the request
         * was, and at the other end.
         */
        final List<PacketSet> repliesHere = new ArrayList<>();
        final List<PacketSet> repliesThere = new ArrayList<>();

        Request(Rule rule, Protocol protocol, Map<Direction, DirectedPolicy> layer, PacketSet flows) {
            this.rule = rule;
            this.protocol = protocol;
            this.layer = layer;
            this.flows = flows;
        }

        DirectedPolicy here() {
            return layer.get(flows.space().direction());
        }

        DirectedPolicy there() {
            return layer.get(ReturnTraffic.opposite(flows.space().direction()));
        }
    }

    @Override
    public List<Finding> check(LintContext context) {
        Policy policy = context.policy();
        if (!policy.settings().isStateless()) return List.of();
        List<Request> requests = requests(context);
        // The other end of a flow between two targets must let the request through, or there
        // is no connection to answer.
        NotAllowed blocked = new NotAllowed();
        for (Request request : requests) {
            request.atOtherEnd = request.there().space().atOtherEnd(request.flows);
            blocked.ask(request.there(), request.atOtherEnd);
        }
        ClientGroups clients = new ClientGroups(policy);
        NotAllowed missing = new NotAllowed();
        for (Request request : requests) {
            PacketSet dropped = blocked.of(request.there(), request.atOtherEnd);
            if (!dropped.isEmpty()) {
                request.flows = request.flows.minus(request.flows.space().atOtherEnd(dropped));
            }
            if (request.flows.isEmpty()) continue;
            replies(clients, request);
            request.repliesHere.forEach(set -> missing.ask(request.there(), set));
            request.repliesThere.forEach(set -> missing.ask(request.here(), set));
        }
        Map<Rule, Missing> byRule = new LinkedHashMap<>();
        for (Request request : requests) {
            if (!request.flows.isEmpty()) book(clients, request, missing, byRule);
        }
        List<Finding> found = new ArrayList<>();
        byRule.forEach((rule, m) -> found.add(finding(context, rule, m)));
        return found;
    }

    /**
     * The flows of TCP and UDP, and the ICMP echo requests, that allow rules admit as requests,
     * layer by layer, direction by direction.
     */
    private static List<Request> requests(LintContext context) {
        Policy policy = context.policy();
        List<Request> requests = new ArrayList<>();
        for (Map<Direction, DirectedPolicy> layer : ReturnTraffic.layers(context)) {
            if (layer.size() < 2) continue;
            for (Direction direction : Direction.values()) {
                for (RuleRegion region : layer.get(direction).rules()) {
                    Rule rule = region.rule();
                    if (rule.action() != Action.ALLOW) continue;
                    for (Protocol protocol : List.of(Protocol.TCP, Protocol.UDP, Protocol.ICMP, Protocol.ICMPV6)) {
                        PacketSet flows = ReturnTraffic.flows(region, protocol);
                        if (protocol.isIcmp()) {
                            // A rule of every ICMP type allows echo requests among them.
                            flows = flows.intersect(flows.space().icmpType(Echo.BY_PROTOCOL.get(protocol).request()));
                            if (!flows.isEmpty()) requests.add(new Request(rule, protocol, layer, flows));
                            continue;
                        }
                        if (flows.isEmpty()) continue;
                        // Replies, and packets only to clients' ports, are no requests that need one.
                        if (ReturnTraffic.areReplies(flows, protocol)
                                || ReturnTraffic.toClientPorts(policy, flows, protocol)) {
                            continue;
                        }
                        if (protocol == Protocol.UDP) {
                            for (PortRange oneWay : ONE_WAY_UDP) flows = flows.minus(flows.space().destinationPorts(oneWay));
                            if (flows.isEmpty()) continue;
                        }
                        requests.add(new Request(rule, protocol, layer, flows));
                    }
                }
            }
        }
        return requests;
    }

    /**
     * The replies to a request's flows, per client group: to the ports the group's clients send
     * the requests from ({@link ReturnTraffic#clientPorts}). Each is judged where the request
     * was, in the other direction ({@link PacketSpace#repliesTo}), and, when the request's other
     * end is a target of the layer too, there, in the request's direction. An echo request has
     * one reply, to any client, with no ports.
     */
    private static void replies(ClientGroups clients, Request request) {
        PacketSpace replySpace = request.there().space();
        PacketSet replies = replySpace.repliesTo(request.flows);
        if (request.protocol.isIcmp()) {
            PacketSet echoReplies = replies.anyIcmpMessage()
                    .intersect(replySpace.icmpMessage(Echo.BY_PROTOCOL.get(request.protocol).reply(), Echo.CODE));
            request.repliesHere.add(echoReplies);
            request.repliesThere.add(request.flows.space().atOtherEnd(echoReplies));
            return;
        }
        List<PortRange> sourcePorts = ReturnTraffic.sourcePorts(request.flows, request.protocol);
        for (int g = 0; g < clients.groups().size(); g++) {
            List<PortRange> ports = ReturnTraffic.clientPorts(sourcePorts, clients.groups().get(g).ephemeral());
            PacketSet here = replies.intersect(clients.toPorts(replySpace, g, ports));
            request.repliesHere.add(here);
            request.repliesThere.add(request.flows.space().atOtherEnd(here));
        }
    }

    /** Records what the allow rules leave out of the request's replies. */
    private static void book(ClientGroups clients, Request request, NotAllowed notAllowed, Map<Rule, Missing> byRule) {
        Protocol protocol = request.protocol;
        boolean repliesLeave = request.there().space().direction() == Direction.OUTBOUND;
        PacketSet missingOut = request.layer.get(Direction.OUTBOUND).space().none();
        PacketSet missingIn = request.layer.get(Direction.INBOUND).space().none();
        for (int g = 0; g < request.repliesHere.size(); g++) {
            PacketSet notHere = notAllowed.of(request.there(), request.repliesHere.get(g));
            PacketSet notThere = notAllowed.of(request.here(), request.repliesThere.get(g));
            PacketSet notOut = repliesLeave ? notHere : notThere;
            PacketSet notIn = repliesLeave ? notThere : notHere;
            if (notOut.isEmpty() && notIn.isEmpty()) continue;
            missingOut = missingOut.union(notOut);
            missingIn = missingIn.union(notIn);
            Missing missing = byRule.computeIfAbsent(request.rule, r -> new Missing());
            String key = protocol.hasPorts() ? protocol.keyword() + " " + clients.groups().get(g).ephemeral()
                    : protocol.keyword();
            missing.protocols.put(key, protocol);
            if (protocol.hasPorts()) missing.ephemeral.put(key, clients.groups().get(g).ephemeral());
            // Each field's values on their own: describing the parts whole, block by block, can
            // take thousands of blocks where the random rules of a large policy cut them up.
            for (PacketSet part : List.of(notOut, notIn)) {
                if (part.isEmpty()) continue;
                if (protocol.hasPorts()) {
                    for (PacketCube cube : part.anyPeer().anyOwn().describe()) {
                        missing.clientPorts.computeIfAbsent(key, p -> new ArrayList<>())
                                .addAll(ReturnTraffic.toPorts(cube.destinationPorts()));
                        missing.serverPorts.computeIfAbsent(key, p -> new ArrayList<>())
                                .addAll(ReturnTraffic.toPorts(cube.sourcePorts()));
                    }
                }
                // Replies go to the client: the peer of those leaving the server, the target of those entering.
                missing.clients.computeIfAbsent(key, p -> new ArrayList<>()).addAll(
                        part.space().direction() == Direction.OUTBOUND ? part.peerAddresses() : part.ownAddresses());
            }
        }
        if (missingOut.isEmpty() && missingIn.isEmpty()) return;
        Missing missing = byRule.get(request.rule);
        missing.leaving.addAll(Exposure.targetsOf(missingOut, request.layer.get(Direction.OUTBOUND)));
        missing.entering.addAll(Exposure.targetsOf(missingIn, request.layer.get(Direction.INBOUND)));
        missing.droppedBy.addAll(droppingRules(request.layer.get(Direction.OUTBOUND), missingOut));
        missing.droppedBy.addAll(droppingRules(request.layer.get(Direction.INBOUND), missingIn));
    }

    /** The policy's rules that drop some of the packets (the default drops the rest). */
    private static List<Rule> droppingRules(DirectedPolicy directed, PacketSet packets) {
        if (packets.isEmpty()) return List.of();
        return directed.rules().stream()
                .filter(region -> region.rule().action() != Action.ALLOW && region.decided().intersects(packets))
                .map(RuleRegion::rule).toList();
    }

    private Finding finding(LintContext context, Rule rule, Missing missing) {
        List<String> parts = new ArrayList<>();
        Map<String, List<String>> fixes = new LinkedHashMap<>();
        Map<Protocol, Set<String>> serverPortsByProtocol = new LinkedHashMap<>();
        List<String> echoReplies = new ArrayList<>();
        for (String key : missing.protocols.keySet()) {
            Protocol protocol = missing.protocols.get(key);
            if (protocol.isIcmp()) {
                parts.add(protocol.keyword() + " echo-reply to "
                        + Exposure.addresses(Exposure.merge(missing.clients.get(key))));
                echoReplies.add(protocol.keyword() + "/echo-reply");
                continue;
            }
            List<PortRange> server = Exposure.mergePorts(missing.serverPorts.get(key));
            List<PortRange> client = Exposure.mergePorts(missing.clientPorts.get(key));
            boolean allServerPorts = everyServerPort(protocol, server);
            // Ports first, each list named, the addresses last: "PORTS of ADDRESSES", as PP202 and
            // PP203 say it, so that no list of ports runs on from a list of addresses.
            parts.add(protocol.keyword() + (allServerPorts ? " from any server port" : " from server " + ports(server))
                    + " to " + ports(client) + " of " + clients(Exposure.merge(missing.clients.get(key))));
            serverPortsByProtocol.computeIfAbsent(protocol, k -> new LinkedHashSet<>())
                    .add(allServerPorts ? "" : ReturnTraffic.portSyntax(server));
        }
        // The server ports the UDP return rule names; none where it is from any port.
        List<PortRange> udpServerPorts = new ArrayList<>();
        serverPortsByProtocol.forEach((protocol, lists) -> {
            // One fix per protocol: the server ports of every part together.
            List<PortRange> all = new ArrayList<>();
            for (String key : missing.serverPorts.keySet()) {
                if (missing.protocols.get(key) == protocol) all.addAll(missing.serverPorts.get(key));
            }
            List<PortRange> merged = Exposure.mergePorts(all);
            String serverSide = lists.contains("") || everyServerPort(protocol, merged) ? ""
                    : " port " + ReturnTraffic.portSyntax(merged);
            fixes.computeIfAbsent(serverSide + " to " + ReturnTraffic.side(rule.from()) + " port "
                    + clientPorts(context.policy(), missing, protocol), k -> new ArrayList<>()).add(protocol.keyword());
            if (!serverSide.isEmpty() && protocol == Protocol.UDP) udpServerPorts.addAll(merged);
        });
        List<String> where = new ArrayList<>();
        if (!missing.leaving.isEmpty()) where.add("may not leave " + Exposure.names(missing.leaving));
        if (!missing.entering.isEmpty()) where.add("may not enter " + Exposure.names(missing.entering));
        String message = "stateless policy: the replies to this rule's traffic are not allowed: "
                + String.join("; ", parts) + " (" + String.join(", ", where) + ")";
        List<String> rules = new ArrayList<>();
        fixes.forEach((sides, protocols) -> rules.add("'allow " + String.join(", ", protocols) + " from "
                + ReturnTraffic.side(rule.to()) + sides + "'"));
        if (!echoReplies.isEmpty()) {
            rules.add("'allow " + String.join(", ", echoReplies) + " from " + ReturnTraffic.side(rule.to())
                    + " to " + ReturnTraffic.side(rule.from()) + "'");
        }
        return context.finding(this, rule, rule.location(), message, "add " + String.join(" and ", rules)
                + before(missing.droppedBy) + answeredElsewhere(rule, udpServerPorts));
    }

    /**
     * The client ports of the fix for one protocol: the missing replies' ports outside the
     * clients' ephemeral ranges, which the request rule chose, and {@code ephemeral} for those
     * in them. A return rule to part of a range, even another system's, would be
     * ephemeral-mismatch's (PP203) finding, whose fix is the client's whole range: with
     * {@code ephemeral} beside them, the two rules agree.
     */
    private static String clientPorts(Policy policy, Missing missing, Protocol protocol) {
        List<PortRange> outside = new ArrayList<>();
        boolean inOwnRange = false;
        for (Map.Entry<String, PortRange> client : missing.ephemeral.entrySet()) {
            if (missing.protocols.get(client.getKey()) != protocol) continue;
            List<PortRange> ports = missing.clientPorts.get(client.getKey());
            for (PortRange range : ports) outside.addAll(range.minus(List.of(client.getValue())));
            inOwnRange |= ReturnTraffic.covered(client.getValue(), ports) > 0;
        }
        List<PortRange> chosen = Exposure.mergePorts(outside);
        boolean ephemeral = inOwnRange
                || ReturnTraffic.ephemeralRanges(policy).stream().anyMatch(e -> ReturnTraffic.covered(e, chosen) > 0);
        List<String> items = new ArrayList<>(chosen.stream().map(PortRange::toString).toList());
        if (ephemeral) items.add("ephemeral");
        return items.size() == 1 ? items.get(0) : "{" + String.join(",", items) + "}";
    }

    /** "port N" or "ports LIST". */
    private static String ports(List<PortRange> ports) {
        boolean one = ports.size() == 1 && ports.get(0).size() == 1;
        return (one ? "port " : "ports ") + Exposure.ports(ports);
    }

    /** "client ADDRESS" or "clients RANGES". */
    private static String clients(List<IPAddressSeqRange> ranges) {
        boolean one = ranges.size() == 1 && ranges.get(0).getLower().equals(ranges.get(0).getUpper());
        return (one ? "client " : "clients ") + Exposure.addresses(ranges);
    }

    /**
     * How NTP and TFTP are answered besides the return rule from the server's port, where the
     * fix names their ports (a rule of every UDP port is no request for them in particular).
     * An NTP client that sends from port 123 itself, as ntpd does, is answered on port 123,
     * not on an ephemeral port. A TFTP server answers from a new ephemeral port of its own,
     * and the client's later packets go to that port (RFC 1350).
     */
    private static String answeredElsewhere(Rule rule, List<PortRange> udpServerPorts) {
        String servers = ReturnTraffic.side(rule.to());
        String clients = ReturnTraffic.side(rule.from());
        StringBuilder notes = new StringBuilder();
        if (ReturnTraffic.covered(NTP, udpServerPorts) > 0) {
            notes.append("; a client that sends from port 123 itself (ntpd) is answered there: 'allow udp from ")
                    .append(servers).append(" port 123 to ").append(clients).append(" port 123'");
        }
        if (ReturnTraffic.covered(TFTP, udpServerPorts) > 0) {
            notes.append("; TFTP answers from a new ephemeral port of the server, so its transfers also need ")
                    .append("'allow udp from ").append(servers).append(" port ephemeral to ").append(clients)
                    .append(" port ephemeral' and 'allow udp from ").append(clients).append(" port ephemeral to ")
                    .append(servers).append(" port ephemeral'")
                    .append(" (PP106 and PP202 may report these wide rules: waive them there, giving TFTP as the reason)");
        }
        return notes.toString();
    }

    /** Whether the server ports are every port that can answer: all but the one-way ones for UDP. */
    private static boolean everyServerPort(Protocol protocol, List<PortRange> ports) {
        List<PortRange> answering = new ArrayList<>(ports);
        if (protocol == Protocol.UDP) answering.addAll(ONE_WAY_UDP);
        return Exposure.mergePorts(answering).equals(List.of(PortRange.ALL));
    }

    /**
     * Where the return rules must go when rules of the policy drop the replies: a return rule
     * placed after them, even one already there, never applies to what they decide first.
     */
    private static String before(Set<Rule> droppedBy) {
        if (droppedBy.isEmpty()) return "";
        String rules = String.join(" and ", droppedBy.stream()
                .map(r -> "the " + r.action().keyword() + " at " + r.location().path() + ":" + r.location().line())
                .toList());
        boolean one = droppedBy.size() == 1;
        return " before " + rules + ", which " + (one ? "drops" : "drop") + " the replies first (or narrow "
                + (one ? "it" : "them") + ")";
    }
}
