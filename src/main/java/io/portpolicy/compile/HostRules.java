package io.portpolicy.compile;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.engine.BothDirections;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One direction of a host's policy as ordered-chain backends need it: each compiled rule, in
 * policy order, as the blocks ({@link PacketCube}s) of the packets it matches at this host.
 * A chain that tries these blocks in order, first match wins, after the implicit rules and
 * before the default, admits exactly what the policy admits at the host.
 *
 * <p>A block is a product of value lists (addresses, ports, protocols, ICMP types), so it
 * maps to one rule with sets; a rule naming 500 networks and 50 services is one block.
 */
public final class HostRules {

    /** A policy rule and the blocks of packets it matches at the host (empty: it never applies here). */
    public record Compiled(Rule rule, List<PacketCube> cubes) {
    }

    /**
     * The comment on a stateful ruleset's rule dropping what connection tracking calls invalid,
     * which spares ICMP: a message that cannot start a connection (a reply, an error about no
     * known connection, an unassigned type) is invalid to conntrack, yet the policy may allow it.
     */
    public static final String INVALID_BUT_ICMP = "stateful: packets of no known connection, except ICMP, which the policy rules judge";

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;
    public static final int ICMPV6 = 58;

    private final Target target;
    private final Direction direction;
    private final DirectedPolicy directed;
    private final List<Compiled> rules = new ArrayList<>();
    private final boolean stateless;
    /** The host's addresses by family, sorted, and also merged: asked about for every block. */
    private final Map<Family, List<IPAddressSeqRange>> own = new EnumMap<>(Family.class);
    private final Map<Family, List<IPAddressSeqRange>> mergedOwn = new EnumMap<>(Family.class);

    private HostRules(DirectedPolicy directed, Target target, boolean stateless) {
        this.target = target;
        this.direction = directed.space().direction();
        this.directed = directed;
        this.stateless = stateless;
        for (Family family : Family.values()) {
            own.put(family, target.addresses().stream().filter(r -> Family.of(r.getLower()) == family)
                    .sorted(Comparator.comparing(IPAddressSeqRange::getLower)).toList());
            mergedOwn.put(family, merged(own.get(family)));
        }
        PacketSpace space = directed.space();
        PacketSet host = space.at(target);
        // A host judged in a layer of its own owns every packet of the space: its rules' sets
        // are already the host's, and cutting them to it again would walk each one to the end.
        boolean wholeSpace = host.samePackets(space.all());
        // Only the rules matching something at this host have blocks here: with every host in
        // one layer (compile --all), the others need no set operation at all.
        Set<RuleRegion> here = Collections.newSetFromMap(new IdentityHashMap<>());
        here.addAll(directed.rulesAt(target));
        for (RuleRegion region : directed.rules()) {
            if (!here.contains(region)) {
                rules.add(new Compiled(region.rule(), List.of()));
                continue;
            }
            PacketSet atHost = wholeSpace ? region.matched() : region.matched().intersect(host);
            rules.add(new Compiled(region.rule(), atHost.describe()));
        }
    }

    public static HostRules of(EffectivePolicy effective, Target target, Direction direction) {
        if (target.isGroup()) throw new IllegalArgumentException("not a host: " + target.name());
        return new HostRules(effective.directed(target, direction), target, effective.policy().settings().isStateless());
    }

    /** Both directions of the host's policy, read at the same time ({@link BothDirections}). */
    public static Map<Direction, HostRules> bothOf(EffectivePolicy effective, Target target) {
        return bothOf(effective, target, rules -> rules);
    }

    /**
     * Both directions of the host's policy, each read and then handed to {@code use} on a
     * thread of its own ({@link BothDirections}): {@code use} must share nothing it writes
     * with the other direction's call.
     */
    public static <T> Map<Direction, T> bothOf(EffectivePolicy effective, Target target, Function<HostRules, T> use) {
        if (target.isGroup()) throw new IllegalArgumentException("not a host: " + target.name());
        // The layer is built here, on this thread; each direction's half then reads only its own.
        Map<Direction, DirectedPolicy> layer = new EnumMap<>(Direction.class);
        for (Direction direction : Direction.values()) layer.put(direction, effective.directed(target, direction));
        boolean stateless = effective.policy().settings().isStateless();
        return BothDirections.compute(direction -> use.apply(new HostRules(layer.get(direction), target, stateless)));
    }

