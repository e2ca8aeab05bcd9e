package io.portpolicy.model;

import io.portpolicy.source.SourceFile;

import java.util.List;
import java.util.Map;

/**
 * A checked policy: every name resolved, every value valid, rules in evaluation order with
 * includes spliced in place. This is all that analysis, compilation and diff ever see.
 *
 * @param files    the root file first, then included and imported files in load order
 * @param services the user-defined services (built-ins live in the catalog)
 */
public record Policy(List<SourceFile> files, Settings settings, Map<String, Host> hosts,
                     Map<String, Network> networks, Map<String, Group> groups,
                     Map<String, NamedService> services, List<Rule> rules) {

    public Policy {
        files = List.copyOf(files);
        hosts = Map.copyOf(hosts);
        networks = Map.copyOf(networks);
        groups = Map.copyOf(groups);
        services = Map.copyOf(services);
        rules = List.copyOf(rules);
    }

    public SourceFile root() {
        return files.get(0);
    }
}
