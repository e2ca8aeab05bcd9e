package io.portpolicy.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.HiddenCharacters;
import io.portpolicy.diag.Quote;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a YAML file (an inventory, the configuration) into a tree that remembers where each
 * value and key was written. Jackson's streaming parser is used rather than its tree model
 * because the tree forgets locations, and every error must name the file's line and column.
 */
public final class LocatedYaml {

    /**
     * The most characters (code points) a YAML file may hold: SnakeYAML's default limit, set
     * here so that it and the check made before parsing agree. The parser would find a file
     * too large only after reading it, which takes seconds per megabyte of one long value.
     */
    public static final int MAX_CHARACTERS = 3 * 1024 * 1024;

    /** The value of every alias: it is refused, and saying also that it is not the list or mapping expected would repeat that. */
    private static final Object UNREAD_ALIAS = new Object();

    /** How Jackson's message starts when a mapping's key is a list or a mapping. */
    private static final String KEY_NOT_SCALAR = "Expected a field name";

    private static final YAMLFactory YAML = YAMLFactory.builder().loaderOptions(loaderOptions()).build();

    /** A value with the place it starts: a String, a List of Nodes, a Map of Entries or null. */
    public record Node(Object value, Location location) {
        /** Whether this is an alias, reported already: what it stands for is not read, so nothing more is said of it. */
        public boolean reported() {
            return value == UNREAD_ALIAS;
        }

        public String kind() {
            return value instanceof Map ? "a mapping" : value instanceof List ? "a list"
                    : value == null ? "an empty value" : "a value";
        }
    }

    /** A mapping's value with the place its key is written. */
    public record Entry(Location keyLocation, Node value) {
    }

    private final SourceFile source;
    /** The file's lines, split once rather than for every value located. */
    private final List<String> lines;
    private final Diagnostics diagnostics;

    private LocatedYaml(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.lines = source.lines();
        this.diagnostics = diagnostics;
    }

    /**
     * The document's root, or {@code null} for an empty document or after reporting why it is
     * not YAML ({@code hint} says what the file should look like). Duplicate keys are reported.
     */
    public static Node parse(SourceFile source, Diagnostics diagnostics, String hint) {
        if (tooLarge(source, diagnostics)) return null;
        // YAML reads NEL and U+2028 as line ends, where a reviewer may see none: refused as in policy files.
        if (HiddenCharacters.report(source, "the YAML file", diagnostics)) return null;
        LocatedYaml reader = new LocatedYaml(source, diagnostics);
        try (JsonParser parser = YAML.createParser(new WholeCharacters(source.text()))) {
            try {
                if (parser.nextToken() == null) return null;
                Node root = reader.node(parser);
                // A second document ('---') would otherwise be dropped without a word.
                if (parser.nextToken() != null) {
                    diagnostics.error(reader.location(parser.currentTokenLocation(), ""),
                            "a second YAML document ('---'): only one is read", "put everything in one document");
                }
                return root;
            } catch (StreamConstraintsException e) {
                // Jackson's own words name its Java settings; say what they mean for the file.
                diagnostics.error(reader.location(parser.currentLocation(), ""),
                        "invalid YAML: nested too deeply, or a value too long, to be read",
                        "nest lists and mappings less than 1,000 deep");
                return null;
            } catch (JsonProcessingException e) {
                reader.syntaxError(e, parser.currentTokenLocation(), hint);
            }
        } catch (IOException e) {
            diagnostics.error(source.at(1, 1, 1), "cannot read '" + source.displayPath() + "': " + e.getMessage());
        }
        return null;
    }

    /** Whether the file is over {@link #MAX_CHARACTERS}, reported when it is. */
    private static boolean tooLarge(SourceFile source, Diagnostics diagnostics) {
        String text = source.text();
        if (text.length() <= MAX_CHARACTERS) return false;
        int characters = text.codePointCount(0, text.length());
        if (characters <= MAX_CHARACTERS) return false;
        diagnostics.error(source.at(1, 1, 1), String.format(Locale.ROOT,
                        "'%s' is too large to read: %,d characters, over the limit of %,d (3 Mi) for a YAML file",
                        source.displayPath(), characters, MAX_CHARACTERS),
                "split a large inventory into several files, each imported on its own");
        return true;
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CHARACTERS);
        return options;
    }

    /** The node's mapping, or {@code null} after reporting that it is not one. */
    @SuppressWarnings("unchecked")
    public static Map<String, Entry> mapping(Node node, String what, String hint, Diagnostics diagnostics) {
        if (node.value() instanceof Map) return (Map<String, Entry>) node.value();
        if (node.reported()) return null;
        diagnostics.error(node.location(), what + " must be a mapping, not " + node.kind(), hint);
        return null;
    }

    /** The value under a key, or {@code null} when the key is absent. */
    public static Node value(Map<String, Entry> fields, String key) {
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
                if (key.equals("<<")) {
                    // A merge key's value is an alias: that is one mistake, said once, here.
                    diagnostics.error(keyAt, "YAML merge key '<<': merge keys are not supported",
                            "write the keys out in each mapping that needs them");
                    parser.skipChildren();
                    continue;
                }
                Entry previous = map.put(key, new Entry(keyAt, node(parser)));
                if (previous != null) {
                    diagnostics.error(keyAt, "duplicate key " + Quote.of(key), "first at " + previous.keyLocation());
                }
            }
            return new Node(map, at);
        }
        if (token == JsonToken.START_ARRAY) {
            List<Node> list = new ArrayList<>();
            // A parser that ends mid-array must not make this loop forever.
            for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY && next != null;
                 next = parser.nextToken()) {
                list.add(node(parser));
            }
            return new Node(list, at);
        }
        // An alias (*name) stands for a value written elsewhere; read as text it would silently
        // become a name or an address of its own.
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            diagnostics.error(at, "YAML alias " + Quote.of("*" + parser.getText()) + ": aliases are not supported",
                    "write the value out where it is used");
            return new Node(UNREAD_ALIAS, at);
        }
        return new Node(token == JsonToken.VALUE_NULL ? null : parser.getText(), at);
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
     * {@code found} is where the parser's last token (the key or value refused) starts.
     */
    private void syntaxError(JsonProcessingException e, JsonLocation found, String hint) {
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
        if (e.getCause() instanceof YAMLException unmarked) {
            // SnakeYAML's words without a mark, such as "special characters are not allowed".
            JsonLocation at = e.getLocation();
            String message = String.valueOf(unmarked.getMessage());
            int newline = message.indexOf('\n');
            diagnostics.error(at == null ? source.at(1, 1, 1) : location(at, ""),
                    "invalid YAML: " + (newline < 0 ? message : message.substring(0, newline)), hint);
            return;
        }
        // The rest are Jackson's own words, which name its Java classes ("got this instead:
        // <org.yaml.snakeyaml.events.SequenceStartEvent(...)>"): say in the file's terms what is wrong.
        Location where = location(found, "");
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith(KEY_NOT_SCALAR)) {
            diagnostics.error(where, "invalid YAML: a key must be a plain name, not a list or a mapping",
                    "write the key as plain text, not in [ ] or { }");
        } else {
            diagnostics.error(where, "invalid YAML: this value cannot be read as text",
                    "write the value as plain or quoted text, without a YAML tag such as !!binary");
        }
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
}
