package io.portpolicy.cli;

import io.portpolicy.diag.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the command line's mistakes are reported: an unknown option by name with the one meant,
 * a bad value in one line with a hint (no usage), option words in any case.
 */
class UsageErrorTest {

    @TempDir
    Path dir;

    private String policy() throws IOException {
        return Files.writeString(dir.resolve("p.policy"), """
                host web1 = 10.0.1.11
                network office = 192.0.2.0/24
                allow ssh from office to web1
                """, StandardCharsets.UTF_8).toString();
    }

    @Test
    void anUnknownOptionIsNamedWithTheOneMeantEvenWhenARequiredOneIsMissing() throws IOException {
        CliRun run = CliRun.run(false, "compile", policy(), "--targt", "nftables");
        assertEquals(2, run.exit());
        assertEquals("portpolicy: error: unknown option '--targt'\n  hint: did you mean '--target'?\n", run.err());
    }

    @Test
    void anUnknownCommandIsNamedWithTheOneMeantWithoutTheUsage() {
        CliRun typo = CliRun.run(false, "lnt", "x.policy");
        assertEquals(2, typo.exit());
        assertEquals("portpolicy: error: unknown command 'lnt'\n  hint: did you mean 'lint'?\n", typo.err());
        CliRun other = CliRun.run(false, "xyz");
        assertEquals(2, other.exit());
        assertEquals("portpolicy: error: unknown command 'xyz'\n"
                + "  hint: the commands are lint, query, rules, compile, diff, fmt, help\n", other.err());
        assertEquals("", other.out());
    }

    @Test
    void helpForAnUnknownCommandSaysItAsAnUnknownCommandDoes() {
        CliRun typo = CliRun.run(false, "help", "lnt");
        assertEquals(2, typo.exit());
        assertEquals("portpolicy: error: unknown command 'lnt'\n  hint: did you mean 'lint'?\n", typo.err());
        assertEquals("", typo.out());
        CliRun other = CliRun.run(false, "help", "xyz");
        assertEquals(2, other.exit());
        assertEquals("portpolicy: error: unknown command 'xyz'\n"
                + "  hint: the commands are lint, query, rules, compile, diff, fmt, help\n", other.err());
    }

    @Test
    void anOptionGivenTwiceIsOneLineAndAHintWithoutTheUsage() throws IOException {
        CliRun run = CliRun.run(false, "query", policy(), "--from", "192.0.2.7", "--to", "web1", "--proto", "tcp",
                "--port", "22", "--port", "23");
        assertEquals(2, run.exit());
        assertEquals("portpolicy: error: --port is given more than once; give it once\n"
                + "  hint: see 'portpolicy query --help'\n", run.err());
        assertEquals("", run.out());
    }

    @Test
    void aFileStartingWithADashIsExplained() {
        CliRun run = CliRun.run(false, "lint", "-dash.policy");
        assertEquals(2, run.exit());
        assertEquals("portpolicy: error: unknown option '-dash.policy'\n  hint: a file whose name starts with '-' is"
                + " named ./-dash.policy, or after '--': portpolicy lint -- -dash.policy\n", run.err());
        // After '--' it is a file: here, one that does not exist.
        CliRun file = CliRun.run(false, "lint", "--", "-dash.policy");
        assertEquals(2, file.exit());
        assertTrue(file.err().startsWith("portpolicy: error: cannot read '-dash.policy': no such file"), file.err());
    }

    @Test
    void anOptionOfOtherCommandsIsSaidToBeTheirsNotTakenForAFile() throws IOException {
        CliRun config = CliRun.run(false, "fmt", "--check", "--config", "c.yaml", policy());
        assertEquals(2, config.exit());
        assertEquals("portpolicy: error: unknown option '--config'\n"
                + "  hint: fmt takes no --config; lint, query, compile and diff take it\n", config.err());
        CliRun target = CliRun.run(false, "lint", "--target=nftables", policy());
        assertEquals("portpolicy: error: unknown option '--target'\n  hint: lint takes no --target; compile takes it\n",
                target.err());
    }

