package io.portpolicy.check;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.io.Reader;
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
            return value instanceof Map ? "a mapping" : value instanceof List ? "a list"
                    : value == null ? "an empty value" : "a value";
        }
    }

    /** A mapping's value with the place its key is written. */
    private record Entry(Location keyLocation, Node value) {
    }

    private final SourceFile source;
    /** The file's lines, split once rather than for every value located. */
    private final List<String> lines;
    private final Diagnostics diagnostics;
    final List<Declarations.HostDecl> hosts = new ArrayList<>();
    final List<Declarations.SetDecl> groups = new ArrayList<>();

    InventoryReader(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.lines = source.lines();
        this.diagnostics = diagnostics;
    }

    void read() {
        Node root;
        try (JsonParser parser = YAML.createParser(new WholeCharacters(source.text()))) {
            if (parser.nextToken() == null) return;
            root = node(parser);
        } catch (JsonProcessingException e) {
            syntaxError(e);
            return;
        } catch (IOException e) {
            diagnostics.error(source.at(1, 1, 1), "cannot read inventory: " + e.getMessage());
            return;
        }
        Map<String, Entry> top = mapping(root, "the inventory", "start it with 'hosts:' or 'groups:'");
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
        Map<String, Entry> entries = mapping(hostsNode, "'hosts'",
                "write one host per line: NAME: { addresses: [10.0.0.5], os: linux, groups: [web] }");
        if (entries == null) return;
        entries.forEach((name, host) -> {
            Location at = host.keyLocation();
            Map<String, Entry> fields = mapping(host.value(), "host '" + name + "'",
                    "write it as " + name + ": { addresses: [10.0.0.5], os: linux, groups: [web] }");
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
        Map<String, Entry> entries = mapping(groupsNode, "'groups'",
                "write one group per line: NAME: [member, member, ...]");
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
    private Map<String, Entry> mapping(Node node, String what, String hint) {
        if (node.value() instanceof Map) return (Map<String, Entry>) node.value();
        diagnostics.error(node.location(), what + " must be a mapping, not " + node.kind(), hint);
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
            diagnostics.error(node.location(), what + " must be a list, not " + node.kind(),
                    "write a list in brackets: [a, b]");
        }
        return values;
    }

    private Located scalar(Node node, String what) {
        if (node.value() instanceof String text) return new Located(text, node.location());
        diagnostics.error(node.location(), what + " must be a single value, not " + node.kind(),
                "write a plain value such as 10.0.0.5 or linux");
        return null;
    }

    // ---- located tree -----------------------------------------------------------

    private static Node value(Map<String, Entry> fields, String key) {
        Entry entry = fields.get(key);
        return entry == null ? null : entry.value();
    }

    private Node node(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        boolean scalar = token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY
                && token != JsonToken.VALUE_NULL;
        Location at = location(parser.currentTokenLocation(), scalar ? parser.getText() : "");
        if (token == JsonToken.START_OBJECT) {
            Map<String, Entry> map = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                Location keyAt = location(parser.currentTokenLocation(), key);
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
            for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY && next != null;
                 next = parser.nextToken()) {
                list.add(node(parser));
            }
            return new Node(list, at);
        }
        return new Node(token == JsonToken.VALUE_NULL ? null : parser.getText(), at);
    }

    /**
     * Reads text in chunks that never end between the two halves of a surrogate pair (an emoji,
     * say): SnakeYAML, finding a chunk that does, reads one more char past its own buffer and
     * fails with IndexOutOfBoundsException.
     */
    private static final class WholeCharacters extends Reader {
        private final String text;
        private int next;

        WholeCharacters(String text) {
            this.text = text;
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            if (length == 0) return 0;
            if (next >= text.length()) return -1;
            int end = Math.min(text.length(), next + length);
            if (end - next > 1 && end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) end--;
            text.getChars(next, end, buffer, offset);
            int read = end - next;
            next = end;
            return read;
        }

        @Override
        public void close() {
        }
    }

    /** Where {@code text} starts, spanning it (and its quotes) when it is all on that line. */
    private Location location(JsonLocation at, String text) {
        int line = Math.max(1, at.getLineNr());
        int column = Math.max(1, at.getColumnNr());
        String written = line <= lines.size() ? lines.get(line - 1) : "";
        int length = text.length();
        if (column <= written.length() && (written.charAt(column - 1) == '"' || written.charAt(column - 1) == '\'')) {
            length += 2;
        }
        boolean fits = !text.isEmpty() && column - 1 + length <= written.length() && text.indexOf('\n') < 0;
        return source.at(line, column, fits ? length : 1);
    }

    /**
     * SnakeYAML says what it found and what it was in the middle of ("expected ',' or ']', but
     * got '}'" while "parsing a flow sequence" started at some line); both are worth showing.
     */
    private void syntaxError(JsonProcessingException e) {
        String hint = "an inventory is a mapping with 'hosts:' and 'groups:'";
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            Mark problem = marked.getProblemMark();
            String message = "invalid YAML: " + marked.getProblem();
            Mark context = marked.getContextMark();
            if (marked.getContext() != null && context != null) {
                message += " (" + marked.getContext() + " started at line " + (context.getLine() + 1)
                        + ", column " + (context.getColumn() + 1) + ")";
            }
            diagnostics.error(source.at(problem.getLine() + 1, problem.getColumn() + 1, 1), message, hint);
            return;
        }
        JsonLocation at = e.getLocation();
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        int newline = message.indexOf('\n');
        diagnostics.error(at == null ? source.at(1, 1, 1) : location(at, ""),
                "invalid YAML: " + (newline < 0 ? message : message.substring(0, newline)), hint);
    }
}