    public Target target() {
        return target;
    }

    public Direction direction() {
        return direction;
    }

    public boolean stateless() {
        return stateless;
    }

    public Action defaultAction() {
        return directed.defaultAction();
    }

    public List<Compiled> rules() {
        return rules;
    }

    /** The host's own addresses of one family, sorted. */
    public List<IPAddressSeqRange> own(Family family) {
        return own.get(family);
    }

    /** The block's addresses on the other side: sources inbound, destinations outbound. */
    public List<IPAddressSeqRange> peers(PacketCube cube) {
        return direction == Direction.INBOUND ? cube.sources() : cube.destinations();
    }

    /** The block's addresses on the host's side. */
    public List<IPAddressSeqRange> owns(PacketCube cube) {
        return direction == Direction.INBOUND ? cube.destinations() : cube.sources();
    }

    /** Whether the block covers every address the host has in the block's family. */
    public boolean ownIsWholeHost(PacketCube cube) {
        return sameRanges(merged(owns(cube)), mergedOwn.get(cube.family()));
    }

    /** Whether the ranges are the whole address space of one family. */
    public static boolean isEveryAddress(List<IPAddressSeqRange> ranges) {
        return ranges.size() == 1 && ranges.get(0).getLower().isZero() && ranges.get(0).getUpper().isMax();
    }

