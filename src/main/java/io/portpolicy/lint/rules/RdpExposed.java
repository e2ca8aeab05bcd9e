package io.portpolicy.lint.rules;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

import java.util.ArrayList;
import java.util.List;

@RuleInfo(id = "PP102", name = "rdp-exposed", severity = Severity.ERROR,
        summary = "RDP (tcp or udp 3389) is allowed from the whole world (error), or from a public range "
                + "wider than /24 or a private range wider than /16 (warning).",
        rationale = "Exposed Remote Desktop is the most common way ransomware gangs get in: logins are "
                + "brute-forced and bought, and wormable flaws (BlueKeep, DejaBlue) need no login at all. "
                + "RDP belongs behind a VPN or a gateway, reachable from the admin network only.",
        securitySeverity = "9.1")
public final class RdpExposed implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        List<Finding> found = new ArrayList<>();
        PolicyServices.Judged rdp = new PolicyServices.Judged("rdp", "3389", List.of(Protocol.TCP, Protocol.UDP),
                List.of(PortRange.single(3389)), context.policy());
        for (Exposure.Hit hit : ReturnTraffic.openingHits(context, rdp::packets)) {
            String to = " to " + Exposure.names(hit.exposedTargets());
            String message;
            Severity severity;
            if (hit.world()) {
                message = "admits RDP (" + rdp.describe(hit.fromWorld()) + ") from the whole world" + to;
                severity = Severity.ERROR;
            } else {
                List<IPAddressSeqRange> wide = Exposure.widePublic(hit.peers());
                boolean publicRanges = !wide.isEmpty();
                if (!publicRanges) wide = Exposure.widePrivate(hit.peers());
                if (wide.isEmpty()) continue;
                message = "admits RDP (" + rdp.describe(hit.admitted()) + ") from "
                        + Exposure.addresses(hit.peers()) + to + ": "
                        + Exposure.wideRanges(hit.peers(), wide, publicRanges);
                severity = Severity.WARNING;
            }
            String hint = "allow RDP only from the admin network or a Remote Desktop Gateway, or put it behind a VPN";
            Finding finding = hit.finding(context, this, message, hint);
            found.add(finding.withSeverity(severity));
        }
        return found;
    }
}
