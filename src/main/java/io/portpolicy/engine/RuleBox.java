package io.portpolicy.engine;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;

import java.math.BigInteger;
import java.util.List;

/**
 * A conservative box around everything a rule can match: its protocols, the hull of its
 * destination ports, and the hull of its addresses on each side per IP version. When two
 * boxes do not meet, the rules' packet sets cannot meet either, which lets a scan over earlier
 * rules skip most of them without a set operation. ({@code except}, {@code self} and target
 * restrictions only shrink a rule, so ignoring them keeps the box conservative.)
 */
final class RuleBox {

    private static final int PORT_PROTOCOLS = bit(Protocol.TCP) | bit(Protocol.UDP);
    private static final int ALL_PROTOCOLS = 0b11111;

    private final int protocols;
    private final int portLow;
    private final int portHigh;
    private final Hull source;
    private final Hull destination;

    /** Per-family hulls of one side; a family's bounds are null when the side has none of it. */
    private record Hull(BigInteger low4, BigInteger high4, BigInteger low6, BigInteger high6) {
        static final Hull ALL = new Hull(BigInteger.ZERO, BigInteger.ONE.shiftLeft(32),
                BigInteger.ZERO, BigInteger.ONE.shiftLeft(128));

        static Hull of(List<AddressTerm> terms) {
            BigInteger low4 = null;
            BigInteger high4 = null;
            BigInteger low6 = null;
            BigInteger high6 = null;
            for (AddressTerm term : terms) {
                if (term instanceof AddressTerm.Any || term instanceof AddressTerm.Self) return ALL;
                for (IPAddressSeqRange range : AddressResolver.resolve(List.of(term), null)) {
                    BigInteger low = range.getLower().getValue();
                    BigInteger high = range.getUpper().getValue();
                    if (range.getLower().isIPv4()) {
                        low4 = low4 == null ? low : low4.min(low);
                        high4 = high4 == null ? high : high4.max(high);
                    } else {
                        low6 = low6 == null ? low : low6.min(low);
                        high6 = high6 == null ? high : high6.max(high);
                    }
                }
            }
            return new Hull(low4, high4, low6, high6);
        }

        boolean meets(Hull other) {
            return overlap(low4, high4, other.low4, other.high4) || overlap(low6, high6, other.low6, other.high6);
        }

        private static boolean overlap(BigInteger lowA, BigInteger highA, BigInteger lowB, BigInteger highB) {
            return lowA != null && lowB != null && lowA.compareTo(highB) <= 0 && lowB.compareTo(highA) <= 0;
        }
    }

    RuleBox(Rule rule) {
        int mask = 0;
        int low = PortRange.MAX;
        int high = 0;
        for (ServiceMatch term : rule.services()) {
            mask |= term.protocol() == Protocol.ANY ? ALL_PROTOCOLS : bit(term.protocol());
            if (term.protocol() == Protocol.ANY) {
                low = 0;
                high = PortRange.MAX;
            } else if (term.protocol().hasPorts()) {
                if (term.ports().ephemeral()) {
                    low = 0;
                    high = PortRange.MAX;
                }
                for (PortRange range : term.ports().ranges()) {
                    low = Math.min(low, range.low());
                    high = Math.max(high, range.high());
                }
            }
        }
        protocols = mask;
        portLow = low;
        portHigh = high;
        source = Hull.of(rule.from().addresses());
        destination = Hull.of(rule.to().addresses());
    }

    boolean meets(RuleBox other) {
        int common = protocols & other.protocols;
        if (common == 0) return false;
        // Port hulls cover each rule's tcp/udp terms, so they decide when only tcp/udp is shared.
        boolean portsDecide = (common & ~PORT_PROTOCOLS) == 0;
        if (portsDecide && (portLow > other.portHigh || other.portLow > portHigh)) return false;
        return source.meets(other.source) && destination.meets(other.destination);
    }

    /** One bit per protocol; {@link Protocol#ANY} stands for the other protocols' bit. */
    private static int bit(Protocol protocol) {
        return switch (protocol) {
            case TCP -> 1;
            case UDP -> 2;
            case ICMP -> 4;
            case ICMPV6 -> 8;
            case ANY -> 16;
        };
    }
}
