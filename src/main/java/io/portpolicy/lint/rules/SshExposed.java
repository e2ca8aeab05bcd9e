package io.portpolicy.lint.rules;

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

@RuleInfo(id = "PP103", name = "ssh-exposed", severity = Severity.WARNING,
        summary = "SSH (tcp/22) is allowed inbound from the whole world.",
        rationale = "An SSH port open to the internet is scanned and password-sprayed within minutes of "
                + "going up, and every pre-authentication flaw in the server (such as regreSSHion, "
                + "CVE-2024-6387) is reachable by anyone. A jump host or an admin network narrows who "
                + "can even try.",
        securitySeverity = "5.3")
public final class SshExposed implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        List<Finding> found = new ArrayList<>();
        PolicyServices.Judged ssh = new PolicyServices.Judged("ssh", "tcp/22", List.of(Protocol.TCP),
                List.of(PortRange.single(22)), context.policy());
        for (Exposure.Hit hit : ReturnTraffic.openingHits(context, ssh::packets)) {
            // A deny of a few sources above a rule from the world leaves SSH open to the rest of
            // the internet; no other rule reports it (PP107 leaves rules from the world to this one).
            boolean worldButDenied = !hit.world() && context.worldSourced().contains(hit.rule())
                    && !hit.widePeers().isEmpty();
            if (!hit.world() && !worldButDenied) continue;
            String admits = "admits SSH (" + ssh.describe(hit.world() ? hit.fromWorld() : hit.admitted()) + ") from ";
            String message = hit.world()
                    ? admits + "the whole world to " + Exposure.names(hit.worldTargets())
                    : admits + Exposure.addresses(hit.peers()) + " to "
                            + Exposure.names(hit.targets()) + ": the whole world but the sources earlier rules deny";
            String hint = "allow SSH only from a jump host or the admin network (allow ssh from ADMINS to ...)";
            found.add(hit.finding(context, this, message, hint));
        }
        return found;
    }
}
