package io.portpolicy.lint.rules;

import io.portpolicy.compile.Backend;
import io.portpolicy.compile.Backends;
import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.CompileRequest;
import io.portpolicy.compile.cloud.LimitExceeded;
import io.portpolicy.diag.Severity;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Group;
import io.portpolicy.parallel.Concurrently;

import java.util.ArrayList;
import java.util.List;

@RuleInfo(id = "PP503", name = "target-limit", severity = Severity.ERROR,
        summary = "A group compiled for a cloud platform needs more rules (or addresses) than the platform allows.",
        rationale = "Cloud platforms cap the rules one security group, network ACL or NSG may hold, the addresses "
                + "an NSG's rules may name, and the priorities firewall rules can take. "
                + "A policy over the cap cannot be deployed as written: the apply fails, or someone trims it by "
                + "hand and the deployed rules no longer say what the policy says.",
        securitySeverity = "5.0")
public final class TargetLimit implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        // A policy with hosts configures host firewalls; its groups are sets of hosts, not cloud targets.
        if (!context.policy().hosts().isEmpty()) return List.of();
        List<Backend> cloud = Backends.all().stream().filter(Backend::forGroups).toList();
        if (cloud.isEmpty()) return List.of();
        EffectivePolicy effective = context.effective();
        List<Target> groups = effective.cloudTargets().stream().map(name -> effective.target(name).orElseThrow())
                .toList();
        // Each group is judged in a layer with a BDD of its own: half the groups are compiled on a
        // second thread, and each group's layer is let go once every backend is done with it, so
        // that a policy of hundreds of groups holds a few at a time.
        List<List<LimitExceeded>> overByGroup = Concurrently.eachInHalves(groups, target -> {
            List<LimitExceeded> over = new ArrayList<>();
            for (Backend backend : cloud) over.add(overLimit(context, backend, target));
            effective.forget(target);
            return over;
        });
        List<Finding> findings = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Group group = context.policy().groups().get(groups.get(g).name());
            for (int b = 0; b < cloud.size(); b++) {
                LimitExceeded over = overByGroup.get(g).get(b);
                if (over != null) {
                    boolean movable = over.advice() != null && over.raisable();
                    // The message already carries the advice (it is the compile error's too).
                    findings.add(context.finding(this, group.location(), over.getMessage(), movable
                            ? "split the group, merge neighbouring ranges and ports, or change first-priority as said"
                            : over.raisable()
                            ? "split the group, merge neighbouring ranges and ports, or raise the limit for "
                                    + cloud.get(b).name() + " in .portpolicy.yaml if your account allows more"
                            : "split the group, or merge neighbouring ranges and ports (" + cloud.get(b).name()
                                    + " gives no account that many, so raising its limit cannot help)"));
                }
            }
        }
        return findings;
    }

    /** The limit the group is over, or null (compiling within limits, or refused for another reason). */
    private static LimitExceeded overLimit(LintContext context, Backend backend, Target target) {
        try {
            backend.check(new CompileRequest(context.effective(), target, backend.formats().get(0), "lint",
                    context.config().options(backend)));
            return null;
        } catch (LimitExceeded e) {
            return e;
        } catch (CompileException e) {
            return null;
        }
    }
}
