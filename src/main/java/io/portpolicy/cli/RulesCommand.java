package io.portpolicy.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.portpolicy.diag.VisibleText;
import io.portpolicy.json.Json;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleCatalog;
import io.portpolicy.lint.RuleDocs;
import io.portpolicy.lint.RuleInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code portpolicy rules}: the lint catalog, and the generator of docs/rules. */
@Command(name = "rules", mixinStandardHelpOptions = true,
        description = "List the lint rules: ID, name, default severity and what each finds.")
final class RulesCommand implements Callable<Integer> {

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, json or markdown (every rule's documentation in one document) (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--write-docs", paramLabel = "DIR",
            description = "write one markdown page per rule and an index into DIR (with --format markdown)")
    Path docs;

    /** The command line running this command, whose error stream usage errors must go to. */
    @Spec
    CommandSpec spec;

    private final Io io;

    RulesCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        String formatName = Main.oneOf("--format", format, List.of("text", "json", "markdown"), spec);
        if (docs != null) {
            if (!formatName.equals("markdown")) throw Main.usage(spec,
                    "--write-docs writes markdown; add --format markdown");
            // '-' means standard output everywhere else: never a directory named '-'.
            if (docs.toString().equals("-")) throw Main.usage(spec,
                    "--write-docs writes one file per rule into a directory, not to standard output;"
                            + " 'rules --format markdown' prints them as one document");
            return writeDocs();
        }
        io.out().print(switch (formatName) {
            case "json" -> json();
            case "markdown" -> RuleDocs.document();
            default -> text();
        });
        io.out().flush();
        return Main.OK;
    }

    private static String text() {
        StringBuilder text = new StringBuilder();
        for (LintRule rule : RuleCatalog.rules()) {
            RuleInfo info = rule.info();
            text.append(String.format("%s %-28s %-8s %s%n", info.id(), info.name(), info.severity().label(), info.summary()));
        }
        return text.toString();
    }

    private static String json() {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (LintRule rule : RuleCatalog.rules()) {
            RuleInfo info = rule.info();
            array.addObject()
                    .put("id", info.id())
                    .put("name", info.name())
                    .put("severity", info.severity().label())
                    .put("summary", info.summary())
                    .put("rationale", info.rationale())
                    .put("securitySeverity", info.securitySeverity());
        }
        return Json.pretty(array);
    }

    private int writeDocs() {
        Map<Path, String> files = new LinkedHashMap<>();
        RuleDocs.files().forEach((name, text) -> files.put(docs.resolve(name), text));
        try {
            AtomicWrite.directory(docs);
            AtomicWrite.write(files);
        } catch (CannotWrite e) {
            io.error(e.getMessage(), e.hint());
            return Main.ERROR;
        }
        io.out().println(VisibleText.ofLine("wrote " + RuleDocs.files().size() + " files to " + docs));
        return Main.OK;
    }
}
