package io.portpolicy.check;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Family;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.IcmpType;
import io.portpolicy.model.NamedService;
import io.portpolicy.model.Network;
import io.portpolicy.model.Os;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.RuleOptions;
import io.portpolicy.model.ServiceMatch;
import io.portpolicy.model.Settings;
import io.portpolicy.model.Waiver;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.portpolicy.check.PolicyFixtures.check;
import static io.portpolicy.check.PolicyFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per construct of docs/language.md, each asserting on the checked model: what the
 * construct means, not merely that it is accepted.
 */
class LanguageConstructsTest {

    private static IPAddress ip(String text) {
        return new IPAddressString(text).getAddress();
    }

    private static String range(IPAddressSeqRange range) {
        return range.getLower() + "-" + range.getUpper();
    }

    private static Rule onlyRule(Policy policy) {
        assertEquals(1, policy.rules().size(), "rules");
        return policy.rules().get(0);
    }

    private static ServiceMatch onlyTerm(Rule rule) {
        assertEquals(1, rule.services().size(), "service terms of " + rule.text());
        return rule.services().get(0);
    }

    private static List<PortRange> ports(int... lowHigh) {
        PortRange[] ranges = new PortRange[lowHigh.length / 2];
        for (int i = 0; i < ranges.length; i++) ranges[i] = new PortRange(lowHigh[2 * i], lowHigh[2 * i + 1]);
        return List.of(ranges);
    }

    @Nested
    class FilesAndNames {

        @Test
        void statementsMaySpanLinesAndEndWithOptionalSemicolons() {
            Policy policy = check("host a = 10.0.0.1; host b = 10.0.0.2;\n"
                    + "allow https\n  from a\n  to b;\n"
                    + "allow ssh from a  # comment at the end\n").model();
            assertEquals(Set.of("a", "b"), policy.hosts().keySet());
            assertEquals(2, policy.rules().size());
            assertEquals("allow https from a to b", policy.rules().get(0).text());
        }

        @Test
        void keywordsAreReservedAndCannotBeNames() {
            check("host any = 10.0.0.1").assertError("'any'");
            check("group self = 10.0.0.0/8").assertError("'self'");
        }

        @Test
        void osAndServiceNamesAreNotKeywords() {
            Policy policy = check("host linux = 10.0.0.1 os linux\ngroup ssh = linux\nallow ssh from ssh").model();
            assertEquals(Os.LINUX, policy.hosts().get("linux").os());
            Rule rule = onlyRule(policy);
            // `ssh` after the action is the built-in service; after `from` it is the group.
            assertEquals(Protocol.TCP, onlyTerm(rule).protocol());
            assertInstanceOf(AddressTerm.GroupRef.class, rule.from().addresses().get(0));
        }

        @Test
        void namesAreCaseSensitive() {
            check("group Web = 10.0.1.0/24\nallow https to web").assertError("unknown name 'web'");
        }

        @Test
        void definitionsAreOrderIndependent() {
            Policy policy = check("allow app from admins to web\n"
                    + "group admins = jumphost\ngroup web = web1\n"
                    + "host jumphost = 10.0.0.5\nhost web1 = 10.0.1.11\nservice app = tcp/8080").model();
            Rule rule = onlyRule(policy);
            assertEquals(ports(8080, 8080), onlyTerm(rule).ports().ranges());
            Group admins = ((AddressTerm.GroupRef) rule.from().addresses().get(0)).group();
            assertEquals(List.of("jumphost"), admins.hosts().stream().map(Host::name).toList());
        }
    }

    @Nested
    class Hosts {

        @Test
        void hostHasAddressesOfBothFamiliesAndAnOs() {
            Host web1 = check("host web1 = 10.0.1.11, 2001:db8:1::11 os linux").model().hosts().get("web1");
            assertEquals(List.of(ip("10.0.1.11"), ip("2001:db8:1::11")), web1.addresses());
            assertEquals(Os.LINUX, web1.os());
            assertTrue(web1.hasFamily(Family.IPV4) && web1.hasFamily(Family.IPV6));
        }

        @Test
        void eachOsHasItsEphemeralRange() {
            Policy policy = check("host l = 10.0.0.1 os linux\nhost w = 10.0.0.2 os windows\n"
                    + "host b = 10.0.0.3 os bsd\nhost m = 10.0.0.4 os macos\nhost n = 10.0.0.5").model();
            assertEquals(new PortRange(32768, 60999), policy.hosts().get("l").os().ephemeral());
            assertEquals(new PortRange(49152, 65535), policy.hosts().get("w").os().ephemeral());
            assertEquals(new PortRange(49152, 65535), policy.hosts().get("b").os().ephemeral());
            assertEquals(new PortRange(49152, 65535), policy.hosts().get("m").os().ephemeral());
            assertNull(policy.hosts().get("n").os(), "no os: the policy's ephemeral setting applies");
        }

        @Test
        void osMustBeOneOfTheFourInLowerCase() {
            check("host a = 10.0.0.1 os Linux").assertError("unknown os 'Linux'");
            check("host a = 10.0.0.1 os solaris").assertError("unknown os 'solaris'");
        }

        @Test
        void hostAddressesAreSingleAddresses() {
            // A host is one machine: a CIDR or range belongs in a network or group.
            check("host h = 10.0.0.0/24").assertError("a host holds single addresses, not the CIDR '10.0.0.0/24'");
            check("host h = 10.0.0.1-10.0.0.9").assertError("a host holds single addresses, not the range '10.0.0.1-10.0.0.9'");
            check("host h = 10.0.0.1/32").assertError("a host holds single addresses, not the CIDR '10.0.0.1/32'");
        }

        @Test
        void anAddressBelongsToAtMostOneHost() {
            check("host a = 10.0.0.1\nhost b = 10.0.0.1").assertError("already belongs to host 'a'");
            check("host a = 2001:db8::1\nhost b = 2001:DB8:0::1").assertError("already belongs to host 'a'");
        }