    private static boolean sameRanges(List<IPAddressSeqRange> x, List<IPAddressSeqRange> y) {
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) {
            if (!x.get(i).getLower().equals(y.get(i).getLower()) || !x.get(i).getUpper().equals(y.get(i).getUpper())) {
                return false;
            }
        }
        return true;
    }

    /** Sorted, with overlapping and adjacent ranges joined. */
    public static List<IPAddressSeqRange> merged(List<IPAddressSeqRange> ranges) {
        if (ranges.isEmpty()) return List.of();
        return java.util.Arrays.stream(IPAddressSeqRange.join(ranges.toArray(new IPAddressSeqRange[0])))
                .sorted(Comparator.comparing(IPAddressSeqRange::getLower)).toList();
    }

    // ---- value lists ------------------------------------------------------------------

    public static boolean isFull(List<ValueRange> values, int max) {
        return values.size() == 1 && values.get(0).low() == 0 && values.get(0).high() == max;
    }

    /**
     * TCP or UDP ports as a target's port list writes them ({@code 22}, {@code 0-21}): an empty
     * list only for every port, 0-65535. Port 0 is a port like any other (a crafted packet can
     * carry it), so {@code 1-65535} is written as it is, never as "every port".
     */
    public static List<String> portList(List<ValueRange> ports) {
        if (isFull(ports, 65535)) return List.of();
        return ports.stream().map(ValueRange::toString).toList();
    }

    public static boolean contains(List<ValueRange> values, int value) {
        for (ValueRange v : values) if (v.low() <= value && value <= v.high()) return true;
        return false;
    }

    /** Whether the values are exactly one value. */
    public static boolean isOnly(List<ValueRange> values, int value) {
        return values.size() == 1 && values.get(0).low() == value && values.get(0).high() == value;
    }

    /** The protocol numbers, one by one (only for short lists; the caller checks {@link #isFull}). */
    public static List<Integer> each(List<ValueRange> values) {
        List<Integer> out = new ArrayList<>();
        for (ValueRange v : values) for (int i = v.low(); i <= v.high(); i++) out.add(i);
        return out;
    }

    /** The block cut to one protocol. */
    public static PacketCube withProtocols(PacketCube cube, List<ValueRange> protocols) {
        return new PacketCube(cube.family(), protocols, cube.destinationPorts(), cube.sourcePorts(),
                cube.icmpTypes(), cube.icmpCodes(), cube.sources(), cube.destinations());
    }

    /** The values without one value. */
    private static List<ValueRange> without(List<ValueRange> values, int value) {
        List<ValueRange> out = new ArrayList<>();
        for (ValueRange v : values) {
            if (value < v.low() || v.high() < value) {
                out.add(v);
                continue;
            }
            if (v.low() < value) out.add(new ValueRange(v.low(), value - 1));
            if (value < v.high()) out.add(new ValueRange(value + 1, v.high()));
        }
        return out;
    }

    /**
     * How a reject block is compiled: TCP answers with a reset, everything else with an ICMP
     * error, so a block holding TCP and other protocols becomes its TCP part, then the rest.
     * When the block lists its protocols, the rest is exactly the others, so that every line
     * can match. When it holds every protocol, the rest is the whole block, which renders with
     * no protocol match (listing 255 protocols would not be shorter); the TCP part before it
     * has taken its TCP packets, so a backend dispatching by protocol must not send it where
     * only TCP goes.
     */
    public static List<PacketCube> rejectParts(PacketCube cube) {
        if (!contains(cube.protocols(), TCP) || isOnly(cube.protocols(), TCP)) return List.of(cube);
        PacketCube tcp = withProtocols(cube, List.of(new ValueRange(TCP, TCP)));
        PacketCube rest = isFull(cube.protocols(), 255) ? cube : withProtocols(cube, without(cube.protocols(), TCP));
        return List.of(tcp, rest);
    }

    /** An address range as one element: {@code a}, {@code a/n} when it is one prefix block, else {@code a-b}. */
    public static String element(IPAddressSeqRange range) {
        IPAddress lower = range.getLower().withoutPrefixLength();
        if (range.getLower().equals(range.getUpper())) return lower.toCanonicalString();
        IPAddress[] blocks = range.spanWithPrefixBlocks();
        if (blocks.length == 1) return blocks[0].toCanonicalString();
        return lower.toCanonicalString() + "-" + range.getUpper().withoutPrefixLength().toCanonicalString();
    }

    /** An address range as prefix blocks ({@code a} for a single address, else {@code a/n}). */
    public static List<String> prefixBlocks(IPAddressSeqRange range) {
        List<String> out = new ArrayList<>();
        for (IPAddress block : range.spanWithPrefixBlocks()) out.add(prefixBlock(block));
        return out;
    }

    /** A prefix block as text: {@code a} for a single address, else {@code a/n}. */
    public static String prefixBlock(IPAddress block) {
        return block.isMultiple() ? block.toCanonicalString() : block.withoutPrefixLength().toCanonicalString();
    }

    /** The comment a generated rule carries: {@code FILE:LINE} and the rule's comment, owner and ticket. */
    public static String describe(Rule rule) {
        return describe(rule, Integer.MAX_VALUE);
    }

    /** {@link #describe(Rule)} in at most {@code maxBytes} of UTF-8, keeping the file name and line ({@link Text#locationAndText}). */
    public static String describe(Rule rule, int maxBytes) {
        return describe(rule, "", maxBytes, Text.Measure.UTF8_BYTES);
    }

    /**
     * {@link #describe(Rule)} followed by {@code note} (what the platform does differently), on
     * one line, in at most {@code max} of {@code measure}, keeping the file name and line
     * ({@link Text#locationAndText}).
     */
    public static String describe(Rule rule, String note, int max, Text.Measure measure) {
        return describe(rule, note, max, measure, UnaryOperator.identity());
    }

    /**
     * {@link #describe(Rule)} in at most {@code maxBytes} of UTF-8 once {@code escape} has made
     * it safe for the target: the text is escaped first and then cut, so that an escape that
     * lengthens the text (iptables splits comment marks) cannot push the file name and line
     * past the limit. {@code escape} is applied to the location and to the rest separately and
     * must keep text on one line.
     */
    public static String describe(Rule rule, int maxBytes, UnaryOperator<String> escape) {
        return describe(rule, "", maxBytes, Text.Measure.UTF8_BYTES, escape);
    }

    /**
     * {@link #describe(Rule, String, int, Text.Measure)} once {@code escape} has made it safe for
     * the target, escaped first and then cut (see {@link #describe(Rule, int, UnaryOperator)}).
     */
    public static String describe(Rule rule, String note, int max, Text.Measure measure, UnaryOperator<String> escape) {
        String location = escape.apply(Text.oneLine(rule.location().path() + ":" + rule.location().line()));
        StringBuilder text = new StringBuilder();
        var options = rule.options();
        if (options.comment() != null) text.append(' ').append(options.comment());
        if (options.owner() != null) text.append(" owner=").append(options.owner());
        if (options.ticket() != null) text.append(" ticket=").append(options.ticket());
        return Text.locationAndText(location, escape.apply(Text.oneLine(text.append(note).toString())), max, measure);
    }
}
