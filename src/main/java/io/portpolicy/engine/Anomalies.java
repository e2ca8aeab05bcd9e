package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.Family;
import io.portpolicy.model.Rule;
import io.portpolicy.model.RuleOptions;
import io.portpolicy.parallel.Concurrently;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

/**
 * Finds shadowed, redundant, correlated and empty rules exactly, over the whole packet space
 * at every target, in rule order:
 * <ul>
 *   <li>a rule that decides nothing (earlier rules match everything it matches) is
 *       <b>shadowed</b> when those earlier rules all act differently, else <b>redundant</b>
 *       (and, where some of them act differently, correlated with those); the earlier rules
 *       are named; the implicit rules count only where they are all there is;</li>
 *   <li>a rule that does decide something is still <b>redundant</b> when the rules after it
 *       (or the default) would decide those packets the same way, and log them as it does:
 *       removing it changes nothing;</li>
 *   <li>a rule partly pre-empted by an earlier rule with a different action is
 *       <b>correlated</b> with it: their order matters;</li>
 *   <li>a rule that matches no packet at any target is <b>empty</b>.</li>
 * </ul>
 * A shadowed or redundant rule's finding that rests on rules carrying {@code expires} holds
 * only until the first of them expires, and says so: the rule may decide packets after that.
 * Each rule is compared only with the rules {@link RuleOverlaps} finds may share a packet
 * with it: the earlier ones to name what pre-empts it, the later ones to see what would decide
 * its packets without it.
 */
public final class Anomalies {

    /** A redundant rule's message names this many of the later rules that would decide its packets (all are related). */
    private static final int NAMED_SUCCESSORS = 3;

    private static final String IMPLICIT = "the implicit rules (allow loopback and IPv6 neighbour discovery)";

    private final List<DirectedPolicy> directions;
    /**
     * The addresses of the targets of the layers, by IP version: those of {@code self}, and all a
     * rule meets on the side it applies by. Worked out once, not for each rule matching nothing.
     */
    private final Map<Family, List<IPAddressSeqRange>> targetAddresses;

    private Anomalies(List<DirectedPolicy> directions) {
        this.directions = directions;
        // A target is in the layers of both directions: each address once.
        Set<IPAddressSeqRange> addresses = new LinkedHashSet<>();
        for (DirectedPolicy directed : directions) {
            for (Target target : directed.space().layer().targets()) addresses.addAll(target.addresses());
        }
        targetAddresses = addresses.stream().collect(Collectors.groupingBy(range -> Family.of(range.getLower()),
                () -> new EnumMap<>(Family.class), Collectors.toList()));
    }

    /**
     * The anomalies of a policy, judged at {@link EffectivePolicy#analysisLayers()}. A policy
     * with neither hosts nor groups has nowhere to judge order at; its rules are only checked
     * for matching nothing at all.
     */
    public static List<Anomaly> of(EffectivePolicy effective) {
        List<DirectedPolicy> layers = effective.analysisLayers();
        if (!layers.isEmpty()) return new Anomalies(layers).find();
        List<Anomaly> found = new ArrayList<>();
        for (Rule rule : effective.compiledRules()) {
            String why = EmptyRules.reason(rule);
            if (why != null) found.add(new Anomaly(Anomaly.Kind.EMPTY, rule, List.of(), "matches no packet: " + why));
        }
        return found;
    }