        @Test
        void anAddressMayBeInAHostAndInNetworksAndGroups() {
            Policy policy = check("host a = 10.0.0.1\nnetwork n = 10.0.0.0/24\ngroup g = a, 10.0.0.1").model();
            assertEquals(1, policy.networks().get("n").blocks().size());
            assertEquals(1, policy.groups().get("g").hosts().size());
        }
    }

    @Nested
    class Addresses {

        @Test
        void networkHoldsCidrsAndRangesOfBothFamilies() {
            Network network = check("network n = 192.0.2.0/24, 198.51.100.10-198.51.100.20, "
                    + "2001:db8:10::/48, 2001:db8:1::1-2001:db8:1::ff, 203.0.113.7").model().networks().get("n");
            List<String> ranges = network.blocks().stream().map(b -> range(b.range())).toList();
            assertEquals(List.of("192.0.2.0-192.0.2.255", "198.51.100.10-198.51.100.20",
                    "2001:db8:10::-2001:db8:10:ffff:ffff:ffff:ffff:ffff", "2001:db8:1::1-2001:db8:1::ff",
                    "203.0.113.7-203.0.113.7"), ranges);
            assertEquals(Family.IPV6, network.blocks().get(2).family());
        }

        @Test
        void networkHoldsOnlyLiterals() {
            check("network a = 10.0.0.0/8\nnetwork b = a").assertError("not names");
        }

        @Test
        void cidrWithHostBitsSetCoversItsNetwork() {
            AddressLiteral literal = check("network n = 10.1.2.3/24").model().networks().get("n").blocks().get(0);
            assertEquals("10.1.2.0-10.1.2.255", range(literal.range()));
            assertTrue(literal.hostBitsSet(), "the linter warns about it");
            AddressLiteral clean = check("network n = 10.1.2.0/24").model().networks().get("n").blocks().get(0);
            assertFalse(clean.hostBitsSet());
        }

        @Test
        void prefixLengthsAreBoundedByFamily() {
            check("network n = 10.0.0.0/33").assertError("/33");
            Network v6 = check("network n = 2001:db8::/128, ::/0").model().networks().get("n");
            assertEquals("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", range(v6.blocks().get(1).range()));
        }

        @Test
        void ipv4LiteralsAreStrict() {
            check("host a = 010.0.0.1").assertError("invalid IPv4 address '010.0.0.1'");
            check("host a = 10.1").assertError("invalid IPv4 address '10.1'");
            check("host a = 10.0.0.256").assertError("invalid IPv4 address");
        }

        @Test
        void ipv6LiteralsAreRfc4291Text() {
            // A group is 1-4 hex digits; an IPv4 tail is held to the IPv4 rules (010 might be octal).
            for (String written : List.of("2001:db8::010.0.0.1", "2001:db8::10.1", "2001:db8::10.0.1",
                    "2001:db8::10.0.0.01", "2001:db8:0db8a::1", "2001:db8:000001::")) {
                check("host a = " + written).assertError("invalid IPv6 address '" + written + "'");
            }
            check("network n = 2001:db8:000001::/48").assertError("invalid IPv6 address '2001:db8:000001::'");
            Host host = check("host a = ::ffff:10.0.0.1, 2001:db8::a00:1, 2001:0db8::1").model().hosts().get("a");
            assertEquals(List.of(ip("::ffff:a00:1"), ip("2001:db8::a00:1"), ip("2001:db8::1")), host.addresses());
        }

        @Test
        void rangesAreLowToHighInOneFamily() {
            check("network n = 10.0.0.9-10.0.0.1").assertError("backwards");
            check("network n = 10.0.0.1-2001:db8::1").assertError("mixes IPv4 and IPv6");
        }

        @Test
        void ipv4MappedIpv6AddressesAreIpv6() {
            Host host = check("host a = ::ffff:192.0.2.1").model().hosts().get("a");
            assertTrue(host.addresses().get(0).isIPv6());
        }
    }

    @Nested
    class Groups {

        @Test
        void groupsNestAndFlattenToHostsAndBlocks() {
            Policy policy = check("host web1 = 10.0.1.11\nhost web2 = 10.0.1.12\nhost jumphost = 10.0.0.5\n"
                    + "network office = 192.0.2.0/24\n"
                    + "group web = web1, web2\ngroup admins = jumphost, office\n"
                    + "group all = web, admins, 10.0.7.0/24, 10.0.8.1-10.0.8.9").model();
            Group all = policy.groups().get("all");
            assertEquals(List.of("web1", "web2", "jumphost"), all.hosts().stream().map(Host::name).toList());
            assertEquals(List.of("192.0.2.0-192.0.2.255", "10.0.7.0-10.0.7.255", "10.0.8.1-10.0.8.9"),
                    all.blocks().stream().map(b -> range(b.range())).toList());
        }

        @Test
        void groupCyclesAreErrors() {
            check("group a = b\ngroup b = c\ngroup c = a").assertError("group cycle");
            check("group a = a").assertError("group cycle: a -> a");
        }

        @Test
        void hostsNetworksAndGroupsShareOneNamespace() {
            check("host web = 10.0.0.1\ngroup web = 10.0.0.0/24").assertError("'web' is defined twice");
            check("network web = 10.0.0.0/24\nhost web = 10.0.0.1").assertError("'web' is defined twice");
        }
    }

    @Nested
    class Services {

        @Test
        void serviceListsProtocolTerms() {
            NamedService app = check("service app = tcp/8080-8081, udp/9000, icmp/echo-request")
                    .model().services().get("app");
            assertEquals(3, app.terms().size());
            assertEquals(Protocol.TCP, app.terms().get(0).protocol());
            assertEquals(ports(8080, 8081), app.terms().get(0).ports().ranges());
            assertEquals(ports(9000, 9000), app.terms().get(1).ports().ranges());
            assertEquals(List.of(new IcmpType(8, null)), app.terms().get(2).icmpTypes());
            assertFalse(app.builtin());
        }

