package io.portpolicy.kernel;

import static io.portpolicy.kernel.Expect.adminProhibited;
import static io.portpolicy.kernel.Expect.allowed;
import static io.portpolicy.kernel.Expect.dropped;
import static io.portpolicy.kernel.Expect.reset;
import static io.portpolicy.kernel.Probe.icmpEcho;
import static io.portpolicy.kernel.Probe.tcp;
import static io.portpolicy.kernel.Probe.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hand-written nftables rulesets in a real kernel: every verdict observed, IPv4 and IPv6, both directions. */
class NftablesVerdictTest {

    /** Stateful: ssh from A only, telnet reset, DNS admin-prohibited, ping in; web, NTP and ping to A out. */
    static final String STATEFUL = """
            table inet pptest
            delete table inet pptest
            table inet pptest {
              chain input {
                type filter hook input priority filter; policy drop;
                ct state established,related accept
                ct state invalid drop
                iif "lo" accept
                icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
                ip saddr 10.1.0.1 tcp dport 22 accept
                ip6 saddr 2001:db8:1::1 tcp dport 22 accept
                tcp dport 23 reject with tcp reset
                udp dport 53 reject with icmpx admin-prohibited
                icmp type echo-request accept
                icmpv6 type echo-request accept
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
              }
              chain output {
                type filter hook output priority filter; policy drop;
                ct state established,related accept
                ct state invalid drop
                oif "lo" accept
                icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
                tcp dport 80 accept
                tcp dport 25 reject with tcp reset
                udp dport 123 accept
                udp dport 514 reject with icmpx admin-prohibited
                ip daddr 10.1.0.1 icmp type echo-request accept
                ip6 daddr 2001:db8:1::1 icmpv6 type echo-request accept
                meta l4proto { icmp, ipv6-icmp } reject with icmpx admin-prohibited
              }
            }
            """;

    /**
     * Stateless: no connection tracking, so every reply needs its own rule, matched by source
     * port; and the resets and ICMP errors our own rejects send leave through the output chain.
     */
    static final String STATELESS = """
            table inet ppsl
            delete table inet ppsl
            table inet ppsl {
              chain input {
                type filter hook input priority filter; policy drop;
                iif "lo" accept
                icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
                ip saddr 10.1.0.1 tcp dport 22 accept
                ip6 saddr 2001:db8:1::1 tcp dport 22 accept
                tcp sport 80 tcp dport 1024-65535 accept
                udp sport 53 udp dport 1024-65535 accept
                tcp dport 23 reject with tcp reset
                udp dport 161 reject with icmpx admin-prohibited
                icmp type { echo-request, echo-reply } accept
                icmpv6 type { echo-request, echo-reply } accept
              }
              chain output {
                type filter hook output priority filter; policy drop;
                oif "lo" accept
                icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
                tcp sport 22 accept
                tcp dport 80 accept
                udp dport 53 accept
                icmp type { echo-request, echo-reply } accept
                icmpv6 type { echo-request, echo-reply } accept
                # what our own rejects send (REJECT_EXEMPTIONS)
                tcp flags & rst == rst accept
                icmp type destination-unreachable accept
                icmpv6 type destination-unreachable accept
              }
            }
            """;

    @BeforeAll
    static void kernel() {
        KernelEnvironment.require();
    }

    static List<Expect> statefulExpectations() {
        List<Expect> e = new ArrayList<>();
        for (Hosts h : Hosts.BOTH) {
            // inbound
            e.add(allowed(tcp(h.a(), h.target(), 22)));
            e.add(dropped(tcp(h.b(), h.target(), 22)));
            e.add(reset(tcp(h.a(), h.target(), 23)));
            e.add(reset(tcp(h.b(), h.target(), 23)));
            e.add(dropped(tcp(h.a(), h.target(), 24)));
            e.add(adminProhibited(udp(h.a(), h.target(), 53)));
            e.add(adminProhibited(udp(h.b(), h.target(), 53).fromPort(5353)));
            e.add(dropped(udp(h.a(), h.target(), 54)));
            e.add(allowed(icmpEcho(h.a(), h.target())));
            e.add(allowed(icmpEcho(h.b(), h.target())));
            // outbound
            e.add(allowed(tcp(h.target(), h.a(), 80)));
            e.add(allowed(tcp(h.target(), h.b(), 80).fromPort(40080)));
            e.add(reset(tcp(h.target(), h.a(), 25)));
            e.add(dropped(tcp(h.target(), h.a(), 26)));
            e.add(allowed(udp(h.target(), h.a(), 123).fromPort(123)));
            e.add(adminProhibited(udp(h.target(), h.a(), 514)));
            e.add(dropped(udp(h.target(), h.a(), 515)).withDetail("EPERM"));
            e.add(allowed(icmpEcho(h.target(), h.a())));
            e.add(adminProhibited(icmpEcho(h.target(), h.b())));
        }
        return e;
    }

    @Test
    void statefulInetTable() {
        try (KernelLab lab = Hosts.lab()) {
            lab.loadNftables(STATEFUL);
            List<ProbeResult> results = lab.assertVerdicts(statefulExpectations());
            System.out.println("nftables, stateful:\n" + KernelLab.table(results));
            // the DNS rejection names the target as the sender of the ICMP error
            assertTrue(results.get(5).detail().contains("from 10.0.0.1"), results.get(5).toString());
            // loading the same ruleset again replaces it (the delete-table idiom), no duplicate rules
            lab.loadNftables(STATEFUL);
            String listed = lab.execInTarget("nft", "list", "ruleset").stdout();
            assertEquals(1, listed.split("tcp dport 23 reject", -1).length - 1, listed);
        }
    }

