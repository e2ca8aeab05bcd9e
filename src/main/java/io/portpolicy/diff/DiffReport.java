package io.portpolicy.diff;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portpolicy.diag.VisibleText;
import io.portpolicy.json.Json;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintConfig;
import io.portpolicy.lint.SensitivePort;
import io.portpolicy.model.Action;
import io.portpolicy.model.NamedService;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Writes a {@link PolicyDiff.Result} as text, markdown or JSON. One line per block of changed packets. */
public final class DiffReport {

    /** One block of changed packets, in words. */
    record Line(PolicyDiff.Change change, String kind, String traffic, String endpoints, String family, String risk) {
        String where() {
            return DiffReport.where(change);
        }
    }

    private static String where(PolicyDiff.Change change) {
        return change.target().kind() + " " + change.target().name() + " " + change.direction().keyword();
    }

    /**
     * Opened by a rule or by the default: what the policy chose to admit. A default admits the
     * same packets a rule would; only the implicit rules' openings (loopback, own addresses) are
     * never a risk.
     */
    private static boolean openedByPolicy(PolicyDiff.Change change) {
        return change.opened() && !isImplicit(change.after());
    }

    private final PolicyDiff.Result result;
    private final List<Line> lines = new ArrayList<>();

    /**
     * @param services       the new policy's, for the names of ports
     * @param sensitivePorts the sensitive-port catalog lint used ({@link LintConfig#sensitivePorts()}), for RISK
     */
    public DiffReport(PolicyDiff.Result result, Collection<NamedService> services, List<SensitivePort> sensitivePorts) {
        this.result = result;
        for (PolicyDiff.Change change : result.changes()) {
            String kind = change.opened() ? "opened" : change.closed() ? "closed"
                    : "moved " + change.before().action().keyword() + " -> " + change.after().action().keyword();
            for (Cube cube : change.cubes()) {
                lines.add(new Line(change, kind, Summary.traffic(cube, services),
                        Summary.endpoints(cube, change.target(), change.direction()), cube.family().label(),
                        openedByPolicy(change) ? Summary.risk(cube, change.admittedAfter(), sensitivePorts) : null));
            }
        }
        // Each target and direction once, the one with the most important line first; within it, risks first.
        Map<String, Integer> best = new HashMap<>();
        Map<String, Integer> first = new HashMap<>();
        for (Line l : lines) {
            best.merge(l.where(), rank(l), Math::min);
            first.putIfAbsent(l.where(), first.size());
        }
        lines.sort(Comparator.comparingInt((Line l) -> best.get(l.where()))
                .thenComparingInt(l -> first.get(l.where())).thenComparingInt(DiffReport::rank));
    }

    private static int rank(Line line) {
        if (line.risk() != null) return 0;
        if (isImplicit(line.change().before()) || isImplicit(line.change().after())) return 4;
        if (line.change().opened()) return 1;
        if (line.change().closed()) return 2;
        return 3;
    }

    private static boolean isImplicit(PolicyDiff.Decider decider) {
        return decider.rule() == null && decider.label().startsWith("implicit");
    }

    /** How a decider decided, on one line: the rule's file name may hold a line feed. */
    private static String side(PolicyDiff.Decider decider) {
        Action action = decider.action();
        if (action == null) return "not judged: " + decider.label();
        String verb = switch (action) {
            case ALLOW -> "allowed";
            case DENY -> "denied";
            case REJECT -> "rejected";
        };
        return verb + " by " + VisibleText.ofLine(decider.describe());
    }