        @Test
        void servicesMayListOtherServicesInAnyOrder() {
            Policy policy = check("service observability = metrics, tcp/4317\n"
                    + "service metrics = tcp/9100, tcp/9187\nservice web_all = http, https\n"
                    + "allow observability, web_all").model();
            List<String> terms = onlyRule(policy).services().stream().map(ServiceMatch::toString).toList();
            assertEquals(List.of("tcp/9100", "tcp/9187", "tcp/4317", "tcp/80", "tcp/443"), terms);
        }

        @Test
        void serviceCyclesAreErrors() {
            check("service a = b, tcp/1\nservice b = a").assertError("service cycle");
        }

        @Test
        void builtinServiceExpandsToItsTerms() {
            Rule rule = onlyRule(check("allow dns").model());
            assertEquals(List.of("udp/53", "tcp/53"), rule.services().stream().map(ServiceMatch::toString).toList());
            assertTrue(rule.services().get(0).service().builtin());
            assertEquals("dns", rule.services().get(0).service().name());
        }

        @Test
        void userServiceOverridesBuiltinOfTheSameName() {
            Rule rule = onlyRule(check("service ssh = tcp/2222\nallow ssh").model());
            assertEquals(ports(2222, 2222), onlyTerm(rule).ports().ranges());
            assertFalse(onlyTerm(rule).service().builtin());
        }

        @Test
        void servicesHaveTheirOwnNamespace() {
            Rule rule = onlyRule(check("service web = tcp/80, tcp/443\ngroup web = 10.0.1.0/24\n"
                    + "allow web from any to web").model());
            assertEquals(2, rule.services().size());
            assertEquals("web", ((AddressTerm.GroupRef) rule.to().addresses().get(0)).group().name());
        }

        @Test
        void unknownServiceIsAnError() {
            check("allow htttps").assertError("unknown service 'htttps'");
        }
    }

    @Nested
    class SettingsStatements {

        @Test
        void settingsHaveTheContractDefaults() {
            Settings settings = check("allow ssh").model().settings();
            assertEquals(Action.DENY, settings.defaultInbound().value());
            assertEquals(Action.ALLOW, settings.defaultOutbound().value());
            assertFalse(settings.isStateless());
            assertEquals(new PortRange(49152, 65535), settings.ephemeral().value());
            assertFalse(settings.defaultInbound().written() || settings.defaultOutbound().written()
                    || settings.stateless().written() || settings.ephemeral().written());
        }

        @Test
        void eachSettingIsRecordedWithWhereItWasWritten() {
            Settings settings = check("default inbound reject\ndefault outbound deny\nstateless\n"
                    + "ephemeral 32768-65535").model().settings();
            assertEquals(Action.REJECT, settings.defaultInbound().value());
            assertEquals(Action.DENY, settings.defaultOutbound().value());
            assertTrue(settings.isStateless());
            assertEquals(new PortRange(32768, 65535), settings.ephemeral().value());
            assertEquals(4, settings.ephemeral().location().line());
        }

        @Test
        void defaultInboundMayBeAllow() {
            assertEquals(Action.ALLOW, check("default inbound allow").model().settings().defaultInbound().value());
        }

        @Test
        void aSettingIsWrittenOnce(@TempDir Path dir) {
            check("default inbound deny\ndefault inbound reject").assertError("set twice");
            // Also across files: settings are policy-wide.
            write(dir, "root.policy", "stateless\ninclude \"more.policy\"\n", "more.policy", "stateless\n");
            check(dir.resolve("root.policy")).assertError("'stateless' is set twice");
        }
    }

    @Nested
    class IncludeAndImport {

        @Test
        void includeSplicesRulesInPlaceAndSharesDefinitions(@TempDir Path dir) {
            write(dir, "site.policy", "allow tcp/1\ninclude \"shared/common.policy\"\nallow tcp/3 from office\n",
                    "shared/common.policy", "network office = 192.0.2.0/24\nallow tcp/2\ninclude \"deeper.policy\"\n",
                    "shared/deeper.policy", "allow tcp/4\n");
            Policy policy = check(dir.resolve("site.policy")).model();
            // tcp/2 and tcp/4 (included) sit where the include stands, before tcp/3.
            assertEquals(List.of("allow tcp/1", "allow tcp/2", "allow tcp/4", "allow tcp/3 from office"),
                    policy.rules().stream().map(Rule::text).toList());
            assertEquals(List.of(0, 1, 2, 3), policy.rules().stream().map(Rule::index).toList());
            assertEquals(3, policy.files().size());
            assertTrue(policy.rules().get(1).location().toString().contains("common.policy"));
        }

        @Test
        void includeCyclesAreErrors(@TempDir Path dir) {
            write(dir, "a.policy", "include \"b.policy\"\n", "b.policy", "include \"a.policy\"\n");
            check(dir.resolve("a.policy")).assertError("include cycle");
        }

        @Test
        void includingOrImportingTheSameFileTwiceIsAnError(@TempDir Path dir) {
            write(dir, "a.policy", "include \"c.policy\"\ninclude \"b.policy\"\n",
                    "b.policy", "include \"c.policy\"\n", "c.policy", "network n = 10.0.0.0/8\n",
                    "i.policy", "import \"inv.yaml\"\nimport \"./inv.yaml\"\n", "inv.yaml", "hosts: {}\n");
            check(dir.resolve("a.policy")).assertError("already included");
            check(dir.resolve("i.policy")).assertError("already imported");
        }

        @Test
        void aFileIncludedThenImportedIsSaidToHaveBeenIncluded(@TempDir Path dir) {
            write(dir, "m.policy", "include \"c.policy\"\nimport \"c.policy\"\n", "c.policy", "network n = 10.0.0.0/8\n");
            PolicyFixtures.Checked checked = check(dir.resolve("m.policy"));
            checked.assertError("'c.policy' is already included at ");
            assertFalse(checked.messages().contains("already imported"), checked.messages());
            assertTrue(checked.diagnostics().sorted().get(0).hint().contains("a policy file is included and an inventory imported"),
                    checked.diagnostics().sorted().get(0).hint());
        }

