package io.portpolicy.compile.cloud;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.HostRules;
import io.portpolicy.compile.Text;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.engine.Target;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Family;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One direction of a group's policy as cloud backends need it. A cloud target is a group of
 * instances (a security group, an NSG, the instances with a network tag): the policy applies
 * to it as to any target, at the group's own addresses (language.md, "Meaning").
 *
 * <p>Two views: {@link #decisive()} lists, in policy order, the rules that decide some packet
 * here with the blocks each matches (for platforms that evaluate in order, first match wins:
 * network ACLs, NSGs, GCP); {@link #admitted()} is the exact set the policy admits here (for
 * allow-only security groups). The {@code require...} checks refuse, naming the rule to blame,
 * what a platform cannot express; a backend calls those that apply to it.
 */
public final class GroupRules {

    /**
     * A rule that decides some packet at the group, with the blocks of packets it matches there
     * (described when first asked for, once for every backend).
     */
    public static final class Decisive {
        private final Rule rule;
        private final PacketSet matched;
        private final PacketSet decided;
        private List<PacketCube> matchedCubes;
        private List<PacketCube> decidedCubes;

        Decisive(Rule rule, PacketSet matched, PacketSet decided) {
            this.rule = rule;
            this.matched = matched;
            this.decided = decided;
        }

        public Rule rule() {
            return rule;
        }

        public PacketSet matched() {
            return matched;
        }

        public PacketSet decided() {
            return decided;
        }

        public synchronized List<PacketCube> matchedCubes() {
            if (matchedCubes == null) matchedCubes = matched.describe();
            return matchedCubes;
        }

        public synchronized List<PacketCube> decidedCubes() {
            if (decidedCubes == null) decidedCubes = decided.describe();
            return decidedCubes;
        }

        /** The same rule deciding {@code more} packets too (those of a rule left out before it), its blocks kept. */
        synchronized Decisive alsoDeciding(PacketSet more) {
            Decisive wider = new Decisive(rule, matched, decided.union(more));
            wider.matchedCubes = matchedCubes;
            return wider;
        }
    }

    /** One reading per directed policy, shared by every backend compiling the group. */
    private static final Function<DirectedPolicy, GroupRules> READ = GroupRules::new;

    private final Target group;
    private final Direction direction;
    private final DirectedPolicy directed;
    private final List<Decisive> decisive;
    private final Map<IPAddressSeqRange, IPAddress[]> prefixBlocks = new ConcurrentHashMap<>();

    /**
     * The group is its layer's only target, so every set of the layer is at the group: its
     * universe is the group's addresses, and no set needs cutting to them.
     */
    private GroupRules(DirectedPolicy directed) {
        this.group = directed.space().layer().targets().get(0);
        this.direction = directed.space().direction();
        this.directed = directed;
        List<Decisive> rules = new ArrayList<>();
        for (RuleRegion region : directed.rules()) {
            PacketSet decided = region.decided();
            if (!decided.isEmpty()) rules.add(new Decisive(region.rule(), region.matched(), decided));
        }
        decisive = List.copyOf(rules);
    }

    /**
     * The group's rules in one direction, read once and then shared: every cloud backend
     * compiling the group (PP503 asks each of them) reads the same blocks.
     */
    public static GroupRules of(EffectivePolicy effective, Target group, Direction direction) {
        if (!group.isGroup()) throw new IllegalArgumentException("not a group: " + group.name());
        DirectedPolicy directed = effective.directed(group, direction);
        if (!directed.space().layer().targets().equals(List.of(group))) {
            throw new IllegalStateException("group " + group.name() + " is not judged in a layer of its own");
        }
        return directed.view(READ);
    }

    public Target group() {
        return group;
    }

    public Direction direction() {
        return direction;
    }

    /** The policy's default for this direction: what a packet no rule matches gets. */
    public Action defaultAction() {
        return directed.defaultAction();
    }

    /** In policy order, the rules that decide at least one packet at the group. */
    public List<Decisive> decisive() {
        return decisive;
    }

    /** Every packet the policy admits at the group: what allow rules decide, and the default's share when it allows. */
    public PacketSet admitted() {
        return directed.decidedAs(Action.ALLOW);
    }

    /** The packets at the group the default decides (no rule matches them). */
    public PacketSet defaultRegion() {
        return directed.defaultRegion();
    }

    /** The block's addresses on the other side: sources inbound, destinations outbound. */
    public List<IPAddressSeqRange> peers(PacketCube cube) {
        return direction == Direction.INBOUND ? cube.sources() : cube.destinations();
    }

    /**
     * The range as prefix blocks, spanned once per range: a group's rules name the same
     * networks again and again, and spanning was a sixth of checking a large cloud policy's
     * limits (docs/performance.md, ninth round).
     */
    public IPAddress[] prefixBlocks(IPAddressSeqRange range) {
        return prefixBlocks.computeIfAbsent(range, IPAddressSeqRange::spanWithPrefixBlocks);
    }

    /** The block's addresses on the group's side: destinations inbound, sources outbound. */
    public List<IPAddressSeqRange> owns(PacketCube cube) {
        return direction == Direction.INBOUND ? cube.destinations() : cube.sources();
    }

    /**
     * Whether the block holds every address of the group in its family, so a platform rule
     * for it needs no field for the group's own addresses (the rule applies to every member).
     */
    public boolean ownIsWholeGroup(PacketCube cube) {
        List<IPAddressSeqRange> group = this.group.addresses().stream()
                .filter(r -> Family.of(r.getLower()) == cube.family()).toList();
        return HostRules.merged(owns(cube)).equals(HostRules.merged(group));
    }

    /**
     * The first rule naming {@code self} at the other end of the packet (the source inbound, the
     * destination outbound) for which this group decides some packet at {@code shared} otherwise
     * than another group holding those addresses too; empty where the two decide alike. Only such
     * rules read differently at the two groups ({@code self} is each group in its own rules,
     * docs/language.md), and only for peers in one group and not the other: the packets judged
     * here are those at {@code shared} from (inbound; to, outbound) {@code peersOfThisOnly}, this
     * group's addresses the other lacks; compiling the other group judges the peers it alone has.
     * For those peers, at the other group, a rule whose other end is just {@code self} matches
     * nothing and every rule without {@code self} there matches as here. A rule naming {@code
     * self} beside other addresses or in {@code except} cannot be read for the other group from
     * here: where its own side and traffic match some of those packets, whatever the peer, it is
     * taken to decide them otherwise.
     */
    public Optional<Rule> decidingOtherwise(List<IPAddressSeqRange> shared, List<IPAddressSeqRange> peersOfThisOnly) {
        PacketSpace space = directed.space();
        PacketSet judged = space.owns(shared).intersect(space.peers(peersOfThisOnly));
        // Most pairs of groups: no rule naming 'self' could match those packets here or there.
        if (directed.rules().stream().noneMatch(r -> mayReadOtherwise(r, judged))) return Optional.empty();
        PacketSet rest = judged;
        PacketSet admittedThere = space.none();
        for (RuleRegion region : directed.rules()) {
            if (rest.isEmpty()) break;
            Endpoint otherEnd = otherEnd(region.rule());
            if (isJustSelf(otherEnd)) continue;
            if (mayReadOtherwise(region, rest)) return Optional.of(region.rule());
            if (!region.matched().intersects(rest)) continue;
            PacketSet matched = region.matched().intersect(rest);
            if (region.rule().action() == Action.ALLOW) admittedThere = admittedThere.union(matched);
            rest = rest.minus(matched);
        }
        if (defaultAction() == Action.ALLOW) admittedThere = admittedThere.union(rest);
        PacketSet admittedHere = admitted().intersect(judged);
        if (admittedHere.equals(admittedThere)) return Optional.empty();
        PacketSet differing = admittedHere.minus(admittedThere).union(admittedThere.minus(admittedHere));
        return decisive.stream().filter(d -> isJustSelf(otherEnd(d.rule())) && d.decided().intersects(differing))
                .map(Decisive::rule).findFirst();
    }

    /**
     * Whether the rule names {@code self} at the other end and may match some of {@code packets}
     * here or at another group: whatever the other end, its own side and traffic match them.
     */
    private boolean mayReadOtherwise(RuleRegion region, PacketSet packets) {
        return namesSelf(otherEnd(region.rule())) && region.matched().anyPeer().intersects(packets);
    }

    /** The rule's side for the other end of the packet: the source inbound, the destination outbound. */
    private Endpoint otherEnd(Rule rule) {
        return direction == Direction.INBOUND ? rule.from() : rule.to();
    }

    private static boolean isJustSelf(Endpoint side) {
        return side.except().isEmpty() && !side.addresses().isEmpty()
                && side.addresses().stream().allMatch(t -> t instanceof AddressTerm.Self);
    }

    private static boolean namesSelf(Endpoint side) {
        return Stream.concat(side.addresses().stream(), side.except().stream()).anyMatch(t -> t instanceof AddressTerm.Self);
    }

    // Every check takes the platform as the noun its rules are named with ("AWS security group",
    // "GCP firewall"): messages read "<platform> rules cannot ...".

    /**
     * Refuses unless {@code set} treats every address of the group alike, as a platform must
     * whose rules have no field for the group's own addresses (security groups). The rule blamed
     * is the first that decides a packet the set holds at one member and not at another: a rule
     * deciding differently between members that the set still treats alike (an allow applying
     * at some members only, of what the default allows at the others) is no reason to refuse.
     * A rule deciding alike puts each packet in or out of the set at every member, and so does
     * the default if every rule does: some rule decides each packet that tells members apart.
     */
    public void requireAlike(PacketSet set, String platform) throws CompileException {
        PacketSet somewhere = set.anyOwn();
        if (set.equals(somewhere)) return;
        // Out of the set here and in it at another member, or in it here and out of it at another.
        PacketSet differing = somewhere.minus(set).union(set.intersect(set.complement().anyOwn()));
        for (Decisive d : decisive) {
            if (d.decided().intersects(differing)) throw notAlike(d.rule(), platform);
        }
        throw new IllegalStateException("members differ on packets no rule decides");
    }

    /**
     * Refuses a decisive rule unless it matches every address of the group alike, as a platform
     * must whose ordered rules have no field for the group's own addresses (network ACLs).
     */
    public void requireMatchesAlike(Decisive rule, String platform) throws CompileException {
        if (!rule.matched().equals(rule.matched().anyOwn())) throw notAlike(rule.rule(), platform);
    }

    private CompileException notAlike(Rule rule, String platform) {
        return new CompileException(rule, "this rule treats members of group " + group.name()
                + " differently, but " + platform + " rules apply alike to every member; give the members it"
                + " singles out a group of their own and compile that group too");
    }

    /** Refuses a decisive rule that matches on source ports, with the {@code fix} that suits the platform. */
    public static void requireNoSourcePorts(Decisive rule, String platform, String fix) throws CompileException {
        if (namesSourcePorts(rule.rule())) throw sourcePortsRefused(rule.rule(), platform, fix);
    }

    /**
     * Refuses unless {@code set} admits every source port alike, as a platform must that
     * compiles the admitted set into entries without a source-port field (security groups). A
     * rule naming source ports that changes nothing admitted, such as a deny of replies from
     * port 53 where no rule allows them, is no reason to refuse. The rule blamed is the first
     * decisive one naming source ports that decides some of the flows the set admits from some
     * source ports only: a set made only of rules that name none cannot depend on them.
     */
    public void requireNoSourcePorts(PacketSet set, String platform) throws CompileException {
        PacketSet flows = set.anySourcePort();
        if (set.equals(flows)) return;
        PacketSet partly = flows.minus(set).anySourcePort();
        for (Decisive d : decisive) {
            if (namesSourcePorts(d.rule()) && d.decided().intersects(partly)) {
                throw sourcePortsRefused(d.rule(), platform, STATEFUL_FIX);
            }
        }
        throw new IllegalStateException("a set built from rules naming no source port depends on them");
    }

    /** Writes one decisive rule as a platform's rules, or refuses it as the platform cannot match it. */
    @FunctionalInterface
    public interface Writer<W> {
        W write(Decisive rule) throws CompileException;
    }

    /**
     * A decisive rule as written, and what a {@link Writer} made of it. Its {@code decisive}
     * decides what the rule decides among the rules written: where a rule before it was left
     * out, also the packets of that rule it matches that no written rule before it matches.
     */
    public record Written<W>(Decisive decisive, W written) {
        public Rule rule() {
            return decisive.rule();
        }
    }

    /**
     * The decisive rules in order, written for a platform that evaluates rules in order (GCP,
     * NSGs, network ACLs), with {@code leftOut} told of each deny or reject the writer refuses
     * whose absence changes nothing admitted: the packets it decides meet, among the rules written after it,
     * none that allows them before one that does not, and the default does not allow those
     * left (a deny of replies from port 53, or of echo requests, where nothing after it allows
     * them). Any other refusal stands: an allow the platform cannot match, or a deny that
     * keeps a later allow or the default from admitting some packet. A platform (network ACLs)
     * writing a rule as only the packets it decides takes them from {@link Written#decisive()}.
     */
    public <W> List<Written<W>> writeInOrder(Writer<W> writer, Consumer<Rule> leftOut) throws CompileException {
        List<W> written = new ArrayList<>();
        List<CompileException> refusals = new ArrayList<>();
        for (Decisive d : decisive) {
            try {
                written.add(writer.write(d));
                refusals.add(null);
            } catch (CompileException refused) {
                written.add(null);
                refusals.add(refused);
            }
        }
        List<Written<W>> out = new ArrayList<>();
        // The packets of the rules left out so far that no written rule after them has matched yet.
        PacketSet unclaimed = null;
        for (int i = 0; i < decisive.size(); i++) {
            Decisive d = decisive.get(i);
            Rule rule = d.rule();
            if (refusals.get(i) == null) {
                if (unclaimed != null && d.matched().intersects(unclaimed)) {
                    PacketSet claimed = d.matched().intersect(unclaimed);
                    unclaimed = unclaimed.minus(claimed);
                    d = d.alsoDeciding(claimed);
                }
                out.add(new Written<>(d, written.get(i)));
            } else if (rule.action() == Action.ALLOW || admittedWithout(i, refusals)) {
                throw refusals.get(i);
            } else {
                leftOut.accept(rule);
                unclaimed = unclaimed == null ? d.decided() : unclaimed.union(d.decided());
            }
        }
        return out;
    }

    /** What a header or note says of a rule {@link #writeInOrder} left out. */
    public static String leftOutNote(Rule rule, String platform) {
        return Text.oneLine(rule.location().path() + ":" + rule.location().line()) + " left out: " + platform
                + " rules cannot match it, and without it the rules admit the same (nothing after it, nor the"
                + " default, allows what it denies)";
    }

    /**
     * Whether, with the rules the platform refuses ({@code refusals} not null) left out, a rule
     * written after decisive rule {@code position} or the default admits some packet that rule decides.
     */
    private boolean admittedWithout(int position, List<CompileException> refusals) {
        PacketSet rest = decisive.get(position).decided();
        for (int i = position + 1; i < decisive.size(); i++) {
            Decisive later = decisive.get(i);
            if (rest.isEmpty()) return false;
            if (refusals.get(i) != null || !rest.intersects(later.matched())) continue;
            if (later.rule().action() == Action.ALLOW) return true;
            rest = rest.minus(later.matched());
        }
        return !rest.isEmpty() && defaultAction() == Action.ALLOW;
    }

    /** The fix for a rule on source ports at a platform that tracks connections. */
    public static final String STATEFUL_FIX = "drop 'port' after 'from' (a stateful platform admits replies by itself)";

    private static boolean namesSourcePorts(Rule rule) {
        return rule.from().ports() != null && !rule.from().ports().isAll();
    }

    public static CompileException sourcePortsRefused(Rule rule, String platform, String fix) {
        return new CompileException(rule, platform + " rules cannot match source ports; " + fix);
    }

    /**
     * The refusal of a rule whose block at the group holds only some ICMP types or codes
     * ({@code part}), which the platform cannot match. Backends judge it from the blocks, not
     * the rule's text: an ICMPv6 type at a group without IPv6 addresses reaches no member and
     * is no reason to refuse. The hint never widens access: an allow may become an allow of the
     * whole protocol, a deny or reject a deny of it.
     */
    public static CompileException icmpTypesRefused(Rule rule, ProtocolPart part, String platform) {
        String protocol = part.protocol() == ProtocolPart.ICMP ? "icmp" : "icmpv6";
        String services = rule.services().stream()
                .filter(s -> s.protocol().number() == part.protocol() && !s.icmpTypes().isEmpty())
                .map(ServiceMatch::toString).collect(Collectors.joining(", "));
        String whole = rule.action() == Action.ALLOW
                ? "allow the whole protocol (" + protocol + ") if that is acceptable, or leave this rule out of the"
                        + " policy compiled for " + platform
                : "deny the whole protocol (" + protocol + ") if that is acceptable; leaving this rule out would"
                        + " admit what it denies";
        return new CompileException(rule, platform + " rules cannot match ICMP types or codes ("
                + (services.isEmpty() ? protocol : services) + "); " + whole);
    }
}