    private List<Anomaly> find() {
        List<Facts> facts = factsOf(directions);
        int ruleCount = directions.get(0).rules().size();
        boolean[] neverApplies = new boolean[ruleCount];
        for (int i = 0; i < ruleCount; i++) {
            boolean decidesNothing = true;
            for (Facts direction : facts) decidesNothing &= direction.decidesNothing[i];
            neverApplies[i] = decidesNothing;
        }
        List<Anomaly> found = new ArrayList<>();
        for (int i = 0; i < ruleCount; i++) {
            Rule rule = directions.get(0).rules().get(i).rule();
            boolean matchesNothing = true;
            boolean redundantEverywhere = true;
            boolean preempted = false;
            for (Facts direction : facts) {
                matchesNothing &= direction.matchesNothing[i];
                redundantEverywhere &= direction.decidesNothing[i] || direction.successors[i] != null;
                preempted |= direction.deciders[i] != null;
            }
            if (matchesNothing) {
                found.add(empty(rule));
            } else if (neverApplies[i]) {
                found.addAll(covered(rule, i, facts));
            } else {
                if (redundantEverywhere && !removalChangesLogs(rule, i, facts)) {
                    found.add(removable(rule, i, facts, neverApplies));
                }
                if (preempted) found.addAll(correlated(rule, i, facts));
            }
        }
        return found;
    }

    /**
     * What the analysis needs from one direction of one layer, worked out with that space's BDD
     * alone, so the directions (each has its own BDD) are worked out two at a time.
     */
    private static final class Facts {
        final boolean[] matchesNothing;
        final boolean[] decidesNothing;
        /**
         * Per rule whose removal changes nothing here, the later rules (positions) that would
         * decide its packets instead (empty when the default alone would); else null.
         */
        final List<Integer>[] successors;
        /** Per rule whose removal changes nothing here, whether the default would decide some of its packets. */
        final boolean[] defaultSucceeds;
        /** Per rule pre-empted here (deciding less than it matches), the earlier rules deciding part of it; else null. */
        final List<Rule>[] deciders;
        /** Per rule pre-empted here, whether the implicit rules decide part of it. */
        final boolean[] implicitDecides;

        @SuppressWarnings("unchecked")
        Facts(DirectedPolicy directed) {
            List<RuleRegion> regions = directed.rules();
            int count = regions.size();
            matchesNothing = new boolean[count];
            decidesNothing = new boolean[count];
            deciders = new List[count];
            implicitDecides = new boolean[count];
            for (int i = 0; i < count; i++) {
                RuleRegion region = regions.get(i);
                matchesNothing[i] = region.matched().isEmpty();
                decidesNothing[i] = region.decided().isEmpty();
                // Sets are canonical: deciding less than it matches means something came first.
                if (!region.decided().equals(region.matched())) {
                    List<Rule> earlier = new ArrayList<>();
                    implicitDecides[i] = earlierDeciders(directed, i, earlier);
                    deciders[i] = earlier;
                }
            }
            successors = new List[count];
            defaultSucceeds = new boolean[count];
            removalChangesNothing(directed, this);
        }
    }

    /** Each direction's facts; half of them on a second thread. */
    private static List<Facts> factsOf(List<DirectedPolicy> directions) {
        return Concurrently.eachInHalves(directions, Facts::new);
    }

    private Anomaly empty(Rule rule) {
        String why = EmptyRules.reason(rule, targetAddresses);
        return new Anomaly(Anomaly.Kind.EMPTY, rule, List.of(), why != null
                ? "matches no packet: " + why
                : "applies to no host or group of this policy: no target's address is on its 'to' side "
                        + "(inbound) or its 'from' side (outbound)");
    }

