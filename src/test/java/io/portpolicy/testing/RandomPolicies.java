package io.portpolicy.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes random but valid policies whose objects overlap a lot (small address pools, few
 * ports), so first-match order, except, ephemeral ports and families all matter. The same
 * seed gives the same policy.
 */
public final class RandomPolicies {

    public static final List<String> OS = List.of("linux", "windows", "bsd", "macos");
    private static final List<String> PORTS = List.of("22", "53", "80", "443", "1000-2000", "1024", "8080-8081",
            "{22,80,443}", "{1-5,65535}", "0", "65535", "ephemeral", "32768-60999", "49152");

    private final Random random;
    private final List<String> hosts = new ArrayList<>();
    private final List<String> sets = new ArrayList<>();

    public RandomPolicies(long seed) {
        this.random = new Random(seed);
    }

    public String policy() {
        StringBuilder out = new StringBuilder();
        if (random.nextInt(3) == 0) out.append("stateless\n");
        if (random.nextInt(3) == 0) out.append("default inbound ").append(action()).append('\n');
        if (random.nextInt(3) == 0) out.append("default outbound ").append(action()).append('\n');
        if (random.nextInt(3) == 0) out.append("ephemeral 40000-50000\n");
        int hostCount = 1 + random.nextInt(4);
        for (int i = 0; i < hostCount; i++) {
            String name = "h" + i;
            hosts.add(name);
            out.append("host ").append(name).append(" = ");
            boolean v4 = random.nextInt(4) != 0;
            boolean v6 = !v4 || random.nextBoolean();
            List<String> addresses = new ArrayList<>();
            if (v4) addresses.add("10.0.0." + (i * 16 + 1 + random.nextInt(3)));
            if (v6) addresses.add("2001:db8::" + Integer.toHexString(i * 16 + 1 + random.nextInt(3)));
            out.append(String.join(", ", addresses));
            if (random.nextBoolean()) out.append(" os ").append(OS.get(random.nextInt(OS.size())));
            out.append('\n');
        }
        int networkCount = random.nextInt(3);
        for (int i = 0; i < networkCount; i++) {
            String name = "n" + i;
            sets.add(name);
            out.append("network ").append(name).append(" = ").append(literal()).append(", ").append(literal()).append('\n');
        }
        int groupCount = random.nextInt(3);
        for (int i = 0; i < groupCount; i++) {
            String name = "g" + i;
            List<String> members = new ArrayList<>();
            members.add(hosts.get(random.nextInt(hosts.size())));
            if (random.nextBoolean()) members.add(literal());
            if (!sets.isEmpty() && random.nextBoolean()) members.add(sets.get(random.nextInt(sets.size())));
            out.append("group ").append(name).append(" = ").append(String.join(", ", members)).append('\n');
            sets.add(name);
        }
        int ruleCount = 1 + random.nextInt(12);
        for (int i = 0; i < ruleCount; i++) out.append(rule()).append('\n');
        return out.toString();
    }

    private String action() {
        return List.of("allow", "deny", "reject").get(random.nextInt(3));
    }

    private String literal() {
        return literal(random.nextInt(LITERAL_KINDS), random);
    }

    /** How many kinds of address literal {@link #literal(int, Random)} writes. */
    static final int LITERAL_KINDS = 5;

    /**
     * An address literal of one kind, from small pools so that they overlap: an IPv4 address, a
     * small IPv4 CIDR, a short IPv4 range, an IPv6 address, a small IPv6 CIDR.
     */
    static String literal(int kind, Random random) {
        switch (kind) {
            case 0: return "10.0.0." + random.nextInt(64);
            case 1: return "10.0.0." + (random.nextInt(4) * 16) + "/" + (28 + random.nextInt(5));
            case 2: {
                int low = random.nextInt(60);
                return "10.0.0." + low + "-10.0.0." + (low + random.nextInt(8));
            }
            case 3: return "2001:db8::" + Integer.toHexString(random.nextInt(64));
            default: return "2001:db8::" + Integer.toHexString(random.nextInt(4) * 16) + "/" + (124 + random.nextInt(5));
        }
    }

    private String address() {
        int pick = random.nextInt(10);
        if (pick < 3) return hosts.get(random.nextInt(hosts.size()));
        if (pick < 5 && !sets.isEmpty()) return sets.get(random.nextInt(sets.size()));
        if (pick < 7) return literal();
        return List.of("any", "any4", "any6", "self").get(random.nextInt(4));
    }

    private String addresses() {
        StringBuilder out = new StringBuilder(address());
        if (random.nextInt(4) == 0) out.append(", ").append(address());
        if (random.nextInt(5) == 0) out.append(" except ").append(address());
        return out.toString();
    }

    private String rule() {
        StringBuilder out = new StringBuilder(action()).append(' ');
        boolean portsOnly = random.nextInt(4) == 0;
        String bareProto = random.nextBoolean() ? "tcp" : "udp";
        if (portsOnly) {
            out.append(bareProto);
        } else {
            List<String> services = new ArrayList<>();
            int count = 1 + random.nextInt(2);
            for (int i = 0; i < count; i++) services.add(service());
            out.append(String.join(", ", services));
        }
        boolean tcpUdpOnly = portsOnly || !out.toString().matches(".*(icmp|any|ssh|dns|https).*");
        if (random.nextInt(4) != 0) {
            out.append(" from ").append(addresses());
            if (tcpUdpOnly && random.nextInt(4) == 0) out.append(" port ").append(PORTS.get(random.nextInt(PORTS.size())));
        }
        if (random.nextInt(4) != 0 || portsOnly) {
            out.append(" to ").append(addresses());
            if (portsOnly) out.append(" port ").append(PORTS.get(random.nextInt(PORTS.size())));
        }
        return out.toString();
    }

    private String service() {
        switch (random.nextInt(9)) {
            case 0: return "any";
            case 1: return "icmp";
            case 2: return "icmp/" + List.of("echo-request", "3:4", "echo-reply", "{0,8}").get(random.nextInt(4));
            case 3: return "icmpv6" + (random.nextBoolean() ? "" : "/" + List.of("echo-request", "135", "1:3").get(random.nextInt(3)));
            case 4: return List.of("ssh", "dns", "https").get(random.nextInt(3));
            case 5: return random.nextBoolean() ? "tcp" : "udp";
            default: return (random.nextBoolean() ? "tcp/" : "udp/") + PORTS.get(random.nextInt(PORTS.size()));
        }
    }
}
