package io.portpolicy.compile.nftables;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.compile.HostRules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The named sets of one ruleset. Every list of two or more values a rule matches becomes a
 * named set, declared once in the table and referenced as {@code @name} by every rule that
 * uses the same values: loading thousands of anonymous sets (one per rule) is what made
 * {@code nft -f} slow (docs/performance.md). A set's name is its kind and a hash of its
 * elements, so it is the same in every compile and does not change when other rules do.
 */
final class NamedSets {

    /** What a set holds: its nft type and the prefix of its name. IPv4 and IPv6 never share a set. */
    enum Kind {
        IPV4("ipv4_addr", "v4"),
        IPV6("ipv6_addr", "v6"),
        PORTS("inet_service", "ports"),
        PROTOCOLS("inet_proto", "protocols"),
        ICMP_TYPES("icmp_type", "icmp_types"),
        ICMP_CODES("icmp_code", "icmp_codes"),
        ICMPV6_TYPES("icmpv6_type", "icmpv6_types"),
        ICMPV6_CODES("icmpv6_code", "icmpv6_codes");

        final String type;
        final String prefix;

        Kind(String type, String prefix) {
            this.type = type;
            this.prefix = prefix;
        }
    }

    /**
     * A kind of set and what it holds (its elements as written, or address ranges): the key of
     * this registry's maps. Its equals and hashCode are written out, as a record's generated
     * ones are linked on their first call, some 50 ms of a compile (docs/performance.md,
     * seventh round).
     */
    private record Contents<T>(Kind kind, List<T> items) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Contents<?> c && kind == c.kind && items.equals(c.items);
        }

        @Override
        public int hashCode() {
            return 31 * kind.hashCode() + items.hashCode();
        }
    }

    /** Hex digits of the hash in a name: 40 bits, so two lists of one ruleset practically never meet. */
    private static final int HASH_DIGITS = 10;

    /** A set's hash from its kind and elements; SHA-256 but in tests, which force collisions. */
    private final Function<String, String> hash;
    private final Map<Contents<String>, String> names = new HashMap<>();
    private final Map<Contents<IPAddressSeqRange>, String> addressRefs = new HashMap<>();
    /** In order of first use, so the declarations read in the order of the rules. */
    private final Map<String, Contents<String>> declared = new LinkedHashMap<>();

    NamedSets() {
        this(NamedSets::sha256);
    }

    NamedSets(Function<String, String> hash) {
        this.hash = hash;
    }

    /**
     * Addresses as one element or a set reference. A host's rules name the same networks over
     * and over: each list of ranges is written out (and hashed) once per ruleset.
     */
    String ofAddresses(Kind kind, List<IPAddressSeqRange> ranges) {
        return addressRefs.computeIfAbsent(new Contents<>(kind, ranges),
                key -> of(kind, ranges.stream().map(HostRules::element).toList()));
    }

    /** One value as is; several as a reference to the named set holding them. */
    String of(Kind kind, List<String> elements) {
        if (elements.size() == 1) return elements.get(0);
        Contents<String> values = new Contents<>(kind, List.copyOf(elements));
        return "@" + names.computeIfAbsent(values, this::name);
    }

    private String name(Contents<String> values) {
        String base = values.kind().prefix + "_" + hash.apply(values.kind().type + " " + String.join(",", values.items()));
        String name = base;
        // A hash collision between two different lists: the later one (in rule order, so
        // deterministically) gets a counter.
        for (int n = 2; declared.containsKey(name); n++) name = base + "_" + n;
        declared.put(name, values);
        return name;
    }

    /**
     * Takes in the sets of a ruleset part named on its own (the output chains, rendered while
     * this registry named the input chains' sets), if every set is named as one registry for
     * both would have named it: a set both use has the same name in both, and a set new here
     * does not take a name this registry gave another set (only a 40-bit hash collision between
     * the parts can do that). Then nothing {@code later} rendered needs renaming.
     *
     * @return whether the sets were taken in; if not, this registry is unchanged and the part
     *         must be rendered again with it
     */
    boolean takeIn(NamedSets later) {
        for (Map.Entry<String, Contents<String>> set : later.declared.entrySet()) {
            String name = names.get(set.getValue());
            if (name != null ? !name.equals(set.getKey()) : declared.containsKey(set.getKey())) return false;
        }
        later.declared.forEach((name, values) -> {
            if (names.putIfAbsent(values, name) == null) declared.put(name, values);
        });
        return true;
    }

    /** The declarations, one line each, in the order the rules first use them. */
    void declare(StringBuilder out) {
        declared.forEach((name, values) -> out.append("\tset ").append(name).append(" { type ").append(values.kind().type)
                .append("; flags interval; auto-merge; elements = { ").append(String.join(", ", values.items()))
                .append(" } }\n"));
    }

    boolean isEmpty() {
        return declared.isEmpty();
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