    /**
     * An option of a command written before the command is said to go after it, in one line
     * with the command line rewritten, whatever else the command then lacks: not the tool's
     * unknown option, nor picocli's message and usage for a required option missing after it.
     */
    @Test
    void anOptionOfACommandBeforeTheCommandIsSaidToGoAfterIt() throws IOException {
        String policy = policy();
        CliRun config = CliRun.run(false, "--config", "my c.yaml", "lint", policy);
        assertEquals(2, config.exit());
        assertEquals("portpolicy: error: --config is an option of lint; write it after the command: portpolicy lint"
                + " --config 'my c.yaml' " + policy + "\n", config.err());
        assertEquals("", config.out());
        CliRun compile = CliRun.run(false, "--target", "nftables", "-o", "out", "compile", policy, "--host", "web1");
        assertEquals(2, compile.exit());
        assertEquals("portpolicy: error: --target and -o are options of compile; write them after the command:"
                + " portpolicy compile --target nftables -o out " + policy + " --host web1\n", compile.err());
        CliRun check = CliRun.run(false, "--check", "fmt", policy);
        assertEquals(2, check.exit());
        assertEquals("portpolicy: error: --check is an option of fmt; write it after the command: portpolicy fmt"
                + " --check " + policy + "\n", check.err());
        CliRun today = CliRun.run(false, "--today=2026-01-01", "diff", policy, policy);
        assertEquals("portpolicy: error: --today is an option of diff; write it after the command: portpolicy diff"
                + " --today=2026-01-01 " + policy + " " + policy + "\n", today.err());
        // An option the command does not take either is still an unknown option, with the commands taking it.
        assertEquals("portpolicy: error: unknown option '--check'\n  hint: portpolicy takes no --check; fmt takes it\n",
                CliRun.run(false, "--check", "lint", policy).err());
    }

    @Test
    void aBadValueIsOneLineAndAHintWithoutTheUsage() throws IOException {
        String policy = policy();
        assertEquals("portpolicy: error: no host 'web4' in the policy; did you mean 'web1'?\n"
                        + "  hint: see 'portpolicy compile --help'\n",
                CliRun.run(false, "compile", policy, "--target", "nftables", "--host", "web4").err());
        List<List<String>> queries = List.of(
                List.of("--from", "office", "--to", "web1", "--proto", "tcp", "--port", "22"),
                List.of("--from", "10.0.0.5", "--to", "web1", "--proto", "tcp", "--port", "70000"),
                List.of("--from", "10.0.0.5", "--to", "web1", "--proto", "tcp", "--port", "abc"),
                List.of("--from", "10.0.0.5", "--to", "web1", "--proto", "tcp", "--port", "22", "--sport", "99999999999"));
        for (List<String> options : queries) {
            String[] args = new String[options.size() + 2];
            args[0] = "query";
            args[1] = policy;
            for (int i = 0; i < options.size(); i++) args[i + 2] = options.get(i);
            CliRun run = CliRun.run(false, args);
            assertEquals(2, run.exit(), run.err());
            assertEquals(2, run.err().lines().count(), run.err());
            assertTrue(run.err().endsWith("\n  hint: see 'portpolicy query --help'\n"), run.err());
            assertFalse(run.err().contains("an int"), run.err());
        }
        assertTrue(CliRun.run(false, "query", policy, "--from", "10.0.0.5", "--to", "web1", "--proto", "tcp",
                "--port", "abc").err().contains("'abc' is not a port number (0-65535)"));
        assertEquals("portpolicy: error: --family must be 4 or 6, not '5'\n  hint: see 'portpolicy compile --help'\n",
                CliRun.run(false, "compile", policy, "--target", "iptables", "--host", "web1", "--family", "5").err());
    }

