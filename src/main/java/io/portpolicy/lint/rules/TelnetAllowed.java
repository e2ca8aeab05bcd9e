package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.Target;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        Map<Rule, Exposure.Hit> everything = new HashMap<>();
        for (Exposure.Hit hit : context.inboundHits()) everything.put(hit.rule(), hit);
        for (Exposure.Hit hit : ReturnTraffic.openingHits(context, s -> Exposure.port(s, Protocol.TCP, 23))) {
            String message = "admits Telnet (tcp/23) " + Exposure.sources(hit) + " to "
                    + Exposure.names(hit.exposedTargets());
            // A 'deny tcp/23' above a rule that opens only Telnet would leave it shadowed (PP301).
            String hint = admitsMore(everything.get(hit.rule()), hit.exposedTargets())
                    ? "use SSH instead, and put 'deny tcp/23' above this rule, which admits more than Telnet"
                    : "use SSH instead, and remove the rule";
            found.add(hit.finding(context, this, message, hint));
        }
        return found;
    }

    /** Whether the rule admits anything but Telnet (of all it admits, {@code hit}) at one of the targets. */
    private static boolean admitsMore(Exposure.Hit hit, Set<String> targets) {
        for (PacketSet admitted : hit.admitted()) {
            PacketSpace space = admitted.space();
            PacketSet beyondTelnet = admitted.minus(Exposure.port(space, Protocol.TCP, 23));
            for (Target owner : space.owners(beyondTelnet)) if (targets.contains(owner.name())) return true;
        }
        return false;
    }
}
