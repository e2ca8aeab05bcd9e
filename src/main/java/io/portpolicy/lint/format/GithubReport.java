package io.portpolicy.lint.format;

import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.Severity;
import io.portpolicy.diag.VisibleText;
import io.portpolicy.lint.Finding;
import io.portpolicy.source.CitedLines;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * GitHub Actions workflow commands, one annotation per finding:
 * {@code ::error file=F,line=L,col=C,endColumn=E,title=ID::message}. Waived findings are
 * notices, so they stay visible without looking like failures. A policy that does not check,
 * or a configuration or baseline that cannot be used, is annotated with its errors too, so the
 * job shows why it has no findings. Files are named relative to the repository's root, as
 * annotations are placed by.
 */
public final class GithubReport {

    private GithubReport() {
    }

    /**
     * @param problems the diagnostics of the run, annotated before the findings
     * @param linted the files of the policies linted, whose lines messages cite
     */
    public static String render(List<Finding> findings, List<Diagnostic> problems, Collection<SourceFile> linted) {
        CitedLines cited = CitedLines.of(linted);
        StringBuilder text = new StringBuilder();
        for (Diagnostic d : problems) {
            String message = d.message() + (d.hint() == null ? "" : "\nhint: " + d.hint());
            append(text, command(d.severity()), d.location(), null, message);
        }
        for (Finding f : findings) {
            String message = f.name() + ": " + f.message()
                    + (f.waived() ? " [waived: " + f.waiver() + "]" : "") + "\nfix: " + f.hint();
            append(text, f.waived() ? "notice" : command(f.severity()), f.location(), f.ruleId(),
                    byRepositoryPath(message, cited));
        }
        return text.toString();
    }

    /**
     * The text with each line of a policy it cites ("allow at FILE:LINE") named by its path in
     * the repository, as the annotation's file is: the path the tool was given, relative to the
     * directory it ran in, means nothing where the annotation is read.
     */
    private static String byRepositoryPath(String text, CitedLines cited) {
        Matcher citation = cited.matcher(text);
        StringBuilder out = new StringBuilder();
        while (citation.find()) {
            Optional<Location> at = cited.at(citation);
            String shown = at.flatMap(RepositoryPath::of)
                    .map(path -> CitedLines.withPath(citation, at.get(), path))
                    .orElse(citation.group());
            citation.appendReplacement(out, Matcher.quoteReplacement(shown));
        }
        return citation.appendTail(out).toString();
    }

    private static String command(Severity severity) {
        return switch (severity) {
            case ERROR -> "error";
            case WARNING -> "warning";
            case NOTE -> "notice";
        };
    }

    /** One workflow command; its location and title are left out when there is none. */
    private static void append(StringBuilder text, String command, Location at, String title, String message) {
        StringBuilder properties = new StringBuilder();
        if (at != null) {
            properties.append("file=").append(property(annotatedFile(at)))
                    .append(",line=").append(at.line())
                    .append(",col=").append(at.column())
                    .append(",endColumn=").append(at.column() + at.length());
        }
        if (title != null) properties.append(properties.isEmpty() ? "" : ",").append("title=").append(property(title));
        text.append("::").append(command).append(properties.isEmpty() ? "" : " ").append(properties)
                .append("::").append(data(message)).append('\n');
    }

    /**
     * The file as the runner resolves it: relative to the repository's root, not to the
     * directory the tool ran in (a step's working-directory); outside a repository the absolute
     * path, which the runner makes relative to the workspace itself.
     */
    static String annotatedFile(Location at) {
        if (at.file().path() == null) return at.path();
        return RepositoryPath.of(at).orElseGet(() -> at.file().path().toAbsolutePath().normalize().toString());
    }

    /**
     * The message part: % and LF would end or corrupt the command. A CR and the other hidden
     * characters are made visible: the workflow log shows escape sequences as a terminal would.
     * With its LFs escaped the text stays on the command's line, after its '::', where only a
     * '##[' could start another command: a '::' in it (a file named so) is left as it is.
     */
    static String data(String text) {
        return VisibleText.ofLine(text.replace("%", "%25").replace("\n", "%0A"));
    }

    /** A property value: also ',' and ':', which separate properties and end them. */
    static String property(String text) {
        return data(text).replace(":", "%3A").replace(",", "%2C");
    }
}
