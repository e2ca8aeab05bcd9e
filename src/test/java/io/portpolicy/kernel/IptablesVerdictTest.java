package io.portpolicy.kernel;

import static io.portpolicy.kernel.Expect.adminProhibited;
import static io.portpolicy.kernel.Expect.allowed;
import static io.portpolicy.kernel.Expect.dropped;
import static io.portpolicy.kernel.Expect.reset;
import static io.portpolicy.kernel.Probe.icmpEcho;
import static io.portpolicy.kernel.Probe.tcp;
import static io.portpolicy.kernel.Probe.udp;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same policies as {@link NftablesVerdictTest}, written for iptables-restore and
 * ip6tables-restore: the observed verdicts must be the same.
 */
class IptablesVerdictTest {

    static final String STATEFUL_V4 = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT DROP [0:0]
            :pp-in - [0:0]
            :pp-out - [0:0]
            -A INPUT -j pp-in
            -A OUTPUT -j pp-out
            -A pp-in -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
            -A pp-in -m conntrack --ctstate INVALID -j DROP
            -A pp-in -i lo -j ACCEPT
            -A pp-in -s 10.1.0.1/32 -p tcp -m tcp --dport 22 -m comment --comment "ssh from \\"A\\"" -j ACCEPT
            -A pp-in -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
            -A pp-in -p udp -m udp --dport 53 -j REJECT --reject-with icmp-admin-prohibited
            -A pp-in -p icmp -m icmp --icmp-type echo-request -j ACCEPT
            -A pp-out -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
            -A pp-out -m conntrack --ctstate INVALID -j DROP
            -A pp-out -o lo -j ACCEPT
            -A pp-out -p tcp -m tcp --dport 80 -j ACCEPT
            -A pp-out -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset
            -A pp-out -p udp -m udp --dport 123 -j ACCEPT
            -A pp-out -p udp -m udp --dport 514 -j REJECT --reject-with icmp-admin-prohibited
            -A pp-out -d 10.1.0.1/32 -p icmp -m icmp --icmp-type echo-request -j ACCEPT
            -A pp-out -p icmp -j REJECT --reject-with icmp-admin-prohibited
            COMMIT
            """;

    static final String STATEFUL_V6 = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT DROP [0:0]
            :pp-in - [0:0]
            :pp-out - [0:0]
            -A INPUT -j pp-in
            -A OUTPUT -j pp-out
            -A pp-in -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
            -A pp-in -m conntrack --ctstate INVALID -j DROP
            -A pp-in -i lo -j ACCEPT
            -A pp-in -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT
            -A pp-in -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -j ACCEPT
            -A pp-in -s 2001:db8:1::1/128 -p tcp -m tcp --dport 22 -j ACCEPT
            -A pp-in -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
            -A pp-in -p udp -m udp --dport 53 -j REJECT --reject-with icmp6-adm-prohibited
            -A pp-in -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j ACCEPT
            -A pp-out -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
            -A pp-out -m conntrack --ctstate INVALID -j DROP
            -A pp-out -o lo -j ACCEPT
            -A pp-out -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT
            -A pp-out -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -j ACCEPT
            -A pp-out -p tcp -m tcp --dport 80 -j ACCEPT
            -A pp-out -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset
            -A pp-out -p udp -m udp --dport 123 -j ACCEPT
            -A pp-out -p udp -m udp --dport 514 -j REJECT --reject-with icmp6-adm-prohibited
            -A pp-out -d 2001:db8:1::1/128 -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j ACCEPT
            -A pp-out -p ipv6-icmp -j REJECT --reject-with icmp6-adm-prohibited
            COMMIT
            """;

