package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;

import java.util.ArrayList;
import java.util.List;

@RuleInfo(id = "PP107", name = "wide-source", severity = Severity.WARNING,
        summary = "A rule admits a public source range wider than /24 (IPv6: /48) that is not the whole world.",
        rationale = "A wide public range is usually a guess at where the clients are (a provider's whole "
                + "block, a country, 'the cloud'), and it lets in every other customer of that range. "
                + "Either the clients are known and the range can be narrowed, or the service is public "
                + "and the rule should say 'any' so reviewers see it for what it is.",
        securitySeverity = "4.3")
public final class WideSource implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        List<Finding> found = new ArrayList<>();
        for (Exposure.Hit hit : context.inboundHits()) {
            // An allow default is PP108's finding; a rule whose sources are the world is not a wide
            // range but the world (PP101-PP106, PP404), even where an earlier deny took a few
            // addresses out. A rule naming part of the world is a wide range, even where others
            // name the rest.
            if (context.worldSourced().contains(hit.rule())) continue;
            if (hit.widePeers().isEmpty()) continue;
            found.add(context.finding(this, hit.rule(), hit.rule().location(),
                    "admits " + Exposure.addresses(hit.peers()) + " to " + Exposure.names(hit.targets()) + ": "
                            + Exposure.wideRanges(hit.peers(), hit.widePeers(), true),
                    "narrow the source to the clients' own addresses, or write 'any' if the service is public"));
        }
        return found;
    }
}
