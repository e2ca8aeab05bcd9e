package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.AddressText;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Group;
import io.portpolicy.model.Network;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.List;

@RuleInfo(id = "PP406", name = "host-bits-set", severity = Severity.WARNING,
        summary = "A CIDR has host bits set, such as 10.1.2.3/24.",
        rationale = "10.1.2.3/24 covers the whole network 10.1.2.0/24, but it reads like one address. "
                + "Usually the author meant the single host and opened access for 255 more; sometimes "
                + "they meant the network and mistyped it. Either way the text hides what is matched.",
        securitySeverity = "5.0")
public final class HostBitsSet implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        Policy policy = context.policy();
        List<Finding> found = new ArrayList<>();
        for (Rule rule : policy.rules()) {
            for (Endpoint side : List.of(rule.from(), rule.to())) {
                for (List<AddressTerm> terms : List.of(side.addresses(), side.except())) {
                    for (AddressTerm term : terms) {
                        if (term instanceof AddressLiteral literal && literal.hostBitsSet()) {
                            found.add(context.finding(this, rule, literal.location(), message(literal), hint(literal)));
                        }
                    }
                }
            }
        }
        for (Network network : policy.networks().values()) {
            for (AddressLiteral block : network.blocks()) {
                if (block.hostBitsSet()) found.add(context.finding(this, block.location(), message(block), hint(block)));
            }
        }
        for (Group group : policy.groups().values()) {
            for (AddressTerm member : group.members()) {
                if (member instanceof AddressLiteral literal && literal.hostBitsSet()) {
                    found.add(context.finding(this, literal.location(), message(literal), hint(literal)));
                }
            }
        }
        return found;
    }

    private static String message(AddressLiteral literal) {
        return literal.text() + " has host bits set: it covers the whole network " + network(literal);
    }

    private static String hint(AddressLiteral literal) {
        String address = literal.text().substring(0, literal.text().indexOf('/'));
        return "write " + network(literal) + " for the network, or " + address + " for the single address";
    }

    private static String network(AddressLiteral literal) {
        return AddressText.of(literal.range().getLower().withoutPrefixLength()) + literal.text().substring(literal.text().indexOf('/'));
    }
}