    /** Stateless, with multiport, source-port matches and the output exemptions for our own rejects. */
    static final String STATELESS_V4 = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT DROP [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -s 10.1.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT
            -A INPUT -p tcp -m multiport --sports 80,443 -m tcp --dport 1024:65535 -j ACCEPT
            -A INPUT -p udp -m udp --sport 53 --dport 1024:65535 -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
            -A INPUT -p udp -m udp --dport 161 -j REJECT --reject-with icmp-admin-prohibited
            -A INPUT -p icmp -m icmp --icmp-type echo-request -j ACCEPT
            -A INPUT -p icmp -m icmp --icmp-type echo-reply -j ACCEPT
            -A OUTPUT -o lo -j ACCEPT
            -A OUTPUT -p tcp -m tcp --sport 22 -j ACCEPT
            -A OUTPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
            -A OUTPUT -p udp -m udp --dport 53 -j ACCEPT
            -A OUTPUT -p icmp -m icmp --icmp-type echo-request -j ACCEPT
            -A OUTPUT -p icmp -m icmp --icmp-type echo-reply -j ACCEPT
            -A OUTPUT -p tcp -m tcp --tcp-flags RST RST -j ACCEPT
            -A OUTPUT -p icmp -m icmp --icmp-type destination-unreachable -j ACCEPT
            COMMIT
            """;

    static final String STATELESS_V6 = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT DROP [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT
            -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -j ACCEPT
            -A INPUT -s 2001:db8:1::1/128 -p tcp -m tcp --dport 22 -j ACCEPT
            -A INPUT -p tcp -m multiport --sports 80,443 -m tcp --dport 1024:65535 -j ACCEPT
            -A INPUT -p udp -m udp --sport 53 --dport 1024:65535 -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
            -A INPUT -p udp -m udp --dport 161 -j REJECT --reject-with icmp6-adm-prohibited
            -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j ACCEPT
            -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-reply -j ACCEPT
            -A OUTPUT -o lo -j ACCEPT
            -A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT
            -A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -j ACCEPT
            -A OUTPUT -p tcp -m tcp --sport 22 -j ACCEPT
            -A OUTPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
            -A OUTPUT -p udp -m udp --dport 53 -j ACCEPT
            -A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j ACCEPT
            -A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-reply -j ACCEPT
            -A OUTPUT -p tcp -m tcp --tcp-flags RST RST -j ACCEPT
            -A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type destination-unreachable -j ACCEPT
            COMMIT
            """;

    @BeforeAll
    static void kernel() {
        KernelEnvironment.require();
    }

    @Test
    void statefulRestoreFilesGiveTheSameVerdictsAsTheNftablesTable() {
        try (KernelLab lab = Hosts.lab()) {
            lab.loadIptables(STATEFUL_V4, STATEFUL_V6);
            List<ProbeResult> results = lab.assertVerdicts(NftablesVerdictTest.statefulExpectations());
            System.out.println("iptables, stateful:\n" + KernelLab.table(results));
            String listed = lab.execInTarget("iptables-save").stdout();
            assertTrue(listed.contains("ssh from \\\"A\\\""), listed);
        }
    }

    @Test
    void statelessRestoreFiles() {
        try (KernelLab lab = Hosts.lab()) {
            lab.loadIptables(STATELESS_V4, STATELESS_V6);
            List<Expect> e = new ArrayList<>();
            for (Hosts h : Hosts.BOTH) {
                e.add(allowed(tcp(h.a(), h.target(), 22)));
                e.add(dropped(tcp(h.b(), h.target(), 22)));
                e.add(reset(tcp(h.b(), h.target(), 23)));
                e.add(adminProhibited(udp(h.a(), h.target(), 161)));
                e.add(allowed(icmpEcho(h.b(), h.target())));
                e.add(allowed(tcp(h.target(), h.a(), 443).fromPort(50443)));
                e.add(dropped(tcp(h.target(), h.a(), 443).fromPort(443)));
                e.add(allowed(udp(h.target(), h.b(), 53).fromPort(1024)));
                e.add(dropped(udp(h.target(), h.b(), 53).fromPort(1023)));
                e.add(dropped(udp(h.target(), h.b(), 54)).withDetail("EPERM"));
                e.add(allowed(icmpEcho(h.target(), h.a())));
            }
            List<ProbeResult> results = lab.assertVerdicts(e);
            System.out.println("iptables, stateless:\n" + KernelLab.table(results));
        }
    }
}
