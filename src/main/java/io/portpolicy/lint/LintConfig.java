package io.portpolicy.lint;

import io.portpolicy.compile.Backend;
import io.portpolicy.compile.TargetOption;
import io.portpolicy.compile.TargetOptions;
import io.portpolicy.diag.Severity;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Setting;
import io.portpolicy.model.Settings;
import io.portpolicy.source.SourceFile;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code .portpolicy.yaml} says: about linting, the ephemeral range every command reads a
 * policy with ({@link #configured}), and compile targets' options.
 *
 * @param severities          rule ID to the severity it is reported with instead of its default
 * @param disabled            rule IDs not run at all
 * @param extraSensitivePorts added to the built-in sensitive-port catalog (for PP104), taking over the
 *                            built-in entries' ports they name
 * @param ephemeral           the ephemeral range for policies that do not set one, with where the file sets
 *                            it (findings name it), or {@code null}
 * @param targetSettings      compile target name to the {@link TargetOption}s the file sets (validated)
 * @param widePortRange       PP106 warns of a rule admitting a run of more ports than this from anyone
 * @param source              the file this was read from (compiled output names and hashes it), or
 *                            {@code null} when no file was read
 */
public record LintConfig(Map<String, Severity> severities, Set<String> disabled,
                         List<SensitivePort> extraSensitivePorts, Setting<PortRange> ephemeral,
                         Map<String, Map<String, String>> targetSettings, int widePortRange, SourceFile source) {

    /**
     * The policy as every command must read it under this configuration: the configured
     * ephemeral range stands in for the language default, never for one the policy writes. Lint,
     * compile, query and diff all read it so, or a policy could pass lint with return rules its
     * compiled firewall does not have.
     */
    public Policy configured(Policy policy) {
        Settings settings = policy.settings();
        if (ephemeral == null || settings.ephemeral().written()) return policy;
        Settings configured = new Settings(settings.defaultInbound(), settings.defaultOutbound(), settings.stateless(),
                Setting.implicit(ephemeral.value()));
        return new Policy(policy.files(), configured, policy.hosts(), policy.networks(), policy.groups(),
                policy.services(), policy.rules());
    }

    /** PP106's limit unless the configuration sets {@code wide-port-range}. */
    public static final int DEFAULT_WIDE_PORT_RANGE = 30;

    public static final LintConfig DEFAULT = new LintConfig(Map.of(), Set.of(), List.of(), null);

    public LintConfig {
        severities = Map.copyOf(severities);
        disabled = Set.copyOf(disabled);
        extraSensitivePorts = List.copyOf(extraSensitivePorts);
        targetSettings = Map.copyOf(targetSettings);
    }

    public LintConfig(Map<String, Severity> severities, Set<String> disabled,
                      List<SensitivePort> extraSensitivePorts, Setting<PortRange> ephemeral) {
        this(severities, disabled, extraSensitivePorts, ephemeral, Map.of(), DEFAULT_WIDE_PORT_RANGE, null);
    }

    /** The backend's settings: its defaults with what this configuration changed. */
    public TargetOptions options(Backend backend) {
        return TargetOptions.of(backend.options(), targetSettings.getOrDefault(backend.name(), Map.of()));
    }

    public boolean enabled(String ruleId) {
        return !disabled.contains(ruleId);
    }

    public Severity severity(LintRule rule) {
        return severities.getOrDefault(rule.id(), rule.defaultSeverity());
    }

    /** The built-in catalog with this configuration's additions. */
    public List<SensitivePort> sensitivePorts() {
        return SensitivePorts.builtin().with(extraSensitivePorts);
    }
}
