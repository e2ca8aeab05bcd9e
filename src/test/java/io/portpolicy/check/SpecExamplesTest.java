package io.portpolicy.check;

import io.portpolicy.model.Action;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.Host;
import io.portpolicy.model.Os;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.ServiceMatch;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import static io.portpolicy.check.PolicyFixtures.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every example of the language contract (copied into src/test/resources/spec-examples, see
 * its README for where each comes from) checks, with the meaning the contract gives it.
 */
class SpecExamplesTest {

    private static Policy checked(String resource) {
        try {
            Path file = Path.of(SpecExamplesTest.class.getResource("/spec-examples/" + resource).toURI());
            return check(file).model();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> terms(Rule rule) {
        return rule.services().stream().map(ServiceMatch::toString).toList();
    }

    @Test
    void objectsExample() {
        Policy policy = checked("objects.policy");
        assertEquals(Set.of("jumphost", "web1", "web2"), policy.hosts().keySet());
        assertEquals(Os.LINUX, policy.hosts().get("web1").os());
        assertEquals(2, policy.hosts().get("web1").addresses().size());
        assertNull(policy.hosts().get("jumphost").os());
        assertEquals(Set.of("office", "partners"), policy.networks().keySet());
        assertEquals("198.51.100.10", policy.networks().get("partners").blocks().get(0).range().getLower().toString());
        assertEquals("198.51.100.20", policy.networks().get("partners").blocks().get(0).range().getUpper().toString());
        assertEquals(List.of("jumphost"), policy.groups().get("admins").hosts().stream().map(Host::name).toList());
        assertEquals(2, policy.groups().get("admins").blocks().size(), "office's IPv4 and IPv6 blocks");
        assertEquals(List.of("tcp/8080-8081", "udp/9000"),
                policy.services().get("app").terms().stream().map(ServiceMatch::toString).toList());
        assertEquals(Set.of("app", "dns"), policy.services().keySet(), "dns overrides the built-in");
    }

    @Test
    void settingsExampleWithItsIncludeAndImport() {
        Policy policy = checked("settings/settings.policy");
        assertEquals(Action.DENY, policy.settings().defaultInbound().value());
        assertEquals(Action.ALLOW, policy.settings().defaultOutbound().value());
        assertTrue(policy.settings().defaultOutbound().written());
        assertTrue(policy.settings().isStateless());
        assertEquals(new PortRange(49152, 65535), policy.settings().ephemeral().value());
        assertEquals(Set.of("jumphost", "web1", "db1"), policy.hosts().keySet());
        assertEquals(3, policy.files().size());
    }

    @Test
    void inventoryExample() {
        Policy policy = checked("inventory/site.policy");
        assertEquals(Os.LINUX, policy.hosts().get("db1").os());
        assertEquals(List.of("web1"), policy.groups().get("web").hosts().stream().map(Host::name).toList());
        assertEquals(List.of("db1"), policy.groups().get("db").hosts().stream().map(Host::name).toList());
        assertEquals(List.of("jumphost"), policy.groups().get("admins").hosts().stream().map(Host::name).toList());
        assertEquals("192.0.2.0", policy.groups().get("admins").blocks().get(0).range().getLower().toString());
    }

    @Test
    void rulesExample() {
        List<Rule> rules = checked("rules.policy").rules();
        assertEquals(15, rules.size());
        assertEquals(List.of("tcp/443"), terms(rules.get(0)));
        assertEquals(List.of("tcp/443"), terms(rules.get(1)), "https");
        assertInstanceOf(AddressTerm.Self.class, rules.get(2).to().addresses().get(0), "no `to`: self");
        assertEquals(List.of("tcp/22", "tcp/443"), terms(rules.get(3)));
        assertEquals(Action.DENY, rules.get(4).action());
        assertEquals(Action.REJECT, rules.get(5).action());
        assertEquals("office", rules.get(5).from().except().get(0).toString());
        assertInstanceOf(AddressTerm.Self.class, rules.get(6).from().addresses().get(0));
        assertEquals(List.of("tcp/{80,443,8000-8100}"), terms(rules.get(7)));
        assertEquals(List.of("icmp/8"), terms(rules.get(8)));
        assertEquals(List.of("icmpv6"), terms(rules.get(9)));
        assertEquals(Protocol.ANY, rules.get(10).services().get(0).protocol());
        assertEquals("443", rules.get(11).from().ports().toString());
        assertTrue(rules.get(11).services().get(0).ports().ephemeral());
        assertEquals(LocalDate.of(2026, 12, 31), rules.get(12).options().expires());
        assertEquals("payments", rules.get(12).options().owner());
        assertEquals("PP102", rules.get(13).options().waivers().get(0).ruleId());
        assertEquals(LocalDate.of(2027, 1, 31), rules.get(13).options().waivers().get(0).until());
        assertEquals("web-in", rules.get(14).options().logPrefix());
    }
}
