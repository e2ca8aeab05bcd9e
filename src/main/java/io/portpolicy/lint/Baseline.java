package io.portpolicy.lint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Severity;
import io.portpolicy.json.Json;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Findings accepted as they are, so that only new ones are reported. A finding is keyed by its
 * rule ID, its file and a fingerprint of the text it is about (the rule or declaration as
 * written), never by line numbers: edits elsewhere in the file do not invalidate the baseline.
 * The file is named relative to the baseline's own directory, so the same file matches however
 * a run names it ({@code p.policy}, {@code ./p.policy}, an absolute path, from another
 * directory). Identical keys are counted, so a second identical finding is still new. Each
 * occurrence also records what makes the same finding worse, which its text need not show: its
 * severity, and whether the whole world may send what it is about ({@link Finding#world()}). A
 * finding grown more severe, or grown to the world (an object the rule names now covers it, say),
 * is new however its key matches. (Entries without a severity or without "world", from baselines
 * written before they were recorded, accept any.)
 */
public final class Baseline {

    /**
     * 3: a finding about a declaration or setting is known by its line without a trailing
     * {@code #} comment, as a rule's finding is known without its comments. 2 (still read): by
     * the whole line. 2 and 3: a finding about a rule is known by
     * {@link io.portpolicy.model.Rule#identity()}, so a comment, owner, ticket or log added to
     * the rule keeps it known. 1 (still read): by the rule's whole text.
     */
    static final int VERSION = 3;

    /** The identity of a finding in a baseline. */
    record Key(String rule, String file, String fingerprint) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return toString().compareTo(o.toString());
        }
    }

    /** One recorded occurrence of a key: it accepts a finding at most as severe, and from the world only if it was. */
    record Occurrence(Severity severity, boolean world) {
        boolean accepts(Finding finding) {
            return severity.compareTo(finding.severity()) <= 0 && (world || !finding.world());
        }
    }

    /** From the occurrence that accepts least (a note, not from the world) to the one that accepts most. */
    private static final Comparator<Occurrence> NARROWEST_FIRST =
            Comparator.comparing(Occurrence::severity).reversed().thenComparing(Occurrence::world);

    /**
     * Per key, how many times each kind of occurrence was recorded: counted, never listed one by
     * one, so a huge recorded count costs no memory.
     */
    private final Map<Key, Map<Occurrence, Long>> recorded;
    /** The directory of the baseline file, which its file names are relative to. */
    private final Path home;
    /** The version its keys were made by. */
    private final int version;

    private Baseline(Map<Key, Map<Occurrence, Long>> recorded, Path home, int version) {
        this.recorded = recorded;
        this.home = home;
        this.version = version;
    }

    /**
     * The findings, as a baseline to be written to {@code file}; those a waiver accepts are left
     * out. A waiver already accepts its finding, and only for as long as it says and while
     * waivers are honoured: recorded here too, the finding would stay accepted when the waiver
     * lapses, is removed, or {@code --no-waivers} refuses it.
     */
    public static Baseline of(List<Finding> findings, Path file) {
        Path home = homeOf(file);
        Map<Key, Map<Occurrence, Long>> recorded = new TreeMap<>();
        for (Finding finding : findings) {
            if (finding.waived()) continue;
            record(recorded, key(finding, home, VERSION), new Occurrence(finding.severity(), finding.world()), 1);
        }
        return new Baseline(recorded, home, VERSION);
    }

    /**
     * Why a baseline cannot be used, and where in its text when the JSON itself is broken
     * ({@code null} when the problem has no one place: the file is JSON, but no baseline).
     */
    public static final class Unusable extends IllegalArgumentException {
        private final transient Location at;

        Unusable(String message, Location at, Throwable cause) {
            super(message, cause);
            this.at = at;
        }

        public Location at() {
            return at;
        }
    }

    /**
     * Parses the baseline read from {@code source}; throws {@link Unusable} saying what is wrong:
     * where the JSON breaks, or that it is no baseline (naming the file). A damaged entry is
     * refused, never skipped: it would hide nothing, or the wrong finding.
     */
    public static Baseline parse(SourceFile source) {
        Path file = source.path();
        JsonNode root;
        try {
            root = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(source.text());
        } catch (JsonProcessingException e) {
            Location at = location(source, e);
            String problem = "the baseline is not JSON: " + jsonProblem(e);
            throw new Unusable(at == null ? file + ": " + problem : problem, at, e);
        }
        // Strictly a whole number: asInt would read "3" as 3, 3.5 as 3 and true as 1.
        JsonNode written = root.path("version");
        int version = written.isIntegralNumber() && written.canConvertToInt() ? written.intValue() : 0;
        if (version < 1 || version > VERSION || !root.path("findings").isArray()) {
            throw notABaseline(file, "it has no \"version\": " + VERSION + " (or 1 or 2) with a \"findings\" list");
        }
        Map<Key, Map<Occurrence, Long>> recorded = new TreeMap<>();
        JsonNode findings = root.get("findings");
        for (int i = 0; i < findings.size(); i++) {
            JsonNode entry = findings.get(i);
            String which = "finding " + (i + 1);
            if (!entry.isObject()) throw notABaseline(file, which + " is not an object");
            for (String field : List.of("rule", "file", "fingerprint")) {
                if (!entry.path(field).isTextual()) throw notABaseline(file, which + " has no text " + Quote.of(field));
            }
            Key key = new Key(entry.get("rule").asText(), entry.get("file").asText(), entry.get("fingerprint").asText());
            // Written before severities were recorded: accepts a finding of any severity.
            JsonNode label = entry.path("severity");
            Severity severity = label.isMissingNode() ? Severity.ERROR : severity(label.asText());
            if (severity == null) {
                throw notABaseline(file, which + " has an unknown severity " + label + " (error, warning or note)");
            }
            // Written before world-ness was recorded: accepts a finding from the world too.
            JsonNode world = entry.path("world");
            if (!world.isMissingNode() && !world.isBoolean()) {
                throw notABaseline(file, which + " has a 'world' that is not true or false: " + world);
            }
            JsonNode count = entry.path("count");
            if (!count.isMissingNode() && !(count.isIntegralNumber() && count.canConvertToInt() && count.intValue() >= 1)) {
                throw notABaseline(file, which + " has a count that is not a whole number from 1: " + count);
            }
            record(recorded, key, new Occurrence(severity, world.asBoolean(true)), count.asInt(1));
        }
        return new Baseline(recorded, homeOf(file), version);
    }

    private static void record(Map<Key, Map<Occurrence, Long>> recorded, Key key, Occurrence occurrence, long count) {
        recorded.computeIfAbsent(key, k -> new TreeMap<>(NARROWEST_FIRST)).merge(occurrence, count, Long::sum);
    }

    private static TreeMap<Occurrence, Long> narrowestFirst(Map<Occurrence, Long> counts) {
        TreeMap<Occurrence, Long> copy = new TreeMap<>(NARROWEST_FIRST);
        copy.putAll(counts);
        return copy;
    }

    private static Unusable notABaseline(Path file, String why) {
        return new Unusable("baseline " + file + " is not a portpolicy baseline: " + why, null, null);
    }

    /**
     * Where Jackson stopped, in the columns diagnostics count (code points; Jackson counts
     * UTF-16 units), or {@code null} when it does not say.
     */
    private static Location location(SourceFile source, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        if (at == null || at.getLineNr() < 1 || at.getColumnNr() < 1) return null;
        List<String> lines = source.lines();
        String line = at.getLineNr() <= lines.size() ? lines.get(at.getLineNr() - 1) : "";
        String before = line.substring(0, Math.min(at.getColumnNr() - 1, line.length()));
        // Jackson places an unrecognized word at its end: underline the word from its start.
        Matcher word = UNRECOGNIZED_TOKEN.matcher(e.getOriginalMessage() == null ? "" : e.getOriginalMessage());
        int length = 1;
        if (word.lookingAt() && !word.group(1).isEmpty() && before.endsWith(word.group(1))) {
            before = before.substring(0, before.length() - word.group(1).length());
            length = word.group(1).codePointCount(0, word.group(1).length());
        }
        return source.at(at.getLineNr(), before.codePointCount(0, before.length()) + 1, length);
    }

    private static final Pattern UNRECOGNIZED_TOKEN = Pattern.compile("Unrecognized token '([^']*)'");

    /** What is wrong with the JSON, without the Java-facing detail Jackson adds for programmers. */
    private static String jsonProblem(JsonProcessingException e) {
        if (e instanceof JsonEOFException) return "it ends in the middle of a value";
        if (e instanceof MismatchedInputException) return "there is more text after its value";
        if (e instanceof StreamConstraintsException) return limitExceeded(e.getOriginalMessage());
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        // "Unexpected character ('}' (code 125)): was expecting ...": the first clause says it.
        int clause = message.indexOf(": ");
        String first = clause < 0 ? message : message.substring(0, clause);
        first = first.replaceAll("\\('(.)' \\(code \\d+\\)\\)", "'$1'")
                .replaceAll("\\(\\(CTRL-CHAR, code \\d+\\)\\)", "(a control character)");
        return first.isEmpty() ? "unreadable" : first.substring(0, 1).toLowerCase(Locale.ROOT) + first.substring(1);
    }

    /**
     * Which of Jackson's reading limits the JSON is over, in plain words: its message names the
     * Java setting ("from `StreamReadConstraints.getMaxNestingDepth()`"), which means nothing to
     * a user.
     */
    private static String limitExceeded(String message) {
        String text = message == null ? "" : message;
        Matcher allowed = MAXIMUM_ALLOWED.matcher(text);
        String limit = allowed.find() ? String.format(Locale.ROOT, "%,d", Long.parseLong(allowed.group(1))) : null;
        if (limit == null) return "it is too large or nests too deeply to be read";
        if (text.contains("NestingDepth")) return "it nests deeper than " + limit + " levels";
        if (text.contains("NumberLength")) return "it holds a number longer than " + limit + " characters";
        if (text.contains("StringLength")) return "it holds a text value longer than " + limit + " characters";
        if (text.contains("NameLength")) return "it holds a field name longer than " + limit + " characters";
        return "it is over a reading limit of " + limit;
    }

    private static final Pattern MAXIMUM_ALLOWED = Pattern.compile("maximum allowed \\((\\d+)");

    /**
     * The findings not recorded here, each recorded occurrence absorbing one finding of its key
     * that it {@linkplain Occurrence#accepts accepts}. The worst findings (most severe, then from
     * the world) choose first, each taking the narrowest occurrence that still accepts it, so as
     * many findings as possible are absorbed.
     */
    public List<Finding> newFindings(List<Finding> findings) {
        Map<Key, Map<Occurrence, Long>> left = new TreeMap<>();
        recorded.forEach((key, counts) -> left.put(key, narrowestFirst(counts)));
        List<Finding> worstFirst = new ArrayList<>(findings);
        worstFirst.sort(Comparator.comparing(Finding::severity).thenComparing(Finding::world, Comparator.reverseOrder()));
        Set<Finding> fresh = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Finding finding : worstFirst) {
            // Narrowest first: the first occurrence still left that accepts the finding absorbs it.
            Map<Occurrence, Long> counts = left.getOrDefault(key(finding, home, version), Map.of());
            Occurrence covering = counts.keySet().stream().filter(o -> o.accepts(finding)).findFirst().orElse(null);
            if (covering == null) fresh.add(finding);
            else if (counts.merge(covering, -1L, Long::sum) == 0) counts.remove(covering);
        }
        return findings.stream().filter(fresh::contains).toList();
    }

    /** Stable JSON: sorted entries, two-space indent, newline line ends. */
    public String toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", version);
        ArrayNode entries = root.putArray("findings");
        recorded.forEach((key, counts) -> {
            // Widest first, as baselines have always been written.
            narrowestFirst(counts).descendingMap().forEach((occurrence, count) -> entries.addObject()
                    .put("rule", key.rule())
                    .put("file", key.file())
                    .put("fingerprint", key.fingerprint())
                    .put("severity", occurrence.severity().label())
                    .put("world", occurrence.world())
                    .put("count", count));
        });
        return Json.pretty(root);
    }

    /** A recorded severity, or {@code null} for an unknown word: a damaged baseline must not hide findings. */
    private static Severity severity(String label) {
        for (Severity severity : Severity.values()) if (severity.label().equals(label)) return severity;
        return null;
    }

    /** A finding's key as baselines of {@code version} make it (see {@link #VERSION}). */
    static Key key(Finding finding, Path home, int version) {
        return new Key(finding.ruleId(), fileName(finding, home), fingerprint(about(finding, version)));
    }

    /**
     * The fingerprint of what the finding is about, as baselines key it now: code scanning
     * tracks alerts by it too, so that moving or documenting a rule keeps its alerts.
     */
    public static String fingerprintOf(Finding finding) {
        return fingerprint(about(finding, VERSION));
    }

    private static String about(Finding finding, int version) {
        String about = finding.subjectText();
        if (version == 1 && finding.subject() != null) about = finding.subject().text();
        if (version >= 3 && finding.subject() == null) about = withoutComment(about);
        return about;
    }

    /**
     * A declaration's line without its trailing comment: explaining a declaration, as
     * documenting a rule, must not make its findings new. A '#' inside a string is text.
     */
    static String withoutComment(String line) {
        boolean inString = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (inString && c == '\\') i++;
            else if (c == '"') inString = !inString;
            else if (c == '#' && !inString) return line.substring(0, i).strip();
        }
        return line;
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
