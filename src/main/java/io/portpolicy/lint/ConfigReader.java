package io.portpolicy.lint;

import io.portpolicy.compile.Backend;
import io.portpolicy.compile.Backends;
import io.portpolicy.compile.TargetOption;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Severity;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.model.Numbers;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Setting;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;
import io.portpolicy.yaml.LocatedYaml;
import io.portpolicy.yaml.LocatedYaml.Entry;
import io.portpolicy.yaml.LocatedYaml.Node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads {@code .portpolicy.yaml}:
 * <pre>
 * rules:
 *   PP303: warning        # error, warning, note, or off to disable the rule
 * sensitive-ports:
 *   - { port: 8500, protocol: tcp, service: Consul, why: "registers services and runs checks" }
 * ephemeral: 32768-60999  # for policies that do not set 'ephemeral'
 * wide-port-range: 30     # PP106 warns of a run of more ports than this (1-65535)
 * targets:                # settings of compile targets (each backend lists its own)
 *   aws: { max-rules: 100 }
 * </pre>
 * Like the inventory, it is read with {@link LocatedYaml}, so every error names the line and
 * column.
 */
public final class ConfigReader {

    public static final String FILE_NAME = ".portpolicy.yaml";

    private static final Set<String> TOP_KEYS = Set.of("rules", "sensitive-ports", "ephemeral", "wide-port-range",
            "targets");
    private static final Set<String> PORT_KEYS = Set.of("port", "protocol", "service", "why");
    private static final Set<String> LEVELS = Set.of("error", "warning", "note", "off");

    private final SourceFile source;
    private final Diagnostics diagnostics;
    private final Map<String, Severity> severities = new HashMap<>();
    private final Set<String> disabled = new HashSet<>();
    private final List<SensitivePort> sensitivePorts = new ArrayList<>();
    private Setting<PortRange> ephemeral;
    private int widePortRange = LintConfig.DEFAULT_WIDE_PORT_RANGE;
    private final Map<String, Map<String, String>> targetSettings = new HashMap<>();

