package io.portpolicy.check;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a YAML inventory ({@code hosts:} and {@code groups:}) into declarations. Jackson's
 * streaming parser is used rather than its tree model because the tree forgets where each
 * value was written, and every error must name the YAML file's line and column.
 */
final class InventoryReader {

    private static final YAMLFactory YAML = new YAMLFactory();
    private static final Set<String> TOP_KEYS = Set.of("hosts", "groups");
    private static final Set<String> HOST_KEYS = Set.of("addresses", "os", "groups");

    /** A YAML value with the place it starts: a String, a List of Nodes or a Map of Entries. */
    private record Node(Object value, Location location) {
        String kind() {
            return value instanceof Map ? "a mapping" : value instanceof List ? "a list" : "a value";
        }
    }

    /** A mapping's value with the place its key is written. */
    private record Entry(Location keyLocation, Node value) {
    }

    private final SourceFile source;
    private final Diagnostics diagnostics;
    final List<Declarations.HostDecl> hosts = new ArrayList<>();
    final List<Declarations.SetDecl> groups = new ArrayList<>();

    InventoryReader(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    void read() {
        Node root;
        try (JsonParser parser = YAML.createParser(source.text())) {
            if (parser.nextToken() == null) return;
            root = node(parser);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            diagnostics.error(at == null ? source.at(1, 1, 1) : location(at),
                    "invalid YAML: " + firstLine(e.getOriginalMessage()),
                    "an inventory is a mapping with 'hosts:' and 'groups:'");
            return;
        } catch (IOException e) {
            diagnostics.error(source.at(1, 1, 1), "cannot read inventory: " + e.getMessage());
            return;
        }
        Map<String, Entry> top = mapping(root, "the inventory");
        if (top == null) return;
        top.forEach((key, entry) -> {
            if (!TOP_KEYS.contains(key)) {
                diagnostics.error(entry.keyLocation(), "unknown inventory key '" + key + "'",
                        "an inventory has only 'hosts:' and 'groups:'");
            }
        });
        if (top.containsKey("hosts")) readHosts(top.get("hosts").value());
        if (top.containsKey("groups")) readGroups(top.get("groups").value());
    }

    private void readHosts(Node hostsNode) {
        Map<String, Entry> entries = mapping(hostsNode, "'hosts'");
        if (entries == null) return;
        entries.forEach((name, host) -> {
            Location at = host.keyLocation();
            Map<String, Entry> fields = mapping(host.value(), "host '" + name + "'");
            if (fields == null) return;
            fields.forEach((key, field) -> {
                if (!HOST_KEYS.contains(key)) {
                    diagnostics.error(field.keyLocation(), "unknown key '" + key + "' in host '" + name + "'",
                            "a host has 'addresses', 'os' and 'groups'");
                }
            });
            if (!fields.containsKey("addresses")) {
                diagnostics.error(at, "host '" + name + "' has no addresses", "add 'addresses: [10.0.0.5]'");
            }
            List<Located> addresses = scalars(value(fields, "addresses"), "'addresses'");
            Located os = fields.containsKey("os") ? scalar(value(fields, "os"), "'os'") : null;
            List<Located> memberOf = scalars(value(fields, "groups"), "'groups'");
            hosts.add(new Declarations.HostDecl(name, addresses, os, memberOf, at));
        });
    }

    private void readGroups(Node groupsNode) {
        Map<String, Entry> entries = mapping(groupsNode, "'groups'");
        if (entries == null) return;
        entries.forEach((name, group) -> {
            List<Declarations.MemberRef> members = new ArrayList<>();
            for (Located member : scalars(group.value(), "group '" + name + "'")) {
                members.add(AddressParser.member(member.text(), member.location()));
            }
            groups.add(new Declarations.SetDecl("group", name, members, group.keyLocation()));
        });
    }

    // ---- shape checks ---------------------------------------------------------

    @SuppressWarnings("unchecked")
    private Map<String, Entry> mapping(Node node, String what) {
        if (node.value() instanceof Map) return (Map<String, Entry>) node.value();
        diagnostics.error(node.location(), what + " must be a mapping, not " + node.kind());
        return null;
    }

    /** A list of scalars; a single scalar is taken as a list of one. */
    @SuppressWarnings("unchecked")
    private List<Located> scalars(Node node, String what) {
        List<Located> values = new ArrayList<>();
        if (node == null) return values;
        if (node.value() instanceof String) {
            values.add(new Located((String) node.value(), node.location()));
        } else if (node.value() instanceof List) {
            for (Node item : (List<Node>) node.value()) {
                Located value = scalar(item, "an element of " + what);
                if (value != null) values.add(value);
            }
        } else {
            diagnostics.error(node.location(), what + " must be a list, not " + node.kind());
        }
        return values;
    }

    private Located scalar(Node node, String what) {
        if (node.value() instanceof String text) return new Located(text, node.location());
        diagnostics.error(node.location(), what + " must be a single value, not " + node.kind());
        return null;
    }

    // ---- located tree -----------------------------------------------------------

    private static Node value(Map<String, Entry> fields, String key) {
        Entry entry = fields.get(key);
        return entry == null ? null : entry.value();
    }

    private Node node(JsonParser parser) throws IOException {
        Location at = location(parser.currentTokenLocation());
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, Entry> map = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                Location keyAt = location(parser.currentTokenLocation());
                parser.nextToken();
                Entry previous = map.put(key, new Entry(keyAt, node(parser)));
                if (previous != null) {
                    diagnostics.error(keyAt, "duplicate key '" + key + "'", "first at " + previous.keyLocation());
                }
            }
            return new Node(map, at);
        }
        if (token == JsonToken.START_ARRAY) {
            List<Node> list = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) list.add(node(parser));
            return new Node(list, at);
        }
        return new Node(token == JsonToken.VALUE_NULL ? null : parser.getText(), at);
    }

    private Location location(JsonLocation at) {
        return source.at(Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()), 1);
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