    /**
     * A rule that decides nothing: name what decides its packets instead. It is shadowed when
     * the policy's rules deciding its packets all act otherwise, redundant when they all act
     * alike; when some act alike and some otherwise, it is redundant (removing it changes
     * nothing) and correlated with those acting otherwise, whose order against it decides what
     * its packets get. The implicit rules (loopback, neighbour discovery) take their share of
     * many rules without saying anything about the policy's own order: they decide the verdict
     * only when they are all there is.
     */
    private List<Anomaly> covered(Rule rule, int index, List<Facts> facts) {
        Set<Rule> deciders = new TreeSet<>(Comparator.comparingInt(Rule::index));
        boolean implicit = false;
        for (Facts direction : facts) {
            if (direction.deciders[index] == null) continue;
            deciders.addAll(direction.deciders[index]);
            implicit |= direction.implicitDecides[index];
        }
        List<Rule> different = deciders.stream().filter(r -> r.action() != rule.action()).toList();
        // The implicit rules allow: they contradict a deny or reject they pre-empt.
        boolean implicitDiffers = implicit && rule.action() != Action.ALLOW;
        boolean shadowed = deciders.isEmpty() ? implicitDiffers : different.size() == deciders.size();
        List<Rule> lapsing = lapsing(rule, deciders);
        if (shadowed) {
            String by = withImplicit(describe(different), implicitDiffers);
            return List.of(new Anomaly(Anomaly.Kind.SHADOWED, rule, different, lapsing, "never applies" + until(lapsing)
                    + ": earlier rules with a different action match every packet it matches: " + by, implicit));
        }
        String by = withImplicit(describe(List.copyOf(deciders)), implicit);
        if (different.isEmpty()) {
            return List.of(new Anomaly(Anomaly.Kind.REDUNDANT, rule, List.copyOf(deciders), lapsing, "redundant"
                    + until(lapsing) + ": earlier rules already " + rule.action().keyword() + " every packet it "
                    + "matches: " + by, implicit));
        }
        List<Anomaly> found = new ArrayList<>();
        found.add(new Anomaly(Anomaly.Kind.REDUNDANT, rule, List.copyOf(deciders), lapsing, "never applies"
                + until(lapsing) + ", so removing it changes nothing: earlier rules decide every packet it matches, "
                + "some as it would (" + rule.action().keyword() + ") and some otherwise: " + by, implicit));
        found.addAll(correlated(rule, index, facts));
        return found;
    }