    @Test
    void statelessInetTable() {
        try (KernelLab lab = Hosts.lab()) {
            lab.loadNftables(STATELESS);
            List<Expect> e = new ArrayList<>();
            for (Hosts h : Hosts.BOTH) {
                e.add(allowed(tcp(h.a(), h.target(), 22)));
                e.add(dropped(tcp(h.b(), h.target(), 22)));
                e.add(reset(tcp(h.a(), h.target(), 23)));
                e.add(adminProhibited(udp(h.a(), h.target(), 161)));
                e.add(dropped(udp(h.a(), h.target(), 162)));
                e.add(allowed(icmpEcho(h.a(), h.target())));
                // replies are admitted only to unprivileged ports
                e.add(allowed(tcp(h.target(), h.a(), 80).fromPort(40080)));
                e.add(dropped(tcp(h.target(), h.a(), 80).fromPort(800)));
                e.add(allowed(udp(h.target(), h.a(), 53).fromPort(40053)));
                e.add(dropped(udp(h.target(), h.a(), 53).fromPort(53)));
                e.add(dropped(tcp(h.target(), h.a(), 8080)));
                e.add(allowed(icmpEcho(h.target(), h.b())));
            }
            List<ProbeResult> results = lab.assertVerdicts(e);
            System.out.println("nftables, stateless:\n" + KernelLab.table(results));
            // the DNS query from port 53 got out and was answered; the answer was what the input chain dropped
            ProbeResult dnsFrom53 = results.get(9);
            assertTrue(dnsFrom53.reachedListener(), dnsFrom53.toString());
            assertEquals(53, dnsFrom53.sourcePort());
            assertFalse(results.get(10).reachedListener(), results.get(10).toString());
        }
    }

    @Test
    void statelessRejectsWithoutOutputExemptionsLookLikeDrops() {
        // The reset and the ICMP error a reject sends are ordinary outgoing packets: a stateless
        // output chain with policy drop swallows them, and the client sees a silent drop.
        String withoutExemptions = STATELESS.replace("tcp flags & rst == rst accept", "")
                .replace("icmp type destination-unreachable accept", "")
                .replace("icmpv6 type destination-unreachable accept", "");
        try (KernelLab lab = Hosts.lab()) {
            lab.loadNftables(withoutExemptions);
            List<Expect> e = new ArrayList<>();
            for (Hosts h : Hosts.BOTH) {
                e.add(dropped(tcp(h.a(), h.target(), 23)));
                e.add(dropped(udp(h.a(), h.target(), 161)));
                e.add(allowed(tcp(h.a(), h.target(), 22)));
            }
            lab.assertVerdicts(e);
        }
    }

    @Test
    void ipv6NeedsNeighbourDiscoveryThroughTheRuleset() {
        // Without the nd-neighbor-* rules the target cannot resolve or answer its neighbours:
        // every IPv6 probe is dropped while IPv4 (ARP is not filtered by inet tables) still works.
        String noNd = STATEFUL.replace("icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept", "");
        try (KernelLab lab = Hosts.lab()) {
            lab.loadNftables(noNd);
            List<Expect> e = new ArrayList<>();
            e.add(allowed(tcp(Hosts.V4.a(), Hosts.V4.target(), 22)));
            e.add(allowed(icmpEcho(Hosts.V4.a(), Hosts.V4.target())));
            e.add(dropped(tcp(Hosts.V6.a(), Hosts.V6.target(), 22)));
            e.add(dropped(icmpEcho(Hosts.V6.a(), Hosts.V6.target())));
            e.add(dropped(tcp(Hosts.V6.target(), Hosts.V6.a(), 80)));
            lab.assertVerdicts(e);
        }
    }

    @Test
    void hundredsOfProbesTakeSeconds() {
        String ruleset = """
                table inet ppscale {
                  chain input {
                    type filter hook input priority filter; policy drop;
                    ct state established,related accept
                    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
                    tcp dport 2000-2049 accept
                    tcp dport 2050-2074 reject with tcp reset
                    udp dport 2000-2049 accept
                    udp dport 2050-2074 reject with icmpx port-unreachable
                  }
                }
                """;
        try (KernelLab lab = Hosts.lab()) {
            lab.loadNftables(ruleset);
            List<Expect> e = new ArrayList<>();
            for (Hosts h : Hosts.BOTH) {
                for (int port = 2000; port < 2100; port++) {
                    Verdict v = port < 2050 ? Verdict.ALLOWED : port < 2075 ? Verdict.REJECTED : Verdict.DROPPED;
                    String peer = port % 2 == 0 ? h.a() : h.b();
                    e.add(new Expect(tcp(peer, h.target(), port), v, v == Verdict.REJECTED ? "tcp reset" : null));
                    e.add(new Expect(udp(peer, h.target(), port), v, v == Verdict.REJECTED ? "port-unreachable" : null));
                }
                e.add(dropped(icmpEcho(h.a(), h.target())));
            }
            long start = System.nanoTime();
            lab.assertVerdicts(e);
            System.out.printf("%d probes (%d dropped, 0.4 s timeout) in %d ms%n", e.size(),
                    e.stream().filter(x -> x.verdict() == Verdict.DROPPED).count(), (System.nanoTime() - start) / 1_000_000);
        }
    }
}
