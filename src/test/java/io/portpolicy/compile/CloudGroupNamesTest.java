package io.portpolicy.compile;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portpolicy.compile.azure.AzureBackend;
import io.portpolicy.compile.cloud.GroupNames;
import io.portpolicy.engine.EffectivePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The names cloud backends derive from group names: a name the platform refuses, or one two
 * groups would share, is refused at the group's definition, like every other compile error.
 */
class CloudGroupNamesTest {

    @TempDir
    Path dir;

    /** Compiles {@code policy} (written to site.policy) with {@code args}; the run must be refused. */
    private String refused(String policy, String... args) throws IOException {
        Path file = dir.resolve("site.policy");
        Files.writeString(file, policy);
        Path out = dir.resolve("out");
        String[] command = new String[args.length + 4];
        command[0] = "compile";
        command[1] = file.toString();
        command[2] = "-o";
        command[3] = out.toString();
        System.arraycopy(args, 0, command, 4, args.length);
        CompileFixtures.Run run = CompileFixtures.run(command);
        assertEquals(2, run.exit(), run.err());
        assertFalse(Files.exists(out), "nothing is written");
        assertFalse(run.err().contains("Exception"), run.err());
        return run.err();
    }

    /** The error's first line is at {@code line}:{@code column} of site.policy, with the source line, a caret and a hint. */
    private void assertLocated(String err, int line, int column, String source) {
        String[] lines = err.split("\n");
        assertTrue(lines[0].startsWith(dir.resolve("site.policy") + ":" + line + ":" + column + ": error: cannot compile"),
                err);
        assertEquals("  " + source, lines[1], err);
        assertTrue(lines[2].matches(" {" + (column + 1) + "}\\^~*"), err);
        assertTrue(lines[3].startsWith("  hint: "), err);
    }

    @Test
    void aNameAwsReservesIsRefusedAtTheGroup() throws IOException {
        String err = refused("group sg-web = 10.1.0.0/24\nallow tcp/22 from any to sg-web\n",
                "--target", "aws", "--group", "sg-web");
        assertLocated(err, 1, 7, "group sg-web = 10.1.0.0/24");
        assertTrue(err.contains("starting with 'sg-'"), err);
    }

    @Test
    void gcpTagsOfTwoGroupsAndANameWithoutLettersAreRefusedAtTheGroup() throws IOException {
        String policy = "group Web_A = 10.1.0.0/24\ngroup web-a = 10.2.0.0/24\ngroup _ = 10.3.0.0/24\n"
                + "allow tcp/22 from any to Web_A\n";
        String err = refused(policy, "--target", "gcp", "--group", "Web_A");
        assertLocated(err, 1, 7, "group Web_A = 10.1.0.0/24");
        assertTrue(err.contains("the GCP network tag 'web-a'"), err);
        err = refused(policy, "--target", "gcp", "--group", "_");
        assertLocated(err, 3, 7, "group _ = 10.3.0.0/24");
        assertTrue(err.contains("no letter or digit"), err);
    }

    @Test
    void namesThePlatformTakesForTheSameAreRefusedNamingBothGroups() throws IOException {
        String cases = "group Web = 10.1.0.0/24\ngroup web = 10.2.0.0/24\nallow tcp/22 from any to Web\n";
        String other = dir.resolve("site.policy") + ":2:7";
        for (String target : new String[] {"azure", "aws", "gcp"}) {
            String err = refused(cases, "--target", target, "--all");
            assertLocated(err, 1, 7, "group Web = 10.1.0.0/24");
            // GCP lower-cases tags; AWS and Azure keep the case and compare ignoring it.
            assertTrue(err.contains("groups 'Web' and 'web' (" + other + ")"
                    + (target.equals("gcp") ? " both become the GCP network tag 'web'" : " become the ")), err);
            if (!target.equals("gcp")) assertTrue(err.contains(" name 'Web' / 'web', alike as 'web': "), err);
        }
        String longName = "g".repeat(79);
        String err = refused("group " + longName + "1 = 10.1.0.0/24\ngroup " + longName + "2 = 10.2.0.0/24\n",
                "--target", "azure", "--group", longName + "1");
        assertTrue(err.contains("both become the Azure NSG name '" + longName + "'"), err);

        String dotted = "group web.a = 10.1.0.0/24\ngroup web_a = 10.2.0.0/24\nallow tcp/22 from any to web.a\n";
        err = refused(dotted, "--target", "aws", "--format", "terraform", "--all");
        assertLocated(err, 1, 7, "group web.a = 10.1.0.0/24");
        assertTrue(err.contains("both become the Terraform name 'web_a'"), err);
        CompileFixtures.Run json = CompileFixtures.run("compile", dir.resolve("site.policy").toString(), "--target",
                "aws", "--all", "-o", dir.resolve("json").toString());
        assertEquals(0, json.exit(), "AWS tells web.a from web_a: " + json.err());
    }

    @Test
    void azureNamesStartWithALetterOrDigit() throws IOException, CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(
                "group _web = 10.1.0.0/24\ngroup __9.db- = 10.2.0.0/24\nallow tcp/22 from any to _web\n"),
                CompileFixtures.TODAY);
        for (String[] group : new String[][] {{"_web", "web"}, {"__9.db-", "9.db-_"}}) {
            String template = CompileFixtures.compile(new AzureBackend(), effective,
                    effective.target(group[0]).orElseThrow()).parts().get(0).text();
            assertEquals(group[1], new ObjectMapper().readTree(template).get("resources").get(0).get("name").asText());
        }
        String err = refused("group _web = 10.1.0.0/24\ngroup web = 10.2.0.0/24\ngroup _ = 10.3.0.0/24\n",
                "--target", "azure", "--group", "_web");
        assertLocated(err, 1, 7, "group _web = 10.1.0.0/24");
        assertTrue(err.contains("both become the Azure NSG name 'web'"), err);
        err = refused("group _ = 10.3.0.0/24\n", "--target", "azure");
        assertLocated(err, 1, 7, "group _ = 10.3.0.0/24");
        assertTrue(err.contains("group '_' has no letter or digit to make the Azure NSG name from"), err);
    }

    @Test
    void eachGroupsNameIsDerivedOnceNotOnceForEveryOtherGroup() throws CompileException {
        StringBuilder text = new StringBuilder();
        int groups = 200;
        for (int i = 0; i < groups; i++) text.append("group g").append(i).append(" = 10.9.").append(i).append(".1\n");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(text + "allow tcp/22 to g0\n"),
                CompileFixtures.TODAY);
        AtomicInteger derived = new AtomicInteger();
        GroupNames names = new GroupNames("test name", name -> {
            derived.incrementAndGet();
            return name.equals("g10") ? "g0" : name;
        }, GroupNames.EXACT, "they clash", null);
        for (int i = 1; i < groups; i++) {
            if (i != 10) assertEquals("g" + i, names.of(effective, "g" + i));
        }
        // Asked about every group, each compared with every other: 40,000 derivations; indexed, two per group.
        assertTrue(derived.get() <= 2 * groups, derived + " derivations");
        CompileException clash = assertThrows(CompileException.class, () -> names.of(effective, "g10"));
        assertTrue(clash.getMessage().contains("groups 'g10' and 'g0' ("), clash.getMessage());
        assertTrue(clash.getMessage().contains("both become the test name 'g0': they clash"), clash.getMessage());
    }
}
