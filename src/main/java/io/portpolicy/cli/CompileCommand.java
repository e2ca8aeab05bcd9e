package io.portpolicy.cli;

import io.portpolicy.check.Checker;
import io.portpolicy.compile.Artifact;
import io.portpolicy.compile.Backend;
import io.portpolicy.compile.Backends;
import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.CompileRequest;
import io.portpolicy.compile.TargetOptions;
import io.portpolicy.compile.cloud.LimitExceeded;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.lint.LintConfig;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.Os;
import io.portpolicy.model.Policy;
import io.portpolicy.source.FileErrors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code portpolicy compile}: one host's (or group's) firewall configuration, or every one's
 * with {@code --all}. Everything is compiled in memory first; files are written only when the
 * whole compile succeeded, each to a temporary file renamed into place.
 */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Compile a policy to a firewall configuration for one host or group, or for all of them.",
                "Exit code: 0 success, 2 usage, policy, compile or I/O error."})
final class CompileCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the policy; - reads standard input")
    String file;

    @Option(names = "--target", required = true, paramLabel = "TARGET", description = "nftables, iptables, windows, aws, aws-nacl, azure or gcp")
    String targetName;

    @Option(names = "--host", paramLabel = "NAME", description = "the host to compile for")
    String host;

    @Option(names = "--group", paramLabel = "NAME", description = "the group to compile for (cloud targets)")
    String group;

    @Option(names = "--all", description = {"every host (or group): one file each in the -o directory (iptables: two, NAME.v4 and NAME.v6)",
            "warns of files an earlier compile of the policy left there for a host or group it no longer has"})
    boolean all;

    @Option(names = "--format", paramLabel = "VARIANT", description = "the target's output variant")
    String format;

    @Option(names = "--family", paramLabel = "4|6", description = "iptables on standard output: IPv4 (default) or IPv6")
    String family;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE|DIR", description = "write here instead of standard output")
    Path output;

    @Option(names = "--today", paramLabel = "YYYY-MM-DD", description = "the date expiry is judged by; default today")
    LocalDate today;

    @Option(names = "--config", paramLabel = "FILE",
            description = {"configuration (its 'targets' and 'ephemeral' settings)", Io.CONFIG_DEFAULT})
    Path config;

    @Spec
    CommandSpec spec;

    private final Io io;

    CompileCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        Backend backend = Backends.named(Main.oneOf("--target", targetName,
                Backends.all().stream().map(Backend::name).toList(), spec)).orElseThrow();
        String variant = format == null ? backend.formats().get(0)
                : Main.oneOf("--format for " + backend.name(), format, backend.formats(), spec);
        String familyNumber = family == null ? null : Main.oneOf("--family", family, List.of("4", "6"), spec);
        int selectors = (host != null ? 1 : 0) + (group != null ? 1 : 0) + (all ? 1 : 0);
        if (selectors > 1) throw Main.usage(spec, "give only one of --host, --group and --all");
        if (backend.forGroups() && host != null) throw Main.usage(spec,
                backend.name() + " configures groups: use --group");
        if (!backend.forGroups() && group != null) throw Main.usage(spec,
                backend.name() + " configures hosts: use --host");
        if (all && output == null) throw Main.usage(spec,
                "--all writes one file per target: give the directory with -o");
        if (all && toStandardOutput()) throw Main.usage(spec,
                "--all cannot write to standard output ('-'): it writes one file per target; give a directory with -o");

        Optional<LintConfig> settings = io.config(config);
        if (settings.isEmpty()) return Main.ERROR;
        TargetOptions options = settings.get().options(backend);

        InputFiles inputs = new InputFiles();
        inputs.add(Io.configFile(config));
        Diagnostics diagnostics = new Diagnostics();
        var checked = Checker.check(file, io.in(), diagnostics, inputs);
        io.report(diagnostics);
        if (checked.isEmpty()) return Main.ERROR;
        Policy policy = settings.get().configured(checked.get());
        LocalDate day = Main.dayOr(today);
        // One target: judge it on its own (cheaper); all of them: judge the hosts together once.
        EffectivePolicy effective = all ? EffectivePolicy.of(policy, day) : EffectivePolicy.forFewTargets(policy, day);

        List<Target> targets = targets(policy, effective, backend);
        Map<Target, Artifact> artifacts = new LinkedHashMap<>();
        // A host in several groups is warned about once, not once per group (--all).
        Set<Diagnostic> warned = new HashSet<>();
        for (Target target : targets) {
            try {
                CompileRequest request = new CompileRequest(effective, target, variant, Main.Version.number(), options,
                        settings.get().source());
                artifacts.put(target, backend.compile(request));
                Diagnostics warnings = new Diagnostics();
                for (Diagnostic warning : backend.warnings(request)) {
                    if (warned.add(warning)) warnings.add(warning);
                }
                io.report(warnings);
                // A group is judged in a layer of its own: with --all, hold one group's sets at a time.
                effective.forget(target);
            } catch (CompileException e) {
                Diagnostics errors = new Diagnostics();
                String message = "cannot compile for " + backend.name() + " at " + target.kind() + " "
                        + target.name() + ": " + e.getMessage();
                if (e instanceof LimitExceeded) {
                    errors.error(policy.groups().get(target.name()).location(), "PP503 target-limit: " + e.getMessage());
                    io.report(errors);
                } else if (e.location() != null) {
                    errors.error(e.location(), message, e.hint());
                    io.report(errors);
                } else {
                    io.error(message, null);
                }
                return Main.ERROR;
            }
        }

        Artifact first = artifacts.values().iterator().next();
        Map<Path, String> files = new LinkedHashMap<>();
        try {
            if (family != null && first.parts().size() == 1) throw Main.usage(spec, "--family is for iptables");
            if (toStandardOutput()) {
                io.out().print(pick(first, familyNumber).text());
                io.out().flush();
                return Main.OK;
            }
            if (family != null) {
                throw Main.usage(spec,
                        "--family picks what standard output gets: -o PATH writes both, as PATH.v4 and PATH.v6");
            }
            if (all) {
                artifacts.forEach((target, artifact) -> {
                    for (Artifact.Part part : artifact.parts()) {
                        files.put(output.resolve(target.name() + artifact.extension() + part.suffix()), part.text());
                    }
                });
            } else {
                // Also where the files are PATH.v4 and PATH.v6, beside it: the user meant one inside.
                AtomicWrite.refuseDirectory(output);
                if (outputEndsInSeparator()) {
                    throw new CannotWrite(output, "it names a directory (it ends in '/')",
                            "name a file, or give --all to write one file per " + (backend.forGroups() ? "group" : "host")
                                    + " into a directory");
                }
                for (Artifact.Part part : first.parts()) {
                    files.put(Path.of(output.toString() + part.suffix()), part.text());
                }
            }
            inputs.refuseToReplace(files.keySet());
            if (all) AtomicWrite.directory(output);
            AtomicWrite.write(files);
        } catch (CannotWrite e) {
            io.error(e.getMessage(), e.hint());
            return Main.ERROR;
        }
        if (all) {
            warnOfHostsOfAnotherOs(targets, backend);
            warnOfStaleFiles(first, files.keySet(), backend);
        }
        return Main.OK;
    }

    /**
     * Warns, in one line, of the hosts --all wrote files for whose os is not the one the target
     * runs on: they are written all the same (--all is every host), but are not to be deployed.
     */
    private void warnOfHostsOfAnotherOs(List<Target> targets, Backend backend) {
        Optional<Os> os = backend.os();
        if (os.isEmpty()) return;
        List<String> others = targets.stream().filter(t -> t.os() != null && t.os() != os.get())
                .map(t -> t.name() + " (" + t.os().keyword() + ")").toList();
        if (others.isEmpty()) return;
        Diagnostics warnings = new Diagnostics();
        warnings.add(Diagnostic.warning(null, "--all wrote " + backend.name() + " files also for hosts whose os is not "
                + os.get().keyword() + ": " + String.join(", ", others), null));
        io.report(warnings);
    }

    /**
     * Warns of each file in the --all directory an earlier compile of this policy, target and
     * format wrote and this run did not (StaleOutputs). A warning only, with exit 0: everything
     * asked for was written, the file is the user's to delete, and a script that compiles and
     * then deploys must not take a complete compile for a failed one.
     */
    private void warnOfStaleFiles(Artifact artifact, Set<Path> written, Backend backend) {
        Map<String, String> texts = new LinkedHashMap<>();
        for (Artifact.Part part : artifact.parts()) texts.put(artifact.extension() + part.suffix(), part.text());
        Set<String> names = new HashSet<>();
        for (Path file : written) names.add(file.getFileName().toString());
        String kind = backend.forGroups() ? "group" : "host";
        Diagnostics warnings = new Diagnostics();
        try {
            for (Path stale : StaleOutputs.in(output, texts, names, Main.Version.number())) {
                warnings.add(Diagnostic.warning(null, stale + ": written by an earlier compile of this policy for "
                                + backend.name() + ", not by this compile --all: most likely for a " + kind
                                + " removed or renamed since",
                        "delete it before deploying " + output + " if so: a deployment of the whole directory"
                                + " would push it"));
            }
        } catch (IOException e) {
            warnings.add(Diagnostic.warning(null, "cannot look for files an earlier compile left in " + output
                    + ": " + FileErrors.describe(e), "check it holds only this compile's files before deploying it"));
        }
        io.report(warnings);
    }

    /**
     * Whether -o was written ending in a separator ({@code -o out/}): the path it becomes has
     * lost the separator, but the user named a directory, even one that does not exist yet.
     */
    private boolean outputEndsInSeparator() {
        List<String> written = spec.findOption("-o").stringValues();
        if (written.isEmpty()) return false;
        String last = written.get(written.size() - 1);
        return last.endsWith("/") || last.endsWith(File.separator);
    }

    /** Whether the output goes to standard output: without -o, or with {@code -o -} ({@code ./-} is a file). */
    private boolean toStandardOutput() {
        return output == null || output.toString().equals("-");
    }

    /** The part standard output gets: the only one, or the --family one (IPv4 by default). */
    private Artifact.Part pick(Artifact artifact, String familyNumber) {
        if (artifact.parts().size() == 1) return artifact.parts().get(0);
        String suffix = ".v" + (familyNumber != null ? familyNumber : "4");
        return artifact.parts().stream().filter(p -> p.suffix().equals(suffix)).findFirst()
                .orElseThrow(() -> Main.usage(spec, "no " + suffix + " output"));
    }

    private List<Target> targets(Policy policy, EffectivePolicy effective, Backend backend) {
        TreeSet<String> names = new TreeSet<>(backend.forGroups() ? policy.groups().keySet() : policy.hosts().keySet());
        String kind = backend.forGroups() ? "group" : "host";
        if (all) {
            if (names.isEmpty()) throw Main.usage(spec,
                    "the policy has no " + kind + " to compile for " + backend.name());
            List<Target> targets = new ArrayList<>();
            for (String name : names) targets.add(effective.target(name).orElseThrow());
            return targets;
        }
        String name = backend.forGroups() ? group : host;
        if (name == null) {
            if (names.size() == 1) return List.of(effective.target(names.first()).orElseThrow());
            throw Main.usage(spec, "name the " + kind + " to compile for with --" + kind + " (or --all)"
                    + (names.isEmpty() ? "; the policy has none" : "; the policy has: " + String.join(", ", names)));
        }
        if (!names.contains(name)) {
            // A host named with --group (or a group with --host): the name is right, the target is not.
            Map<String, ?> others = backend.forGroups() ? policy.hosts() : policy.groups();
            if (others.containsKey(name)) {
                throw Main.usage(spec, "no " + kind + " " + Quote.of(name) + " in the policy: " + Quote.of(name)
                        + " is a " + (backend.forGroups() ? "host" : "group") + ", and " + backend.name()
                        + " compiles " + kind + "s; the policy has "
                        + (names.isEmpty() ? "no " + kind + "s" : kind + "s: " + String.join(", ", names)),
                        otherTargetHint(policy, name, !backend.forGroups()));
            }
            String hint = Suggestions.didYouMean(name, names);
            throw Main.usage(spec, "no " + kind + " " + Quote.of(name) + " in the policy" + (hint == null ? "" : "; " + hint));
        }
        return List.of(effective.target(name).orElseThrow());
    }

    /**
     * How to compile {@code name}, a group ({@code group}) or a host, for a target of its kind;
     * or, for the kind asked for, the group's hosts or the groups holding the host.
     */
    private static String otherTargetHint(Policy policy, String name, boolean group) {
        String kind = group ? "group" : "host";
        List<String> targets = Backends.all().stream().filter(b -> b.forGroups() == group).map(Backend::name).toList();
        String hint = "compile " + kind + " " + Quote.of(name) + " for a " + kind + " target (" + String.join(", ", targets)
                + ") with --" + kind + " " + name + ", e.g. --target " + targets.get(0) + " --" + kind + " " + name;
        if (group) {
            List<String> hosts = policy.groups().get(name).hosts().stream().map(Host::name).toList();
            return hosts.isEmpty() ? hint : hint + "; or give --host with one of its hosts: " + String.join(", ", hosts);
        }
        Host host = policy.hosts().get(name);
        List<String> holding = policy.groups().values().stream().filter(g -> g.hosts().contains(host)).map(Group::name)
                .sorted().toList();
        return hint + (holding.isEmpty() ? "; or put it in a group and give --group with that group"
                : "; or give --group with a group holding it: " + String.join(", ", holding));
    }
}