        @Test
        void aPathWithAnUnknownEscapeIsNotReadAsAnotherFile(@TempDir Path dir) {
            // A Windows path: '\c' is no escape, and the file without the backslash is another
            // one, which was read: "cannot read 'sharedcommon.policy'" misled, an unbroken one was used.
            write(dir, "site.policy", "include \"shared\\common.policy\"\nimport \"shared\\hosts.yaml\"\n",
                    "sharedhosts.yaml", "not: an inventory\n");
            PolicyFixtures.Checked checked = check(dir.resolve("site.policy"));
            checked.assertError("unknown escape '\\c' in string");
            checked.assertError("unknown escape '\\h' in string");
            assertEquals(2, checked.diagnostics().size(), checked.messages());
            assertEquals(1, checked.diagnostics().sorted().get(0).location().line());
            assertEquals(2, checked.diagnostics().sorted().get(1).location().line());
        }

        @Test
        void aMissingIncludeFromStandardInputIsSaidToBeRelativeToTheCurrentDirectory() {
            PolicyFixtures.Checked checked = check("include \"no-such-dir/common.policy\"\n");
            checked.assertError("cannot read 'no-such-dir/common.policy': no such file");
            assertEquals("the policy is read from standard input, so paths are relative to the current directory",
                    checked.diagnostics().sorted().get(0).hint());
        }

        @Test
        void aYamlAliasOrMergeKeyIsOneErrorEach(@TempDir Path dir) {
            write(dir, "site.policy", "import \"inv.yaml\"\n",
                    "inv.yaml", "hosts:\n"
                            + "  w1: &h { addresses: [10.0.0.61] }\n"
                            + "  w2: *h\n"
                            + "  w3: { <<: *h, addresses: [10.0.0.63] }\n"
                            + "groups:\n"
                            + "  g1: &m [10.0.0.0/24]\n"
                            + "  g2: *m\n");
            PolicyFixtures.Checked checked = check(dir.resolve("site.policy"));
            // Nothing more is said of what an alias stands for: not "must be a mapping", not "unknown name 'm'".
            assertEquals(List.of(
                            "inv.yaml:3:7: YAML alias '*h': aliases are not supported",
                            "inv.yaml:4:9: YAML merge key '<<': merge keys are not supported",
                            "inv.yaml:7:7: YAML alias '*m': aliases are not supported"),
                    checked.diagnostics().sorted().stream()
                            .map(d -> d.location().file().path().getFileName() + ":" + d.location().line() + ":"
                                    + d.location().column() + ": " + d.message()).toList());
        }

        @Test
        void importReadsHostsGroupsAndMemberships(@TempDir Path dir) {
            write(dir, "site.policy", "import \"inventory.yaml\"\n"
                            + "host jumphost = 10.0.0.5\n"
                            + "group db = 10.0.2.100\n"
                            + "allow ssh from admins to web\n",
                    "inventory.yaml", "hosts:\n"
                            + "  web1: { addresses: [10.0.1.11, \"2001:db8:1::11\"], os: linux, groups: [web] }\n"
                            + "  db1:  { addresses: [10.0.2.21], os: linux, groups: [db, servers] }\n"
                            + "  mon1:\n    addresses: 10.0.9.5\n    os: windows\n"
                            + "groups:\n  admins: [jumphost, 192.0.2.0/24, 198.51.100.1-198.51.100.9]\n"
                            + "  servers: [mon1]\n");
            Policy policy = check(dir.resolve("site.policy")).model();
            Host web1 = policy.hosts().get("web1");
            assertEquals(List.of(ip("10.0.1.11"), ip("2001:db8:1::11")), web1.addresses());
            assertEquals(Os.LINUX, web1.os());
            assertEquals(Os.WINDOWS, policy.hosts().get("mon1").os());
            // Membership creates `web`, joins the policy's `db` and the inventory's `servers`.
            assertEquals(List.of("web1"), names(policy.groups().get("web")));
            assertEquals(List.of("db1"), names(policy.groups().get("db")));
            assertEquals(1, policy.groups().get("db").blocks().size(), "the policy's own member stays");
            assertEquals(Set.of("mon1", "db1"), Set.copyOf(names(policy.groups().get("servers"))));
            // Inventory groups may name the policy's objects and hold literals.
            Group admins = policy.groups().get("admins");
            assertEquals(List.of("jumphost"), names(admins));
            assertEquals(List.of("192.0.2.0-192.0.2.255", "198.51.100.1-198.51.100.9"),
                    admins.blocks().stream().map(b -> range(b.range())).toList());
            assertEquals(2, policy.files().size());
        }

        @Test
        void aGroupMadeByMembershipIsAGroupOtherGroupsMayName(@TempDir Path dir) {
            write(dir, "site.policy", "import \"inv.yaml\"\n"
                            + "group frontend = web, 10.0.3.1\n"
                            + "allow https from 10.0.0.0/8 to frontend\n",
                    "inv.yaml", "hosts:\n  web1: { addresses: [10.0.1.11], groups: [web] }\n"
                            + "  web2: { addresses: [10.0.1.12], groups: [web] }\n"
                            + "groups:\n  clients: [web]\n");
            Policy policy = check(dir.resolve("site.policy")).model();
            assertEquals(List.of("web1", "web2"), names(policy.groups().get("frontend")));
            assertEquals(1, policy.groups().get("frontend").blocks().size(), "the policy's own member stays");
            assertEquals(List.of("web1", "web2"), names(policy.groups().get("clients")));
        }

        @Test
        void inventoryMembershipMustNameAGroup(@TempDir Path dir) {
            write(dir, "site.policy", "import \"inv.yaml\"\nhost other = 10.0.0.9\n",
                    "inv.yaml", "hosts:\n  a: { addresses: [10.0.0.1], groups: [other] }\n");
            check(dir.resolve("site.policy")).assertError("'other' is not a group");
        }

        @Test
        void inventoryNamesJoinThePolicyNamespace(@TempDir Path dir) {
            write(dir, "site.policy", "import \"inv.yaml\"\nhost web1 = 10.0.0.2\n",
                    "inv.yaml", "hosts:\n  web1: { addresses: [10.0.0.1] }\n");
            check(dir.resolve("site.policy")).assertError("'web1' is defined twice");
        }