    private String summary() {
        if (!result.accessChanged()) return "no access change";
        long opened = lines.stream().filter(l -> l.change().opened()).count();
        long closed = lines.stream().filter(l -> l.change().closed()).count();
        long moved = lines.size() - opened - closed;
        long risky = lines.stream().filter(l -> l.risk() != null).count();
        Set<String> targets = new LinkedHashSet<>();
        for (Line l : lines) targets.add(l.change().target().kind() + " " + l.change().target().name());
        List<String> parts = new ArrayList<>();
        if (result.tracking() != null) parts.add(result.tracking().summary());
        if (opened > 0) parts.add(opened + " opened" + (risky > 0 ? " (" + risky + " risky)" : ""));
        if (closed > 0) parts.add(closed + " closed");
        if (moved > 0) parts.add(moved + " moved between deny and reject");
        if (targets.isEmpty()) return "access changed: " + String.join(", ", parts);
        return "access changed: " + String.join(", ", parts) + " at " + targets.size()
                + (targets.size() == 1 ? " target" : " targets") + " (" + named(new ArrayList<>(targets)) + ")";
    }

    /** The first few targets by name, then how many more. */
    private static String named(List<String> targets) {
        if (targets.size() <= 6) return String.join(", ", targets);
        return String.join(", ", targets.subList(0, 5)) + " and " + (targets.size() - 5) + " more";
    }

    private String findingsSummary() {
        int in = result.introduced().size();
        int out = result.resolved().size();
        if (in == 0 && out == 0) return "";
        return "; lint findings: " + in + " introduced, " + out + " resolved";
    }

    public String text() {
        StringBuilder out = new StringBuilder(summary()).append(findingsSummary()).append('\n');
        if (result.tracking() != null) {
            out.append("\nconnection tracking:\n  ").append(result.tracking().explanation()).append('\n');
        }
        String where = null;
        for (Line l : lines) {
            if (!l.where().equals(where)) {
                where = l.where();
                out.append('\n').append(where).append(":\n");
            }
            out.append("  ").append(l.kind()).append(": ").append(l.traffic()).append(' ').append(l.endpoints())
                    .append(" (").append(l.family()).append(")\n");
            if (l.risk() != null) out.append("    RISK: ").append(l.risk()).append('\n');
            out.append("    before: ").append(side(l.change().before())).append('\n');
            out.append("    after:  ").append(side(l.change().after())).append('\n');
        }
        findings(out, "lint findings introduced", result.introduced(), "  ");
        findings(out, "lint findings resolved", result.resolved(), "  ");
        // Names, file names and rule text are the user's: nothing in them may act on the terminal.
        return VisibleText.of(out.toString());
    }

    private static void findings(StringBuilder out, String title, List<Finding> findings, String indent) {
        if (findings.isEmpty()) return;
        out.append('\n').append(title).append(":\n");
        for (Finding f : findings) out.append(indent).append(finding(f)).append('\n');
    }

    /**
     * A finding on one line: its file name may hold a line feed. The date its rule expires is
     * part of what a finding is, so a moved date shows the same finding introduced and resolved:
     * each says which date it is.
     */
    private static String finding(Finding f) {
        LocalDate expires = expires(f);
        return VisibleText.ofLine(f.headline() + (expires != null ? " (rule expires " + expires + ")" : "")
                + (f.waived() ? " (waived)" : ""));
    }

    private static LocalDate expires(Finding f) {
        return f.subject() == null ? null : f.subject().options().expires();
    }

    public String markdown() {
        StringBuilder out = new StringBuilder("**portpolicy diff:** ").append(cell(summary() + findingsSummary()))
                .append("\n");
        if (result.tracking() != null) {
            out.append("\n**Connection tracking:** ").append(result.tracking().explanation()).append("\n");
        }
        if (!lines.isEmpty()) {
            out.append("\n| | Change | Where | Traffic | Before | After |\n|---|---|---|---|---|---|\n");
            // Every row names its target, so a reviewer gets every risk first, wherever it is.
            List<Line> rows = new ArrayList<>(lines);
            rows.sort(Comparator.comparing((Line l) -> l.risk() == null));
            for (Line l : rows) {
                out.append("| ").append(l.risk() != null ? "**RISK:** " + cell(l.risk()) : "").append(" | ")
                        .append(l.kind()).append(" | ").append(cell(l.where())).append(" | ")
                        .append(cell(l.traffic() + " " + l.endpoints() + " (" + l.family() + ")")).append(" | ")
                        .append(cell(side(l.change().before()))).append(" | ")
                        .append(cell(side(l.change().after()))).append(" |\n");
            }
        }
        mdFindings(out, "Lint findings introduced", result.introduced());
        mdFindings(out, "Lint findings resolved", result.resolved());
        return out.toString();
    }

