package io.portpolicy.lint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lint command's options: --fail-on exit codes, baselines, waivers, configuration errors. */
class LintCliTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static final String BASE = "default inbound deny\ndefault outbound deny\nhost web1 = 10.0.0.10\n";

    private LintFixtures.Run lint(String... args) {
        return lintOn("2026-11-21", args);
    }

    private LintFixtures.Run lintOn(String today, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "lint";
        all[1] = "--today";
        all[2] = today;
        System.arraycopy(args, 0, all, 3, args.length);
        return LintFixtures.run(all);
    }

    @Test
    void failOnThresholds() throws IOException {
        // One warning (PP406) and one note (PP401), no error.
        String policy = write("p.policy", BASE + "network unused = 10.9.0.0/16\nallow ssh from 10.1.2.3/24 to web1\n").toString();
        assertEquals(0, lint(policy).exit(), "default --fail-on error");
        assertEquals(0, lint("--fail-on", "error", policy).exit());
        assertEquals(1, lint("--fail-on", "warning", policy).exit());
        assertEquals(1, lint("--fail-on", "note", policy).exit());
        assertEquals(0, lint("--fail-on", "never", policy).exit());
        String error = write("e.policy", BASE + "allow ssh from 10.1.0.0/16 to web1 expires 2026-01-01 owner \"x\"\n").toString();
        assertEquals(1, lint(error).exit());
        assertEquals(0, lint("--fail-on", "never", error).exit());
        LintFixtures.Run bad = lint("--fail-on", "sometimes", policy);
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--fail-on must be error, warning, note or never"), bad.err());
    }

    @Test
    void aWarningOfTheCheckerChangesNeitherTheExitCodeNorTheFindings() throws IOException {
        // An IPv4-mapped block is warned of, and linted as any IPv6 block of its size is.
        String policy = "default inbound deny\ndefault outbound deny\nhost web1 = 10.0.0.10, 2001:db8::10\n"
                + "allow ssh from %s to web1\nallow https from %s to web1\n";
        String mapped = write("mapped.policy", policy.formatted("::ffff:10.1.0.0/112", "::ffff:10.2.0.7")).toString();
        String plain = write("plain.policy", policy.formatted("2001:db8:1::/112", "2001:db8:2::7")).toString();
        for (String failOn : List.of("error", "warning", "note")) {
            LintFixtures.Run warned = lint("--fail-on", failOn, mapped);
            LintFixtures.Run unwarned = lint("--fail-on", failOn, plain);
            assertTrue(warned.err().contains("mapped.policy:4:16: warning: '::ffff:10.1.0.0/112' holds IPv4-mapped"),
                    warned.err());
            assertEquals("", unwarned.err());
            assertEquals(unwarned.exit(), warned.exit(), "--fail-on " + failOn);
            assertEquals(unwarned.out(), warned.out().replace(mapped, plain)
                    .replace("::ffff:10.1.0.0/112", "2001:db8:1::/112").replace("::ffff:10.2.0.7", "2001:db8:2::7"));
        }
    }

    @Test
    void waivedFindingsDoNotFailButNoWaiversBringsThemBack() throws IOException {
        String policy = write("w.policy", BASE + "allow ssh from 10.1.2.3/24 to web1 waive PP406 \"vendor range, SEC-9\"\n").toString();
        LintFixtures.Run run = lint("--fail-on", "warning", policy);
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("[waived: vendor range, SEC-9]"), run.out());
        assertTrue(lint("--format", "json", policy).out().contains("\"waived\": true"));
        LintFixtures.Run strict = lint("--fail-on", "warning", "--no-waivers", policy);
        assertEquals(1, strict.exit(), strict.out());
        assertFalse(strict.out().contains("waived"), strict.out());
    }

    /** A waiver's 'until' is the last day it accepts the finding; the day after, PP405 says it lapsed. */
    @Test
    void aWaiverAppliesOnItsUntilDayAndLapsesTheDayAfter() throws IOException {
        String policy = write("w.policy", "host web1 = 10.0.1.11 os linux\nallow ssh from any to web1 comment \"bastion\""
                + " waive PP103 \"reviewed by sec\" until 2030-01-31\n").toString();
        String exposed = "warning PP103 ssh-exposed: admits SSH (tcp/22) from the whole world to web1";
        LintFixtures.Run lastDay = lintOn("2030-01-31", "--fail-on", "warning", policy);
        assertEquals(0, lastDay.exit(), lastDay.out());
        assertTrue(lastDay.out().contains(exposed + " [waived: reviewed by sec]\n"), lastDay.out());
        assertFalse(lastDay.out().contains("PP405"), lastDay.out());
        LintFixtures.Run dayAfter = lintOn("2030-02-01", "--fail-on", "warning", policy);
        assertEquals(1, dayAfter.exit(), dayAfter.out());
        assertTrue(dayAfter.out().contains(exposed + "\n"), dayAfter.out());
        assertTrue(dayAfter.out().contains("w.policy:2:46: error PP405 bad-waiver: waive PP103: it lapsed on 2030-01-31,"
                + " so it waives nothing"), dayAfter.out());
    }

    @Test
    void languageErrorsStillExitTwo() throws IOException {
        String broken = write("b.policy", "allow ssh from nowhere\n").toString();
        String fine = write("f.policy", BASE + "allow ssh from 10.1.0.0/16 to web1\n").toString();
        LintFixtures.Run run = lint(broken, fine);
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("b.policy:1:16: error: unknown name 'nowhere'"), run.err());
        assertEquals("", run.out(), "no summary claims the policies were checked");
    }

    @Test
    void anInputErrorOutranksFindingsAtTheThresholdInEitherOrder() throws IOException {
        // Exit 1 would say every policy was linted and some failed; one was never read.
        String failing = write("telnet.policy", BASE + "allow telnet from any to web1\n").toString();
        String broken = write("broken.policy", BASE + "allow ssh from to web1\n").toString();
        assertEquals(1, lint(failing).exit(), "the telnet policy alone fails on its error finding");
        for (List<String> files : List.of(List.of(failing, broken), List.of(broken, failing))) {
            LintFixtures.Run run = lint(files.toArray(String[]::new));
            assertEquals(2, run.exit(), files + "\n" + run.out() + run.err());
            assertTrue(run.err().contains("broken.policy:4:"), run.err());
            assertTrue(run.out().contains("PP101"), "the findings are still reported: " + run.out());
        }
    }

    @Test
    void languageErrorsAreAnnotatedInTheGithubFormat() throws IOException {
        String broken = write("b.policy", "allow ssh from nowhere\n").toString();
        LintFixtures.Run run = lint("--format", "github", broken);
        assertEquals(2, run.exit());
        assertEquals("::error file=" + broken + ",line=1,col=16,endColumn=23::"
                + "unknown name 'nowhere'%0Ahint: define it with 'host', 'network' or 'group', or import it from an inventory\n",
                run.out());
    }

    @Test
    void githubAnnotationsNameFilesFromTheRepositoryRootWhereverTheToolRuns() throws IOException {
        // A step with a working-directory, or a path with ../, names the file relative to elsewhere.
        Files.createDirectories(dir.resolve("repo/.git"));
        Files.createDirectories(dir.resolve("repo/fire walls"));
        String policy = write("repo/fire walls/edge.policy", BASE + "allow ssh from 10.1.2.3/24 to web1\n").toString();
        String annotations = lint("--format", "github", policy).out();
        assertTrue(annotations.contains("::warning file=fire walls/edge.policy,line=4,col=16,"), annotations);
        assertFalse(annotations.contains(dir.toString()), annotations);
    }

    @Test
    void configurationAndBaselineErrorsAreAnnotatedInTheGithubFormat() throws IOException {
        String policy = write("p.policy", BASE).toString();
        Path config = dir.resolve("nosuch.yaml");
        Path baseline = dir.resolve("nosuch.json");
        LintFixtures.Run run = lint("--format", "github", "--config", config.toString(), "--baseline", baseline.toString(),
                policy);
        assertEquals(2, run.exit());
        assertEquals("::error::cannot read configuration " + config + ": no such file\n"
                + "::error::cannot read baseline " + baseline + ": no such file%0Ahint: record one with --write-baseline "
                + baseline + "\n", run.out());
    }

    @Test
    void aMissingPolicyOrConfigurationSuggestsAFileOfASimilarNameBesideIt() throws IOException {
        Path policy = write("edge.policy", BASE);
        write("edge.yaml", "");
        LintFixtures.Run run = lint(dir.resolve("egde.policy").toString());
        assertEquals(2, run.exit());
        assertEquals("portpolicy: error: cannot read '" + dir.resolve("egde.policy") + "': no such file\n"
                + "  hint: did you mean 'edge.policy'?\n", run.err());
        run = lint("--config", dir.resolve("edge.yml").toString(), policy.toString());
        assertEquals(2, run.exit());
        assertEquals("portpolicy: error: cannot read configuration " + dir.resolve("edge.yml") + ": no such file\n"
                + "  hint: did you mean 'edge.yaml'?\n", run.err());
        // Nothing alike: no hint rather than a guess.
        run = lint(dir.resolve("firewall.policy").toString());
        assertEquals("portpolicy: error: cannot read '" + dir.resolve("firewall.policy") + "': no such file\n", run.err());
    }

    @Test
    void baselineRoundTripSurvivesEditsElsewhere() throws IOException {
        Path policy = write("p.policy", BASE + "allow ssh from 10.1.2.3/24 to web1\n");
        Path baseline = dir.resolve("baseline.json");
        LintFixtures.Run first = lint("--fail-on", "warning", "--write-baseline", baseline.toString(), policy.toString());
        assertEquals(1, first.exit(), "writing a baseline still reports the findings");
        String recorded = Files.readString(baseline);
        assertTrue(recorded.contains("\"rule\": \"PP406\""), recorded);
        assertFalse(recorded.contains("\"line\""), "keyed by text, not line numbers");

        assertEquals(0, lint("--fail-on", "warning", "--baseline", baseline.toString(), policy.toString()).exit());
        assertTrue(recorded.contains("\"file\": \"p.policy\""), "named relative to the baseline: " + recorded);
        // The same file named another way is the same file.
        Files.createDirectories(dir.resolve("sub"));
        String roundabout = dir.resolve("sub").resolve("..").resolve("p.policy").toString();
        assertEquals(0, lint("--fail-on", "warning", "--baseline", baseline.toString(), roundabout).exit());
        // Lines inserted above move the finding; the baseline still recognises it.
        Files.writeString(policy, "# a comment\n\n" + BASE + "allow ssh from 10.1.2.3/24 to web1\n");
        LintFixtures.Run moved = lint("--fail-on", "warning", "--baseline", baseline.toString(), policy.toString());
        assertEquals(0, moved.exit(), moved.out());
        assertTrue(moved.out().contains("no problems"), moved.out());
        // A new finding is reported.
        Files.writeString(policy, BASE + "allow ssh from 10.1.2.3/24 to web1\nallow tcp/80 from 10.5.6.7/16 to web1\n");
        LintFixtures.Run fresh = lint("--fail-on", "warning", "--baseline", baseline.toString(), policy.toString());
        assertEquals(1, fresh.exit());
        assertTrue(fresh.out().contains("10.5.6.7/16") && !fresh.out().contains("10.1.2.3/24 has"), fresh.out());
        // Writing the same findings again gives byte-identical JSON.
        lint("--fail-on", "never", "--write-baseline", dir.resolve("again.json").toString(),
                write("q.policy", BASE + "allow ssh from 10.1.2.3/24 to web1\n").toString());
        assertEquals(recorded.replace("p.policy", "q.policy"), Files.readString(dir.resolve("again.json")));
    }

    @Test
    void aWaivedFindingIsNotRecordedSoItReturnsWhenItsWaiverGoes() throws IOException {
        String telnet = "allow telnet from any to web1 owner \"legacy\"";
        Path policy = write("p.policy", BASE + telnet + " waive PP101 \"old kit\" until 2099-01-01\n");
        Path baseline = dir.resolve("baseline.json");
        lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        assertFalse(Files.readString(baseline).contains("PP101"), Files.readString(baseline));
        // Waivers refused, or the waiver removed: the finding is new, not known from the baseline.
        LintFixtures.Run refused = lint("--no-waivers", "--baseline", baseline.toString(), policy.toString());
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.out().contains("PP101"), refused.out());
        Files.writeString(policy, BASE + telnet + "\n");
        assertEquals(1, lint("--baseline", baseline.toString(), policy.toString()).exit());
    }

    @Test
    void theSummarySaysHowManyFindingsTheBaselineLeftOut() throws IOException {
        Path policy = write("p.policy", BASE + "allow ssh from 10.1.2.3/24 to web1\n");
        Path baseline = dir.resolve("baseline.json");
        lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        LintFixtures.Run known = lint("--baseline", baseline.toString(), policy.toString());
        assertEquals("checked 1 policy: no problems; 1 finding recorded in the baseline not shown\n", known.out());
    }

    @Test
    void aBaselinedRuleDocumentedSinceIsStillKnownAndAFirstVersionBaselineStillReads() throws IOException {
        Path policy = write("p.policy", BASE + "allow ssh from 10.1.2.3/24 to web1\n");
        Path baseline = dir.resolve("baseline.json");
        lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        String recorded = Files.readString(baseline);
        assertTrue(recorded.contains("\"version\": 3"), recorded);
        // A comment, owner, ticket or log does not change what the rule decides, nor its finding.
        Files.writeString(policy, BASE + "allow ssh from 10.1.2.3/24 to web1 owner \"ops\" ticket \"OPS-7\" log\n");
        LintFixtures.Run documented = lint("--fail-on", "warning", "--baseline", baseline.toString(), policy.toString());
        assertEquals(0, documented.exit(), documented.out());
        // A new expiry date does: the finding is about a grant that now ends at another time.
        Files.writeString(policy, BASE + "allow ssh from 10.1.2.3/24 to web1 expires 2099-01-01\n");
        assertEquals(1, lint("--fail-on", "warning", "--baseline", baseline.toString(), policy.toString()).exit());

        // Version 1 knew a rule's finding by the rule's whole text, options and all.
        String written = "allow ssh from 10.1.2.3/24 to web1 owner \"ops\"";
        Files.writeString(policy, BASE + written + "\n");
        lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        String identity = "allow ssh from 10.1.2.3/24 to web1";
        String first = Files.readString(baseline).replace("\"version\": 3", "\"version\": 1")
                .replace(Baseline.fingerprint(identity), Baseline.fingerprint(written));
        Files.writeString(baseline, first);
        assertEquals(0, lint("--fail-on", "warning", "--baseline", baseline.toString(), policy.toString()).exit());
    }

    @Test
    void aBaselinedDeclarationCommentedSinceIsStillKnownAndASecondVersionBaselineStillReads() throws IOException {
        String declarations = "default inbound allow\nnetwork lab = 10.9.0.0/16\n";
        Path policy = write("p.policy", BASE.replace("default inbound deny\n", "") + declarations);
        Path baseline = dir.resolve("baseline.json");
        LintFixtures.Run first = lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        assertTrue(first.out().contains("PP108") && first.out().contains("PP401"), first.out());
        // A comment saying why a declaration is there does not change what the finding is about.
        String commented = "default inbound allow   # until the migration, OPS-12\n"
                + "network lab = 10.9.0.0/16   # the \"#2\" lab, kept for the audit\n";
        Files.writeString(policy, BASE.replace("default inbound deny\n", "") + commented);
        LintFixtures.Run known = lint("--fail-on", "note", "--baseline", baseline.toString(), policy.toString());
        assertEquals(0, known.exit(), known.out());
        // A changed declaration is new.
        Files.writeString(policy, BASE.replace("default inbound deny\n", "") + commented.replace("/16", "/24"));
        LintFixtures.Run changed = lint("--fail-on", "note", "--baseline", baseline.toString(), policy.toString());
        assertTrue(changed.out().contains("PP401") && !changed.out().contains("PP108"), changed.out());

        // Version 2 knew a declaration's finding by its whole line, comment and all.
        Files.writeString(policy, BASE.replace("default inbound deny\n", "") + commented);
        lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        String second = Files.readString(baseline).replace("\"version\": 3", "\"version\": 2")
                .replace(Baseline.fingerprint("default inbound allow"),
                        Baseline.fingerprint("default inbound allow # until the migration, OPS-12"))
                .replace(Baseline.fingerprint("network lab = 10.9.0.0/16"),
                        Baseline.fingerprint("network lab = 10.9.0.0/16 # the \"#2\" lab, kept for the audit"));
        Files.writeString(baseline, second);
        assertEquals(0, lint("--fail-on", "note", "--baseline", baseline.toString(), policy.toString()).exit());
    }

    @Test
    void aRuleTurnedOffIsNotEnabledInSarif() throws IOException {
        String policy = write("p.policy", BASE + "network unused = 10.9.0.0/16\n").toString();
        Path config = write("c.yaml", "rules:\n  PP401: off\n");
        LintFixtures.Run run = lint("--format", "sarif", "--config", config.toString(), policy);
        String pp401 = run.out().substring(run.out().indexOf("\"id\": \"PP401\""));
        pp401 = pp401.substring(0, pp401.indexOf("\"properties\""));
        assertTrue(pp401.contains("\"enabled\": false"), pp401);
        String pp406 = run.out().substring(run.out().indexOf("\"id\": \"PP406\""));
        pp406 = pp406.substring(0, pp406.indexOf("\"properties\""));
        assertFalse(pp406.contains("\"enabled\""), pp406);
    }

    @Test
    void aBaselineIsReadAsEveryInputIs() throws IOException {
        Path policy = write("p.policy", BASE + "network unused = 10.9.0.0/16\n");
        Path baseline = dir.resolve("baseline.json");
        lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        assertEquals(1, lint("--fail-on", "note", policy.toString()).exit(), "there are findings to baseline");
        byte[] recorded = Files.readAllBytes(baseline);

        // An editor that saves with a byte-order mark leaves the baseline usable.
        byte[] marked = new byte[recorded.length + 3];
        marked[0] = (byte) 0xEF;
        marked[1] = (byte) 0xBB;
        marked[2] = (byte) 0xBF;
        System.arraycopy(recorded, 0, marked, 3, recorded.length);
        Files.write(baseline, marked);
        LintFixtures.Run withMark = lint("--fail-on", "note", "--baseline", baseline.toString(), policy.toString());
        assertEquals(0, withMark.exit(), withMark.err());

        // A byte that is not UTF-8 is reported where it is, as in a policy or configuration.
        Files.write(baseline, "{\n  \"version\": 2,\n  \"findings\": [\"\u00e9\"]\n}\n".getBytes(StandardCharsets.ISO_8859_1));
        LintFixtures.Run latin = lint("--baseline", baseline.toString(), policy.toString());
        assertEquals(2, latin.exit());
        assertTrue(latin.err().contains(baseline + ":3:17: error: cannot read baseline " + baseline
                + ": it is not UTF-8 text (byte 0xE9)"), latin.err());
        assertFalse(latin.err().contains("Exception"), latin.err());
    }

    @Test
    void aBaselinedFindingGrownMoreSevereIsNew() throws IOException {
        // RDP from a private /8 is a warning; once the network it names is the world, an error.
        String rule = "allow rdp from partners to web1 owner \"ops\"\n";
        Path policy = write("p.policy", BASE + "network partners = 10.0.0.0/8\n" + rule);
        Path baseline = dir.resolve("baseline.json");
        lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        assertTrue(Files.readString(baseline).contains("\"severity\": \"warning\""), Files.readString(baseline));
        assertEquals(0, lint("--fail-on", "warning", "--baseline", baseline.toString(), policy.toString()).exit());

        Files.writeString(policy, BASE + "network partners = 0.0.0.0/0\n" + rule);
        LintFixtures.Run grown = lint("--baseline", baseline.toString(), policy.toString());
        assertEquals(1, grown.exit(), grown.out());
        assertTrue(grown.out().contains("error PP102"), grown.out());

        // A baseline written before severities (and world-ness) were recorded accepts the finding at any severity.
        Files.writeString(baseline, Files.readString(baseline)
                .replaceAll("\\s*\"severity\": \"[a-z]+\",", "").replaceAll("\\s*\"world\": (true|false),", ""));
        assertEquals(0, lint("--fail-on", "note", "--baseline", baseline.toString(), policy.toString()).exit());
    }

    @Test
    void aBaselinedFindingGrownToTheWorldIsNew() throws IOException {
        // Telnet is an error from anywhere: only the sources tell the finding of today from the accepted one.
        String rules = "allow ssh from mgmt to web1 comment \"m\"\nallow telnet from mgmt to web1 comment \"legacy\"\n";
        Path policy = write("p.policy", BASE + "network mgmt = 10.0.0.5\n" + rules);
        Path baseline = dir.resolve("baseline.json");
        lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        assertTrue(Files.readString(baseline).contains("\"world\": false"), Files.readString(baseline));
        assertEquals(0, lint("--fail-on", "note", "--baseline", baseline.toString(), policy.toString()).exit());

        Files.writeString(policy, BASE + "network mgmt = 0.0.0.0/0\n" + rules);
        LintFixtures.Run grown = lint("--baseline", baseline.toString(), policy.toString());
        assertEquals(1, grown.exit(), grown.out());
        assertTrue(grown.out().contains("error PP101 telnet-allowed: admits Telnet (tcp/23) from the whole world"),
                grown.out());

        // A baseline written before world-ness was recorded accepts the finding from the world too.
        Files.writeString(baseline, Files.readString(baseline).replaceAll("\\s*\"world\": (true|false),", ""));
        assertEquals(0, lint("--baseline", baseline.toString(), policy.toString()).exit());
    }

    @Test
    void aHugeRecordedCountCostsNoMemory() throws IOException {
        // Counts are kept as numbers: a baseline of a few bytes must not list two billion occurrences.
        Path policy = write("p.policy", BASE + "allow ssh from 10.1.2.3/24 to web1\n");
        Path baseline = dir.resolve("baseline.json");
        lint("--fail-on", "never", "--write-baseline", baseline.toString(), policy.toString());
        Files.writeString(baseline, Files.readString(baseline).replace("\"count\": 1", "\"count\": 2147483647"));
        assertTrue(Files.readString(baseline).contains("2147483647"), Files.readString(baseline));
        LintFixtures.Run run = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> lint("--fail-on", "note", "--baseline", baseline.toString(), policy.toString()));
        assertEquals(0, run.exit(), run.out() + run.err());
    }

    @Test
    void aBaselineThatCannotBeUsedIsOneLineNamingItAndWhatIsWrong() throws IOException {
        Path policy = write("p.policy", BASE);
        Path missing = dir.resolve("missing.json");
        Map<String, String> errors = new LinkedHashMap<>();
        errors.put(missing.toString(), "cannot read baseline " + missing + ": no such file");
        errors.put(dir.toString(), "cannot read baseline " + dir + ": it is a directory");
        errors.put(write("shape.json", "{\"nope\": 1}").toString(), "baseline " + dir.resolve("shape.json")
                + " is not a portpolicy baseline: it has no \"version\": 3 (or 1 or 2) with a \"findings\" list");
        // A version that is not a whole number is damage, not version 3 read leniently (or true read as 1).
        for (String version : List.of("\"3\"", "3.5", "true")) {
            String name = "version-" + version.replaceAll("\\W", "") + ".json";
            errors.put(write(name, "{\"version\": " + version + ", \"findings\": []}").toString(), "baseline "
                    + dir.resolve(name) + " is not a portpolicy baseline: it has no \"version\": 3 (or 1 or 2) with a"
                    + " \"findings\" list");
        }
        errors.put(write("entry.json", "{\"version\": 1, \"findings\": [\"PP401\"]}").toString(), "baseline "
                + dir.resolve("entry.json") + " is not a portpolicy baseline: finding 1 is not an object");
        errors.put(write("world.json", "{\"version\": 1, \"findings\": [{\"rule\": \"PP101\", \"file\": \"p.policy\", "
                + "\"fingerprint\": \"00\", \"world\": \"yes\"}]}").toString(), "baseline " + dir.resolve("world.json")
                + " is not a portpolicy baseline: finding 1 has a 'world' that is not true or false: \"yes\"");
        errors.forEach((baseline, message) -> {
            LintFixtures.Run run = lint("--baseline", baseline, policy.toString());
            assertEquals(2, run.exit(), run.err());
            assertEquals("portpolicy: error: " + message, run.err().lines().findFirst().orElse(""), run.err());
            assertFalse(run.err().contains("Usage:"), run.err());
            assertEquals("", run.out());
        });
    }

    @Test
    void aBaselineThatIsNotJsonIsAnErrorAtTheLineAndColumnWhereItBreaks() throws IOException {
        // As every located error: FILE:LINE:COL: error: MESSAGE, the line and a caret under the column.
        Path policy = write("p.policy", BASE);
        Path baseline = write("text.json", "{\"version\": 1,\n  \"findings\": [}\n");
        LintFixtures.Run run = lint("--baseline", baseline.toString(), policy.toString());
        assertEquals(2, run.exit(), run.err());
        assertEquals(baseline + ":2:16: error: the baseline is not JSON: unexpected close marker '}'\n"
                + "    \"findings\": [}\n"
                + "                 ^\n"
                + "  hint: a baseline is the JSON file --write-baseline writes\n", run.err());
        assertEquals("", run.out());
        // Cut short at the end of the file: the caret is after its last character.
        Files.writeString(baseline, "{\"version\": 3, \"findings\": [");
        LintFixtures.Run cut = lint("--baseline", baseline.toString(), policy.toString());
        assertTrue(cut.err().startsWith(baseline + ":1:29: error: the baseline is not JSON: it ends in the middle of a"
                + " value\n  {\"version\": 3, \"findings\": [\n" + " ".repeat(30) + "^\n"), cut.err());
        // A word that is no JSON: underlined from its start, where Jackson says where it ends.
        Files.writeString(baseline, "{\"version\": 3, \"findings\": []} junk\n");
        LintFixtures.Run word = lint("--baseline", baseline.toString(), policy.toString());
        assertTrue(word.err().startsWith(baseline + ":1:32: error: the baseline is not JSON: unrecognized token 'junk'\n"
                + "  {\"version\": 3, \"findings\": []} junk\n" + " ".repeat(33) + "^~~~\n"), word.err());
    }

    @Test
    void aBaselineOverAReadingLimitIsDescribedWithoutJavaNames() throws IOException {
        Path policy = write("p.policy", BASE);
        Map<String, String> errors = new LinkedHashMap<>();
        errors.put("[".repeat(100_000), "the baseline is not JSON: it nests deeper than 1,000 levels");
        errors.put("{\"version\": 2, \"findings\": [], \"n\": " + "1".repeat(1_500) + "}",
                "the baseline is not JSON: it holds a number longer than 1,000 characters");
        errors.put("{\"version\": 2, \"findings\": [], \"" + "k".repeat(60_000) + "\": 1}",
                "the baseline is not JSON: it holds a field name longer than 50,000 characters");
        errors.forEach((text, message) -> {
            Path baseline;
            try {
                baseline = write("limit.json", text);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            LintFixtures.Run run = lint("--baseline", baseline.toString(), policy.toString());
            assertEquals(2, run.exit(), run.err());
            String first = run.err().lines().findFirst().orElse("");
            // Located where Jackson says where it stopped; past the nesting limit it does not.
            boolean named = first.startsWith(baseline + ":") || first.startsWith("portpolicy: error: " + baseline + ": ");
            assertTrue(named && first.endsWith(": " + message), run.err());
            assertFalse(run.err().contains("StreamReadConstraints") || run.err().contains("`"), run.err());
        });
    }

    @Test
    void aBaselineThatCannotBeWrittenIsAnErrorWithoutUsage() throws IOException {
        Path policy = write("p.policy", BASE);
        Path baseline = policy.resolve("baseline.json");
        LintFixtures.Run run = lint("--write-baseline", baseline.toString(), policy.toString());
        assertEquals(2, run.exit());
        assertEquals("portpolicy: error: cannot write " + baseline + ": " + policy + " is a file, not a directory\n",
                run.err());
    }

    @Test
    void aRunWithErrorsLeavesTheBaselineAsItWas() throws IOException {
        Path first = write("a.policy", BASE + "allow ssh from 10.1.2.3/24 to web1\n");
        Path second = write("b.policy", BASE + "allow tcp/80 from 10.5.6.7/16 to web1\n");
        Path baseline = dir.resolve("baseline.json");
        assertEquals(0, lint("--write-baseline", baseline.toString(), first.toString(), second.toString()).exit());
        String recorded = Files.readString(baseline);
        assertTrue(recorded.contains("b.policy"), recorded);

        Files.writeString(second, BASE + "allow tcp/80 from nowhere to web1\n");
        LintFixtures.Run broken = lint("--write-baseline", baseline.toString(), first.toString(), second.toString());
        assertEquals(2, broken.exit(), broken.err());
        assertEquals(recorded, Files.readString(baseline), "b.policy's findings are not dropped from it");
        assertTrue(broken.err().contains("portpolicy: warning: baseline " + baseline + " not written: a run with errors"),
                broken.err());
        Path fresh = dir.resolve("fresh.json");
        assertEquals(2, lint("--write-baseline", fresh.toString(), first.toString(), second.toString()).exit());
        assertFalse(Files.exists(fresh), "nor is a new one written without them");
    }

    @Test
    void aBaselineIsNotWrittenToStandardOutputWhichCarriesTheFindings() throws IOException {
        Path policy = write("p.policy", BASE);
        LintFixtures.Run run = lint("--write-baseline", "-", policy.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().startsWith("portpolicy: error: --write-baseline writes a file, not standard output"), run.err());
        assertEquals("", run.out());
        assertFalse(Files.exists(Path.of("-")), "no file named -");
    }

    @Test
    void aBaselineNamedDashIsNotToldToBeRecordedWithAnOptionThatRefusesDash() throws IOException {
        // The hint was "record one with --write-baseline -", which is a usage error.
        Path policy = write("p.policy", BASE);
        LintFixtures.Run run = lint("--baseline", "-", policy.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("cannot read baseline -: no such file\n"
                + "  hint: --baseline reads a file, not standard input (a file named - is ./-)"), run.err());
    }

    @Test
    void aFindingInAnIncludeTwoPoliciesShareIsReportedOnce() throws IOException {
        write("common.policy", BASE + "network lab = 10.9.1.2/24\n");
        Path a = write("a.policy", "include \"common.policy\"\nallow ssh from lab to web1\n");
        Path b = write("b.policy", "include \"common.policy\"\nallow https from lab to web1\n");
        LintFixtures.Run run = lint("--format", "json", a.toString(), b.toString(), a.toString());
        assertEquals(0, run.exit(), run.err());
        // PP406 (host bits set) is about the shared line itself: found for each policy, reported once.
        assertEquals(1, run.out().split("\"PP406\"", -1).length - 1, run.out());
    }

    @Test
    void anErrorInAnIncludeTwoPoliciesShareIsReportedOnce() throws IOException {
        write("common.policy", BASE + "allow ssh from offfice to web1\n");
        Path a = write("a.policy", "include \"common.policy\"\n");
        Path b = write("b.policy", "include \"common.policy\"\nallow https from 10.0.0.0/8 to web1\n");
        LintFixtures.Run github = lint("--format", "github", a.toString(), b.toString());
        assertEquals(2, github.exit(), github.err());
        // One mistake, one annotation and one error on standard error, however many policies include it.
        assertEquals(1, github.out().split("unknown name 'offfice'", -1).length - 1, github.out());
        assertEquals(1, github.err().split("unknown name 'offfice'", -1).length - 1, github.err());
        LintFixtures.Run sarif = lint("--format", "sarif", a.toString(), b.toString());
        assertEquals(1, sarif.out().split("unknown name 'offfice'", -1).length - 1, sarif.out());
    }

    @Test
    void aBaselineIsNeverWrittenOverAnInput() throws IOException {
        // The policy has an error, so it is not checked; the files it reads are inputs all the same.
        Path policy = write("p.policy", "include \"common.policy\"\nallow ssh from nowhere to web1\n");
        Path common = write("common.policy", BASE);
        for (Path output : List.of(policy, dir.resolve("../" + dir.getFileName() + "/common.policy"))) {
            LintFixtures.Run run = lint("--write-baseline", output.toString(), policy.toString());
            assertEquals(2, run.exit(), run.err());
            assertTrue(run.err().contains("portpolicy: error: cannot write " + output + ": it is "), run.err());
            assertTrue(run.err().contains("an input of this run"), run.err());
        }
        assertEquals(BASE, Files.readString(common));
        assertTrue(Files.readString(policy).startsWith("include"));
    }

    @Test
    void standardInputCanBeNamedOnce() {
        LintFixtures.Run run = lint("-", "-");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("'-' (standard input) can be given only once"), run.err());
    }

    @Test
    void aConfigurationThatCannotBeReadIsOneLineNamingIt() throws IOException {
        Path policy = write("p.policy", BASE);
        Path missing = dir.resolve("missing.yaml");
        LintFixtures.Run run = lint("--config", missing.toString(), policy.toString());
        assertEquals(2, run.exit());
        assertEquals("portpolicy: error: cannot read configuration " + missing + ": no such file\n", run.err());
    }

    @Test
    void aConfigurationThatIsNotUtf8IsReportedAtItsFirstInvalidByte() throws IOException {
        Path policy = write("p.policy", BASE);
        Path config = dir.resolve("c.yaml");
        Files.write(config, "rules:\n  PP406: error # caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        LintFixtures.Run run = lint("--config", config.toString(), policy.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().startsWith(config + ":2:21: error: cannot read configuration " + config
                + ": it is not UTF-8 text (byte 0xE9)"), run.err());
        assertTrue(run.err().contains("configurations are UTF-8"), run.err());
    }

    @Test
    void configChangesSeverityAndDisablesRules() throws IOException {
        Path policy = write("p.policy", BASE + "network unused = 10.9.0.0/16\nallow ssh from 10.1.2.3/24 to web1\n");
        Path config = write("c.yaml", "rules:\n  PP406: error\n  PP401: off\n"
                + "sensitive-ports:\n  - { port: 8500, protocol: tcp, service: Consul, why: \"runs checks\" }\n"
                + "ephemeral: 32768-60999\n");
        LintFixtures.Run run = lint("--config", config.toString(), policy.toString());
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.out().contains("error PP406 host-bits-set"), run.out());
        assertFalse(run.out().contains("PP401"), run.out());
    }

    @Test
    void configNamesRulesByIdOrName() throws IOException {
        Path policy = write("p.policy", BASE + "network unused = 10.9.0.0/16\nallow ssh from 10.1.2.3/24 to web1\n");
        Path config = write("c.yaml", "rules:\n  host-bits-set: error\n  unused-object: off\n");
        LintFixtures.Run run = lint("--config", config.toString(), policy.toString());
        assertTrue(run.out().contains("error PP406 host-bits-set"), run.out());
        assertFalse(run.out().contains("PP401"), run.out());

        Path twice = write("t.yaml", "rules:\n  PP406: error\n  host-bits-set: off\n  ssh-exposd: off\n");
        LintFixtures.Run errors = lint("--config", twice.toString(), policy.toString());
        assertEquals(2, errors.exit());
        assertTrue(errors.err().contains("t.yaml:3:3: error: rule PP406 is set twice"), errors.err());
        assertTrue(errors.err().contains("t.yaml:4:3: error: unknown rule ID or name 'ssh-exposd'"), errors.err());
        assertTrue(errors.err().contains("did you mean 'ssh-exposed'?"), errors.err());
    }

    @Test
    void anEphemeralRangeFromTheConfigurationIsNamedSo() throws IOException {
        Path policy = write("p.policy", "stateless\n" + BASE
                + "allow tcp from web1 port 443 to 10.0.0.5 port 49152-65535 comment \"replies\"\n");
        Path config = write("c.yaml", "# clients of every kind\nephemeral: 1024-65535\n");
        LintFixtures.Run run = lint("--config", config.toString(), policy.toString());
        assertTrue(run.out().contains("PP203 ephemeral-mismatch: the return rule admits ports 49152-65535, and no rule admits its "
                + "replies to 1024-49151 of the ephemeral range 1024-65535 of 10.0.0.5 (the configuration's 'ephemeral' setting, " + config + ":2)"),
                run.out());
    }

    @Test
    void configErrorsNameLineAndColumn() throws IOException {
        Path policy = write("p.policy", BASE);
        Path config = write("c.yaml", "rules:\n  PP406: loud\n  PP999: off\nsensitive-port: []\n"
                + "ephemeral: 70000\n");
        LintFixtures.Run run = lint("--config", config.toString(), policy.toString());
        assertEquals(2, run.exit());
        String err = run.err();
        assertTrue(err.contains("c.yaml:2:10: error: 'loud' is not a level for PP406"), err);
        assertTrue(err.contains("c.yaml:3:3: error: unknown rule ID or name 'PP999'"), err);
        assertTrue(err.contains("c.yaml:4:1: error: unknown key 'sensitive-port' in the configuration"), err);
        assertTrue(err.contains("did you mean 'sensitive-ports'"), err);
        assertTrue(err.contains("c.yaml:5:12: error: '70000' is not a port or port range"), err);
        assertEquals("", run.out());
        LintFixtures.Run badRange = lint("--config", write("r.yaml", "wide-port-range: 0\n").toString(),
                policy.toString());
        assertTrue(badRange.err().contains("r.yaml:1:18: error: '0' is not a number of ports"), badRange.err());
    }

    @Test
    void aYamlAliasInTheConfigurationIsOneErrorAlone() throws IOException {
        Path policy = write("p.policy", BASE);
        Path config = write("c.yaml", "ephemeral: &e 32768-60999\nsensitive-ports: *e\nwide-port-range: *e\n");
        LintFixtures.Run run = lint("--config", config.toString(), policy.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("c.yaml:2:18: error: YAML alias '*e': aliases are not supported"), run.err());
        assertTrue(run.err().contains("c.yaml:3:18: error: YAML alias '*e': aliases are not supported"), run.err());
        // What the alias stands for is not read, so it is not also "not a list" or "not a number".
        assertEquals(2, run.err().lines().filter(line -> line.contains(": error: ")).count(), run.err());
    }

    @Test
    void aSensitivePortsValuesAreCheckedAllAtOnceAndItsWordsMustBeGiven() throws IOException {
        Path policy = write("p.policy", BASE);
        Path config = write("c.yaml", "sensitive-ports:\n"
                + "  - { port: 70000, protocol: tcp, service: Consul }\n"
                + "  - { port: 4646, protocol: tcp, service: \"\", why: \" \" }\n");
        LintFixtures.Run run = lint("--config", config.toString(), policy.toString());
        assertEquals(2, run.exit());
        // The missing 'why' does not hide the bad port: one run names both.
        assertTrue(run.err().contains("c.yaml:2:5: error: a sensitive port needs 'why'"), run.err());
        assertTrue(run.err().contains("c.yaml:2:13: error: '70000' is not a port or port range"), run.err());
        assertTrue(run.err().contains("c.yaml:3:43: error: 'service' must not be empty"), run.err());
        assertTrue(run.err().contains("c.yaml:3:52: error: 'why' must not be empty"), run.err());
    }

    @Test
    void aConfigurationKeyThatIsAListIsSaidPlainly() throws IOException {
        Path policy = write("p.policy", BASE);
        Path config = write("c.yaml", "rules:\n  ? [PP406, PP401]\n  : off\n");
        LintFixtures.Run run = lint("--config", config.toString(), policy.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().startsWith(config + ":2:5: error: invalid YAML: a key must be a plain name, not a list or a"
                + " mapping\n"), run.err());
        assertFalse(run.err().contains("org.yaml"), run.err());
    }

    @Test
    void configSetsTheWidthOfAWidePortRange() throws IOException {
        Path policy = write("p.policy", BASE + "allow tcp/8000-8040 from 10.1.0.0/16 to web1\n");
        assertTrue(lint(policy.toString()).out().contains("PP106"), "41 ports are over the default 30");
        Path config = write("c.yaml", "wide-port-range: 41\n");
        LintFixtures.Run run = lint("--config", config.toString(), policy.toString());
        assertFalse(run.out().contains("PP106"), run.out());
        Path tighter = write("t.yaml", "wide-port-range: 40\n");
        assertTrue(lint("--config", tighter.toString(), policy.toString()).out().contains("a range of over 40 ports"));
    }

    @Test
    void configIsFoundInTheStartDirectoryOrTheNearestParent() throws IOException {
        Path nested = Files.createDirectories(dir.resolve("a/b"));
        Path top = write(ConfigReader.FILE_NAME, "rules:\n  PP406: off\n");
        assertEquals(top, ConfigReader.find(nested));
        Path closer = Files.writeString(dir.resolve("a").resolve(ConfigReader.FILE_NAME), "");
        assertEquals(closer, ConfigReader.find(nested));
        assertEquals(closer, ConfigReader.find(dir.resolve("a")));
    }
}
