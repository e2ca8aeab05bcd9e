package io.portpolicy.lint.rules;

import io.portpolicy.diag.Severity;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.engine.Target;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

@RuleInfo(id = "PP105", name = "cleartext-protocol", severity = Severity.WARNING,
        summary = "A cleartext protocol (FTP, TFTP, HTTP without HTTPS to the same target, POP3, IMAP, LDAP, "
                + "SNMP, rsh/rlogin/rexec) is allowed inbound.",
        rationale = "These protocols send passwords and data unencrypted and unauthenticated: anyone on the "
                + "path reads the credentials, and can change what is transferred. Each has a secure "
                + "alternative that is as easy to deploy. HTTP is accepted where the same target also offers "
                + "HTTPS to the same clients, since it then usually only redirects.",
        securitySeverity = "5.0")
public final class CleartextProtocol implements LintRule {

    private record Cleartext(String name, Protocol protocol, int port, String instead) {
    }

    private static final List<Cleartext> PROTOCOLS = List.of(
            new Cleartext("FTP", Protocol.TCP, 21, "SFTP"),
            new Cleartext("TFTP", Protocol.UDP, 69, "SFTP"),
            new Cleartext("HTTP", Protocol.TCP, 80, "HTTPS"),
            new Cleartext("POP3", Protocol.TCP, 110, "POP3S"),
            new Cleartext("IMAP", Protocol.TCP, 143, "IMAPS"),
            new Cleartext("LDAP", Protocol.TCP, 389, "LDAPS"),
            new Cleartext("SNMP", Protocol.UDP, 161, "SNMPv3"),
            new Cleartext("rexec", Protocol.TCP, 512, "SSH"),
            new Cleartext("rlogin", Protocol.TCP, 513, "SSH"),
            new Cleartext("rsh", Protocol.TCP, 514, "SSH"));

    /** A rule opening more than this many contiguous ports is PP106's finding, not a cleartext choice. */
    private static final int WIDE = 1024;

    @Override
    public List<Finding> check(LintContext context) {
        List<DirectedPolicy> layers = Exposure.layers(context, Direction.INBOUND);
        List<Finding> found = new ArrayList<>();
        Map<Rule, Set<String>> byRule = new java.util.LinkedHashMap<>();
        Map<Rule, Exposure.Hit> hitOf = new java.util.LinkedHashMap<>();
        Map<Rule, Set<String>> targetsOf = new java.util.LinkedHashMap<>();
        Set<Rule> wideRules = new java.util.HashSet<>();
        for (Exposure.Hit hit : context.inboundHits()) {
            if (hit.admitted().stream().anyMatch(set -> wide(hit, set, Protocol.TCP) || wide(hit, set, Protocol.UDP))) {
                wideRules.add(hit.rule());
            }
        }
        // The targets offering HTTPS to only some of their HTTP clients (the layers are read on two threads).
        Set<String> someHttps = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (Cleartext clear : PROTOCOLS) {
            for (Exposure.Hit hit : ReturnTraffic.openingHits(context, s -> service(s, clear, layers, someHttps))) {
                Rule key = hit.rule();
                if (wideRules.contains(key)) continue;
                boolean partly = clear.port() == 80 && hit.targets().stream().anyMatch(someHttps::contains);
                byRule.computeIfAbsent(key, k -> new LinkedHashSet<>())
                        .add(clear.name() + " (" + clear.protocol().keyword() + "/" + clear.port() + "; use "
                                + clear.instead() + (partly ? ", which is allowed there to fewer clients" : "") + ")");
                // A hit from the world speaks for the rule: a baseline tells it from one that is not.
                hitOf.merge(key, hit, (kept, next) -> kept.world() ? kept : next);
                targetsOf.computeIfAbsent(key, k -> new LinkedHashSet<>()).addAll(hit.targets());
            }
        }
        byRule.forEach((key, names) -> {
            Exposure.Hit hit = hitOf.get(key);
            String message = "admits " + String.join(", ", names)
                    + " to " + Exposure.names(targetsOf.get(key));
            String hint = "offer the encrypted alternative instead and remove the cleartext port";
            found.add(hit.finding(context, this, message, hint));
        });
        return found;
    }

    private static boolean wide(Exposure.Hit hit, PacketSet set, Protocol protocol) {
        return Exposure.widestNamed(hit.rule(), protocol) > WIDE
                && Exposure.widest(Exposure.openPorts(set, protocol)) > WIDE;
    }

    /**
     * The protocol's port; for HTTP only at targets where some client allowed HTTP may not
     * reach HTTPS at the same address: a redirect to HTTPS helps only those who may follow it.
     */
    private static PacketSet service(PacketSpace space, Cleartext clear, List<DirectedPolicy> layers,
                                     Set<String> someHttps) {
        PacketSet set = Exposure.port(space, clear.protocol(), clear.port());
        if (clear.port() != 80) return set;
        DirectedPolicy directed = layers.stream().filter(d -> d.space() == space).findFirst().orElseThrow();
        PacketSet https = directed.decidedAs(Action.ALLOW, Exposure.port(space, Protocol.TCP, 443))
                .minus(directed.implicit());
        PacketSet http = directed.decidedAs(Action.ALLOW, set).minus(directed.implicit());
        for (Target target : space.owners(https)) {
            PacketSet at = space.at(target);
            if (connections(https.intersect(at)).containsAll(connections(http.intersect(at)))) {
                set = set.minus(at);
            } else {
                someHttps.add(target.name());
            }
        }
        return set;
    }

    /** Who may connect to which address of a target, whatever the ports. */
    private static PacketSet connections(PacketSet packets) {
        return packets.anyDestinationPort().anySourcePort();
    }
}
