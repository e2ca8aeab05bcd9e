package io.portpolicy.lint.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.Severity;
import io.portpolicy.json.Json;
import io.portpolicy.lint.Baseline;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintConfig;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleCatalog;
import io.portpolicy.lint.RuleDocs;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.source.CitedLines;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;
import io.portpolicy.source.SourceLines;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * SARIF 2.1.0 as GitHub code scanning reads it: every rule of the catalog with its
 * descriptions, help and security severity, and one result per finding located by a
 * repository-relative URI based at {@code %SRCROOT%}. Severity labels are SARIF levels as they are (error, warning,
 * note). Waived findings carry an in-source suppression. The one invocation says whether the
 * run succeeded: a policy that does not check, or a configuration or baseline that cannot be
 * used, is an error notification (at its location when it has one), and a run with one is not
 * successful, so a consumer cannot take its missing results for a clean bill of health. Columns count UTF-16 code units, as the run declares: the unit code
 * scanning and CodeQL use, while locations count code points.
 */
public final class SarifReport {

    private static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
    /** The base of repository-relative URIs, the name SARIF producers such as CodeQL give the checkout's root. */
    private static final String SOURCE_ROOT = "%SRCROOT%";

    private SarifReport() {
    }

    /**
     * @param problems the diagnostics of the run: of the configuration, the baseline and the
     *                 policies as checked (an error among them means a policy was not linted)
     * @param exitCode the exit code of the run
     * @param linted the files of the policies linted, whose lines messages cite
     */
    public static String render(List<Finding> findings, List<Diagnostic> problems, LintConfig config,
                                String toolVersion, int exitCode, Collection<SourceFile> linted) {
        SourceLines lines = new SourceLines();
        CitedLines cited = CitedLines.of(linted);
        ObjectNode log = Json.MAPPER.createObjectNode();
        log.put("$schema", SCHEMA);
        log.put("version", "2.1.0");
        ObjectNode run = log.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "portpolicy");
        driver.put("version", toolVersion);
        driver.put("semanticVersion", toolVersion);
        ArrayNode rules = driver.putArray("rules");
        Map<String, Integer> ruleIndex = new HashMap<>();
        for (LintRule rule : RuleCatalog.rules()) {
            ruleIndex.put(rule.id(), rules.size());
            rules.add(descriptor(rule, config));
        }
        ObjectNode invocation = run.putArray("invocations").addObject();
        invocation.put("executionSuccessful", problems.stream().noneMatch(d -> d.severity() == Severity.ERROR));
        invocation.put("exitCode", exitCode);
        if (!problems.isEmpty()) {
            ArrayNode notifications = invocation.putArray("toolExecutionNotifications");
            for (Diagnostic d : problems) notifications.add(notification(d, lines));
        }
        run.put("columnKind", "utf16CodeUnits");
        ArrayNode results = run.putArray("results");
        Map<List<String>, Integer> occurrences = new HashMap<>();
        for (Finding f : findings) {
            ObjectNode result = results.addObject();
            result.put("ruleId", f.ruleId());
            result.put("ruleIndex", ruleIndex.get(f.ruleId()));
            result.put("level", f.severity().label());
            ArrayNode related = Json.MAPPER.createArrayNode();
            result.putObject("message").put("text", linked(f.message() + "\nFix: " + f.hint(), cited, related));
            ObjectNode physical = physicalLocation(f.location(), lines);
            result.putArray("locations").addObject().set("physicalLocation", physical);
            if (!related.isEmpty()) result.set("relatedLocations", related);
            // Code scanning knows an alert by rule, file and this hash, so it is the baseline's
            // line-free fingerprint, numbered among the findings that share all three.
            String fingerprint = Baseline.fingerprintOf(f);
            int occurrence = occurrences.merge(
                    List.of(f.ruleId(), physical.get("artifactLocation").get("uri").asText(), fingerprint), 1, Integer::sum);
            result.putObject("partialFingerprints").put("primaryLocationLineHash", fingerprint + ":" + occurrence);
            if (f.waived()) {
                result.putArray("suppressions").addObject().put("kind", "inSource").put("justification", f.waiver());
            }
        }
        return Json.pretty(log);
    }

    /**
     * The text with each line of a policy it cites ("allow at FILE:LINE") as a SARIF embedded
     * link, {@code [FILE:LINE](id)}, to a related location of that id added to {@code related}:
     * code scanning shows it as a link to the line, by its path in the repository. The text's
     * own brackets and backslashes are escaped, as a consumer reads them as markup.
     */
    private static String linked(String text, CitedLines cited, ArrayNode related) {
        Matcher citation = cited.matcher(text);
        StringBuilder out = new StringBuilder();
        Map<String, Integer> ids = new HashMap<>();
        int last = 0;
        while (citation.find()) {
            Optional<Location> at = cited.at(citation);
            if (at.isEmpty()) continue;
            ObjectNode artifact = artifactLocation(at.get());
            // A line cited twice is one related location.
            int id = ids.computeIfAbsent(artifact + ":" + at.get().line(), line -> {
                int next = related.size() + 1;
                related.addObject().put("id", next).putObject("physicalLocation")
                        .<ObjectNode>set("artifactLocation", artifact).putObject("region").put("startLine", at.get().line());
                return next;
            });
            String shown = CitedLines.withPath(citation, at.get(), RepositoryPath.of(at.get()).orElse(at.get().path()));
            out.append(escapedMarkup(text.substring(last, citation.start())))
                    .append('[').append(escapedMarkup(shown)).append("](").append(id).append(')');
            last = citation.end();
        }
        return out.append(escapedMarkup(text.substring(last))).toString();
    }

    private static String escapedMarkup(String text) {
        return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]");
    }

    private static ObjectNode descriptor(LintRule rule, LintConfig config) {
        RuleInfo info = rule.info();
        ObjectNode descriptor = Json.MAPPER.createObjectNode();
        descriptor.put("id", info.id());
        descriptor.put("name", info.name());
        descriptor.putObject("shortDescription").put("text", info.summary());
        descriptor.putObject("fullDescription").put("text", info.rationale());
        descriptor.putObject("help")
                .put("text", info.summary() + " " + info.rationale())
                .put("markdown", RuleDocs.explanation(rule));
        ObjectNode configuration = descriptor.putObject("defaultConfiguration").put("level", config.severity(rule).label());
        // A rule the configuration turns off reported nothing: say so rather than leave it looking run.
        if (!config.enabled(rule.id())) configuration.put("enabled", false);
        ObjectNode properties = descriptor.putObject("properties");
        properties.put("security-severity", info.securitySeverity());
        properties.putArray("tags").add("security").add("firewall");
        return descriptor;
    }

    /** A problem with the input, with its hint, as a notification at its location when it has one. */
    private static ObjectNode notification(Diagnostic d, SourceLines lines) {
        ObjectNode notification = Json.MAPPER.createObjectNode();
        notification.put("level", d.severity().label());
        notification.putObject("message").put("text", d.message() + (d.hint() == null ? "" : "\nHint: " + d.hint()));
        if (d.location() != null) {
            notification.putArray("locations").addObject().set("physicalLocation", physicalLocation(d.location(), lines));
        }
        return notification;
    }

    private static ObjectNode physicalLocation(Location at, SourceLines lines) {
        String line = lines.of(at);
        ObjectNode physical = Json.MAPPER.createObjectNode();
        physical.set("artifactLocation", artifactLocation(at));
        physical.putObject("region")
                .put("startLine", at.line())
                .put("startColumn", utf16Column(line, at.column()))
                .put("endLine", at.line())
                .put("endColumn", utf16Column(line, at.column() + at.length()));
        return physical;
    }

    /**
     * A column of the line, counted in code points as locations are, in UTF-16 code units: a
     * character outside the Basic Multilingual Plane before it counts twice. Columns past the
     * end of the line count one each.
     */
    static int utf16Column(String line, int codePointColumn) {
        int offset = 0;
        for (int column = 1; column < codePointColumn; column++) {
            offset += offset < line.length() ? Character.charCount(line.codePointAt(offset)) : 1;
        }
        return offset + 1;
    }

    /**
     * Where the file is: relative to the root of the git repository holding it, which
     * {@code %SRCROOT%} names, as code scanning matches alerts to files by that path; outside a
     * repository an absolute file URI, as a path relative to wherever the tool ran could not be
     * resolved. Written as URI references, as SARIF requires: a space, '#', '%' or ':' is escaped.
     */
    static ObjectNode artifactLocation(Location at) {
        ObjectNode artifact = Json.MAPPER.createObjectNode();
        Optional<String> inRepository = RepositoryPath.of(at);
        Path file = at.file().path();
        if (inRepository.isPresent()) {
            artifact.put("uri", escaped(inRepository.get())).put("uriBaseId", SOURCE_ROOT);
        } else if (file != null) {
            artifact.put("uri", file.toAbsolutePath().normalize().toUri().toASCIIString());
        } else {
            artifact.put("uri", escaped(at.path()));
        }
        return artifact;
    }

    /**
     * A path as a URI reference: every byte of its UTF-8 form but the unreserved characters of
     * RFC 3986 and '/' percent-encoded (':' too, which would otherwise read as a scheme).
     */
    static String escaped(String path) {
        StringBuilder uri = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
            if (plain) uri.append(c);
            else uri.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
        }
        return uri.toString();
    }
}
