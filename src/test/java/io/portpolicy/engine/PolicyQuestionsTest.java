package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The questions lint and backends ask of the engine: from whom, and from everyone? */
class PolicyQuestionsTest {

    private static DirectedPolicy inboundAtWeb(String rules) {
        String text = "host web = 10.0.1.11, 2001:db8:1::11\nhost db = 10.0.2.21\n" + rules;
        EffectivePolicy effective = EffectivePolicy.of(EngineAgreesWithReferenceTest.check(text), LocalDate.of(2026, 1, 1));
        return effective.directed(effective.target("web").orElseThrow(), Direction.INBOUND);
    }

    /** All SSH the target admits, the implicit loopback rule included: "from everyone" needs it. */
    private static PacketSet ssh(DirectedPolicy directed) {
        PacketSpace space = directed.space();
        return directed.decidedAs(Action.ALLOW).intersect(space.protocol(Protocol.TCP))
                .intersect(space.destinationPorts(PortRange.single(22)));
    }

    /** SSH the policy's own rules and default admit: which sources a reviewer should see. */
    private static PacketSet sshByPolicy(DirectedPolicy directed) {
        return ssh(directed).minus(directed.implicit());
    }

    @Test
    void sshFromAnyIsAllowedFromEveryPeerOfBothFamilies() {
        PacketSet world = ssh(inboundAtWeb("allow tcp/22 from any to web")).everyPeer();
        PacketSpace space = world.space();
        assertFalse(world.intersect(space.ofFamily(Family.IPV4)).isEmpty());
        assertFalse(world.intersect(space.ofFamily(Family.IPV6)).isEmpty());
    }

    @Test
    void anEarlierDenyOfOneAddressMeansNotFromEveryone() {
        DirectedPolicy directed = inboundAtWeb("deny tcp/22 from 198.51.100.7\nallow tcp/22 from any4 to web");
        assertTrue(ssh(directed).everyPeer().isEmpty());
        assertFalse(ssh(directed).anyPeer().isEmpty());
    }

    @Test
    void peerAddressesAreTheAllowedSourcesAsRanges() {
        DirectedPolicy directed = inboundAtWeb("allow tcp/22 from 10.0.0.0/8 except 10.0.2.0/24 to web");
        List<IPAddressSeqRange> sources = sshByPolicy(directed).peerAddresses();
        // web's own address is left out: a host talking to itself is implicit loopback traffic.
        assertEquals(List.of(range("10.0.0.0", "10.0.1.10"), range("10.0.1.12", "10.0.1.255"),
                range("10.0.3.0", "10.255.255.255")), sources);
    }

    @Test
    void ownAddressesAreTheTargetsAddressesOfEachFamilyApart() {
        DirectedPolicy directed = inboundAtWeb("allow tcp/22 from 10.0.0.0/8, 2001:db8::/32");
        // Both hosts' addresses: db's is the last IPv4 atom, web's IPv6 one the first IPv6 atom.
        assertEquals(List.of(range("10.0.1.11", "10.0.1.11"), range("10.0.2.21", "10.0.2.21"),
                range("2001:db8:1::11", "2001:db8:1::11")), sshByPolicy(directed).ownAddresses());
        assertTrue(directed.space().none().ownAddresses().isEmpty());
    }

    @Test
    void nothingAllowedMeansNoPeers() {
        assertTrue(sshByPolicy(inboundAtWeb("allow tcp/443 from any to web")).peerAddresses().isEmpty());
    }

    /**
     * For an allow rule matching every peer, reading only the earlier denies and rejects gives
     * what the whole policy says: the packets of what it decides that every peer may send.
     */
    @Property(tries = 200, shrinking = ShrinkingMode.OFF)
    void openToEveryPeerIsWhatEveryPeerMaySend(@ForAll long seed) {
        RandomDirections.each(RandomDirections.of(seed), (target, direction, directed) -> {
            PacketSet fromEveryPeer = directed.decidedAs(Action.ALLOW).everyPeer();
            List<RuleRegion> rules = directed.rules();
            for (int i = 0; i < rules.size(); i++) {
                PacketSet matched = rules.get(i).matched();
                if (rules.get(i).rule().action() != Action.ALLOW || !matched.equals(matched.anyPeer())) continue;
                PacketSet part = rules.get(i).decided();
                int rule = i;
                assertEquals(part.intersect(fromEveryPeer), directed.openToEveryPeer(i, part),
                        () -> rules.get(rule).rule().text() + " at " + target.name() + " " + direction);
            }
        });
    }

    private static IPAddressSeqRange range(String low, String high) {
        return new IPAddressString(low).getAddress().toSequentialRange(new IPAddressString(high).getAddress());
    }
}
