package io.portpolicy.cli;

/**
 * Whether what goes to each stream is coloured: only a terminal gets colour, and nothing does
 * when {@code NO_COLOR} is set to a value that is not empty (no-color.org: an empty one counts
 * as unset). Standard output carries help; standard error the diagnostics.
 *
 * @param out whether standard output gets colour
 * @param err whether standard error gets colour
 */
public record Colour(boolean out, boolean err) {

    public static final Colour NONE = new Colour(false, false);

    /** Set by the launcher, {@code true} or {@code false}: the shell can tell each stream apart, Java cannot. */
    static final String STDOUT_TERMINAL = "portpolicy.stdout.terminal";
    static final String STDERR_TERMINAL = "portpolicy.stderr.terminal";

    /**
     * The colour for this run.
     *
     * @param stdoutTerminal {@value #STDOUT_TERMINAL} as the launcher set it, or {@code null}
     * @param stderrTerminal {@value #STDERR_TERMINAL} as the launcher set it, or {@code null}
     * @param console        whether there is a console: without the launcher's word, the only
     *                       sign of a terminal Java has (standard input and output both are one)
     * @param noColor        the value of {@code NO_COLOR}, or {@code null} when it is not set
     */
    static Colour of(String stdoutTerminal, String stderrTerminal, boolean console, String noColor) {
        if (noColor != null && !noColor.isEmpty()) return NONE;
        return new Colour(stdoutTerminal != null ? Boolean.parseBoolean(stdoutTerminal) : console,
                stderrTerminal != null ? Boolean.parseBoolean(stderrTerminal) : console);
    }
}
