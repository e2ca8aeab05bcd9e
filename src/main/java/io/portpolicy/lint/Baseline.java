package io.portpolicy.lint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portpolicy.json.Json;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Findings accepted as they are, so that only new ones are reported. A finding is keyed by its
 * rule ID, its file and a fingerprint of the text it is about (the rule or declaration as
 * written), never by line numbers: edits elsewhere in the file do not invalidate the baseline.
 * The file is named relative to the baseline's own directory, so the same file matches however
 * a run names it ({@code p.policy}, {@code ./p.policy}, an absolute path, from another
 * directory). Identical keys are counted, so a second identical finding is still new.
 */
public final class Baseline {

    static final int VERSION = 1;

    /** The identity of a finding in a baseline. */
    record Key(String rule, String file, String fingerprint) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return toString().compareTo(o.toString());
        }
    }

    private final Map<Key, Integer> counts;
    /** The directory of the baseline file, which its file names are relative to. */
    private final Path home;

    private Baseline(Map<Key, Integer> counts, Path home) {
        this.counts = counts;
        this.home = home;
    }

    /** The findings, as a baseline to be written to {@code file}. */
    public static Baseline of(List<Finding> findings, Path file) {
        Path home = homeOf(file);
        Map<Key, Integer> counts = new TreeMap<>();
        for (Finding finding : findings) counts.merge(key(finding, home), 1, Integer::sum);
        return new Baseline(counts, home);
    }

    /** Parses the baseline read from {@code file}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Baseline parse(String text, Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.path("version").asInt() != VERSION || !root.path("findings").isArray()) {
            throw new IllegalArgumentException("not a portpolicy baseline (version " + VERSION + " with 'findings')");
        }
        Map<Key, Integer> counts = new TreeMap<>();
        for (JsonNode entry : root.get("findings")) {
            Key key = new Key(entry.path("rule").asText(), entry.path("file").asText(), entry.path("fingerprint").asText());
            counts.merge(key, Math.max(1, entry.path("count").asInt(1)), Integer::sum);
        }
        return new Baseline(counts, homeOf(file));
    }

    /** The findings not recorded here, each recorded occurrence absorbing one finding. */
    public List<Finding> newFindings(List<Finding> findings) {
        Map<Key, Integer> left = new TreeMap<>(counts);
        List<Finding> fresh = new ArrayList<>();
        for (Finding finding : findings) {
            Key key = key(finding, home);
            int remaining = left.getOrDefault(key, 0);
            if (remaining > 0) left.put(key, remaining - 1);
            else fresh.add(finding);
        }
        return fresh;
    }

    /** Stable JSON: sorted entries, two-space indent, newline line ends. */
    public String toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", VERSION);
        ArrayNode entries = root.putArray("findings");
        counts.forEach((key, count) -> entries.addObject()
                .put("rule", key.rule())
                .put("file", key.file())
                .put("fingerprint", key.fingerprint())
                .put("count", count));
        return Json.pretty(root);
    }

    static Key key(Finding finding, Path home) {
        return new Key(finding.ruleId(), fileName(finding, home), fingerprint(finding.subjectText()));
    }

    private static Path homeOf(Path file) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        return parent == null ? file.toAbsolutePath().getRoot() : parent;
    }

    /** The finding's file relative to {@code home}, with '/' separators; standard input as it is shown. */
    private static String fileName(Finding finding, Path home) {
        Path file = finding.location().file().path();
        if (file == null) return finding.location().path();
        Path absolute = file.toAbsolutePath().normalize();
        Path relative;
        try {
            relative = home.relativize(absolute);
        } catch (IllegalArgumentException otherRoot) {
            relative = absolute;
        }
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }

    static String fingerprint(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
