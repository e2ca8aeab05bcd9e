package io.portpolicy.lint;

import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sensitive-port catalog covers what lint-rules.md lists, and configurations extend it. */
class SensitivePortsTest {

    private static boolean covered(Protocol protocol, int port) {
        return SensitivePorts.builtin().ports().stream().anyMatch(p -> p.covers(protocol, port));
    }

    @Test
    void coversTheServicesTheContractNames() {
        Map<String, Integer> tcp = Map.ofEntries(
                Map.entry("PostgreSQL", 5432), Map.entry("MySQL", 3306), Map.entry("SQL Server", 1433),
                Map.entry("Oracle", 1521), Map.entry("Redis", 6379), Map.entry("Memcached", 11211),
                Map.entry("MongoDB", 27017), Map.entry("Elasticsearch", 9200), Map.entry("SMB", 445),
                Map.entry("NetBIOS session", 139), Map.entry("RDP", 3389), Map.entry("WinRM", 5985),
                Map.entry("WinRM TLS", 5986), Map.entry("VNC", 5900), Map.entry("Docker", 2375),
                Map.entry("Kubernetes API", 6443), Map.entry("kubelet", 10250), Map.entry("etcd", 2379),
                Map.entry("LDAP", 389));
        tcp.forEach((service, port) -> assertTrue(covered(Protocol.TCP, port), service + " tcp/" + port));
        for (int udp : new int[] {161, 137, 11211}) assertTrue(covered(Protocol.UDP, udp), "udp/" + udp);
        assertTrue(!covered(Protocol.TCP, 443), "HTTPS is meant to be public");
        for (SensitivePort port : SensitivePorts.builtin().ports()) {
            assertTrue(Set.of(Protocol.TCP, Protocol.UDP).contains(port.protocol()));
            assertTrue(!port.service().isBlank() && !port.risk().isBlank(), port.toString());
        }
    }

    @Test
    void configurationAddsPorts() {
        SensitivePort consul = new SensitivePort(PortRange.single(8501), Protocol.TCP, "Consul HTTPS", "runs checks");
        LintConfig config = new LintConfig(Map.of(), Set.of(), List.of(consul), null);
        List<SensitivePort> all = config.sensitivePorts();
        assertEquals(SensitivePorts.builtin().ports().size() + 1, all.size());
        assertEquals(consul, all.get(all.size() - 1));
    }

    @Test
    void aConfiguredPortTakesOverTheBuiltInEntriesPortsItNames() {
        // A site naming Consul over tcp/8500-8502 takes the catalog's tcp/8500 entry over.
        SensitivePort consul = new SensitivePort(new PortRange(8500, 8502), Protocol.TCP, "Consul", "runs checks");
        List<SensitivePort> all = new LintConfig(Map.of(), Set.of(), List.of(consul), null).sensitivePorts();
        assertEquals(SensitivePorts.builtin().ports().size(), all.size());
        assertEquals(List.of(consul), all.stream().filter(p -> p.covers(Protocol.TCP, 8500)).toList());
        // A site's port inside a built-in range takes that port only.
        SensitivePort mongo = new SensitivePort(PortRange.single(27017), Protocol.TCP, "OurMongo", "orders");
        List<SensitivePort> split = new LintConfig(Map.of(), Set.of(), List.of(mongo), null).sensitivePorts();
        assertEquals(List.of(mongo), split.stream().filter(p -> p.covers(Protocol.TCP, 27017)).toList());
        assertEquals(List.of(new PortRange(27018, 27019)), split.stream().filter(p -> p.service().equals("MongoDB"))
                .map(SensitivePort::ports).toList());
        // The same port of the other protocol is another entry.
        SensitivePort udp = new SensitivePort(PortRange.single(6379), Protocol.UDP, "Redis over UDP", "x");
        List<SensitivePort> both = new LintConfig(Map.of(), Set.of(), List.of(udp), null).sensitivePorts();
        assertEquals(2, both.stream().filter(p -> p.ports().contains(6379)).count());
    }

    @Test
    void parsesPortsStrictly() {
        assertEquals(new PortRange(2379, 2380), SensitivePorts.parsePorts("2379-2380"));
        assertNull(SensitivePorts.parsePorts("70000"));
        assertNull(SensitivePorts.parsePorts("90-80"));
        assertNull(SensitivePorts.parsePorts("1-2-3"));
        assertNull(SensitivePorts.parseProtocol("sctp"));
    }
}
