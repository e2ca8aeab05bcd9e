package io.portpolicy.lint;

import io.portpolicy.lint.rules.AllPortsOpen;
import io.portpolicy.lint.rules.BadWaiver;
import io.portpolicy.lint.rules.BroadEphemeralInbound;
import io.portpolicy.lint.rules.CleartextProtocol;
import io.portpolicy.lint.rules.BuiltinServiceOverridden;
import io.portpolicy.lint.rules.CorrelatedRules;
import io.portpolicy.lint.rules.DefaultAllowInbound;
import io.portpolicy.lint.rules.EmptyRule;
import io.portpolicy.lint.rules.EphemeralMismatch;
import io.portpolicy.lint.rules.ExpiredRule;
import io.portpolicy.lint.rules.ExpiringSoon;
import io.portpolicy.lint.rules.HostBitsSet;
import io.portpolicy.lint.rules.Icmpv6Blocked;
import io.portpolicy.lint.rules.ManagementLockout;
import io.portpolicy.lint.rules.MissingReturnPath;
import io.portpolicy.lint.rules.RdpExposed;
import io.portpolicy.lint.rules.RedundantRule;
import io.portpolicy.lint.rules.SensitivePortExposed;
import io.portpolicy.lint.rules.ShadowedRule;
import io.portpolicy.lint.rules.SshExposed;
import io.portpolicy.lint.rules.TargetLimit;
import io.portpolicy.lint.rules.TelnetAllowed;
import io.portpolicy.lint.rules.UndocumentedExposure;
import io.portpolicy.lint.rules.UnrestrictedEgress;
import io.portpolicy.lint.rules.UnusedObject;
import io.portpolicy.lint.rules.WideSource;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Every implemented lint rule, registered here and nowhere else, in ID order. */
public final class RuleCatalog {

    private static final List<LintRule> RULES = List.of(
            new TelnetAllowed(),
            new RdpExposed(),
            new SshExposed(),
            new SensitivePortExposed(),
            new CleartextProtocol(),
            new AllPortsOpen(),
            new WideSource(),
            new DefaultAllowInbound(),
            new UnrestrictedEgress(),
            new MissingReturnPath(),
            new BroadEphemeralInbound(),
            new EphemeralMismatch(),
            new ShadowedRule(),
            new RedundantRule(),
            new CorrelatedRules(),
            new EmptyRule(),
            new UnusedObject(),
            new ExpiredRule(),
            new ExpiringSoon(),
            new UndocumentedExposure(),
            new BadWaiver(),
            new HostBitsSet(),
            new BuiltinServiceOverridden(),
            new ManagementLockout(),
            new Icmpv6Blocked(),
            new TargetLimit());

    private static final Map<String, LintRule> BY_ID = byId();

    private static final Map<String, LintRule> BY_NAME = RULES.stream()
            .collect(Collectors.toUnmodifiableMap(LintRule::name, rule -> rule));

    private RuleCatalog() {
    }

    public static List<LintRule> rules() {
        return RULES;
    }

    public static Optional<LintRule> rule(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    /**
     * The ID of the rule written as its ID ({@code PP109}) or its name
     * ({@code unrestricted-egress}), as waivers and the configuration may write it.
     */
    public static Optional<String> idOf(String idOrName) {
        LintRule rule = BY_ID.containsKey(idOrName) ? BY_ID.get(idOrName) : BY_NAME.get(idOrName);
        return Optional.ofNullable(rule).map(LintRule::id);
    }

    /** Every rule's ID and name: what an unknown one may be a typo of. */
    public static Set<String> idsAndNames() {
        Set<String> all = new TreeSet<>(BY_ID.keySet());
        all.addAll(BY_NAME.keySet());
        return all;
    }

    private static Map<String, LintRule> byId() {
        Map<String, LintRule> byId = new LinkedHashMap<>();
        RULES.stream().sorted(Comparator.comparing(LintRule::id)).forEach(rule -> {
            if (byId.put(rule.id(), rule) != null) throw new IllegalStateException("duplicate rule ID " + rule.id());
        });
        return byId;
    }
}
