package io.portpolicy.compile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compile --all warns of the files an earlier compile of the same policy, target and format left
 * in its directory and this one did not write (a host or group removed or renamed since), and of
 * nothing else; it deletes nothing and still exits 0.
 */
class CompileStaleFilesTest {

    private static final String HOSTS = """
            host web1 = 10.0.0.1
            host web2 = 10.0.0.2
            allow tcp/443 from any to web1, web2
            """;

    private static final String GROUPS = """
            group web = 10.0.1.0/24
            group db = 10.0.2.0/24
            allow tcp/443 from any to web
            allow tcp/5432 from web to db
            """;

    @Test
    void aHostRemovedSinceAnEarlierCompileIsWarnedOfAndNothingElse(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, compile(dir, HOSTS, "nftables", out).exit());
        assertEquals(0, compile(dir, HOSTS, "windows", out).exit(), "another target's files, web2.ps1 among them");
        Files.writeString(out.resolve("README.md"), "deployed by ansible\n");
        Files.writeString(out.resolve("extra.nft"), "# the user's own rules, no header\ntable inet extra {}\n");

        CompileFixtures.Run run = compile(dir, HOSTS.replace("host web2 = 10.0.0.2\n", "").replace(", web2", ""),
                "nftables", out);

        assertEquals(0, run.exit(), run.err());
        assertEquals("portpolicy: warning: " + out.resolve("web2.nft") + ": written by an earlier compile of this"
                + " policy for nftables, not by this compile --all: most likely for a host removed or renamed since\n"
                + "  hint: delete it before deploying " + out + " if so: a deployment of the whole directory would"
                + " push it\n", run.err());
        assertEquals(List.of("README.md", "extra.nft", "web1.nft", "web1.ps1", "web2.nft", "web2.ps1"), names(out),
                "nothing is deleted");
    }

    @Test
    void bothIptablesFilesOfARenamedHostAreWarnedOfWhateverVersionWroteThem(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, compile(dir, HOSTS, "iptables", out).exit());
        Path olderV6 = out.resolve("web2.v6");
        Files.writeString(olderV6, Files.readString(olderV6).replaceFirst("portpolicy \\S+ ", "portpolicy 0.0.9 "));
        // nftables' output under an iptables name: not what an iptables compile writes.
        assertEquals(0, compile(dir, HOSTS, "nftables", dir.resolve("nft")).exit());
        Files.copy(dir.resolve("nft/web1.nft"), out.resolve("nft.v4"));

        CompileFixtures.Run run = compile(dir, HOSTS.replace("web2", "www2"), "iptables", out);

        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of(out.resolve("web2.v4") + STALE + "iptables" + FOR_HOST,
                out.resolve("web2.v6") + STALE + "iptables" + FOR_HOST), warnings(run));
        assertEquals(List.of("nft.v4", "web1.v4", "web1.v6", "web2.v4", "web2.v6", "www2.v4", "www2.v6"), names(out));
    }

    @Test
    void anEc2JsonFileIsToldFromTheOtherJsonFormatsByItsGroupDescription(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, compile(dir, GROUPS, "aws", out).exit());
        assertEquals(0, compile(dir, GROUPS.replace("group db", "group nacl").replace(" db", " nacl"), "aws-nacl", out)
                .exit());
        assertEquals(0, compile(dir, GROUPS.replace("group db", "group tf").replace(" db", " tf"), "aws", out,
                "--format", "terraform").exit());

        CompileFixtures.Run run = compile(dir, GROUPS.replace("db", "database"), "aws", out);

        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of(out.resolve("db.json") + STALE + "aws, not by this compile --all: most likely for a group"
                + " removed or renamed since"), warnings(run));
    }

    @Test
    void anotherPolicysFilesAndLinksAreNotWarnedOf(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, compile(dir, HOSTS, "nftables", out).exit());
        Path other = dir.resolve("other.policy");
        Files.writeString(other, HOSTS.replace("web", "db"));

        CompileFixtures.Run beside = compile(other, "nftables", out);

        assertEquals(0, beside.exit());
        assertEquals("", beside.err(), "web1.nft and web2.nft are site.policy's");

        // db2 removed, and the directory holds a link to its file, not the file.
        Files.move(out.resolve("db2.nft"), dir.resolve("db2.nft"));
        Files.createSymbolicLink(out.resolve("db2.nft"), dir.resolve("db2.nft"));
        Files.writeString(other, HOSTS.replace("web", "db").replace("host db2 = 10.0.0.2\n", "").replace(", db2", ""));

        CompileFixtures.Run linked = compile(other, "nftables", out);

        assertEquals(0, linked.exit());
        assertEquals("", linked.err(), "a link in the directory is not read");
        assertTrue(Files.isSymbolicLink(out.resolve("db2.nft")));
    }

    @Test
    void filesAreKnownByThePolicyNameAsEachFormatWritesIt(@TempDir Path dir) throws IOException {
        // Terraform names the policy within a line or a JSON string; netsh writes '&' as '_';
        // headers write runs of blanks as one: each is compared as its format writes it.
        Path policy = Files.createDirectories(dir.resolve("r&d  zürich")).resolve("site.policy");
        Files.writeString(policy, GROUPS);
        for (List<String> format : List.of(List.of("aws", "terraform"), List.of("gcp", "terraform"))) {
            Path out = dir.resolve(format.get(0) + "-tf");
            assertEquals(0, compile(policy, format.get(0), out, "--format", "terraform").exit());
            Files.writeString(policy, GROUPS.replace("db", "database"));

            CompileFixtures.Run run = compile(policy, format.get(0), out, "--format", "terraform");

            Files.writeString(policy, GROUPS);
            assertEquals(List.of(out.resolve("db.tf.json") + STALE + format.get(0)
                    + ", not by this compile --all: most likely for a group removed or renamed since"), warnings(run));
        }
        Path hosts = policy.resolveSibling("hosts.policy");
        Files.writeString(hosts, HOSTS);
        Path out = dir.resolve("netsh");
        assertEquals(0, compile(hosts, "windows", out, "--format", "netsh").exit());
        Files.writeString(hosts, HOSTS.replace("web2", "www2"));

        CompileFixtures.Run run = compile(hosts, "windows", out, "--format", "netsh");

        assertEquals(List.of(out.resolve("web2.cmd") + STALE + "windows" + FOR_HOST), warnings(run));
    }

    @Test
    void gcpApiJsonCarriesNothingToKnowItByAndIsNotWarnedOf(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, compile(dir, GROUPS, "gcp", out).exit());

        CompileFixtures.Run run = compile(dir, GROUPS.replace("db", "database"), "gcp", out);

        assertEquals(0, run.exit(), run.err());
        assertEquals("", run.err());
        assertEquals(List.of("database.json", "db.json", "web.json"), names(out));
    }

    private static CompileFixtures.Run compile(Path dir, String policy, String target, Path out, String... more)
            throws IOException {
        Path file = dir.resolve("site.policy");
        Files.writeString(file, policy);
        return compile(file, target, out, more);
    }

    private static CompileFixtures.Run compile(Path file, String target, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("compile", file.toString(), "--target", target, "--all",
                "-o", out.toString(), "--today", "2026-11-21"));
        args.addAll(List.of(more));
        return CompileFixtures.run(args.toArray(String[]::new));
    }

    private static final String STALE = ": written by an earlier compile of this policy for ";
    private static final String FOR_HOST = ", not by this compile --all: most likely for a host removed or renamed since";

    /** The warnings' messages, without their hints. */
    private static List<String> warnings(CompileFixtures.Run run) {
        return run.err().lines().filter(line -> line.startsWith("portpolicy: warning: "))
                .map(line -> line.substring("portpolicy: warning: ".length())).toList();
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
