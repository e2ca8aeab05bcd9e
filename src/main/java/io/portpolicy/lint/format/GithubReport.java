package io.portpolicy.lint.format;

import io.portpolicy.diag.VisibleText;
import io.portpolicy.lint.Finding;

import java.util.List;

/**
 * GitHub Actions workflow commands, one annotation per finding:
 * {@code ::error file=F,line=L,col=C,endColumn=E,title=ID::message}. Waived findings are
 * notices, so they stay visible without looking like failures.
 */
public final class GithubReport {

    private GithubReport() {
    }

    public static String render(List<Finding> findings) {
        StringBuilder text = new StringBuilder();
        for (Finding f : findings) {
            String command = f.waived() ? "notice" : switch (f.severity()) {
                case ERROR -> "error";
                case WARNING -> "warning";
                case NOTE -> "notice";
            };
            String message = f.name() + ": " + f.message()
                    + (f.waived() ? " [waived: " + f.waiver() + "]" : "") + "\nfix: " + f.hint();
            text.append("::").append(command)
                    .append(" file=").append(property(f.location().path()))
                    .append(",line=").append(f.location().line())
                    .append(",col=").append(f.location().column())
                    .append(",endColumn=").append(f.location().column() + f.location().length())
                    .append(",title=").append(property(f.ruleId()))
                    .append("::").append(data(message)).append('\n');
        }
        return text.toString();
    }

    /**
     * The message part: % and LF would end or corrupt the command. A CR and the other hidden
     * characters are made visible first: the workflow log shows escape sequences as a terminal
     * would.
     */
    static String data(String text) {
        return VisibleText.of(text).replace("%", "%25").replace("\n", "%0A");
    }

    /** A property value: also ',' and ':', which separate properties and end them. */
    static String property(String text) {
        return data(text).replace(":", "%3A").replace(",", "%2C");
    }
}
