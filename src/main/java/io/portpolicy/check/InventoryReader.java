package io.portpolicy.check;

import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;
import io.portpolicy.syntax.PolicyReader;
import io.portpolicy.yaml.LocatedYaml;
import io.portpolicy.yaml.LocatedYaml.Entry;
import io.portpolicy.yaml.LocatedYaml.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a YAML inventory ({@code hosts:} and {@code groups:}) into declarations, every value
 * located (see {@link LocatedYaml}) so errors name the YAML file's line and column.
 */
final class InventoryReader {

    private static final Set<String> TOP_KEYS = Set.of("hosts", "groups");
    private static final Set<String> HOST_KEYS = Set.of("addresses", "os", "groups");

    private final SourceFile source;
    private final Diagnostics diagnostics;
    final List<Declarations.HostDecl> hosts = new ArrayList<>();
    final List<Declarations.SetDecl> groups = new ArrayList<>();

    InventoryReader(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    void read() {
        Node root = LocatedYaml.parse(source, diagnostics, "an inventory is a mapping with 'hosts:' and 'groups:'");
        if (root == null) return;
        Map<String, Entry> top = mapping(root, "the inventory", "start it with 'hosts:' or 'groups:'");
        if (top == null) return;
        top.forEach((key, entry) -> {
            if (!TOP_KEYS.contains(key)) {
                diagnostics.error(entry.keyLocation(), "unknown inventory key " + Quote.of(key),
                        "an inventory has only 'hosts:' and 'groups:'");
            }
        });
        if (top.containsKey("hosts")) readHosts(top.get("hosts").value());
        if (top.containsKey("groups")) readGroups(top.get("groups").value());
    }

    private void readHosts(Node hostsNode) {
        Map<String, Entry> entries = mapping(hostsNode, "'hosts'",
                "write one host per line: NAME: { addresses: [10.0.0.5], os: linux, groups: [web] }");
        if (entries == null) return;
        entries.forEach((name, host) -> {
            Location at = host.keyLocation();
            if (!validName(name, at)) return;
            Map<String, Entry> fields = mapping(host.value(), "host " + Quote.of(name),
                    "write it as " + name + ": { addresses: [10.0.0.5], os: linux, groups: [web] }");
            if (fields == null) return;
            boolean addressesMisspelt = false;
            for (Map.Entry<String, Entry> field : fields.entrySet()) {
                String key = field.getKey();
                if (HOST_KEYS.contains(key)) continue;
                String meant = Suggestions.didYouMean(key, HOST_KEYS);
                diagnostics.error(field.getValue().keyLocation(), "unknown key " + Quote.of(key) + " in host "
                        + Quote.of(name), meant != null ? meant : "a host has 'addresses', 'os' and 'groups'");
                addressesMisspelt |= Suggestions.didYouMean(key, List.of("addresses")) != null;
            }
            // A misspelt 'addresses' is said once, above: "add 'addresses'" would have them written twice.
            if (!fields.containsKey("addresses") && !addressesMisspelt) {
                diagnostics.error(at, "host " + Quote.of(name) + " has no addresses", "add 'addresses: [10.0.0.5]'");
            }
            Node addressesNode = LocatedYaml.value(fields, "addresses");
            // A host without an address would match no packet: in the policy language one is required.
            if (addressesNode != null && addressesNode.value() instanceof List<?> list && list.isEmpty()) {
                diagnostics.error(addressesNode.location(), "host " + Quote.of(name) + " has no addresses: the list is empty",
                        "write its addresses in the brackets: addresses: [10.0.0.5]");
            }
            List<Located> addresses = scalars(addressesNode, "'addresses'");
            Located os = fields.containsKey("os") ? scalar(LocatedYaml.value(fields, "os"), "'os'") : null;
            List<Located> memberOf = scalars(LocatedYaml.value(fields, "groups"), "'groups'");
            memberOf.removeIf(group -> !validName(group.text(), group.location()));
            hosts.add(new Declarations.HostDecl(name, addresses, os, memberOf, at));
        });
    }

    private void readGroups(Node groupsNode) {
        Map<String, Entry> entries = mapping(groupsNode, "'groups'",
                "write one group per line: NAME: [member, member, ...]");
        if (entries == null) return;
        entries.forEach((name, group) -> {
            if (!validName(name, group.keyLocation())) return;
            List<Declarations.MemberRef> members = new ArrayList<>();
            for (Located member : scalars(group.value(), "group " + Quote.of(name))) {
                members.add(AddressParser.member(member.text(), member.location()));
            }
            groups.add(new Declarations.SetDecl("group", name, members, group.keyLocation()));
        });
    }

    /** Whether an inventory name is one the policy language allows; reports it when not. */
    private boolean validName(String name, Location at) {
        if (PolicyReader.isName(name)) return true;
        if (PolicyReader.isKeyword(name)) {
            diagnostics.error(at, Quote.of(name) + " is a reserved word and cannot be used as a name",
                    "rename it, e.g. " + name + "_1");
        } else {
            diagnostics.error(at, Quote.of(name) + " is not a valid name",
                    "names start with a letter or '_', then letters, digits, '_', '.' or '-'");
        }
        return false;
    }

    // ---- shape checks ---------------------------------------------------------

    private Map<String, Entry> mapping(Node node, String what, String hint) {
        return LocatedYaml.mapping(node, what, hint, diagnostics);
    }

    /** A list of scalars; a single scalar is taken as a list of one. */
    @SuppressWarnings("unchecked")
    private List<Located> scalars(Node node, String what) {
        List<Located> values = new ArrayList<>();
        if (node == null || node.reported()) return values;
        if (node.value() instanceof String) {
            values.add(new Located((String) node.value(), node.location()));
        } else if (node.value() instanceof List) {
            for (Node item : (List<Node>) node.value()) {
                Located value = scalar(item, "an element of " + what);
                if (value != null) values.add(value);
            }
        } else {
            diagnostics.error(node.location(), what + " must be a list, not " + node.kind(),
                    "write a list in brackets: [a, b]");
        }
        return values;
    }

    private Located scalar(Node node, String what) {
        if (node.value() instanceof String text) return new Located(text, node.location());
        if (node.reported()) return null;
        diagnostics.error(node.location(), what + " must be a single value, not " + node.kind(),
                "write a plain value such as 10.0.0.5 or linux");
        return null;
    }
}
