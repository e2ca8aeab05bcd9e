package io.portpolicy.check;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.Policy;
import io.portpolicy.model.Rule;
import io.portpolicy.model.RuleOptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.portpolicy.check.PolicyFixtures.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped examples in policies-examples/: they lint clean, stay inside the address ranges
 * reserved for private use and documentation, and mean what their comments say.
 */
class PolicyExamplesTest {

    private static final Path EXAMPLES = Path.of("policies-examples");
    private static final List<IPAddress> ALLOWED_SPACE = Stream.of("10.0.0.0/8", "192.0.2.0/24",
            "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32").map(s -> new IPAddressString(s).getAddress()).toList();
    /** A source in none of the examples' networks: "the world" for these policies. */
    private static final String OUTSIDER = "203.0.113.250";

    static List<Path> policies() throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".policy")).sorted().toList();
        }
    }

    @Test
    void theRequiredExamplesExist() {
        for (String name : List.of("web-tier.policy", "bastion.policy", "database.policy", "windows-server.policy",
                "cloud-tiers.policy", "stateless.policy", "inventory-site/site.policy",
                "inventory-site/common.policy", "inventory-site/inventory.yaml")) {
            assertTrue(Files.isRegularFile(EXAMPLES.resolve(name)), name);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExampleLintsClean() throws IOException {
        return policies().stream().map(file -> DynamicTest.dynamicTest(file.toString(), () -> {
            PolicyFixtures.Run run = cli("lint", file.toString());
            assertEquals("", run.err(), "stderr");
            assertEquals(0, run.exit(), "exit code");
            assertTrue(run.out().contains("no problems"), run.out());
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyExampleStartsWithAComment() throws IOException {
        List<Path> files = new ArrayList<>(policies());
        files.add(EXAMPLES.resolve("inventory-site/inventory.yaml"));
        return files.stream().map(file -> DynamicTest.dynamicTest(file.toString(), () ->
                assertTrue(Files.readString(file).startsWith("# "), "say what the file models in its first line")));
    }

    @TestFactory
    Stream<DynamicTest> everyAddressIsPrivateOrDocumentation() throws IOException {
        return policies().stream().map(file -> DynamicTest.dynamicTest(file.toString(), () -> {
            Policy policy = PolicyFixtures.check(file).model();
            List<IPAddressSeqRange> ranges = new ArrayList<>();
            policy.hosts().values().forEach(h -> h.addresses().forEach(a -> ranges.add(a.toSequentialRange())));
            policy.networks().values().forEach(n -> n.blocks().forEach(b -> ranges.add(b.range())));
            policy.groups().values().forEach(g -> g.blocks().forEach(b -> ranges.add(b.range())));
            for (Rule rule : policy.rules()) {
                Stream.of(rule.from().addresses(), rule.from().except(), rule.to().addresses(), rule.to().except())
                        .flatMap(List::stream)
                        .filter(t -> t instanceof AddressLiteral)
                        .forEach(t -> ranges.add(((AddressLiteral) t).range()));
            }
            assertTrue(ranges.size() > 3, "the example defines addresses");
            for (IPAddressSeqRange range : ranges) {
                assertTrue(ALLOWED_SPACE.stream().anyMatch(space -> space.contains(range.getLower())
                        && space.contains(range.getUpper())), range + " is outside 10/8 and the documentation ranges");
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> temporaryExceptionsAreDocumented() throws IOException {
        return policies().stream().map(file -> DynamicTest.dynamicTest(file.toString(), () -> {
            for (Rule rule : PolicyFixtures.check(file).model().rules()) {
                RuleOptions options = rule.options();
                if (options.expires() == null) continue;
                assertTrue(options.owner() != null && options.ticket() != null && options.comment() != null,
                        "an exception needs owner, ticket and comment: " + rule);
            }
        }));
    }

    /** No example lets the world reach SSH or Telnet on any host or group it configures. */
    @TestFactory
    Stream<DynamicTest> noExampleExposesSshOrTelnetToTheWorld() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : policies()) {
            Policy policy = PolicyFixtures.check(file).model();
            List<String> targets = new ArrayList<>(policy.hosts().keySet());
            targets.addAll(policy.groups().keySet());
            for (String target : targets) {
                for (String port : List.of("22", "23")) {
                    tests.add(DynamicTest.dynamicTest(file + " " + target + " tcp/" + port, () -> {
                        PolicyFixtures.Run run = cli("query", file.toString(), "--from", OUTSIDER, "--to", target,
                                "--proto", "tcp", "--port", port);
                        assertEquals(1, run.exit(), run.out() + run.err());
                    }));
                }
            }
        }
        assertTrue(tests.size() > 40, "hosts and groups found");
        return tests.stream();
    }

    // ---- the examples do what their comments say ----------------------------------

    private static void assertVerdict(int exit, String file, String... query) {
        List<String> args = new ArrayList<>(List.of("query", EXAMPLES.resolve(file).toString()));
        args.addAll(List.of(query));
        PolicyFixtures.Run run = cli(args.toArray(String[]::new));
        assertEquals(exit, run.exit(), String.join(" ", args) + "\n" + run.out() + run.err());
    }

    @Test
    void webTierOnlyTheBalancersReachTheSiteAndEgressIsClosed() {
        assertVerdict(0, "web-tier.policy", "--from", "10.10.0.5", "--to", "web1", "--proto", "tcp", "--port", "443");
        assertVerdict(0, "web-tier.policy", "--from", "2001:db8:10::5", "--to", "web2", "--proto", "tcp", "--port", "443");
        assertVerdict(1, "web-tier.policy", "--from", OUTSIDER, "--to", "web1", "--proto", "tcp", "--port", "443");
        assertVerdict(0, "web-tier.policy", "--from", "web3", "--to", "10.10.2.40", "--proto", "tcp", "--port", "8080");
        assertVerdict(1, "web-tier.policy", "--from", "web3", "--to", OUTSIDER, "--proto", "tcp", "--port", "443");
    }

    @Test
    void bastionAcceptsStaffAndRejectsOtherEgress() {
        assertVerdict(0, "bastion.policy", "--from", "198.51.100.7", "--to", "bastion1", "--proto", "tcp", "--port", "22");
        assertVerdict(0, "bastion.policy", "--from", "bastion2", "--to", "10.44.0.9", "--proto", "tcp", "--port", "22");
        assertVerdict(1, "bastion.policy", "--from", "bastion2", "--to", OUTSIDER, "--proto", "tcp", "--port", "80");
        // The vendor's access ends with its expiry date.
        assertVerdict(0, "bastion.policy", "--from", "192.0.2.40", "--to", "bastion1", "--proto", "tcp", "--port", "22",
                "--today", "2027-06-30");
        assertVerdict(1, "bastion.policy", "--from", "192.0.2.40", "--to", "bastion1", "--proto", "tcp", "--port", "22",
                "--today", "2027-07-01");
    }

    @Test
    void databaseIsReachableOnlyFromTheAppTier() {
        assertVerdict(0, "database.policy", "--from", "10.20.0.9", "--to", "db1", "--proto", "tcp", "--port", "5432");
        assertVerdict(1, "database.policy", "--from", "10.20.0.9", "--to", "cache1", "--proto", "tcp", "--port", "5432");
        assertVerdict(0, "database.policy", "--from", "10.20.0.9", "--to", "cache1", "--proto", "tcp", "--port", "6379");
        assertVerdict(0, "database.policy", "--from", "db1", "--to", "db2", "--proto", "tcp", "--port", "5432");
        assertVerdict(1, "database.policy", "--from", "10.0.9.3", "--to", "cache1", "--proto", "tcp", "--port", "9187");
    }

    @Test
    void windowsManagementOnlyFromTheAdminNetwork() {
        assertVerdict(0, "windows-server.policy", "--from", "10.0.100.7", "--to", "fs1", "--proto", "tcp", "--port", "3389");
        assertVerdict(0, "windows-server.policy", "--from", "10.0.100.7", "--to", "app1", "--proto", "tcp", "--port", "5986");
        assertVerdict(1, "windows-server.policy", "--from", "10.60.1.2", "--to", "fs1", "--proto", "tcp", "--port", "3389");
        assertVerdict(1, "windows-server.policy", "--from", "10.0.100.7", "--to", "fs1", "--proto", "tcp", "--port", "5985");
        assertVerdict(0, "windows-server.policy", "--from", "10.60.1.2", "--to", "fs1", "--proto", "tcp", "--port", "445");
    }

    @Test
    void cloudTiersReachOnlyTheNextTier() {
        assertVerdict(0, "cloud-tiers.policy", "--from", OUTSIDER, "--to", "web", "--proto", "tcp", "--port", "443");
        assertVerdict(1, "cloud-tiers.policy", "--from", OUTSIDER, "--to", "app", "--proto", "tcp", "--port", "8080");
        assertVerdict(0, "cloud-tiers.policy", "--from", "10.20.1.7", "--to", "app", "--proto", "tcp", "--port", "8080");
        assertVerdict(1, "cloud-tiers.policy", "--from", "10.20.1.7", "--to", "db", "--proto", "tcp", "--port", "5432");
    }

    @Test
    void statelessRepliesGoToTheClientsEphemeralPortsOnly() {
        assertVerdict(0, "stateless.policy", "--from", "api1", "--to", "10.80.3.4", "--proto", "tcp",
                "--sport", "443", "--port", "50000");
        assertVerdict(1, "stateless.policy", "--from", "api1", "--to", "10.80.3.4", "--proto", "tcp",
                "--sport", "443", "--port", "1024");
        // api1 is linux: DNS answers to 32768-60999 only.
        assertVerdict(0, "stateless.policy", "--from", "10.0.0.53", "--to", "api1", "--proto", "udp",
                "--sport", "53", "--port", "40000");
        assertVerdict(1, "stateless.policy", "--from", "10.0.0.53", "--to", "api1", "--proto", "udp",
                "--sport", "53", "--port", "61000");
    }

    @Test
    void inventorySiteJoinsIncludeAndImport() {
        Policy policy = PolicyFixtures.check(EXAMPLES.resolve("inventory-site/site.policy")).model();
        assertEquals(Set.of("web1", "web2", "app1", "app2", "db1"), policy.hosts().keySet());
        assertEquals(3, policy.files().size());
        assertNotNull(policy.groups().get("frontends"), "created by membership");
        assertVerdict(0, "inventory-site/site.policy", "--from", "10.0.100.9", "--to", "app1", "--proto", "tcp", "--port", "22");
        assertVerdict(0, "inventory-site/site.policy", "--from", "web2", "--to", "app2", "--proto", "tcp", "--port", "8080");
        assertVerdict(1, "inventory-site/site.policy", "--from", "web2", "--to", "db1", "--proto", "tcp", "--port", "5432");
    }

    /** The world-exposure checks above are only meaningful if the outsider really is outside. */
    @Test
    void theOutsiderIsInNoNetworkOfAnyExample() throws IOException {
        IPAddress outsider = new IPAddressString(OUTSIDER).getAddress();
        for (Path file : policies()) {
            Policy policy = PolicyFixtures.check(file).model();
            policy.networks().values().forEach(n -> n.blocks().forEach(b ->
                    assertTrue(!b.range().contains(outsider), file + ": " + n.name())));
            policy.groups().values().forEach(g -> g.blocks().forEach(b ->
                    assertTrue(!b.range().contains(outsider), file + ": " + g.name())));
        }
    }
}
