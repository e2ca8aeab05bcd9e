package io.portpolicy.diff;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.engine.Target;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintConfig;
import io.portpolicy.lint.Linter;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.parallel.Concurrently;
import io.portpolicy.source.CitedLines;
import io.portpolicy.source.SourceFile;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The semantic difference of two policies: at every host and group of either, in each
 * direction, the packets whose verdict changed, with what decided them on each side.
 *
 * <p>The two policies' layers share one BDD space per direction (atoms cut at both policies'
 * boundaries, {@link EffectivePolicy#sharingSpaces}), but each side has its own targets. Where
 * a target has the same addresses on both sides, its rules' sets are compared node for node to
 * find the few packets that can change verdict ({@code mayDiffer}). The verdicts themselves are
 * compared through the engine's canonical descriptions: each side's partition of a target's
 * packets into the regions decided by each rule, the implicit rules and the default (plus "not
 * judged here" for addresses the target does not have on that side) is described as cubes, and
 * every pair of regions whose actions differ is intersected cube by cube. The regions of one
 * side are disjoint and cover every packet, so the result is exact: it is empty exactly when
 * both sides decide every packet alike at every target.
 */
public final class PolicyDiff {

    private PolicyDiff() {
    }

    /** What decided a region: a rule, the implicit rules, the default, or nothing (not this target's). */
    public record Decider(Action action, Rule rule, String label) {
        public String describe() {
            return rule != null ? rule.location().path() + ":" + rule.location().line() : label;
        }
    }

    /**
     * Packets at one target and direction whose verdict changed, from one decider to another.
     * {@code before.action()} or {@code after.action()} is null where the target did not judge
     * those packets (it did not exist, or did not have the address). {@code admittedAfter} is
     * what the new side admits there, seen from each peer, when the change opens something
     * there; else null.
     */
    public record Change(Target target, Direction direction, Decider before, Decider after, List<Cube> cubes,
                         Admitted admittedAfter) {
        public boolean opened() {
            return after.action() == Action.ALLOW;
        }

        public boolean closed() {
            return before.action() == Action.ALLOW;
        }
    }

    /**
     * The access changes, a change of connection tracking (null when both policies track
     * connections alike), and the lint findings introduced and resolved.
     */
    public record Result(List<Change> changes, Tracking tracking, List<Finding> introduced, List<Finding> resolved) {
        public boolean accessChanged() {
            return !changes.isEmpty() || tracking != null;
        }
    }

    /**
     * The policy became stateless, or stateful: the replies to every allowed connection, at
     * every target, change with it. The comparison of first packets does not show that (a
     * query judges the first packet of a flow), so it is reported as a change of its own.
     */
    public record Tracking(boolean statelessAfter) {
        public String summary() {
            return statelessAfter ? "replies no longer admitted by connection tracking"
                    : "replies now admitted by connection tracking";
        }

        public String explanation() {
            return statelessAfter
                    ? "the new policy is stateless: replies to allowed connections are no longer admitted"
                            + " automatically at any host or group; each reply direction needs a rule of its own"
                    : "the new policy is no longer stateless: replies to allowed connections are admitted"
                            + " automatically at every host and group";
        }
    }

    /**
     * The peers from which the new side admits every packet at a target and direction, and
     * every TCP and every UDP packet (every port), by family: what RISK may call "every protocol
     * and port" and "every port". Read off the packets admitted after the change, not off the
     * blocks it opens: what was already open counts (a port open before from the same peers),
     * and so does what stays shut (a port still denied is not "every port"). Only what the diff
     * described exactly is counted, so a peer may be left out, never put in wrongly.
     */
    public record Admitted(Map<Family, List<IPAddressSeqRange>> everything,
                           Map<Family, List<IPAddressSeqRange>> everyTcpPacket,
                           Map<Family, List<IPAddressSeqRange>> everyUdpPacket) {

        private static Admitted of(List<Region> regions, PacketSet here, PacketSet changed) {
            PacketSpace space = here.space();
            PacketSet admitted = space.none();
            for (Region region : regions) {
                if (region.decider().action() == Action.ALLOW) admitted = admitted.union(region.set());
            }
            // With candidates, the regions are exact only among them (a target built from the rules
            // near the change leaves out rules that decide other packets): nothing else is known.
            if (changed != null) admitted = admitted.intersect(changed);
            PacketSet refused = here.minus(admitted);
            Map<Family, List<IPAddressSeqRange>> everything = new EnumMap<>(Family.class);
            Map<Family, List<IPAddressSeqRange>> everyTcpPacket = new EnumMap<>(Family.class);
            Map<Family, List<IPAddressSeqRange>> everyUdpPacket = new EnumMap<>(Family.class);
            for (Family family : Family.values()) {
                PacketSet refusedHere = refused.intersect(space.ofFamily(family));
                everything.put(family, peersRefusedNothing(family, refusedHere));
                everyTcpPacket.put(family, peersRefusedNothing(family, refusedHere.intersect(space.protocol(Protocol.TCP))));
                everyUdpPacket.put(family, peersRefusedNothing(family, refusedHere.intersect(space.protocol(Protocol.UDP))));
            }
            return new Admitted(everything, everyTcpPacket, everyUdpPacket);
        }

        private static List<IPAddressSeqRange> peersRefusedNothing(Family family, PacketSet refused) {
            return Cube.outside(family, refused.peerAddresses());
        }
    }

    /** A decider's packets at the target: described as cubes, and as the set they came from. */
    private record Region(Decider decider, List<Cube> cubes, PacketSet set) {
    }

    /** The access changes, and the lint findings (judged under the repository's configuration) introduced and resolved. */
    public static Result compare(Policy before, Policy after, LocalDate today, LintConfig config) {
        Linter linter = new Linter(config, today, true);
        // The comparison and the two lints read the policies and build engines of their own:
        // this thread compares and lints the old side while a second one lints the new side.
        Concurrently.Results<Concurrently.Results<Access, List<Finding>>, List<Finding>> results =
                Concurrently.run(() -> new Concurrently.Results<>(accessAndRenames(before, after, today),
                                linter.lint(before)), () -> linter.lint(after));
        List<Finding> oldFindings = results.first().second();
        List<Finding> newFindings = results.second();
        boolean statelessBefore = before.settings().isStateless();
        boolean statelessAfter = after.settings().isStateless();
        Tracking tracking = statelessBefore == statelessAfter ? null : new Tracking(statelessAfter);
        Access access = results.first().first();
        Citations citations = Citations.of(before, after, access.renamed());
        return new Result(access.changes(), tracking, minus(newFindings, oldFindings, citations),
                minus(oldFindings, newFindings, citations));
    }

    /** The access changes only: empty exactly when both policies decide every packet alike everywhere. */
    public static List<Change> access(Policy before, Policy after, LocalDate today) {
        return accessAndRenames(before, after, today).changes();
    }

    /** The access changes, and the new name of each host or group renamed (by its old name). */
    private record Access(List<Change> changes, Map<String, String> renamed) {
    }

    private static Access accessAndRenames(Policy before, Policy after, LocalDate today) {
        List<EffectivePolicy> both = EffectivePolicy.sharingSpaces(before, after, today);
        EffectivePolicy old = both.get(0);
        EffectivePolicy neu = both.get(1);
        RuleChanges differing = RuleChanges.between(old, neu);
        List<Change> changes = new ArrayList<>();
        Map<String, String> renamed = new HashMap<>();
        for (TargetName named : targetNames(old, neu)) {
            if (named.renamed()) renamed.put(named.before(), named.after());
            Optional<Target> a = named.in(old, named.before());
            Optional<Target> b = named.in(neu, named.after());
            Target shown = b.orElseGet(a::get);
            // A renamed group is judged in a layer named after it on each side, and the two share
            // no space: it is compared through its cubes alone.
            boolean sameTarget = !named.renamed() && a.isPresent() && b.isPresent() && paired(a.get(), b.get());
            // The directions anything that differs may reach: the others need not even be built.
            Set<Direction> reached = EnumSet.noneOf(Direction.class);
            for (Direction direction : Direction.values()) {
                if (!sameTarget || differing == null || differing.mayApplyAt(a.get(), direction)) reached.add(direction);
            }
            for (Direction direction : reached) {
                DirectedPolicy left = null;
                DirectedPolicy right = null;
                PacketSet changed = null;
                if (sameTarget && differing != null) {
                    // Only the differing rules' packets can change verdict, and only the rules that
                    // may overlap those rules can decide them: the target is built from those alone.
                    left = old.directedFocused(a.get(), direction, differing.focus(true));
                    right = neu.directedFocused(b.get(), direction, differing.focus(false));
                    changed = mayDiffer(left, a.get(), right, b.get());
                    // Same addresses and settings: the candidates are always known here.
                    if (changed == null) throw new IllegalStateException("no candidates at " + named.name());
                } else {
                    if (a.isPresent()) left = old.directed(a.get(), direction);
                    if (b.isPresent()) right = neu.directed(b.get(), direction);
                    if (sameTarget) changed = mayDiffer(left, a.get(), right, b.get());
                }
                if (changed != null && changed.isEmpty()) continue;
                List<Region> afterRegions = regions(named, b.orElse(null), right, direction, changed);
                List<Change> found = compare(shown, direction, regions(named, a.orElse(null), left, direction, changed),
                        afterRegions);
                if (b.isPresent() && found.stream().anyMatch(Change::opened)) {
                    // RISK reads what is open after the change at the target, not only what it opens.
                    Admitted admitted = Admitted.of(afterRegions, right.space().at(b.get()), changed);
                    found = found.stream().map(change -> new Change(change.target(), change.direction(),
                            change.before(), change.after(), change.cubes(), admitted)).toList();
                }
                changes.addAll(found);
            }
            // A group is judged in a layer of its own: done with it, let its sets go.
            a.ifPresent(old::forget);
            b.ifPresent(neu::forget);
        }
        return new Access(changes, renamed);
    }

    /**
     * A host or a group, by its name on each side: a host and a group of the same name (one
     * replacing the other) are two targets, each present on one side only; a target renamed
     * with the same addresses is one ({@link #targetNames}).
     */
    private record TargetName(String before, String after, boolean group) {
        Optional<Target> in(EffectivePolicy policy, String name) {
            return policy.target(name).filter(target -> target.isGroup() == group);
        }

        /** The name it is shown by: the new side's. */
        String name() {
            return after;
        }

        boolean renamed() {
            return !before.equals(after);
        }
    }

    /**
     * Every host of either policy, by name, then every group. A host only the old policy has and
     * one only the new policy has, with the same addresses, are one host renamed, when no other
     * host gone or added has those addresses (likewise groups): what a target admits is
     * compared, not what it is called, so a rename alone is no access change.
     */
    private static List<TargetName> targetNames(EffectivePolicy old, EffectivePolicy neu) {
        List<TargetName> names = new ArrayList<>();
        for (boolean group : new boolean[] {false, true}) {
            Set<String> before = (group ? old.policy().groups() : old.policy().hosts()).keySet();
            Set<String> after = (group ? neu.policy().groups() : neu.policy().hosts()).keySet();
            Map<Set<IPAddressSeqRange>, List<String>> added = byAddresses(neu, after, before);
            Map<String, String> oldNameOf = new HashMap<>();
            byAddresses(old, before, after).forEach((addresses, gone) -> {
                List<String> came = added.get(addresses);
                if (gone.size() == 1 && came != null && came.size() == 1) oldNameOf.put(came.get(0), gone.get(0));
            });
            TreeSet<String> either = new TreeSet<>(before);
            either.addAll(after);
            either.removeAll(oldNameOf.values());
            either.forEach(name -> names.add(new TargetName(oldNameOf.getOrDefault(name, name), name, group)));
        }
        return names;
    }

    /** The targets named in {@code names} but not in {@code others}, by their set of addresses. */
    private static Map<Set<IPAddressSeqRange>, List<String>> byAddresses(EffectivePolicy side, Set<String> names,
                                                                      Set<String> others) {
        Map<Set<IPAddressSeqRange>, List<String>> byAddresses = new HashMap<>();
        for (String name : names) {
            if (others.contains(name)) continue;
            Set<IPAddressSeqRange> addresses = new HashSet<>(side.target(name).orElseThrow().addresses());
            byAddresses.computeIfAbsent(addresses, key -> new ArrayList<>()).add(name);
        }
        return byAddresses;
    }

    /**
     * Where the two sides may decide a packet at the target differently, or {@code null} for
     * anywhere; only for a target {@link #paired} on both sides. When its implicit part and
     * default are the same, and its
     * rules (by action and matched set: the two sides' sets share one BDD, so this compares
     * nodes) differ only in one run between a common beginning and a common end, a packet that
     * no rule of that run matches meets the same rules in the same order on both sides: the
     * packets the run's rules match are the only candidates, and none at all when nothing
     * differs. This is what makes a diff of two mostly equal policies cheap.
     */
    private static PacketSet mayDiffer(DirectedPolicy left, Target a, DirectedPolicy right, Target b) {
        if (left.defaultAction() != right.defaultAction()) return null;
        PacketSet here = left.space().at(a);
        if (!left.implicit().intersect(here).samePackets(right.implicit().intersect(right.space().at(b)))) return null;
        List<RuleRegion> before = left.rulesAt(a);
        List<RuleRegion> after = right.rulesAt(b);
        int common = 0;
        while (common < Math.min(before.size(), after.size()) && alike(before.get(common), after.get(common))) common++;
        int end = 0;
        while (end < Math.min(before.size(), after.size()) - common
                && alike(before.get(before.size() - 1 - end), after.get(after.size() - 1 - end))) {
            end++;
        }
        return matchedAt(before.subList(common, before.size() - end), left, a)
                .union(matchedAt(after.subList(common, after.size() - end), right, b));
    }

    /**
     * The packets the rules match at the target, cut to it in the rules' own space. The two
     * sides' spaces share their atoms but not their targets: a rule of one side may match at an
     * address only that side's hosts have (a host the other side does not define), and a set
     * of one space cut to the target's packets of the other would keep that address.
     */
    private static PacketSet matchedAt(List<RuleRegion> rules, DirectedPolicy side, Target target) {
        PacketSet matched = side.space().none();
        for (RuleRegion rule : rules) matched = matched.union(rule.matched());
        return matched.intersect(side.space().at(target));
    }

    /**
     * Whether the target has the same addresses on both sides: only then is it judged in layers
     * that share their spaces, so that its sets can be compared node for node. A group whose
     * members changed is compared through its cubes alone.
     */
    private static boolean paired(Target a, Target b) {
        return new HashSet<>(a.addresses()).equals(new HashSet<>(b.addresses()));
    }

    private static boolean alike(RuleRegion before, RuleRegion after) {
        return before.rule().action() == after.rule().action() && before.matched().samePackets(after.matched());
    }

    private static List<Change> compare(Target target, Direction direction, List<Region> left, List<Region> right) {
        Map<String, Change> merged = new LinkedHashMap<>();
        for (Region l : left) {
            for (Region r : right) {
                if (!matters(l.decider().action(), r.decider().action())) continue;
                List<Cube> both = new ArrayList<>();
                for (Cube x : l.cubes()) {
                    for (Cube y : r.cubes()) {
                        Cube z = x.intersect(y);
                        if (z != null) both.add(z);
                    }
                }
                if (both.isEmpty()) continue;
                merged.put(l.decider().describe() + "|" + r.decider().describe() + "|" + merged.size(),
                        new Change(target, direction, l.decider(), r.decider(), Summary.merge(both), null));
            }
        }
        return new ArrayList<>(merged.values());
    }

    /** A verdict change worth reporting: the actions differ and at least one side judged the packets. */
    private static boolean matters(Action before, Action after) {
        if (before == after) return false;
        if (before == null || after == null) return before == Action.ALLOW || after == Action.ALLOW;
        return true;
    }

    /**
     * One side's partition of the packets at the target, as described regions; with
     * {@code changed} (the packets whose verdict may differ), only the regions that meet it:
     * every change lies inside it, so the others take part in none.
     */
    private static List<Region> regions(TargetName named, Target target, DirectedPolicy directed, Direction direction,
                                        PacketSet changed) {
        List<Region> regions = new ArrayList<>();
        List<IPAddressSeqRange> owned = target == null ? List.of() : target.addresses();
        List<Cube> outside = new ArrayList<>();
        for (Family family : Family.values()) {
            List<IPAddressSeqRange> rest = Cube.outside(family, owned);
            if (!rest.isEmpty()) outside.add(Cube.owning(family, rest));
        }
        String label = target == null ? "no " + (named.group() ? "group" : "host") + " named " + named.name()
                : "not an address of " + named.name();
        regions.add(new Region(new Decider(null, null, label), outside, null));
        if (target == null) return regions;
        PacketSet here = directed.space().at(target);
        add(regions, new Decider(Action.ALLOW, null, "implicit rule (loopback, own addresses, neighbour discovery)"),
                directed.implicit().intersect(here), changed, direction);
        // What the candidates hold that no rule matches falls to the default: its region there
        // (a change in it lies among the candidates, so the rest of the default region is not needed).
        PacketSet unmatched = changed == null ? null : changed.minus(directed.implicit());
        for (RuleRegion region : directed.rulesAt(target)) {
            if (changed != null && !region.matched().intersects(changed)) continue;
            if (unmatched != null) unmatched = unmatched.minus(region.matched());
            add(regions, new Decider(region.rule().action(), region.rule(), null), region.decided().intersect(here),
                    changed, direction);
        }
        add(regions, new Decider(directed.defaultAction(), null,
                "default " + direction.keyword() + " " + directed.defaultAction().keyword()),
                unmatched == null ? directed.defaultRegionAt(target) : unmatched, changed, direction);
        return regions;
    }

    private static void add(List<Region> regions, Decider decider, PacketSet set, PacketSet changed,
                            Direction direction) {
        if (set.isEmpty() || (changed != null && !set.intersects(changed))) return;
        regions.add(new Region(decider, cubes(set, direction), set));
    }

    private static List<Cube> cubes(PacketSet set, Direction direction) {
        List<Cube> out = new ArrayList<>();
        for (PacketCube cube : set.describe()) out.add(Cube.of(cube, direction));
        return out;
    }

    /** Findings of {@code a} with no counterpart in {@code b}, matched by rule ID, subject text and message. */
    private static List<Finding> minus(List<Finding> a, List<Finding> b, Citations citations) {
        Map<String, Integer> counts = new HashMap<>();
        for (Finding f : b) counts.merge(key(f, citations), 1, Integer::sum);
        List<Finding> out = new ArrayList<>();
        for (Finding f : a) {
            String key = key(f, citations);
            int left = counts.getOrDefault(key, 0);
            if (left > 0) counts.put(key, left - 1);
            else out.add(f);
        }
        out.sort(Comparator.comparing(Finding::severity).thenComparing(Finding.ORDER));
        return out;
    }

    /**
     * What a finding's message cites that differs between sides without changing what it says:
     * FILE:LINE[:COL] naming a file of either policy (the old side's is REV:PATH under diff
     * --git), and the text of the rule written there that follows it ("allow at FILE:LINE (TEXT)").
     */
    private record Citations(Pattern locations, Map<String, List<Rule>> rulesByLine, Pattern oldNames,
                             Map<String, String> renamed) {

        /** Locations as {@link CitedLines} finds them: of the files of either policy. */
        static Citations of(Policy before, Policy after, Map<String, String> renamed) {
            List<String> names = Stream.concat(before.files().stream(), after.files().stream())
                    .map(SourceFile::displayPath).toList();
            Map<String, List<Rule>> rulesByLine = new HashMap<>();
            Stream.concat(before.rules().stream(), after.rules().stream()).forEach(rule -> rulesByLine
                    .computeIfAbsent(rule.location().path() + ":" + rule.location().line(), line -> new ArrayList<>())
                    .add(rule));
            // A name is a whole word of name characters, not part of an IPv6 address (a host 'db8');
            // a full stop after it may end a sentence.
            String oldNames = renamed.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                    .map(Pattern::quote).collect(Collectors.joining("|"));
            return new Citations(CitedLines.pattern(names), rulesByLine, renamed.isEmpty() ? null
                            : Pattern.compile("(?<![\\w.:-])(?:" + oldNames + ")(?![\\w-]|\\.\\w)"), renamed);
        }

        /**
         * The text with each renamed host or group called by its new name: a rename alone is no
         * access change, and the findings about the target and the rules naming it are the same
         * findings under the new name.
         */
        String underNewNames(String text) {
            if (oldNames == null) return text;
            return oldNames.matcher(text).replaceAll(name -> Matcher.quoteReplacement(renamed.get(name.group())));
        }

        /**
         * The message with every location left out, since lines move when rules move, and every
         * rule it cites by its identity: documenting or waiving a rule changes no finding that
         * cites it.
         */
        String normalised(String message) {
            Matcher location = locations.matcher(message);
            StringBuilder out = new StringBuilder();
            int last = 0;
            while (location.find()) {
                // A location inside the cited rule's text (its comment may quote one) went with it.
                if (location.start() < last) continue;
                out.append(message, last, location.start()).append('@');
                last = location.end();
                for (Rule rule : rulesByLine.getOrDefault(location.group(), List.of())) {
                    String cited = " (" + rule.text() + ")";
                    if (message.startsWith(cited, last)) {
                        out.append(" (").append(rule.identity()).append(')');
                        last += cited.length();
                        break;
                    }
                }
            }
            return out.append(message, last, message.length()).toString();
        }
    }

    private static String key(Finding f, Citations citations) {
        // Declarations are known by the message (it names the object), rules by their identity.
        return f.ruleId() + "\u0000" + citations.underNewNames((f.subject() != null ? f.subject().identity() : "")
                + "\u0000" + citations.normalised(f.message()));
    }
}
