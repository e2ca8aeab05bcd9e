package io.portpolicy.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random policies biased toward the shapes {@link RandomPolicies} rarely writes: rules naming
 * {@code any} (mostly deny and reject) under a default of allow, and less often allow any under a
 * default of deny, with narrower rules before them taking part of what they match, IPv4 and
 * IPv6 peers, ICMP and ICMPv6 (neighbour discovery types among them), hosts with two addresses.
 * Written for the Windows backend's one {@code -Protocol Any} rule per rule naming any, where
 * that is exact. The same seed gives the same policy.
 */
public final class AnyRulePolicies {

    private final Random random;
    private final List<String> hosts = new ArrayList<>();
    private final List<String> sets = new ArrayList<>();

    public AnyRulePolicies(long seed) {
        this.random = new Random(seed);
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    public String policy() {
        StringBuilder out = new StringBuilder();
        out.append("default inbound ").append(random.nextInt(5) < 4 ? "allow" : pick(List.of("deny", "reject"))).append('\n');
        out.append("default outbound ").append(random.nextInt(4) < 3 ? "allow" : pick(List.of("deny", "reject"))).append('\n');
        if (random.nextInt(4) == 0) out.append("ephemeral 40000-50000\n");
        int hostCount = 1 + random.nextInt(3);
        for (int i = 0; i < hostCount; i++) {
            String name = "h" + i;
            hosts.add(name);
            List<String> addresses = new ArrayList<>();
            switch (random.nextInt(5)) {
                case 0 -> addresses.add(v4(i));
                case 1 -> addresses.add(v6(i));
                case 2 -> { addresses.add(v4(i)); addresses.add("10.0.1." + (i * 16 + 1)); }
                default -> { addresses.add(v4(i)); addresses.add(v6(i)); }
            }
            out.append("host ").append(name).append(" = ").append(String.join(", ", addresses));
            if (random.nextInt(3) != 0) out.append(" os windows");
            out.append('\n');
        }
        int networkCount = random.nextInt(3);
        for (int i = 0; i < networkCount; i++) {
            String name = "n" + i;
            sets.add(name);
            out.append("network ").append(name).append(" = ").append(literal()).append(", ").append(literal()).append('\n');
        }
        if (random.nextBoolean()) {
            out.append("group g0 = ").append(pick(hosts));
            if (random.nextBoolean()) out.append(", ").append(literal());
            out.append('\n');
            sets.add("g0");
        }
        int before = 1 + random.nextInt(5);
        for (int i = 0; i < before; i++) out.append(narrowRule()).append('\n');
        int anys = 1 + random.nextInt(2);
        for (int i = 0; i < anys; i++) {
            out.append(anyRule()).append('\n');
            if (random.nextBoolean()) out.append(narrowRule()).append('\n');
        }
        return out.toString();
    }

    private String v4(int i) {
        return "10.0.0." + (i * 16 + 1 + random.nextInt(3));
    }

    private String v6(int i) {
        return "2001:db8::" + Integer.toHexString(i * 16 + 1 + random.nextInt(3));
    }

    /** RandomPolicies' literals, and wider networks beside them. */
    private String literal() {
        int kind = random.nextInt(RandomPolicies.LITERAL_KINDS + 3);
        if (kind < RandomPolicies.LITERAL_KINDS) return RandomPolicies.literal(kind, random);
        switch (kind - RandomPolicies.LITERAL_KINDS) {
            case 0: return pick(List.of("192.0.2.0/24", "198.51.100.7", "203.0.113.0/25", "10.0.0.0/8"));
            case 1: return pick(List.of("2001:db8::/32", "2001:db8:1::/48", "2001:db8::/120"));
            default: return "10.0.1." + random.nextInt(64);
        }
    }

    private String address() {
        int p = random.nextInt(10);
        if (p < 2) return pick(hosts);
        if (p < 4 && !sets.isEmpty()) return pick(sets);
        if (p < 7) return literal();
        return pick(List.of("any", "any4", "any6"));
    }

    private String addresses() {
        StringBuilder out = new StringBuilder(address());
        if (random.nextInt(4) == 0) out.append(", ").append(address());
        if (random.nextInt(5) == 0) out.append(" except ").append(address());
        return out.toString();
    }

    private String broad() {
        switch (random.nextInt(8)) {
            case 0, 1: return "any";
            case 2: return "any4";
            case 3: return "any6";
            case 4: return "any except " + address();
            case 5: return pick(List.of("any4", "any6", "any")) + " except " + literal();
            default: return addresses();
        }
    }

    private String narrowService() {
        switch (random.nextInt(14)) {
            case 0: return "tcp/22";
            case 1: return "udp/53";
            case 2: return "icmp/echo-request";
            case 3: return "icmpv6/echo-request";
            case 4: return "icmpv6/" + pick(List.of("135", "136", "133", "1:3", "{128,129}"));
            case 5: return pick(List.of("icmp", "icmpv6"));
            case 6: return pick(List.of("tcp", "udp"));
            case 7: return "any";
            case 8: return pick(List.of("ssh", "dns", "https"));
            case 9: return "icmp/" + pick(List.of("3:4", "{0,8}", "echo-reply"));
            case 10: return "tcp/{22,80,443}";
            case 11: return "udp/" + pick(List.of("0", "65535", "1000-2000"));
            default: return "tcp/" + pick(List.of("0", "1-1023", "1024-65535", "80"));
        }
    }

    private String direction(boolean portsAllowed, String peers) {
        switch (random.nextInt(6)) {
            case 0, 1: return " from " + peers;
            case 2, 3: return " from self to " + peers;
            case 4: return " to " + peers;
            default: return " from " + peers + " to " + pick(hosts);
        }
    }

    private String narrowRule() {
        String action = pick(List.of("allow", "allow", "deny", "reject"));
        List<String> services = new ArrayList<>();
        services.add(narrowService());
        if (random.nextInt(4) == 0) services.add(narrowService());
        StringBuilder out = new StringBuilder(action).append(' ').append(String.join(", ", services));
        out.append(direction(false, random.nextInt(3) == 0 ? broad() : addresses()));
        if (random.nextInt(12) == 0) out.append(" log");
        return out.toString();
    }

    private String anyRule() {
        String action = pick(List.of("deny", "deny", "reject", "allow"));
        StringBuilder out = new StringBuilder(action).append(" any");
        if (random.nextInt(5) == 0) out.append(", ").append(narrowService());
        out.append(direction(false, broad()));
        if (random.nextInt(12) == 0) out.append(" log");
        return out.toString();
    }
}
