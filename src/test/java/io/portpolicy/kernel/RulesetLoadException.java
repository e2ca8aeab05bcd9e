package io.portpolicy.kernel;

/** A ruleset the kernel (or its loading tool) refused; the message carries the tool's standard error. */
public final class RulesetLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String tool;
    private final String stderr;

    RulesetLoadException(String tool, int exitCode, String stderr, String ruleset) {
        super(tool + " failed (exit " + exitCode + "):\n" + stderr.strip() + "\n--- ruleset ---\n" + excerpt(ruleset));
        this.tool = tool;
        this.stderr = stderr;
    }

    /** The loading tool: nft, iptables-restore or ip6tables-restore. */
    public String tool() {
        return tool;
    }

    /** The tool's standard error, as printed. */
    public String stderr() {
        return stderr;
    }

    private static String excerpt(String text) {
        String[] lines = text.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length && i < 60; i++) {
            sb.append(String.format("%4d  %s%n", i + 1, lines[i]));
        }
        if (lines.length > 60) {
            sb.append("      ... ").append(lines.length - 60).append(" more lines\n");
        }
        return sb.toString();
    }
}