    private ConfigReader(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    /** {@value #FILE_NAME} in {@code dir} or its nearest parent that has one, or {@code null}. */
    public static Path find(Path dir) {
        for (Path at = dir.toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolve(FILE_NAME);
            if (Files.isRegularFile(candidate)) return candidate;
        }
        return null;
    }

    /** The configuration, or the default one with errors added to {@code diagnostics}. */
    public static LintConfig read(SourceFile source, Diagnostics diagnostics) {
        ConfigReader reader = new ConfigReader(source, diagnostics);
        int before = diagnostics.size();
        reader.readAll();
        if (diagnostics.size() > before) return LintConfig.DEFAULT;
        return new LintConfig(reader.severities, reader.disabled, reader.sensitivePorts, reader.ephemeral,
                reader.targetSettings, reader.widePortRange, source);
    }

    private void readAll() {
        Node root = LocatedYaml.parse(source, diagnostics, "see the configuration in cli.md");
        if (root == null) return;
        Map<String, Entry> top = mapping(root, "the configuration", "start it with 'rules:', 'sensitive-ports:' or 'ephemeral:'");
        if (top == null) return;
        top.forEach((key, entry) -> {
            switch (key) {
                case "rules" -> readRules(entry.value());
                case "sensitive-ports" -> readSensitivePorts(entry.value());
                case "ephemeral" -> readEphemeral(entry.value());
                case "wide-port-range" -> readWidePortRange(entry.value());
                case "targets" -> readTargets(entry.value());
                default -> unknownKey(entry.keyLocation(), key, "the configuration", TOP_KEYS);
            }
        });
    }

    private void readRules(Node node) {
        Map<String, Entry> rules = mapping(node, "'rules'", "write one rule per line: PP303: warning (or off)");
        if (rules == null) return;
        // A rule may be written by its ID or its name; the same rule written both ways is set twice.
        Map<String, Location> seen = new HashMap<>();
        rules.forEach((written, entry) -> {
            String id = RuleCatalog.idOf(written).orElse(null);
            if (id == null) {
                String hint = Suggestions.didYouMean(written, RuleCatalog.idsAndNames());
                diagnostics.error(entry.keyLocation(), "unknown rule ID or name " + Quote.of(written),
                        hint != null ? hint : "'portpolicy rules' lists the rule IDs and names");
                return;
            }
            Location first = seen.putIfAbsent(id, entry.keyLocation());
            if (first != null) {
                diagnostics.error(entry.keyLocation(), "rule " + id + " is set twice", "first at " + first);
                return;
            }
            String level = scalar(entry.value(), "the level of " + id);
            if (level == null) return;
            String lower = level.toLowerCase(Locale.ROOT);
            if (!LEVELS.contains(lower)) {
                diagnostics.error(entry.value().location(), Quote.of(level) + " is not a level for " + id,
                        "write error, warning, note, or off to disable the rule");
            } else if (lower.equals("off")) {
                disabled.add(id);
            } else {
                severities.put(id, Severity.valueOf(lower.toUpperCase(Locale.ROOT)));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private void readSensitivePorts(Node node) {
        if (node.reported()) return;
        if (!(node.value() instanceof List)) {
            diagnostics.error(node.location(), "'sensitive-ports' must be a list",
                    "write - { port: 8500, protocol: tcp, service: Consul, why: \"...\" }");
            return;
        }
        for (Node item : (List<Node>) node.value()) {
            Map<String, Entry> fields = mapping(item, "a sensitive port",
                    "write { port: 8500, protocol: tcp, service: Consul, why: \"...\" }");
            if (fields == null) continue;
            boolean complete = true;
            for (Map.Entry<String, Entry> field : fields.entrySet()) {
                if (!PORT_KEYS.contains(field.getKey())) {
                    unknownKey(field.getValue().keyLocation(), field.getKey(), "a sensitive port", PORT_KEYS);
                    complete = false;
                }
            }
            for (String required : List.of("port", "protocol", "service", "why")) {
                if (!fields.containsKey(required)) {
                    diagnostics.error(item.location(), "a sensitive port needs " + Quote.of(required),
                            "write { port: 8500, protocol: tcp, service: Consul, why: \"...\" }");
                    complete = false;
                }
            }
            // The values given are checked even when the item is incomplete: every error at once.
            PortRange ports = fields.containsKey("port") ? ports(fields.get("port").value()) : null;
            Protocol protocol = fields.containsKey("protocol") ? protocol(fields.get("protocol").value()) : null;
            String service = fields.containsKey("service") ? words(fields.get("service").value(), "'service'") : null;
            String why = fields.containsKey("why") ? words(fields.get("why").value(), "'why'") : null;
            if (complete && ports != null && protocol != null && service != null && why != null) {
                sensitivePorts.add(new SensitivePort(ports, protocol, service, why));
            }
        }
    }

    /** A scalar that findings show to people: not empty or blank. */
    private String words(Node node, String what) {
        String text = scalar(node, what);
        if (text == null || !text.isBlank()) return text;
        diagnostics.error(node.location(), what + " must not be empty", "findings name it: write a few words");
        return null;
    }

    private void readTargets(Node node) {
        Map<String, Entry> targets = mapping(node, "'targets'", "write one target per line: aws: { max-rules: 100 }");
        if (targets == null) return;
        targets.forEach((name, entry) -> {
            Backend backend = Backends.named(name).orElse(null);
            if (backend == null) {
                TreeSet<String> names = new TreeSet<>();
                Backends.all().forEach(b -> names.add(b.name()));
                unknownKey(entry.keyLocation(), name, "'targets' (a compile target)", names);
                return;
            }
            Map<String, TargetOption> known = new TreeMap<>();
            backend.options().forEach(option -> known.put(option.name(), option));
            Map<String, Entry> settings = mapping(entry.value(), "the settings of " + name,
                    known.isEmpty() ? name + " has no settings" : "settings of " + name + ": " + String.join(", ", known.keySet()));
            if (settings == null) return;
            Map<String, String> values = new HashMap<>();
            settings.forEach((key, setting) -> {
                TargetOption option = known.get(key);
                if (option == null) {
                    unknownKey(setting.keyLocation(), key, "the settings of " + name, known.keySet());
                    return;
                }
                String value = scalar(setting.value(), key);
                if (value == null) return;
                if (!option.valid().test(value)) {
                    diagnostics.error(setting.value().location(), Quote.of(value) + " is not a valid " + key + " for " + name,
                            key + " is " + option.accepts());
                    return;
                }
                values.put(key, value);
            });
            targetSettings.put(name, values);
        });
    }

    private void readEphemeral(Node node) {
        PortRange range = ports(node);
        if (range != null) ephemeral = new Setting<>(range, node.location());
    }

    private void readWidePortRange(Node node) {
        String text = scalar(node, "'wide-port-range'");
        if (text == null) return;
        Integer count = Numbers.parse(text, 65535);
        if (count == null || count < 1) {
            diagnostics.error(node.location(), Quote.of(text) + " is not a number of ports",
                    "write a whole number from 1 to 65535 (PP106 warns of a run of more ports than this)");
            return;
        }
        widePortRange = count;
    }

    private PortRange ports(Node node) {
        String text = scalar(node, "a port");
        if (text == null) return null;
        PortRange range = SensitivePorts.parsePorts(text);
        if (range == null) {
            diagnostics.error(node.location(), Quote.of(text) + " is not a port or port range",
                    "write a port 0-65535 or a range such as 32768-60999");
        }
        return range;
    }

    private Protocol protocol(Node node) {
        String text = scalar(node, "'protocol'");
        if (text == null) return null;
        Protocol protocol = SensitivePorts.parseProtocol(text);
        if (protocol == null) diagnostics.error(node.location(), Quote.of(text) + " is not a protocol", "write tcp or udp");
        return protocol;
    }

    private void unknownKey(Location at, String key, String where, Set<String> known) {
        String hint = Suggestions.didYouMean(key, new TreeSet<>(known));
        diagnostics.error(at, "unknown key " + Quote.of(key) + " in " + where,
                hint != null ? hint : known.isEmpty() ? "there are none to set here"
                        : "known keys: " + String.join(", ", new TreeSet<>(known)));
    }

    private Map<String, Entry> mapping(Node node, String what, String hint) {
        return LocatedYaml.mapping(node, what, hint, diagnostics);
    }

    private String scalar(Node node, String what) {
        if (node.value() instanceof String text) return text;
        if (node.reported()) return null;
        diagnostics.error(node.location(), what + " must be a single value", "write a plain value");
        return null;
    }
}