        @Test
        void inventoryAddressesAreHeldToTheLanguagesForms(@TempDir Path dir) {
            write(dir, "site.policy", "import \"inv.yaml\"\n",
                    "inv.yaml", "hosts:\n  a: { addresses: [\"2001:db8::010.0.0.1\"] }\n"
                            + "groups:\n  g: [\"2001:db8:000001::/48\"]\n");
            PolicyFixtures.Checked checked = check(dir.resolve("site.policy"));
            checked.assertError("invalid IPv6 address '2001:db8::010.0.0.1'");
            checked.assertError("invalid IPv6 address '2001:db8:000001::'");
        }

        @Test
        void inventoryErrorsNameTheYamlLineAndColumn(@TempDir Path dir) {
            write(dir, "site.policy", "import \"inv.yaml\"\n",
                    "inv.yaml", "hosts:\n  a: { addresses: [10.0.0.1], colour: red }\n");
            PolicyFixtures.Checked checked = check(dir.resolve("site.policy"));
            checked.assertError("unknown key 'colour'");
            assertTrue(checked.messages().contains("inv.yaml:2:"), checked.messages());
        }

        private static List<String> names(Group group) {
            return group.hosts().stream().map(Host::name).toList();
        }
    }

    @Nested
    class RuleForms {

        @Test
        void eachActionIsRecorded() {
            Policy policy = check("allow tcp/1\ndeny tcp/2\nreject tcp/3").model();
            assertEquals(List.of(Action.ALLOW, Action.DENY, Action.REJECT),
                    policy.rules().stream().map(Rule::action).toList());
        }

        @Test
        void omittedFromIsAnyAndOmittedToIsSelf() {
            Rule rule = onlyRule(check("allow ssh").model());
            AddressTerm.Any any = assertInstanceOf(AddressTerm.Any.class, rule.from().addresses().get(0));
            assertNull(any.family(), "any covers both families");
            assertFalse(rule.from().written());
            assertInstanceOf(AddressTerm.Self.class, rule.to().addresses().get(0));
            assertFalse(rule.to().written());
        }

        @Test
        void protocolWithPortsAndPortLists() {
            Rule rule = onlyRule(check("allow tcp/{80,443,8000-8100}, udp/53").model());
            assertEquals(ports(80, 80, 443, 443, 8000, 8100), rule.services().get(0).ports().ranges());
            assertEquals(Protocol.UDP, rule.services().get(1).protocol());
            assertEquals(ports(53, 53), rule.services().get(1).ports().ranges());
        }

        @Test
        void bareProtocolMatchesAllPortsOrTypes() {
            Rule rule = onlyRule(check("allow tcp, udp, icmp, icmpv6").model());
            assertTrue(rule.services().get(0).ports().isAll());
            assertTrue(rule.services().get(1).ports().isAll());
            assertTrue(rule.services().get(2).icmpTypes().isEmpty(), "every ICMP type");
            assertEquals(Protocol.ICMPV6, rule.services().get(3).protocol());
        }

        @Test
        void anyMatchesEveryProtocol() {
            ServiceMatch term = onlyTerm(onlyRule(check("allow any from 10.0.0.5").model()));
            assertEquals(Protocol.ANY, term.protocol());
        }

        @Test
        void portsAreBoundedAndLowToHigh() {
            check("allow tcp/65536").assertError("port 65536 is out of range");
            check("allow tcp/90-80").assertError("backwards");
            assertEquals(ports(0, 0), onlyTerm(onlyRule(check("allow tcp/0").model())).ports().ranges());
        }

        @Test
        void portEphemeralIsKeptForPerAddressResolution() {
            ServiceMatch term = onlyTerm(onlyRule(check("allow udp/{ephemeral, 5353}").model()));
            assertTrue(term.ports().ephemeral());
            assertEquals(ports(5353, 5353), term.ports().ranges());
        }

        @Test
        void portAfterFromRestrictsSourcePorts() {
            // The contract's stateless return path.
            Rule rule = onlyRule(check("allow tcp from any port 443 to self port ephemeral").model());
            assertEquals(ports(443, 443), rule.from().ports().ranges());
            assertFalse(rule.from().ports().ephemeral());
            assertTrue(onlyTerm(rule).ports().ephemeral());
        }

        @Test
        void portAfterToReplacesTheBareProtocolsPorts() {
            Rule rule = onlyRule(check("allow tcp, udp from 10.0.0.53 port 53 to self port ephemeral").model());
            for (ServiceMatch term : rule.services()) {
                assertTrue(term.ports().ephemeral(), term.toString());
                assertTrue(term.ports().ranges().isEmpty(), term.toString());
            }
            assertNull(rule.to().ports(), "moved into the service terms");
            assertEquals(ports(53, 53), rule.from().ports().ranges());
        }

        @Test
        void portAfterToNeedsABareTcpOrUdp() {
            check("allow tcp/443 to any port 443").assertError("destination ports are given twice");
            check("allow tcp, icmp to self port 22").assertError("destination ports need tcp or udp");
        }

        @Test
        void portAfterToIsRefusedByHowTheServiceIsWrittenNotByItsPorts() {
            // All ports written out are still written: 'port 443' must not silently replace them.
            check("allow tcp/{22, 0-65535} from 10.0.0.6 to self port 443")
                    .assertError("destination ports are given twice: in 'tcp/{22, 0-65535}' and after 'to ... port'");
            check("allow tcp/0-65535 from 10.0.0.6 to self port 443")
                    .assertError("destination ports are given twice: in 'tcp/0-65535'");
        }

        @Test
        void portAfterToCannotFollowAServiceName() {
            PolicyFixtures.Checked user = check("service t = tcp\nallow t from 10.0.0.5 to self port 443");
            user.assertError("<stdin>:2:36: the service name 't' cannot take 'to ... port'; that is for a bare protocol");
            assertEquals("a service brings its own ports: write the protocol instead of 't', e.g. 'tcp to X port 443',"
                    + " or give the ports in the service", user.diagnostics().sorted().get(0).hint());
            check("allow https to any port 443").assertError("the service name 'https' cannot take 'to ... port'");
            // An unknown name is the one mistake reported.
            PolicyFixtures.Checked unknown = check("allow nosuch to any port 443");
            unknown.assertError("unknown service 'nosuch'");
            assertEquals(1, unknown.diagnostics().sorted().size(), unknown.messages());
        }