    @Test
    void aHostNamedAsAGroupOrAGroupAsAHostIsSaidToBeWhatItIs() throws IOException {
        String policy = Files.writeString(dir.resolve("gw.policy"), """
                host gw = 10.0.0.1
                allow ssh from 10.0.0.0/8 to gw
                """, StandardCharsets.UTF_8).toString();
        CliRun group = CliRun.run(false, "compile", policy, "--target", "aws-nacl", "--group", "gw");
        assertEquals(2, group.exit());
        assertEquals("portpolicy: error: no group 'gw' in the policy: 'gw' is a host, and aws-nacl compiles groups;"
                + " the policy has no groups\n"
                + "  hint: compile host 'gw' for a host target (nftables, iptables, windows) with --host gw,"
                + " e.g. --target nftables --host gw; or put it in a group and give --group with that group\n",
                group.err());
        String groups = Files.writeString(dir.resolve("web.policy"), """
                host web1 = 10.0.1.11
                group web = web1
                allow https from 10.0.0.0/8 to web
                """, StandardCharsets.UTF_8).toString();
        CliRun host = CliRun.run(false, "compile", groups, "--target", "nftables", "--host", "web");
        assertEquals(2, host.exit());
        assertEquals("portpolicy: error: no host 'web' in the policy: 'web' is a group, and nftables compiles hosts;"
                + " the policy has hosts: web1\n"
                + "  hint: compile group 'web' for a group target (aws, aws-nacl, azure, gcp) with --group web,"
                + " e.g. --target aws --group web; or give --host with one of its hosts: web1\n", host.err());
        // A host in a group is told the group; a group of networks has no hosts to offer.
        CliRun inGroup = CliRun.run(false, "compile", groups, "--target", "aws", "--group", "web1");
        assertTrue(inGroup.err().endsWith("; or give --group with a group holding it: web\n"), inGroup.err());
        String networks = Files.writeString(dir.resolve("nets.policy"), """
                group web = 10.0.1.0/24
                allow https from 10.0.0.0/8 to web
                """, StandardCharsets.UTF_8).toString();
        CliRun noHosts = CliRun.run(false, "compile", networks, "--target", "nftables", "--host", "web");
        assertTrue(noHosts.err().endsWith("e.g. --target aws --group web\n"), noHosts.err());
    }

    @Test
    void optionWordsAreTakenInAnyCaseAndABadOneIsEchoed() throws IOException {
        String policy = policy();
        CliRun json = CliRun.run(false, "lint", policy, "--format", "JSON", "--fail-on", "Never");
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().startsWith("["), json.out());
        CliRun nft = CliRun.run(false, "compile", policy, "--target", "NFTABLES", "--host", "web1", "--format", "NFT");
        assertEquals(0, nft.exit(), nft.err());
        assertEquals(0, CliRun.run(false, "diff", policy, policy, "--format", "Markdown").exit());
        assertEquals(0, CliRun.run(false, "rules", "--format", "JSON").exit());
        assertTrue(CliRun.run(false, "compile", policy, "--target", "nftables", "--host", "web1", "--format", "zz").err()
                .startsWith("portpolicy: error: --format for nftables must be nft, not 'zz'\n"));
    }

    @Test
    void theConfigurationsDefaultIsNeverBrokenAcrossLines() {
        for (String command : List.of("lint", "query", "compile", "diff")) {
            String help = CliRun.run(false, command, "--help").out();
            assertTrue(help.contains("default: .portpolicy.yaml in the current directory"), command + ":\n" + help);
        }
    }

    @Test
    void diffsUsageTakesTwoPoliciesOrOneFileWithGit() {
        // diff takes OLD NEW, or with --git exactly one FILE: the help must not show FILE...
        String help = CliRun.run(false, "diff", "--help").out();
        assertTrue(help.contains(" OLD NEW | FILE\n"), help);
        assertFalse(help.contains("FILE..."), help);
    }

    @Test
    void diffWithoutItsFilesSaysWhatItTakesInOneLine() {
        String takes = "portpolicy: error: give OLD and NEW, or --git REV FILE\n  hint: see 'portpolicy diff --help'\n";
        for (String[] args : List.of(new String[] {"diff"}, new String[] {"diff", "a"},
                new String[] {"diff", "a", "b", "c"})) {
            CliRun run = CliRun.run(false, args);
            assertEquals(2, run.exit(), run.err());
            assertEquals(takes, run.err());
        }
        CliRun git = CliRun.run(false, "diff", "--git", "HEAD");
        assertEquals(2, git.exit(), git.err());
        assertEquals("portpolicy: error: with --git, give one FILE: it is compared as of HEAD with the working tree\n"
                + "  hint: see 'portpolicy diff --help'\n", git.err());
    }

    @Test
    void fmtNamesStandardInputAsLintDoes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"fmt", "--check", "-"},
                new ByteArrayInputStream("host  web1 = 10.0.1.11\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()), false);
        assertEquals(1, exit);
        assertEquals("<stdin>: would be reformatted\n", out.toString(StandardCharsets.UTF_8));
    }
}