    private static void mdFindings(StringBuilder out, String title, List<Finding> findings) {
        if (findings.isEmpty()) return;
        out.append("\n**").append(title).append(":**\n\n");
        for (Finding f : findings) out.append("- ").append(cell(finding(f))).append('\n');
    }

    /**
     * Text for a pull-request comment: one line, and every character with a meaning in GitHub's
     * markdown escaped, so names, file names and comments cannot start a table cell, a link,
     * an image, HTML or an @mention; hidden characters are made visible first. Bare URLs and
     * email addresses are broken up too (see {@link #AUTOLINK_BREAKS}).
     */
    static String cell(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (char c : VisibleText.of(text).toCharArray()) {
            if (c == '\n') out.append(' ');
            else if ("\\`*_[]<>|@#!~&".indexOf(c) >= 0) out.append('\\').append(c);
            else out.append(c);
        }
        return AUTOLINK_BREAKS.matcher(out).replaceAll(WORD_JOINER);
    }

    /**
     * Where GitHub's autolinking would turn plain text into a link: inside "www." (any case),
     * "://" and after "@". GFM's autolink extension links only "www." and "http://" or
     * "https://" written out whole, and an email address only with a letter, digit, "-" or "_"
     * right after the "@" (GitHub's @mentions too). A word joiner there is none of those and
     * shows nothing, so the text reads the same but is not linked. The backslash escapes alone
     * would rely on a renderer not linking what is text once they are undone.
     */
    private static final Pattern AUTOLINK_BREAKS =
            Pattern.compile("(?i)(?<=www)(?=\\.)|(?<=:)(?=//)|(?<=@)");
    private static final String WORD_JOINER = "\u2060";

    public String json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("accessChanged", result.accessChanged());
        root.put("summary", summary());
        if (result.tracking() == null) {
            root.putNull("connectionTracking");
        } else {
            root.putObject("connectionTracking")
                    .put("before", result.tracking().statelessAfter() ? "stateful" : "stateless")
                    .put("after", result.tracking().statelessAfter() ? "stateless" : "stateful")
                    .put("explanation", result.tracking().explanation());
        }
        ArrayNode changes = root.putArray("changes");
        for (Line l : lines) {
            ObjectNode c = changes.addObject();
            c.put("target", l.change().target().name());
            c.put("kind", l.change().target().kind());
            c.put("direction", l.change().direction().keyword());
            c.put("change", l.change().opened() ? "opened" : l.change().closed() ? "closed" : "moved");
            c.put("family", l.family());
            c.put("traffic", l.traffic());
            c.put("endpoints", l.endpoints());
            if (l.risk() != null) c.put("risk", l.risk());
            else c.putNull("risk");
            side(c.putObject("before"), l.change().before());
            side(c.putObject("after"), l.change().after());
        }
        findings(root.putArray("findingsIntroduced"), result.introduced());
        findings(root.putArray("findingsResolved"), result.resolved());
        return Json.pretty(root);
    }

    private static void side(ObjectNode node, PolicyDiff.Decider decider) {
        if (decider.action() == null) node.putNull("action");
        else node.put("action", decider.action().keyword());
        node.put("decidedBy", decider.describe());
    }

    private static void findings(ArrayNode array, List<Finding> findings) {
        for (Finding f : findings) {
            ObjectNode n = array.addObject();
            n.put("file", f.location().path());
            n.put("line", f.location().line());
            n.put("column", f.location().column());
            n.put("rule", f.ruleId());
            n.put("name", f.name());
            n.put("severity", f.severity().label());
            n.put("message", f.message());
            n.put("waived", f.waived());
            LocalDate expires = expires(f);
            if (expires != null) n.put("ruleExpires", expires.toString());
            else n.putNull("ruleExpires");
        }
    }
}