        @Test
        void portAfterFromNeedsEveryServiceToBeTcpOrUdp() {
            Rule rule = onlyRule(check("allow ssh, dns from any port 1024-65535").model());
            assertEquals(ports(1024, 65535), rule.from().ports().ranges());
            check("allow icmp, tcp from any port 53").assertError("source ports need tcp or udp");
            check("allow any from any port 5").assertError("source ports need tcp or udp");
        }

        @Test
        void exceptRemovesAddressesOnEitherSide() {
            Rule rule = onlyRule(check("network office = 192.0.2.0/24\n"
                    + "reject tcp/25 from any except office to any6 except 2001:db8::/32").model());
            assertEquals("office", ((AddressTerm.NetworkRef) rule.from().except().get(0)).network().name());
            assertEquals(Family.IPV6, ((AddressTerm.Any) rule.to().addresses().get(0)).family());
            assertEquals("2001:db8::/32", rule.to().except().get(0).toString());
        }

        @Test
        void any4AndAny6AreFamilyRestricted() {
            Rule rule = onlyRule(check("allow https from any4, any6").model());
            assertEquals(List.of(Family.IPV4, Family.IPV6), rule.from().addresses().stream()
                    .map(t -> ((AddressTerm.Any) t).family()).toList());
        }

        @Test
        void selfMayBeWrittenOnEitherSide() {
            Rule rule = onlyRule(check("allow udp/53 from self to 192.0.2.53").model());
            assertInstanceOf(AddressTerm.Self.class, rule.from().addresses().get(0));
            AddressLiteral resolver = assertInstanceOf(AddressLiteral.class, rule.to().addresses().get(0));
            assertEquals("192.0.2.53-192.0.2.53", range(resolver.range()));
            assertTrue(rule.to().written());
        }

        @Test
        void addressListsMixNamesAndLiterals() {
            Rule rule = onlyRule(check("host h = 10.0.0.5\nnetwork n = 192.0.2.0/24\ngroup g = h\n"
                    + "allow ssh from h, n, g, 10.1.0.0/16, 10.2.0.1-10.2.0.9, 2001:db8::7").model());
            assertEquals(List.of("HostRef", "NetworkRef", "GroupRef", "AddressLiteral", "AddressLiteral",
                    "AddressLiteral"), rule.from().addresses().stream().map(t -> t.getClass().getSimpleName()).toList());
        }

        @Test
        void unknownNamesInAddressesAreErrors() {
            check("host jumphost = 10.0.0.5\nallow ssh from jumpost").assertError("unknown name 'jumpost'");
        }
    }

    @Nested
    class Icmp {

        private List<IcmpType> types(String rule) {
            return onlyTerm(onlyRule(check(rule).model())).icmpTypes();
        }

        @Test
        void typeByName() {
            assertEquals(List.of(new IcmpType(8, null)), types("allow icmp/echo-request"));
            assertEquals(List.of(new IcmpType(128, null)), types("allow icmpv6/echo-request"));
            assertEquals(List.of(new IcmpType(2, null)), types("allow icmpv6/packet-too-big"));
        }

        @Test
        void listOfNames() {
            assertEquals(List.of(new IcmpType(8, null), new IcmpType(0, null)),
                    types("allow icmp/{echo-request, echo-reply}"));
        }

        @Test
        void numericTypeWithCode() {
            assertEquals(List.of(new IcmpType(3, 4)), types("allow icmp/3:4"));
            assertEquals(List.of(new IcmpType(3, 4)), types("allow icmp/destination-unreachable:4"));
            assertEquals(List.of(new IcmpType(3, 4), new IcmpType(11, null)), types("allow icmp/{3:4, 11}"));
        }

        @Test
        void numericTypesAndLists() {
            assertEquals(List.of(new IcmpType(128, null)), types("allow icmpv6/128"));
            assertEquals(List.of(new IcmpType(0, null), new IcmpType(8, null), new IcmpType(11, null)),
                    types("allow icmp/{0, 8, 11}"));
        }

        @Test
        void namesBelongToTheirProtocol() {
            check("allow icmp/packet-too-big").assertError("unknown icmp type 'packet-too-big'");
            check("allow icmpv6/source-quench").assertError("unknown icmpv6 type");
        }

        @Test
        void typeRangesAndOutOfRangeValuesAreErrors() {
            check("allow icmp/0-8").assertError("is not an ICMP type");
            check("allow icmp/256").assertError("ICMP type 256 is out of range");
            check("allow icmp/3:256").assertError("ICMP code 256 is out of range");
        }
    }

    @Nested
    class Options {

        @Test
        void logWithAndWithoutPrefix() {
            Policy policy = check("allow tcp/443 log \"web-in\"\nallow ssh log\nallow tcp/1").model();
            assertEquals("web-in", policy.rules().get(0).options().logPrefix());
            assertTrue(policy.rules().get(1).options().log());
            assertNull(policy.rules().get(1).options().logPrefix());
            assertFalse(policy.rules().get(2).options().log());
        }

        @Test
        void commentOwnerTicketAndExpires() {
            RuleOptions options = onlyRule(check("allow tcp/8080 expires 2026-12-31 owner \"payments\" "
                    + "ticket \"OPS-123\" comment \"load test\"").model()).options();
            assertEquals("payments", options.owner());
            assertEquals("OPS-123", options.ticket());
            assertEquals("load test", options.comment());
            assertEquals(LocalDate.of(2026, 12, 31), options.expires());
            assertTrue(options.documented());
        }

        @Test
        void expiredRulesAreMarkedFromTheDayAfterExpiry() {
            Rule rule = onlyRule(check("allow tcp/8080 expires 2026-12-31").model());
            assertFalse(rule.expiredOn(LocalDate.of(2026, 12, 31)), "still valid on the day itself");
            assertTrue(rule.expiredOn(LocalDate.of(2027, 1, 1)));
        }

