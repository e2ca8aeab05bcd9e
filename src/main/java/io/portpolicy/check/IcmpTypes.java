package io.portpolicy.check;

import io.portpolicy.model.Protocol;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** ICMP and ICMPv6 type names, read from {@code icmp-types.tsv} beside this class. */
public final class IcmpTypes {

    private static final Map<Protocol, Map<String, Integer>> BY_NAME = load();

    private IcmpTypes() {
    }

    /** The type number for a name, or {@code null}. */
    public static Integer number(Protocol protocol, String name) {
        return BY_NAME.getOrDefault(protocol, Map.of()).get(name);
    }

    public static Set<String> names(Protocol protocol) {
        return BY_NAME.getOrDefault(protocol, Map.of()).keySet();
    }

    /** The name of a type number, or {@code null}. */
    public static String name(Protocol protocol, int type) {
        return BY_NAME.getOrDefault(protocol, Map.of()).entrySet().stream()
                .filter(e -> e.getValue() == type).map(Map.Entry::getKey).findFirst().orElse(null);
    }

    private static Map<Protocol, Map<String, Integer>> load() {
        Map<Protocol, Map<String, Integer>> table = new HashMap<>();
        for (String[] row : ServiceCatalog.Tsv.rows("icmp-types.tsv")) {
            Protocol protocol = Protocol.valueOf(row[0].toUpperCase(Locale.ROOT));
            table.computeIfAbsent(protocol, p -> new HashMap<>()).put(row[1], Integer.parseInt(row[2]));
        }
        return table;
    }
}
