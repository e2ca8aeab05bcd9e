package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Protocol;

import java.util.ArrayList;
import java.util.List;

@RuleInfo(id = "PP101", name = "telnet-allowed", severity = Severity.ERROR,
        summary = "Telnet (tcp/23) is allowed inbound, from any source at all.",
        rationale = "Telnet sends passwords and every keystroke in cleartext, has no way to authenticate the "
                + "server, and is the first port botnets scan for. Nothing needs it that SSH cannot do; "
                + "even from an internal network a sniffed telnet session gives away the credentials.",
        securitySeverity = "8.8")
public final class TelnetAllowed implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        List<Finding> found = new ArrayList<>();
        for (Exposure.Hit hit : ReturnTraffic.openingHits(context, s -> Exposure.port(s, Protocol.TCP, 23))) {
            String message = "admits Telnet (tcp/23) " + Exposure.sources(hit) + " to "
                    + Exposure.names(hit.exposedTargets());
            String hint = "use SSH instead, and deny tcp/23";
            found.add(hit.finding(context, this, message, hint));
        }
        return found;
    }
}