        @Test
        void waiveWithReasonAndUntilMayRepeat() {
            List<Waiver> waivers = onlyRule(check("allow tcp/3389 from 192.0.2.0/24 "
                    + "waive PP102 \"vendor support, reviewed by security\" until 2027-01-31 "
                    + "waive PP404 \"documented in the wiki\"").model()).options().waivers();
            assertEquals(2, waivers.size());
            assertEquals("PP102", waivers.get(0).ruleId());
            assertEquals("vendor support, reviewed by security", waivers.get(0).reason());
            assertEquals(LocalDate.of(2027, 1, 31), waivers.get(0).until());
            assertNull(waivers.get(1).until());
        }

        @Test
        void waiveWithoutReasonParsesForTheLinterToReport() {
            Waiver waiver = onlyRule(check("allow ssh waive PP103").model()).options().waivers().get(0);
            assertNull(waiver.reason());
        }

        @Test
        void otherOptionsAppearOncePerRule() {
            check("allow ssh log log").assertError("'log' is given twice");
            check("allow ssh owner \"a\" owner \"b\"").assertError("'owner' is given twice");
        }

        @Test
        void stringsAllowOnlyQuoteAndBackslashEscapes() {
            RuleOptions options = onlyRule(check("allow ssh comment \"say \\\"hi\\\" to C:\\\\share\"").model())
                    .options();
            assertEquals("say \"hi\" to C:\\share", options.comment());
            check("allow ssh comment \"a\\nb\"").assertError("unknown escape");
        }

        @Test
        void datesAreStrict() {
            check("allow ssh expires 2026-2-3").assertError("invalid date '2026-2-3'");
            check("allow ssh expires 2027-02-29").assertError("invalid date");
            assertEquals(LocalDate.of(2028, 2, 29),
                    onlyRule(check("allow ssh expires 2028-02-29").model()).options().expires());
        }
    }

    /** The meaning docs/language.md gives, observed through `query` (exit 0 allow, 1 deny/reject). */
    @Nested
    class Meaning {

        @TempDir
        Path dir;

        private PolicyFixtures.Run query(String policy, String... args) {
            write(dir, "p.policy", policy);
            String[] all = new String[args.length + 2];
            all[0] = "query";
            all[1] = dir.resolve("p.policy").toString();
            System.arraycopy(args, 0, all, 2, args.length);
            return PolicyFixtures.cli(all);
        }

        private static final String WEB = "default outbound deny\nhost jumphost = 10.0.0.5\n"
                + "host web1 = 10.0.1.11, 2001:db8:1::11 os linux\nhost web2 = 10.0.1.12 os linux\n"
                + "group web = web1, web2\nallow ssh from jumphost to web\nallow ssh from self to web\n"
                + "allow dns from web to 10.0.0.53\n";

        @Test
        void aRuleAppliesOutboundAtTheSourceAndInboundAtTheDestination() {
            PolicyFixtures.Run run = query(WEB, "--from", "jumphost", "--to", "web1", "--proto", "tcp", "--port", "22");
            assertEquals(0, run.exit(), run.out() + run.err());
            assertTrue(run.out().contains("outbound at host jumphost: allow"), run.out());
            assertTrue(run.out().contains("inbound at host web1: allow"), run.out());
        }

        @Test
        void selfIsBoundToTheHostBeingJudged() {
            PolicyFixtures.Run run = query(WEB, "--from", "web2", "--to", "web1", "--proto", "tcp", "--port", "22");
            assertEquals(1, run.exit(), run.out() + run.err());
            assertTrue(run.out().contains("outbound at host web2: allow"), run.out());
            assertTrue(run.out().contains("inbound at host web1: deny"), run.out());
        }

        @Test
        void aHostOutsideTheFromSetGetsTheOutboundDefault() {
            PolicyFixtures.Run run = query(WEB, "--from", "jumphost", "--to", "10.0.0.53", "--proto", "udp", "--port", "53");
            assertEquals(1, run.exit());
            assertTrue(run.out().contains("default outbound deny"), run.out());
        }

        @Test
        void aQueryIsAboutOneAddressNotANetwork() {
            PolicyFixtures.Run run = query(WEB, "--from", "10.0.0.5/24", "--to", "web1", "--proto", "tcp", "--port", "22");
            assertEquals(2, run.exit(), run.out());
            assertTrue(run.err().contains("'10.0.0.5/24' is a network or range; a query is about one packet: "
                    + "give one address such as 10.0.0.5"), run.err());
        }

        @Test
        void aGroupHoldingTheOtherSideSendsFromAnotherOfItsAddresses() {
            String policy = "host a = 10.0.0.5\nhost b = 10.0.0.6\ngroup admins = a, 192.0.2.0/24\n";
            PolicyFixtures.Run run = query(policy, "--from", "admins", "--to", "a", "--proto", "tcp", "--port", "22");
            assertEquals(1, run.exit(), run.out());
            assertTrue(run.out().contains("tcp 192.0.2.0 port 49152 -> 10.0.0.5 port 22"), run.out());
            assertTrue(run.out().contains("default inbound deny"), run.out());
        }

        @Test
        void aGroupAsDestinationIsAlsoJudgedAtTheHostReceivingThePacket() {
            // The same packet as web2 -> web1: web1's firewall refuses it, whatever the group allows.
            PolicyFixtures.Run run = query(WEB, "--from", "web2", "--to", "web", "--proto", "tcp", "--port", "22");
            assertEquals(1, run.exit(), run.out() + run.err());
            assertEquals("""
                    tcp 10.0.1.12 port 32768 -> 10.0.1.11 port 22
                      outbound at host web2: allow
                        decided by %1$s:7:1: allow ssh from self to web
                      inbound at host web1: deny
                        decided by default inbound deny
                      inbound at group web: allow
                        decided by %1$s:7:1: allow ssh from self to web
                    verdict: deny
                    """.formatted(dir.resolve("p.policy")), run.out());
        }

