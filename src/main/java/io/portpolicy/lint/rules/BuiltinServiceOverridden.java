package io.portpolicy.lint.rules;

import io.portpolicy.check.ServiceCatalog;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;

import java.util.List;

@RuleInfo(id = "PP407", name = "builtin-service-overridden", severity = Severity.NOTE,
        summary = "A 'service' redefines a built-in service name.",
        rationale = "A redefined built-in changes the meaning of that name in every rule of the policy, "
                + "including included files written with the standard meaning in mind. That can be "
                + "intended (SSH on a non-standard port) but a reader expects the standard ports.",
        securitySeverity = "1.0")
public final class BuiltinServiceOverridden implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        return context.policy().services().values().stream()
                .filter(service -> ServiceCatalog.isBuiltin(service.name()))
                .map(service -> context.finding(this, service.location(),
                        "service " + Quote.of(service.name()) + " replaces the built-in " + service.name() + " ("
                                + ServiceCatalog.description(service.name()) + ", "
                                + ServiceCatalog.builtin().get(service.name()).terms().stream()
                                        .map(Object::toString).reduce((a, b) -> a + ", " + b).orElse("")
                                + ") in every rule of the policy",
                        "keep it if the whole site uses these ports for " + service.name()
                                + "; otherwise give it a name of its own"))
                .toList();
    }
}
