package io.portpolicy.compile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compile --all for aws and gcp warns of two groups sharing addresses whose rules may decide a
 * packet there differently ('self' at the other end is each group in its own rules): an
 * instance in both gets both groups' rules, which the platform combines its own way.
 */
class SharedAddressesTest {

    @TempDir
    Path dir;

    static final String SELF = "group cassandra = 10.0.0.0/28\ngroup monitored = 10.0.0.5, 10.0.1.0/24\n"
            + "group other = 10.0.2.0/24\ndefault inbound deny\nallow tcp/7000 from self to self\n";

    private CompileFixtures.Run compileAll(String policy, String target) throws IOException {
        Path file = dir.resolve("site.policy");
        Files.writeString(file, policy);
        Path out = dir.resolve(target);
        CompileFixtures.Run run = CompileFixtures.run("compile", file.toString(), "--target", target, "--all", "-o",
                out.toString());
        assertEquals(0, run.exit(), "a warning changes neither the output nor the exit: " + run.err());
        assertTrue(Files.exists(out.resolve("cassandra.json")), run.err());
        return run;
    }

    @Test
    void groupsSharingAddressesWhereSelfMayDecideDifferentlyAreWarnedOfOnce() throws IOException {
        for (String target : new String[] {"gcp", "aws"}) {
            String err = compileAll(SELF, target).err();
            String first = dir.resolve("site.policy") + ":5:1: warning: groups cassandra and monitored share 10.0.0.5"
                    + " and decide some packet there differently: this rule names 'self' at the other end of the packet,"
                    + " which is each group in its own rules; an instance in both ";
            assertTrue(err.startsWith(first), err);
            assertEquals(1, err.split("warning:", -1).length - 1, "warned of once, not once per group: " + err);
            assertFalse(err.contains("and other share"), err);
            assertTrue(err.contains(target.equals("gcp") ? "merged by priority" : "admit what either admits"), err);
        }
    }

    /**
     * Ranges where one ends at the address the other begins with share that address; ranges
     * that only meet, one ending just below where the other begins, share nothing.
     */
    @Test
    void groupsSharingOnlyTheAddressWhereTheyMeetAreWarnedOf() throws IOException {
        String meeting = "group cassandra = 10.0.0.0-10.0.0.10\ngroup monitored = 10.0.0.10-10.0.0.20\n"
                + "default inbound deny\nallow tcp/7000 from self to self\n";
        String adjacent = meeting.replace("10.0.0.0-10.0.0.10", "10.0.0.0-10.0.0.9");
        for (String target : new String[] {"gcp", "aws"}) {
            String err = compileAll(meeting, target).err();
            assertTrue(err.startsWith(dir.resolve("site.policy") + ":4:1: warning: groups cassandra and monitored share"
                    + " 10.0.0.10 and decide some packet there differently"), err);
            assertEquals("", compileAll(adjacent, target).err());
        }
    }

    /** 'except self' excludes each group's own peers: at the other group it matches those of this one. */
    @Test
    void selfInExceptIsWarnedOfToo() throws IOException {
        String except = SELF.replace("default inbound deny\nallow tcp/7000 from self to self",
                "default inbound allow\ndeny tcp/7000 from any except self to self");
        String err = compileAll(except, "gcp").err();
        assertTrue(err.startsWith(dir.resolve("site.policy") + ":5:1: warning: groups cassandra and monitored share"
                + " 10.0.0.5 and decide some packet there differently"), err);
    }

    @Test
    void groupsWhoseRulesDecideAlikeThereAreNotWarnedOf() throws IOException {
        String named = SELF.replace("from self to self", "from cassandra, monitored to cassandra, monitored");
        assertEquals("", compileAll(named, "gcp").err());
        // 'self' at the other end, but what it allows the default allows too: both groups decide alike.
        String outbound = SELF.replace("default inbound deny\nallow tcp/7000 from self to self",
                "default outbound allow\nallow tcp/7000 from cassandra, monitored to self");
        assertEquals("", compileAll(outbound, "aws").err());
        // An NSG names the member addresses in its rules and a NIC takes one NSG: nothing to warn of.
        assertEquals("", compileAll(SELF, "azure").err());
    }
}
