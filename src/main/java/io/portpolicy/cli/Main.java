package io.portpolicy.cli;

import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.DiagnosticRenderer;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.diag.VisibleText;
import io.portpolicy.model.Dates;
import io.portpolicy.source.FileErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;

/** The {@code portpolicy} command. Exit codes: 0 success, 1 findings or differences, 2 errors. */
@Command(name = "portpolicy",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Lints least-privilege port policies and compiles them to firewall configurations.")
public final class Main implements Runnable {

    /** The commands, in the order help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(LintCommand.class, QueryCommand.class, RulesCommand.class,
            CompileCommand.class, DiffCommand.class, FmtCommand.class, CommandLine.HelpCommand.class);

    public static final int OK = 0;
    public static final int FINDINGS = 1;
    public static final int ERROR = 2;

    public static void main(String[] args) {
        Colour colour = Colour.of(System.getProperty(Colour.STDOUT_TERMINAL), System.getProperty(Colour.STDERR_TERMINAL),
                System.console() != null, System.getenv("NO_COLOR"));
        // Not System.out: it would keep to itself whether a failed write met a closed pipe.
        StandardOutput out = new StandardOutput(new FileOutputStream(FileDescriptor.out), StandardOutput.isPipe());
        System.exit(run(args, System.in, out, System.err, colour));
    }

    /** Runs the CLI on the given streams, both coloured or neither, and returns its exit code. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, boolean colour) {
        return run(args, in, out, err, colour ? new Colour(true, true) : Colour.NONE);
    }

    /** Runs the CLI on the given streams and returns its exit code. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Colour colour) {
        PrintWriter outWriter = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        Io io = new Io(in, outWriter, errWriter, colour.err());
        CommandLine cli = new CommandLine(new Main(), new Factory(io));
        // Before the settings below: picocli applies them to the commands registered so far.
        for (Class<?> command : commandsFor(args)) cli.addSubcommand(command);
        // Every subcommand's -V/--version (from mixinStandardHelpOptions) prints the tool's version.
        Version version = new Version();
        for (CommandLine sub : cli.getSubcommands().values()) sub.getCommandSpec().versionProvider(version);
        cli.registerConverter(LocalDate.class, Main::date)
                .registerConverter(Path.class, Main::path)
                .setOut(outWriter)
                .setErr(errWriter)
                // Help goes to standard output; usage errors to standard error.
                .setColorScheme(colourScheme(colour.out()))
                .setParameterExceptionHandler((e, arguments) -> usageError(e, arguments, io, colourScheme(colour.err())))
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    // A FILE argument made a path only where the command needs it (diff --git REV FILE).
                    if (e instanceof InvalidPathException unusable) {
                        return unusableName("'" + unusable.getInput() + "'", unusable, io);
                    }
                    // Never a stack trace: say what failed, in one line.
                    commandLine.getErr().println(VisibleText.of("portpolicy: internal error: " + e
                            + " (please report this with the input that caused it)"));
                    return ERROR;
                });
        int code;
        try {
            code = cli.execute(args);
        } catch (StackOverflowError | OutOfMemoryError tooBig) {
            // picocli passes Errors through; they must not reach the user as a stack trace either.
            // JDK_JAVA_OPTIONS reaches the JVM however it was started (the launcher script too).
            errWriter.println("portpolicy: the input is too large or too deeply nested to process ("
                    + (tooBig instanceof StackOverflowError
                            ? "stack overflow); try a larger stack, for example JDK_JAVA_OPTIONS=-Xss16m"
                            : "out of memory); try a larger heap, for example JDK_JAVA_OPTIONS=-Xmx12g")
                    + ", and please report the input");
            code = ERROR;
        }
        outWriter.flush();
        // PrintWriter and PrintStream keep write errors to themselves: a full disk would otherwise
        // lose the output without a word and still exit as if it had been written. A pipe whose
        // reader closed it ('| head') is no such loss: the reader took what it wanted.
        boolean readerClosed = out instanceof StandardOutput stdout && stdout.readerClosed();
        if ((outWriter.checkError() || out.checkError()) && !readerClosed) {
            errWriter.println("portpolicy: error: cannot write to standard output");
            code = ERROR;
        }
        errWriter.flush();
        return code;
    }

    /** A usage error of {@code spec}'s command, said in one line with a hint ({@link #usageError}). */
    static CommandLine.ParameterException usage(CommandLine.Model.CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** A usage error of {@code spec}'s command with a hint of its own instead of 'see --help'. */
    static CommandLine.ParameterException usage(CommandLine.Model.CommandSpec spec, String message, String hint) {
        return new HintedUsage(spec.commandLine(), message, hint);
    }

    private static final class HintedUsage extends CommandLine.ParameterException {
        private final String hint;

        HintedUsage(CommandLine command, String message, String hint) {
            super(command, message);
            this.hint = hint;
        }
    }

    /** Refuses {@code -} given twice: standard input can be read only once, and the second would read nothing. */
    static void standardInputAtMostOnce(List<String> files, CommandLine.Model.CommandSpec spec) {
        if (files.stream().filter("-"::equals).count() > 1) {
            throw usage(spec, "'-' (standard input) can be given only once: it can be read only once");
        }
    }

    private static CommandLine.Help.ColorScheme colourScheme(boolean colour) {
        return CommandLine.Help.defaultColorScheme(colour ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF);
    }

    /**
     * A usage error, said the way the tool's other errors are: one line and a hint, the
     * arguments it quotes made visible. Only a command line that lacks what the command needs, or
     * has a positional argument too many, gets picocli's own handling: the message, then suggestions or
     * the usage that answers it. An option naming a file the JVM cannot make a path of is no
     * misuse of the command: it is reported as a file error is.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args, Io io,
                                  CommandLine.Help.ColorScheme colours) {
        if (e.getCause() instanceof InvalidPathException unusable && e.getArgSpec() instanceof OptionSpec option) {
            return unusableName(option.longestName() + " " + Quote.of(e.getValue()), unusable, io);
        }
        CommandLine command = e.getCommandLine();
        // Whatever picocli then stumbled on (the option unknown to the tool, or one the command
        // lacks after it), the mistake is where the options were written.
        String misplaced = optionsBeforeTheirCommand(command, args);
        if (misplaced != null) return error(command, colours, misplaced, null);
        // picocli looks for missing arguments before unknown ones: '--targt nftables' would be
        // reported as a missing --target, and a file named '-x.policy' as a missing FILE.
        List<String> unmatched = command.getUnmatchedArguments();
        if (!unmatched.isEmpty() && new CommandLine.UnmatchedArgumentException(command, unmatched).isUnknownOption()) {
            String option = unmatched.get(0).split("=", 2)[0];
            return error(command, colours, "unknown option " + Quote.of(option), unknownOptionHint(command, option, io));
        }
        // The tool itself takes no positional argument: a word left over is a command mistyped,
        // as is the word after 'help' that names no command.
        String word = !unmatched.isEmpty() ? unmatched.get(0) : unknownHelpTopic(command, e);
        if (word != null && command.getParent() == null) {
            Set<String> commands = command.getSubcommands().keySet();
            String meant = Suggestions.didYouMean(word, commands);
            return error(command, colours, "unknown command " + Quote.of(word),
                    meant != null ? meant : "the commands are " + String.join(", ", commands));
        }
        if (e instanceof HintedUsage hinted) return error(command, colours, e.getMessage(), hinted.hint);
        // picocli's exceptions about the command line's shape are subclasses; a plain one is about
        // a value: one picocli could not convert, or one a command refused.
        if (e.getClass() == CommandLine.ParameterException.class) {
            return error(command, colours, e.getMessage(), seeHelp(command.getCommandSpec()));
        }
        // Which of two values was meant is the user's to say: one line, not picocli's message and the whole usage.
        if (e instanceof CommandLine.OverwrittenOptionException twice && twice.getOverwritten() instanceof OptionSpec option) {
            return error(command, colours, option.longestName() + " is given more than once; give it once",
                    seeHelp(command.getCommandSpec()));
        }
        PrintWriter err = command.getErr();
        err.println(colours.errorText(VisibleText.of(e.getMessage())));
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            command.usage(err, colours);
        }
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * Options of the command written before it ({@code portpolicy --config c.yaml lint FILE}),
     * where the tool, which takes only --help and --version, reads them as its own: where they
     * go, with the command line rewritten so; null when no option before the command is one of
     * its own (an option only other commands take is an unknown option, said as such).
     */
    private static String optionsBeforeTheirCommand(CommandLine command, String[] args) {
        CommandLine tool = command;
        while (tool.getParent() != null) tool = tool.getParent();
        int at = 0;
        while (at < args.length && !tool.getSubcommands().containsKey(args[at])) at++;
        if (at == 0 || at == args.length) return null;
        String name = args[at];
        Set<String> own = tool.getSubcommands().get(name).getCommandSpec().optionsMap().keySet();
        List<String> misplaced = Arrays.stream(args, 0, at).map(arg -> arg.split("=", 2)[0]).filter(own::contains)
                .distinct().toList();
        if (misplaced.isEmpty()) return null;
        StringBuilder rewritten = new StringBuilder(tool.getCommandName()).append(' ').append(name);
        for (int i = 0; i < args.length; i++) {
            if (i != at) rewritten.append(' ').append(shellWord(args[i]));
        }
        boolean one = misplaced.size() == 1;
        return listed(misplaced, "and") + (one ? " is an option of " : " are options of ") + name + "; write "
                + (one ? "it" : "them") + " after the command: " + rewritten;
    }

    /** An argument as a shell reads it back: in single quotes unless it has nothing a shell treats specially. */
    private static String shellWord(String arg) {
        String shown = Quote.cut(arg);
        return shown.matches("[A-Za-z0-9_./=:@%+,-]+") ? shown : "'" + shown.replace("'", "'\\''") + "'";
    }

    /**
     * The word after 'help' when it names no command: picocli's help reports it on the tool's
     * command line, as a plain ParameterException with the word as its value.
     */
    private static String unknownHelpTopic(CommandLine command, CommandLine.ParameterException e) {
        CommandLine.ParseResult parsed = command.getParseResult();
        boolean help = parsed != null && parsed.subcommand() != null
                && parsed.subcommand().commandSpec().userObject() instanceof CommandLine.HelpCommand;
        return help && e.getValue() != null && !command.getSubcommands().containsKey(e.getValue()) ? e.getValue() : null;
    }

    /**
     * The commands that take the option, when others do (it is no file named like an option);
     * else the option meant, or for a command that takes files, how to name one that starts with a dash.
     */
    private static String unknownOptionHint(CommandLine command, String option, Io io) {
        CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        List<String> taking = commandsTaking(option, spec.name(), io);
        if (!taking.isEmpty()) {
            return spec.name() + " takes no " + option + "; " + listed(taking, "and")
                    + (taking.size() == 1 ? " takes it" : " take it");
        }
        String meant = Suggestions.didYouMean(option, spec.optionsMap().keySet());
        if (meant != null) return meant;
        if (!spec.positionalParameters().isEmpty()) {
            return "a file whose name starts with '-' is named ./" + option + ", or after '--': "
                    + spec.qualifiedName() + " -- " + option;
        }
        return seeHelp(spec);
    }

    /** The commands other than {@code name} that take {@code option}, in help's order. */
    private static List<String> commandsTaking(String option, String name, Io io) {
        // Built here, not registered: a run registers only the command it names (commandsFor).
        Factory factory = new Factory(io);
        List<String> taking = new ArrayList<>();
        for (Class<?> command : COMMANDS) {
            String commandName = command.getAnnotation(Command.class).name();
            if (command == CommandLine.HelpCommand.class || commandName.equals(name)) continue;
            if (CommandLine.Model.CommandSpec.forAnnotatedObject(command, factory).optionsMap().containsKey(option)) {
                taking.add(commandName);
            }
        }
        return taking;
    }

    private static String seeHelp(CommandLine.Model.CommandSpec spec) {
        return "see '" + spec.qualifiedName() + " --help'";
    }

    /** A usage error in one line and a hint, coloured as standard error is ({@code colours}). */
    private static int error(CommandLine command, CommandLine.Help.ColorScheme colours, String message, String hint) {
        command.getErr().print(new DiagnosticRenderer(colours.ansi().enabled())
                .render(Diagnostic.error(null, message, hint)));
        command.getErr().flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * The value of an option that takes one of a few words, in lower case: a word is accepted in
     * any case. Anything else is a usage error naming the words and the value given.
     *
     * @param option the option as the message names it
     */
    static String oneOf(String option, String value, List<String> words, CommandLine.Model.CommandSpec spec) {
        String word = value.toLowerCase(Locale.ROOT);
        if (words.contains(word)) return word;
        throw usage(spec, option + " must be " + listed(words, "or") + ", not " + Quote.of(value));
    }

    /** The words in a sentence: {@code a, b or c} ({@code conjunction} "or"). */
    private static String listed(List<String> words, String conjunction) {
        if (words.size() == 1) return words.get(0);
        return String.join(", ", words.subList(0, words.size() - 1)) + " " + conjunction + " " + words.get(words.size() - 1);
    }

    /**
     * A file name that cannot be a path (under the C locale, any name outside ASCII), wherever
     * it was turned into one: one line naming it, and how to get round it.
     */
    private static int unusableName(String name, InvalidPathException e, Io io) {
        io.error("cannot use " + name + " as a file name: " + FileErrors.describe(e), FileErrors.hint(e));
        return ERROR;
    }

    /**
     * An option's file. Path.of itself: picocli's own converter calls it by reflection, which
     * hides why a name is no path. An empty name is none (it would mean the current directory).
     */
    private static Path path(String name) {
        if (name.isEmpty()) throw new CommandLine.TypeConversionException("an empty name names no file");
        return Path.of(name);
    }

    /** An option's date, with a message that names no Java class when it is not one. */
    private static LocalDate date(String text) {
        try {
            return Dates.parse(text);
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException(
                    Quote.of(text) + " is not a date: write YYYY-MM-DD, such as 2026-01-31");
        }
    }

    /** The date given, else today's date where this runs, as {@link LocalDate#now()} gives it. */
    static LocalDate dayOr(LocalDate given) {
        if (given != null) return given;
        // From the default time zone's offset now: java.time's own zone rules are then never
        // read, which costs a short run 10 ms (docs/performance.md, seventh round).
        long now = System.currentTimeMillis();
        return LocalDate.ofEpochDay(Math.floorDiv(now + TimeZone.getDefault().getOffset(now), MILLIS_PER_DAY));
    }

    private static final long MILLIS_PER_DAY = 86_400_000L;

    /**
     * The commands to register: picocli reads every registered command's options by reflection
     * before parsing, a noticeable part of start-up, so a run that names one command gets only
     * that one. Anything else (help, --version, a mistake) gets them all, so that help and
     * errors can list them.
     */
    private static List<Class<?>> commandsFor(String[] args) {
        if (args.length > 0) {
            for (Class<?> command : COMMANDS) {
                if (command != CommandLine.HelpCommand.class
                        && command.getAnnotation(Command.class).name().equals(args[0])) {
                    return List.of(command);
                }
            }
        }
        return COMMANDS;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw usage(spec, "a command is required: " + String.join(", ", spec.subcommands().keySet()));
    }

    /** Builds commands with the run's streams. */
    private record Factory(Io io) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(Io.class).newInstance(io);
            } catch (NoSuchMethodException notACommand) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        static String number() {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return properties.getProperty("version");
        }

        @Override
        public String[] getVersion() {
            return new String[] {"portpolicy " + number()};
        }
    }
}
