package io.portpolicy.lint.rules;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Severity;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.Target;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Host;
import io.portpolicy.model.Protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

@RuleInfo(id = "PP502", name = "icmpv6-blocked", severity = Severity.WARNING,
        summary = "A host with IPv6 addresses does not admit ICMPv6 neighbour discovery (types 133-136) or "
                + "packet-too-big (type 2) from every peer.",
        rationale = "IPv6 cannot work without ICMPv6: neighbour discovery replaces ARP, and routers never "
                + "fragment, so a host that drops packet-too-big never learns the path MTU and its large "
                + "packets vanish (connections that open and then hang). RFC 4890 lists the ICMPv6 "
                + "messages a firewall must not drop.",
        securitySeverity = "2.0")
public final class Icmpv6Blocked implements LintRule {

    /** The ICMPv6 messages a host with IPv6 addresses must receive or send. */
    private enum Need {
        PACKET_TOO_BIG_IN("packet-too-big (type 2)", 2, Direction.INBOUND),
        ROUTER_SOLICITATION_OUT("router solicitation (133)", 133, Direction.OUTBOUND),
        ROUTER_ADVERTISEMENT_IN("router advertisement (134)", 134, Direction.INBOUND),
        NEIGHBOUR_SOLICITATION_IN("neighbour solicitation (135)", 135, Direction.INBOUND),
        NEIGHBOUR_SOLICITATION_OUT("neighbour solicitation (135)", 135, Direction.OUTBOUND),
        NEIGHBOUR_ADVERTISEMENT_IN("neighbour advertisement (136)", 136, Direction.INBOUND),
        NEIGHBOUR_ADVERTISEMENT_OUT("neighbour advertisement (136)", 136, Direction.OUTBOUND);

        private final String label;
        private final int type;
        private final Direction direction;

        Need(String label, int type, Direction direction) {
            this.label = label;
            this.type = type;
            this.direction = direction;
        }
    }

    @Override
    public List<Finding> check(LintContext context) {
        EffectivePolicy effective = context.effective();
        List<Finding> found = new ArrayList<>();
        // Per layer and need: what the policy admits of it, at every target.
        Map<DirectedPolicy, Map<Need, PacketSet>> admitted = new HashMap<>();
        for (Host host : context.policy().hosts().values().stream().sorted(Comparator.comparing(Host::name)).toList()) {
            Target target = effective.target(host.name()).orElseThrow();
            List<IPAddressSeqRange> v6 = target.addresses().stream().filter(r -> !r.getLower().isIPv4()).toList();
            if (v6.isEmpty()) continue;
            List<String> blocked = new ArrayList<>();
            for (Need need : Need.values()) {
                DirectedPolicy directed = effective.directed(target, need.direction);
                PacketSpace space = directed.space();
                PacketSet allowed = admitted.computeIfAbsent(directed, d -> new EnumMap<>(Need.class))
                        .computeIfAbsent(need, n -> directed.decidedAs(Action.ALLOW,
                                space.protocol(Protocol.ICMPV6).intersect(space.icmpType(n.type))));
                for (IPAddressSeqRange own : v6) {
                    PacketSet fromAll = allowed.intersect(space.owns(own)).everyPeer();
                    if (fromAll.isEmpty()) {
                        String item = need.label + " " + need.direction.keyword();
                        if (!blocked.contains(item)) blocked.add(item);
                    }
                }
            }
            if (blocked.isEmpty()) continue;
            found.add(context.finding(this, host.location(),
                    "host " + Quote.of(host.name()) + " has IPv6 addresses but does not admit ICMPv6 " + String.join(", ", blocked)
                            + " from every peer",
                    // With its comment: a rule open to the world without one is PP404's finding.
                    "allow icmpv6/packet-too-big from any comment \"path MTU discovery\" (before any rule that"
                            + " denies ICMPv6)"));
        }
        return found;
    }
}