        @Test
        void aGroupAsSourceIsJudgedOutboundAtItAndAtTheHostSendingThePacket() {
            PolicyFixtures.Run run = query(WEB, "--from", "web", "--to", "10.0.0.200", "--proto", "tcp", "--port", "22");
            assertEquals(1, run.exit(), run.out() + run.err());
            assertTrue(run.out().contains("outbound at host web1: deny\n    decided by " + dir.resolve("p.policy")
                    + ":1:1: default outbound deny"), run.out());
            assertTrue(run.out().contains("outbound at group web: deny"), run.out());
            PolicyFixtures.Run dns = query(WEB, "--from", "web", "--to", "10.0.0.53", "--proto", "udp", "--port", "53");
            assertEquals(0, dns.exit(), dns.out() + dns.err());
            assertTrue(dns.out().contains("outbound at host web1: allow"), dns.out());
            assertTrue(dns.out().contains("outbound at group web: allow"), dns.out());
        }

        @Test
        void anAddressOfNoHostAndNoGroupLeavesNowhereToJudge() {
            PolicyFixtures.Run run = query(WEB, "--from", "10.0.0.99", "--to", "10.0.0.98", "--proto", "tcp",
                    "--port", "22");
            assertEquals(2, run.exit(), run.out());
            assertTrue(run.err().contains("neither '10.0.0.99' nor '10.0.0.98' is a host or group of this policy,"
                    + " or an address of a host"), run.err());
        }

        @Test
        void firstMatchWinsAndRejectIsNotAllow() {
            String policy = "host h = 10.0.0.1\nreject tcp/25 from any except 192.0.2.0/24\nallow tcp/25\n";
            assertEquals(1, query(policy, "--from", "198.51.100.1", "--to", "h", "--proto", "tcp", "--port", "25").exit());
            assertEquals(0, query(policy, "--from", "192.0.2.9", "--to", "h", "--proto", "tcp", "--port", "25").exit());
        }

        @Test
        void neighbourDiscoveryIsImplicitAtHostsAndCannotBeDenied() {
            String policy = "host h = 2001:db8::1\ndeny icmpv6 from any\n";
            assertEquals(0, query(policy, "--from", "2001:db8::2", "--to", "h", "--proto", "icmpv6",
                    "--icmp-type", "neighbor-solicitation").exit());
            assertEquals(1, query(policy, "--from", "2001:db8::2", "--to", "h", "--proto", "icmpv6",
                    "--icmp-type", "echo-request").exit());
            // Not at group targets: a cloud security group has no such implicit rules.
            String group = "group g = 2001:db8::/64\ndeny icmpv6 from any to g\n";
            assertEquals(1, query(group, "--from", "2001:db8:1::2", "--to", "g", "--proto", "icmpv6",
                    "--icmp-type", "neighbor-solicitation").exit());
        }

        @Test
        void familiesDoNotMix() {
            String policy = "host h = 10.0.0.1, 2001:db8::1\nallow tcp/443 from 192.0.2.0/24\n";
            assertEquals(0, query(policy, "--from", "192.0.2.5", "--to", "h", "--proto", "tcp", "--port", "443").exit());
            assertEquals(1, query(policy, "--from", "2001:db8:5::5", "--to", "h", "--proto", "tcp", "--port", "443").exit());
        }

        @Test
        void expiredRulesAreLeftOutFromTheDayAfter() {
            String policy = "host h = 10.0.0.1\nallow ssh expires 2027-01-31 owner \"o\" ticket \"t\" comment \"c\"\n";
            assertEquals(0, query(policy, "--from", "192.0.2.5", "--to", "h", "--proto", "tcp", "--port", "22",
                    "--today", "2027-01-31").exit());
            assertEquals(1, query(policy, "--from", "192.0.2.5", "--to", "h", "--proto", "tcp", "--port", "22",
                    "--today", "2027-02-01").exit());
        }

        @Test
        void ephemeralFollowsTheOwnersOs() {
            String policy = "stateless\nhost lin = 10.0.0.1 os linux\nhost win = 10.0.0.2 os windows\n"
                    + "host none = 10.0.0.3\nephemeral 40000-40099\n"
                    + "allow tcp from 192.0.2.53 port 443 to self port ephemeral\n";
            assertEquals(0, portQuery(policy, "lin", "32768"));
            assertEquals(1, portQuery(policy, "lin", "61000"));
            assertEquals(1, portQuery(policy, "win", "32768"));
            assertEquals(0, portQuery(policy, "win", "65535"));
            assertEquals(0, portQuery(policy, "none", "40099"));
            assertEquals(1, portQuery(policy, "none", "49152"));
        }

        private int portQuery(String policy, String host, String port) {
            return query(policy, "--from", "192.0.2.53", "--sport", "443", "--to", host, "--proto", "tcp",
                    "--port", port).exit();
        }
    }

    @Test
    void ruleTextIsKeptForMessages() {
        Rule rule = onlyRule(check("allow   tcp / { 80 , 443 }\n from 10.0.0.0/8 # why\n").model());
        assertEquals("allow tcp/{80, 443} from 10.0.0.0/8", rule.text());
        assertEquals(1, rule.location().line());
    }

    @Test
    void ruleTextWithoutOptionsLeavesOutEveryOption() {
        Rule rule = onlyRule(check("allow tcp to 10.0.0.1 port {80,443}  log \"web\" owner \"ops\"\n"
                + "  expires 2099-01-01 waive PP103 \"why\"\n").model());
        assertEquals("allow tcp to 10.0.0.1 port {80, 443} log \"web\" owner \"ops\" expires 2099-01-01 waive"
                + " PP103 \"why\"", rule.text());
        assertEquals("allow tcp to 10.0.0.1 port {80, 443}", rule.matchText());
    }

    @Test
    void everyBuiltinServiceIsUsable() {
        String names = ServiceCatalog.builtin().keySet().stream().collect(Collectors.joining(", "));
        Rule rule = onlyRule(check("allow " + names + " from 10.0.0.5").model());
        assertTrue(rule.services().size() >= ServiceCatalog.builtin().size());
    }
}