    /**
     * The rules a finding about {@code rule} rests on that carry {@code expires} and expire
     * first: once they are gone the finding may no longer hold, and removing the rule on its
     * advice would change the policy from then on. None when none of them expires, or when the
     * rule itself expires no later than they do.
     */
    private static List<Rule> lapsing(Rule rule, Collection<Rule> restsOn) {
        LocalDate first = restsOn.stream().map(r -> r.options().expires()).filter(Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
        LocalDate own = rule.options().expires();
        if (first == null || (own != null && !own.isAfter(first))) return List.of();
        return restsOn.stream().filter(r -> first.equals(r.options().expires()))
                .sorted(Comparator.comparingInt(Rule::index)).toList();
    }

    /** What a finding's opening words say of how long it holds: nothing when it holds for good. */
    private static String until(List<Rule> lapsing) {
        return lapsing.isEmpty() ? "" : " until " + Anomaly.lapse(lapsing);
    }

    private static String withImplicit(String rules, boolean implicit) {
        if (!implicit) return rules;
        return rules.isEmpty() ? IMPLICIT : rules + "; " + IMPLICIT;
    }

    /**
     * Adds the earlier rules that decide part of what this rule matches; returns whether
     * implicit rules decide some of it. Decided sets are disjoint and cover what each rule
     * matches, so these are exactly the earlier regions that meet the rule's matched set:
     * tests that build nothing, and only of the earlier rules that took packets from it when its
     * own region was worked out. (Where a rule decides all it matches, there are none.)
     */
    private static boolean earlierDeciders(DirectedPolicy directed, int index, List<Rule> into) {
        Bdd bdd = directed.space().bdd;
        List<RuleRegion> regions = directed.rules();
        int matched = regions.get(index).matched().node;
        for (int j : directed.earlierTaking(index)) {
            if (bdd.intersects(matched, regions.get(j).decided().node)) into.add(regions.get(j).rule());
        }
        return bdd.intersects(matched, directed.implicit().node);
    }

    /** Earlier rules with a different action that decide part of what this rule matches. */
    private List<Anomaly> correlated(Rule rule, int index, List<Facts> facts) {
        Set<Rule> deciders = new TreeSet<>(Comparator.comparingInt(Rule::index));
        for (Facts direction : facts) if (direction.deciders[index] != null) deciders.addAll(direction.deciders[index]);
        List<Anomaly> found = new ArrayList<>();
        for (Rule earlier : deciders) {
            if (earlier.action() == rule.action()) continue;
            found.add(new Anomaly(Anomaly.Kind.CORRELATED, rule, List.of(earlier), "partly overlaps the earlier "
                    + describe(List.of(earlier)) + ", which decides the overlap first: their order matters"));
        }
        return found;
    }

    /**
     * For each rule, whether the rules after it and the default decide every packet it decides
     * with the same action: follow its decided packets down the later rules that may overlap
     * it, in order; the first later rule to match some of them decides them after its removal.
     * Most rules decide some packet that nothing after them decides alike, and one such packet
     * settles it: two of its packets are tried first, each with no set built.
     */
    private static void removalChangesNothing(DirectedPolicy directed, Facts facts) {
        Bdd bdd = directed.space().bdd;
        List<RuleRegion> regions = directed.rules();
        for (int i = 0; i < regions.size(); i++) {
            RuleRegion region = regions.get(i);
            if (region.decided().isEmpty()) continue;
            Action own = region.rule().action();
            int decided = region.decided().node;
            if (decidedOtherwise(directed, i, own, bdd.member(decided, true))
                    || decidedOtherwise(directed, i, own, bdd.member(decided, false))) {
                continue;
            }
            List<Integer> successors = new ArrayList<>();
            Boolean byDefault = laterDecideAlike(directed, i, j -> false, successors);
            if (byDefault != null) {
                facts.successors[i] = successors;
                facts.defaultSucceeds[i] = byDefault;
            }
        }
    }

    /**
     * Whether, without rule {@code index} and the rules {@code absent} names, the rules after it
     * and the default decide every packet it decides with its action: null when they do not,
     * else whether the default decides some of them. The later rules that would decide them are
     * added to {@code successors}.
     */
    private static Boolean laterDecideAlike(DirectedPolicy directed, int index, IntPredicate absent,
                                            List<Integer> successors) {
        Bdd bdd = directed.space().bdd;
        List<RuleRegion> regions = directed.rules();
        Action own = regions.get(index).rule().action();
        int rest = bdd.keep(regions.get(index).decided().node);
        boolean same = true;
        for (int j : directed.overlaps().later(index)) {
            if (absent.test(j)) continue;
            int matched = regions.get(j).matched().node;
            if (!bdd.intersects(rest, matched)) continue;
            if (regions.get(j).rule().action() != own) {
                same = false;
                break;
            }
            successors.add(j);
            rest = bdd.minusFree(rest, matched);
            if (rest == Bdd.FALSE) break;
        }
        boolean byDefault = rest != Bdd.FALSE;
        bdd.free(rest);
        return same && (!byDefault || directed.defaultAction() == own) ? byDefault : null;
    }

    /**
     * A rule whose removal changes nothing, naming the later rules (and the default) that would
     * decide its packets instead. Where one of those never applies itself, this rule is what
     * pre-empts it (in part), and it is reported too (PP301 or PP302): each finding is true
     * alone, but removing both would change the policy, and the message says so.
     */
    private Anomaly removable(Rule rule, int index, List<Facts> facts, boolean[] neverApplies) {
        Set<Integer> successors = new TreeSet<>();
        boolean byDefault = false;
        // What it decides, and so whether the later rules cover it, rests on the earlier rules too.
        Set<Rule> restsOn = new HashSet<>();
        for (Facts direction : facts) {
            if (direction.deciders[index] != null) restsOn.addAll(direction.deciders[index]);
            if (direction.successors[index] == null) continue;
            successors.addAll(direction.successors[index]);
            byDefault |= direction.defaultSucceeds[index];
        }
        List<RuleRegion> regions = directions.get(0).rules();
        List<Rule> later = successors.stream().map(j -> regions.get(j).rule()).toList();
        restsOn.addAll(later);
        List<Rule> lapsing = lapsing(rule, restsOn);
        String action = rule.action().keyword();
        String who = later.isEmpty() ? "the default decides" : byDefault ? "the rules after it and the default decide"
                : "the rules after it decide";
        String message = "removing it changes nothing" + until(lapsing) + ": " + who + " every packet it decides "
                + "the same way (" + action + ")" + (later.isEmpty() ? "" : ": " + describe(later.subList(0, Math.min(later.size(), NAMED_SUCCESSORS)))
                + (later.size() > NAMED_SUCCESSORS ? "; and " + (later.size() - NAMED_SUCCESSORS) + " more" : ""));
        List<Rule> alsoRedundant = successors.stream().filter(j -> neverApplies[j]).map(j -> regions.get(j).rule())
                .toList();
        if (!alsoRedundant.isEmpty() && !changesNothingWithout(index, facts, neverApplies)) {
            message += alsoRedundant.size() == 1
                    ? "; the rule at " + lines(alsoRedundant) + " never applies itself: remove one of the two, not both"
                    : "; the rules at " + lines(alsoRedundant) + " never apply themselves: remove this rule or them, "
                            + "not both";
        }
        return new Anomaly(Anomaly.Kind.REDUNDANT, rule, later, lapsing, message, false);
    }

    /**
     * Whether removing a logging rule, whose packets the rules after it and the default would
     * decide the same way, would still lose or change its log records: the default logs nothing,
     * and a later rule logs them alike only with the same prefix.
     */
    private boolean removalChangesLogs(Rule rule, int index, List<Facts> facts) {
        RuleOptions own = rule.options();
        if (!own.log()) return false;
        List<RuleRegion> regions = directions.get(0).rules();
        for (Facts direction : facts) {
            if (direction.successors[index] == null) continue;
            if (direction.defaultSucceeds[index]) return true;
            for (int j : direction.successors[index]) {
                RuleOptions later = regions.get(j).rule().options();
                if (!later.log() || !Objects.equals(later.logPrefix(), own.logPrefix())) return true;
            }
        }
        return false;
    }

    /**
     * Whether removing rule {@code index} would still change nothing once the rules that never
     * apply are gone too: read again, in each direction where later rules would decide its
     * packets, leaving those out. (Few rules get here; this runs on one thread, after the
     * directions' own work is done.)
     */
    private boolean changesNothingWithout(int index, List<Facts> facts, boolean[] neverApplies) {
        for (int d = 0; d < facts.size(); d++) {
            if (facts.get(d).successors[index] == null) continue;
            if (laterDecideAlike(directions.get(d), index, j -> neverApplies[j], new ArrayList<>()) == null) return false;
        }
        return true;
    }

    static String lines(List<Rule> rules) {
        return rules.stream().map(r -> r.location().path() + ":" + r.location().line()).collect(Collectors.joining(", "));
    }

    /**
     * Whether, without rule {@code index}, the given packet (one it decides with action {@code
     * own}) would be decided with another action: by the first later rule matching it, else by
     * the default.
     */
    private static boolean decidedOtherwise(DirectedPolicy directed, int index, Action own, boolean[] packet) {
        Bdd bdd = directed.space().bdd;
        List<RuleRegion> regions = directed.rules();
        for (int j : directed.overlaps().later(index)) {
            if (bdd.holds(regions.get(j).matched().node, packet)) return regions.get(j).rule().action() != own;
        }
        return directed.defaultAction() != own;
    }

    private static String describe(List<Rule> rules) {
        return rules.stream().map(r -> r.action().keyword() + " at " + r.location().path() + ":" + r.location().line()
                + " (" + r.text() + ")").collect(Collectors.joining("; "));
    }
}
