package io.portpolicy.lint;

import io.portpolicy.engine.Anomalies;
import io.portpolicy.engine.Anomaly;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceLines;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/**
 * What a lint rule looks at: the checked policy, the date, the configuration, and the exact
 * packet-space views, each built at most once per policy however many rules read them.
 */
public final class LintContext {

    private final Policy policy;
    private final LocalDate today;
    private final LintConfig config;
    private final boolean waiversHonoured;
    private EffectivePolicy effective;
    private List<Anomaly> anomalies;
    private List<Exposure.Hit> inboundHits;
    private Set<Rule> worldSourced;
    private List<Finding> otherFindings;
    /** Findings about declarations quote their line. */
    private final SourceLines lines = new SourceLines();

    LintContext(Policy policy, LocalDate today, LintConfig config, boolean waiversHonoured) {
        this(policy, today, config, waiversHonoured, null);
    }

    /** @param effective the policy's effective policy, or null to make it when first asked for */
    LintContext(Policy policy, LocalDate today, LintConfig config, boolean waiversHonoured, EffectivePolicy effective) {
        this.policy = policy;
        this.today = today;
        this.config = config;
        this.waiversHonoured = waiversHonoured;
        this.effective = effective;
    }

    public Policy policy() {
        return policy;
    }

    public LocalDate today() {
        return today;
    }

    public LintConfig config() {
        return config;
    }

    /** False under {@code --no-waivers}: inline waivers are then as if unwritten. */
    public boolean waiversHonoured() {
        return waiversHonoured;
    }

    public EffectivePolicy effective() {
        if (effective == null) effective = EffectivePolicy.of(policy, today);
        return effective;
    }

    public List<Anomaly> anomalies() {
        if (anomalies == null) anomalies = Anomalies.of(effective());
        return anomalies;
    }

    /** What every inbound allow rule admits ({@link Exposure#hits} of every packet), shared by the rules reading it. */
    public List<Exposure.Hit> inboundHits() {
        if (inboundHits == null) inboundHits = Exposure.hits(this, Direction.INBOUND, PacketSpace::all);
        return inboundHits;
    }

    /** The allow rules whose own sources are the world ({@link Exposure#worldSourced}), shared by PP107 and PP404. */
    public Set<Rule> worldSourced() {
        if (worldSourced == null) worldSourced = Exposure.worldSourced(this);
        return worldSourced;
    }

    /**
     * The findings of every other enabled rule, before waivers; only for rules that
     * {@linkplain LintRule#judgesOtherFindings() judge other findings}.
     */
    public List<Finding> otherFindings() {
        if (otherFindings == null) throw new IllegalStateException("other findings are not known yet");
        return otherFindings;
    }

    void otherFindings(List<Finding> findings) {
        otherFindings = List.copyOf(findings);
    }

    /** A finding about a policy rule: that rule's waivers apply to it. */
    public Finding finding(LintRule check, Rule subject, Location at, String message, String hint) {
        return new Finding(check.id(), check.name(), check.defaultSeverity(), at, message, hint, subject,
                subject.identity(), false, null);
    }

    /** A finding about a declaration or setting, identified by the text of its line. */
    public Finding finding(LintRule check, Location at, String message, String hint) {
        return new Finding(check.id(), check.name(), check.defaultSeverity(), at, message, hint, null,
                lines.of(at).strip().replaceAll("\\s+", " "), false, null);
    }
}
