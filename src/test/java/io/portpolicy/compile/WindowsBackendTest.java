package io.portpolicy.compile;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.compile.windows.WindowsBackend;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Packet;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Os;
import io.portpolicy.testing.RandomPolicies;
import org.approvaltests.Approvals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compile --target windows: the generated script, read back by {@link WindowsFirewallReader}
 * and evaluated by Windows' block-beats-allow semantics, decides every boundary and random
 * packet as the engine does, for the example hosts and for random policies; the netsh batch
 * holds the same rules; hostile text stays a literal string.
 */
class WindowsBackendTest {

    private static final WindowsBackend BACKEND = new WindowsBackend();

    static Artifact compile(EffectivePolicy effective, Target target, String format) throws CompileException {
        return BACKEND.compile(new CompileRequest(effective, target, format, "TEST", TargetOptions.defaults(BACKEND)));
    }

    // ---- the cross-check ----------------------------------------------------------------

    /** Checks one host; returns the number of packets compared. */
    static int crossCheck(String label, EffectivePolicy effective, Target host, long seed) throws CompileException {
        String script = compile(effective, host, "powershell").parts().get(0).text();
        WindowsFirewallReader reader = WindowsFirewallReader.powershell(script);
        assertEquals(1, reader.removedGroups.size(), label);
        WindowsFirewallReader netsh = WindowsFirewallReader.netsh(compile(effective, host, "netsh").parts().get(0).text());
        assertTrue(netsh.rules.stream().allMatch(r -> r.one("Name").equals(reader.removedGroups.get(0))),
                label + ": every netsh rule is named after the group the script removes");
        assertEquals(expandIcmp(reader.rules), strip(netsh.rules), label + ": netsh holds other rules");
        assertEquals(reader.defaultInbound, netsh.defaultInbound, label);
        assertEquals(reader.defaultOutbound, netsh.defaultOutbound, label);
        assertFalse(reader.unicastResponsesToMulticast, label + ": answers to a broadcast pass whatever the policy says");
        assertFalse(netsh.unicastResponsesToMulticast, label + ": netsh leaves answers to a broadcast admitted");
        Random random = new Random(seed);
        int count = 0;
        List<String> mismatches = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            for (Packet packet : packets(effective, host, direction, random)) {
                Action engine = effective.decide(host, direction, packet).action();
                String windows = reader.verdict(direction, packet, host.addresses());
                String batch = netsh.verdict(direction, packet, host.addresses());
                String expected = engine == Action.ALLOW ? "Allow" : "Block";
                count++;
                if ((!expected.equals(windows) || !expected.equals(batch)) && mismatches.size() < 20) {
                    mismatches.add(label + " " + direction + " " + packet + ": windows " + windows + ", netsh " + batch
                            + ", engine " + effective.decide(host, direction, packet).reason());
                }
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches) + "\n" + Text.cutChars(script, 4000));
        return count;
    }

    /** The PowerShell rules with one ICMP type per rule, as netsh writes them, names aside. */
    private static Set<String> expandIcmp(List<WindowsFirewallReader.FwRule> rules) {
        Set<String> out = new TreeSet<>();
        for (WindowsFirewallReader.FwRule rule : rules) {
            var p = new java.util.TreeMap<>(rule.parameters());
            p.remove("Name");
            p.remove("DisplayName");
            p.remove("Group");
            p.remove("Profile");
            p.put("Description", List.of(WindowsBackend.cmdText(rule.one("Description"))));
            List<String> types = p.remove("IcmpType");
            if (types == null) {
                out.add(p.toString());
            } else {
                for (String t : types) {
                    var q = new java.util.TreeMap<>(p);
                    q.put("IcmpType", List.of(t));
                    out.add(q.toString());
                }
            }
        }
        return out;
    }

    private static Set<String> strip(List<WindowsFirewallReader.FwRule> rules) {
        Set<String> out = new TreeSet<>();
        for (WindowsFirewallReader.FwRule rule : rules) {
            var p = new java.util.TreeMap<>(rule.parameters());
            p.remove("Name");
            out.add(p.toString());
        }
        return out;
    }

    /** Packets at the ends of every range the rules name and their neighbours, and random ones. */
    static List<Packet> packets(EffectivePolicy effective, Target host, Direction direction, Random random) {
        Set<IPAddress> peers = new HashSet<>();
        Set<Integer> ports = new TreeSet<>(List.of(0, 1, 22, 53, 80, 443, 1024, 49152, 65535));
        Set<Integer> types = new TreeSet<>(List.of(0, 3, 8, 128, 133, 135, 136, 137, 255));
        for (Direction d : Direction.values()) {
            HostRules rules = HostRules.of(effective, host, d);
            for (HostRules.Compiled compiled : rules.rules()) {
                for (PacketCube cube : compiled.cubes()) {
                    for (IPAddressSeqRange range : rules.peers(cube)) {
                        IPAddress low = range.getLower().withoutPrefixLength();
                        IPAddress high = range.getUpper().withoutPrefixLength();
                        peers.add(low);
                        peers.add(high);
                        if (!low.isZero()) peers.add(low.increment(-1));
                        if (!high.isMax()) peers.add(high.increment(1));
                    }
                    addEnds(ports, cube.destinationPorts(), 0, 65535);
                    addEnds(ports, cube.sourcePorts(), 0, 65535);
                    addEnds(types, cube.icmpTypes(), 0, 255);
                    addEnds(types, cube.icmpCodes(), 0, 255);
                }
            }
        }
        for (String a : List.of("127.0.0.1", "::1", "192.0.2.77", "10.0.0.1", "2001:db8::1", "fe80::1", "8.8.8.8")) {
            peers.add(new IPAddressString(a).getAddress());
        }
        List<IPAddress> own = new ArrayList<>();
        for (IPAddressSeqRange r : host.addresses()) {
            own.add(r.getLower().withoutPrefixLength());
            own.add(r.getUpper().withoutPrefixLength());
            peers.add(r.getLower().withoutPrefixLength());
            IPAddress next = r.getUpper().withoutPrefixLength();
            if (!next.isMax()) own.add(next.increment(1));
        }
        List<IPAddress> peerList = new ArrayList<>(peers);
        peerList.sort(IPAddress::compareTo);
        List<Integer> portList = new ArrayList<>(ports);
        List<Integer> typeList = new ArrayList<>(types);
        List<Packet> out = new ArrayList<>();
        for (IPAddress self : own) {
            for (IPAddress peer : peerList) {
                if (self.isIPv4() != peer.isIPv4()) continue;
                IPAddress src = direction == Direction.INBOUND ? peer : self;
                IPAddress dst = direction == Direction.INBOUND ? self : peer;
                int icmp = self.isIPv4() ? 1 : 58;
                for (int i = 0; i < 6; i++) {
                    int sport = pick(portList, random);
                    int dport = pick(portList, random);
                    out.add(new Packet(src, dst, 6, sport, dport, 0, 0));
                    out.add(new Packet(src, dst, 17, pick(portList, random), pick(portList, random), 0, 0));
                    out.add(new Packet(src, dst, icmp, 0, 0, pickType(typeList, random), pickType(typeList, random)));
                }
                out.add(new Packet(src, dst, icmp, 0, 0, random.nextInt(256), random.nextInt(256)));
                for (int protocol : new int[] {0, 47, 50, 255, self.isIPv4() ? 58 : 1, random.nextInt(256)}) {
                    if (protocol == 6 || protocol == 17 || protocol == icmp) continue;
                    out.add(new Packet(src, dst, protocol, 0, 0, 0, 0));
                }
            }
        }
        return out;
    }

    private static int pick(List<Integer> values, Random random) {
        return random.nextInt(4) == 0 ? random.nextInt(65536) : values.get(random.nextInt(values.size()));
    }

    private static int pickType(List<Integer> values, Random random) {
        return random.nextInt(4) == 0 ? random.nextInt(256) : values.get(random.nextInt(values.size()));
    }

    private static void addEnds(Set<Integer> out, List<ValueRange> values, int min, int max) {
        for (ValueRange v : values) {
            for (int p : new int[] {v.low(), v.high(), v.low() - 1, v.high() + 1}) {
                if (p >= min && p <= max) out.add(p);
            }
        }
    }

    // ---- the tests ----------------------------------------------------------------------

    @Test
    void everyExampleHostDecidesAsTheEngine() throws CompileException {
        int hosts = 0;
        int packets = 0;
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target host : CompileFixtures.hosts(effective)) {
                if (effective.policy().settings().isStateless()) {
                    assertThrows(CompileException.class, () -> compile(effective, host, "powershell"));
                    continue;
                }
                packets += crossCheck(file + " " + host.name(), effective, host, hosts);
                hosts++;
            }
        }
        assertTrue(hosts >= 10, "hosts checked: " + hosts);
        assertTrue(packets > 10000, "packets checked: " + packets);
    }

    @Test
    void randomPoliciesDecideAsTheEngine() throws CompileException {
        int hosts = 0;
        int windows = 0;
        for (long seed = 0; seed < 80; seed++) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(new RandomPolicies(seed).policy()),
                    CompileFixtures.TODAY);
            for (Target host : CompileFixtures.hosts(effective)) {
                if (effective.policy().settings().isStateless()) {
                    CompileException e = assertThrows(CompileException.class, () -> compile(effective, host, "powershell"));
                    assertTrue(e.getMessage().contains("stateless"), e.getMessage());
                    continue;
                }
                crossCheck("seed " + seed + " " + host.name(), effective, host, seed);
                hosts++;
                if (host.os() == Os.WINDOWS) windows++;
            }
        }
        assertTrue(hosts >= 60 && windows >= 10, hosts + " hosts, " + windows + " windows");
    }

    /** The issue's example: no Block locks the jump host out; with default allow, a Block for everyone else. */
    @Test
    void blockNeverCutsIntoAnEarlierAllow() throws CompileException {
        String rules = "host srv = 10.0.0.1 os windows\nhost jumphost = 10.0.0.9\n"
                + "allow tcp/22 from jumphost\ndeny tcp/22 from any\n";
        EffectivePolicy deny = EffectivePolicy.of(CompileFixtures.checkText("default inbound deny\n" + rules),
                CompileFixtures.TODAY);
        WindowsFirewallReader r = WindowsFirewallReader.powershell(
                compile(deny, deny.target("srv").orElseThrow(), "powershell").parts().get(0).text());
        List<WindowsFirewallReader.FwRule> in = r.rules.stream().filter(x -> x.one("Direction").equals("Inbound")
                && x.one("Protocol").equals("TCP")).toList();
        assertEquals(1, in.size());
        assertEquals("Allow", in.get(0).one("Action"));
        assertEquals(List.of("10.0.0.9"), in.get(0).list("RemoteAddress"));
        assertEquals(List.of("22"), in.get(0).list("LocalPort"));
        assertTrue(r.rules.stream().noneMatch(x -> x.one("Action").equals("Block")));

        EffectivePolicy allow = EffectivePolicy.of(CompileFixtures.checkText("default inbound allow\n" + rules),
                CompileFixtures.TODAY);
        r = WindowsFirewallReader.powershell(compile(allow, allow.target("srv").orElseThrow(), "powershell")
                .parts().get(0).text());
        List<WindowsFirewallReader.FwRule> blocks = r.rules.stream().filter(x -> x.one("Action").equals("Block")).toList();
        assertEquals(1, blocks.size());
        assertEquals(List.of("0.0.0.0-10.0.0.0", "10.0.0.2-10.0.0.8", "10.0.0.10-126.255.255.255", "128.0.0.0/1"),
                blocks.get(0).list("RemoteAddress"));
        assertEquals("Allow", r.defaultInbound);
        assertTrue(r.rules.stream().noneMatch(x -> x.one("Action").equals("Allow") && x.one("Direction").equals("Inbound")));
        crossCheck("issue example, default allow", allow, allow.target("srv").orElseThrow(), 1);
        crossCheck("issue example, default deny", deny, deny.target("srv").orElseThrow(), 2);
    }

    /** Only 0-65535 is every port: a Block of 1-65535 leaves port 0 to the default, as the policy says. */
    @Test
    void portZeroIsAPortLikeAnyOther() throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText("host srv = 10.0.0.1 os windows\n"
                + "default inbound allow\ndeny tcp/1-65535 from 192.0.2.0/24\ndeny udp from 192.0.2.0/24\n"),
                CompileFixtures.TODAY);
        Target srv = effective.target("srv").orElseThrow();
        WindowsFirewallReader r = WindowsFirewallReader.powershell(compile(effective, srv, "powershell").parts().get(0).text());
        WindowsFirewallReader.FwRule tcp = r.rules.stream().filter(x -> x.one("Protocol").equals("TCP")).findFirst().orElseThrow();
        assertEquals(List.of("1-65535"), tcp.list("LocalPort"));
        WindowsFirewallReader.FwRule udp = r.rules.stream().filter(x -> x.one("Protocol").equals("UDP")).findFirst().orElseThrow();
        assertFalse(udp.parameters().containsKey("LocalPort"), udp.toString());
        IPAddress peer = new IPAddressString("192.0.2.7").getAddress();
        IPAddress self = new IPAddressString("10.0.0.1").getAddress();
        assertEquals("Allow", r.verdict(Direction.INBOUND, new Packet(peer, self, 6, 1024, 0, 0, 0), srv.addresses()));
        assertEquals("Block", r.verdict(Direction.INBOUND, new Packet(peer, self, 17, 1024, 0, 0, 0), srv.addresses()));
        crossCheck("port 0", effective, srv, 5);
    }

    /**
     * A deny of every protocol is one Block rule with -Protocol Any (netsh protocol=any), also
     * where an earlier deny took part of it: Windows unites its Block rules, so the rule may
     * cover the telnet packets the first rule blocks. The golden output holds both formats.
     */
    @Test
    void denyAnyIsOneAnyRuleWhereAnEarlierDenyTookPartOfIt() throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText("host srv = 10.0.0.1 os windows\n"
                + "default inbound allow\ndefault outbound allow\ndeny tcp/23 from any\n"
                + "deny any from 203.0.113.0/24\ndeny tcp/445 to 198.51.100.0/24\ndeny any to 198.51.100.0/24\n"),
                CompileFixtures.TODAY);
        Target srv = effective.target("srv").orElseThrow();
        String powershell = compile(effective, srv, "powershell").parts().get(0).text();
        String netsh = compile(effective, srv, "netsh").parts().get(0).text().replace("\r\n", "\n");
        List<String> protocols = WindowsFirewallReader.powershell(powershell).rules.stream()
                .map(r -> r.one("Protocol")).toList();
        assertEquals(List.of("TCP", "Any", "TCP", "Any"), protocols);
        crossCheck("deny any", effective, srv, 11);
        Approvals.verify(powershell + "\n" + netsh);
    }

    /**
     * Where an earlier allow admits some packets between two addresses, no Any rule can block
     * the rest (no Allow beats a Block): those peers keep one Block rule per protocol, and the
     * others of the same deny still get one Any rule.
     */
    @Test
    void anEarlierAllowKeepsItsPeersBlockedProtocolByProtocol() throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText("host srv = 10.0.0.1 os windows\n"
                + "default inbound allow\nallow tcp/443 from 203.0.113.7\ndeny any from 203.0.113.0/24\n"),
                CompileFixtures.TODAY);
        Target srv = effective.target("srv").orElseThrow();
        List<WindowsFirewallReader.FwRule> blocks = WindowsFirewallReader.powershell(
                compile(effective, srv, "powershell").parts().get(0).text()).rules;
        List<WindowsFirewallReader.FwRule> any = blocks.stream().filter(r -> r.one("Protocol").equals("Any")).toList();
        assertEquals(1, any.size());
        assertEquals(List.of("203.0.113.0-203.0.113.6", "203.0.113.8-203.0.113.255"), any.get(0).list("RemoteAddress"));
        List<WindowsFirewallReader.FwRule> peer = blocks.stream()
                .filter(r -> r.list("RemoteAddress").equals(List.of("203.0.113.7"))).toList();
        assertEquals(256, peer.size(), "a Block for each of the 255 other protocols, and one for TCP but port 443");
        crossCheck("allow before deny any", effective, srv, 12);
    }

    @Test
    void rejectIsBlockWithANote() throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(
                "host srv = 10.0.0.1\ndefault inbound allow\nreject tcp/23\n"), CompileFixtures.TODAY);
        String script = compile(effective, effective.target("srv").orElseThrow(), "powershell").parts().get(0).text();
        assertTrue(script.contains("# note: reject is compiled as Block"), script);
        WindowsFirewallReader r = WindowsFirewallReader.powershell(script);
        assertEquals(1, r.rules.stream().filter(x -> x.one("Action").equals("Block")).count());
    }

    @Test
    void theImplicitLoopbackRuleIsVisibleInBothFormats() throws CompileException {
        // The language makes loopback an implicit rule "visible in the output"; Windows needs no
        // rule for it, so the output says so instead.
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(
                "host srv = 10.0.0.1\nallow tcp/22\n"), CompileFixtures.TODAY);
        Target srv = effective.target("srv").orElseThrow();
        String script = compile(effective, srv, "powershell").parts().get(0).text();
        assertTrue(script.contains("# implicit: loopback traffic is always admitted"), script);
        String netsh = compile(effective, srv, "netsh").parts().get(0).text();
        assertTrue(netsh.contains("rem implicit: loopback traffic is always admitted"), netsh);
    }

    @Test
    void logIsCompiledWithoutLoggingAndTheOutputSaysSo() throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(
                "host srv = 10.0.0.1\nallow tcp/22 log\n"), CompileFixtures.TODAY);
        Target srv = effective.target("srv").orElseThrow();
        String script = compile(effective, srv, "powershell").parts().get(0).text();
        assertTrue(script.contains("# note: log is compiled without logging: Windows Defender Firewall logs per profile"),
                script);
        assertTrue(script.contains("(log: Windows logs per profile, not per rule)"), script);
        String netsh = compile(effective, srv, "netsh").parts().get(0).text();
        assertTrue(netsh.contains("rem note: log is compiled without logging"), netsh);
        String quiet = compile(EffectivePolicy.of(CompileFixtures.checkText("host srv = 10.0.0.1\nallow tcp/22\n"),
                CompileFixtures.TODAY), srv, "powershell").parts().get(0).text();
        assertFalse(quiet.contains("log"), "no note without log: " + quiet);
    }

    @Test
    void statelessPoliciesAreRefused() {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText(
                "stateless\nhost srv = 10.0.0.1\nallow tcp/22\n"), CompileFixtures.TODAY);
        CompileFixtures.Run run = CompileFixtures.runWithInput("stateless\nhost srv = 10.0.0.1\nallow tcp/22\n",
                "compile", "-", "--target", "windows", "--host", "srv");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("stateless"), run.err());
        assertThrows(CompileException.class, () -> compile(effective, effective.target("srv").orElseThrow(), "netsh"));
    }

    @Test
    void netshSplitsARuleTooLongForCmdIntoRulesMatchingTheSame() throws CompileException {
        StringBuilder many = new StringBuilder("network many = ");
        for (int i = 0; i < 1000; i++) many.append(i == 0 ? "" : ", ").append("10.").append(i / 250).append('.')
                .append(i % 250).append(".7");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText("host h = 10.200.1.11 os windows\n"
                + many + "\ndefault inbound allow\ndeny tcp/445 from many\n"), CompileFixtures.TODAY);
        Target host = effective.target("h").orElseThrow();
        String batch = compile(effective, host, "netsh").parts().get(0).text();
        WindowsFirewallReader netsh = WindowsFirewallReader.netsh(batch);   // every line within cmd.exe's 8,191
        WindowsFirewallReader powershell = WindowsFirewallReader.powershell(
                compile(effective, host, "powershell").parts().get(0).text());
        assertEquals(1, powershell.rules.size());
        assertTrue(netsh.rules.size() > 1, "split");
        List<String> remote = new ArrayList<>();
        for (WindowsFirewallReader.FwRule rule : netsh.rules) {
            assertEquals(powershell.rules.get(0).one("LocalPort"), rule.one("LocalPort"));
            remote.addAll(rule.parameters().get("RemoteAddress"));
        }
        assertEquals(powershell.rules.get(0).parameters().get("RemoteAddress"), remote);
    }

    /**
     * netsh's set rule cannot disable every rule (a rule's name cannot be "all"), so the batch
     * deletes every rule of the local store, after it has exported the firewall's policy next to
     * itself. Each step ends the batch when it fails, and until the policy's rules are in both
     * defaults block: a batch that stops part-way never leaves the host more open than it was
     * or than the policy, and the policy's defaults come last.
     */
    @Test
    void netshBacksUpThenDeletesEveryRuleBeforeAddingThePolicys() throws CompileException {
        String batch = replacingScript("netsh");
        List<String> commands = batch.lines().filter(line -> !line.startsWith("rem ") && !line.equals("@echo off"))
                .toList();
        assertFalse(batch.contains("set rule"), batch);
        assertEquals(List.of(
                "if not exist \"%~dpn0.backup.wfw\" (netsh advfirewall export \"%~dpn0.backup.wfw\" || exit /b 1)",
                "netsh advfirewall set allprofiles state on || exit /b 1",
                "netsh advfirewall set allprofiles firewallpolicy blockinbound,blockoutbound || exit /b 1",
                "netsh advfirewall set allprofiles settings unicastresponsetomulticast disable || exit /b 1",
                "netsh advfirewall firewall show rule name=all >nul 2>&1"
                        + " && (netsh advfirewall firewall delete rule name=all || exit /b 1)"),
                commands.subList(0, 5), batch);
        List<String> adds = commands.subList(5, commands.size() - 1);
        assertTrue(adds.size() >= 2 && adds.stream().allMatch(line -> line.startsWith(
                "netsh advfirewall firewall add rule name=\"portpolicy:stdin\" ") && line.endsWith(" || exit /b 1")),
                batch);
        assertTrue(adds.stream().anyMatch(line -> line.contains(" action=block ")), batch);
        assertTrue(adds.stream().anyMatch(line -> line.contains(" action=allow ")), batch);
        assertEquals("netsh advfirewall set allprofiles firewallpolicy allowinbound,blockoutbound || exit /b 1",
                commands.get(commands.size() - 1), batch);
    }

    @Test
    void powershellBlocksBothWaysUntilThePolicysRulesAreInAndSetsItsDefaultsLast() throws CompileException {
        String script = replacingScript("powershell");
        List<String> commands = script.lines().filter(line -> !line.startsWith("#") && !line.isEmpty()).toList();
        assertEquals("Set-NetFirewallProfile -Profile 'Domain','Private','Public' -Enabled 'True' -DefaultInboundAction"
                + " 'Block' -DefaultOutboundAction 'Block' -AllowUnicastResponseToMulticast 'False'", commands.get(1), script);
        assertTrue(commands.get(2).startsWith("Get-NetFirewallRule -Group ") && commands.get(3).startsWith(
                "Get-NetFirewallRule -Enabled 'True'"), script);
        List<String> adds = commands.subList(4, commands.size() - 1);
        assertTrue(adds.size() >= 2 && adds.stream().allMatch(line -> line.startsWith("New-NetFirewallRule ")), script);
        assertEquals("Set-NetFirewallProfile -Profile 'Domain','Private','Public' -DefaultInboundAction 'Allow'"
                + " -DefaultOutboundAction 'Block'", commands.get(commands.size() - 1), script);
    }

    /**
     * A host's script in {@code format} under a default inbound allow with a Block rule, where
     * the order of defaults and rules decides what a script stopped part-way leaves open.
     */
    private static String replacingScript(String format) throws CompileException {
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText("host srv = 10.0.0.1 os windows\n"
                + "default inbound allow\ndefault outbound deny\ndeny tcp/23\nallow tcp/443 from srv\n"),
                CompileFixtures.TODAY);
        return compile(effective, effective.target("srv").orElseThrow(), format).parts().get(0).text();
    }

    static final String EVIL = "a'b\u2018c\u2019d\u201ae\u201bf'' `$(Remove-Item C:/ -Recurse)`; Stop-Computer; \"$x\" "
            + "%PATH% !x! ^& | < > \n New-NetFirewallRule -Action Allow \r '; calc; ' #<# \ud83d\udd25";

    @Test
    void hostileTextStaysLiteral(@TempDir Path dir) throws IOException, CompileException {
        // A policy may not hold a line separator (U+2028); a file name may.
        Path file = dir.resolve("evil'$(calc)`;\u2019\u2028 x.policy");
        String comment = EVIL.replace("\n", " ").replace("\r", " ").replace("\"", "'");
        Files.writeString(file, "host evil = 10.0.0.1, 2001:db8::1 os windows\ndefault inbound deny\n"
                + "allow tcp/22 from 10.1.0.0/16 comment \"" + comment + "\" owner \"" + comment + "\" ticket \""
                + comment + "\"\n");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
        Target host = effective.target("evil").orElseThrow();
        String script = compile(effective, host, "powershell").parts().get(0).text();
        WindowsFirewallReader r = WindowsFirewallReader.powershell(script);
        WindowsFirewallReader.FwRule rule = r.rules.stream().filter(x -> x.one("Protocol").equals("TCP")).findFirst()
                .orElseThrow();
        String expected = Text.oneLine(HostRules.describe(effective.compiledRules().get(0)));
        assertEquals(expected, rule.one("Description"));
        assertTrue(rule.one("Description").contains("`$(Remove-Item C:/ -Recurse)`; Stop-Computer;"));
        assertTrue(rule.one("Description").contains("a'b\u2018c\u2019d\u201ae\u201bf''"));
        assertEquals(1, r.removedGroups.size());
        assertTrue(rule.one("Group").startsWith("portpolicy:evil"), rule.one("Group"));
        assertTrue(rule.one("Group").matches("portpolicy:[A-Za-z0-9._-]+"), rule.one("Group"));
        for (String line : script.split("\n")) {
            assertFalse(line.contains("\r") || line.contains("\u2028"), line);
        }
        crossCheck("hostile", effective, host, 7);
        String batch = compile(effective, host, "netsh").parts().get(0).text();
        WindowsFirewallReader n = WindowsFirewallReader.netsh(batch);
        assertTrue(n.rules.stream().anyMatch(x -> x.one("Description").contains("`$(Remove-Item C:/ -Recurse)`; Stop-Computer;")));
    }

    /**
     * Windows PowerShell 5.1 reads a script without a byte order mark in the ANSI code page
     * (windows-1252 on most machines), where UTF-8's continuation bytes 0x82, 0x91 and 0x92 are
     * the quotes U+201A, U+2018 and U+2019: "\u0452" (UTF-8 D1 92) would end the string it is in.
     * A script with non-ASCII text must carry the UTF-8 byte order mark.
     */
    @Test
    void nonAsciiTextStaysLiteralWhenWindowsPowerShellReadsTheScript() throws CompileException {
        String comment = "\u0452; Stop-Computer; # \u00e9\u0102 x";
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkText("host srv = 10.0.0.1 os windows\n"
                + "allow tcp/22 from 192.0.2.0/24 comment \"" + comment + "\"\n"), CompileFixtures.TODAY);
        Target srv = effective.target("srv").orElseThrow();
        byte[] file = compile(effective, srv, "powershell").parts().get(0).text().getBytes(StandardCharsets.UTF_8);
        WindowsFirewallReader r = WindowsFirewallReader.powershell(asWindowsPowerShellReads(file));
        WindowsFirewallReader.FwRule rule = r.rules.stream().filter(x -> x.one("Protocol").equals("TCP")).findFirst()
                .orElseThrow();
        assertTrue(rule.one("Description").endsWith(" " + comment), rule.one("Description"));
        String ascii = compile(EffectivePolicy.of(CompileFixtures.checkText("host srv = 10.0.0.1\nallow tcp/22\n"),
                CompileFixtures.TODAY), srv, "powershell").parts().get(0).text();
        assertTrue(ascii.startsWith("# Generated by portpolicy "), "no byte order mark where none is needed");
    }

    /**
     * cmd.exe reads a batch file line by line in the console's code page (an OEM one, 437 or
     * 850, unless chcp changed it), never as UTF-8 by itself: the batch is ASCII, every other
     * character written as U+XXXX, so no code page can turn text into a quote or a line break.
     */
    @Test
    void netshBatchIsAsciiWhateverTheTextHolds(@TempDir Path dir) throws IOException, CompileException {
        Path file = dir.resolve("caf\u00e9.policy");
        Files.writeString(file, "host srv = 10.0.0.1 os windows\n"
                + "allow tcp/22 from 192.0.2.0/24 comment \"\u0452 \u00e9 \ud83d\udd25\" owner \"J\u00fcrgen\"\n");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
        String batch = compile(effective, effective.target("srv").orElseThrow(), "netsh").parts().get(0).text();
        assertTrue(batch.chars().allMatch(c -> c < 128), batch);
        WindowsFirewallReader.FwRule rule = WindowsFirewallReader.netsh(batch).rules.stream()
                .filter(x -> x.one("Protocol").equals("TCP")).findFirst().orElseThrow();
        assertTrue(rule.one("Description").endsWith("cafU+00E9.policy:2 U+0452 U+00E9 U+1F525 owner=JU+00FCrgen"),
                rule.one("Description"));
        assertTrue(batch.lines().anyMatch(line -> line.startsWith("rem policy: ") && line.contains("/cafU+00E9.policy")),
                batch);
    }

    /** A script file as Windows PowerShell 5.1 decodes it: UTF-8 after a byte order mark, else windows-1252. */
    private static String asWindowsPowerShellReads(byte[] file) {
        boolean bom = file.length >= 3 && (file[0] & 0xff) == 0xef && (file[1] & 0xff) == 0xbb && (file[2] & 0xff) == 0xbf;
        return bom ? new String(file, StandardCharsets.UTF_8) : new String(file, Charset.forName("windows-1252"));
    }

    @Test
    void approvedOutputForEveryWindowsHost() throws IOException {
        StringBuilder approved = new StringBuilder();
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target host : CompileFixtures.hosts(effective)) {
                if (host.os() != Os.WINDOWS) continue;
                for (String format : List.of("powershell", "netsh")) {
                    String[] args = {"compile", file, "--target", "windows", "--host", host.name(), "--format", format,
                        "--today=2026-11-21"};
                    CompileFixtures.Run run = CompileFixtures.run(args);
                    assertEquals("", run.err());
                    assertEquals(0, run.exit());
                    assertEquals(run.out(), CompileFixtures.run(args).out(), "not byte-stable: " + file + " " + host.name());
                    approved.append("=== ").append(file).append(" --host ").append(host.name()).append(" --format ")
                            .append(format).append(" ===\n")
                            .append(run.out().replace("portpolicy " + CompileApprovalTest.version() + " (",
                                    "portpolicy VERSION (").replace("\r\n", "\n"));
                }
            }
        }
        assertTrue(approved.length() > 0);
        Approvals.verify(approved.toString());
    }
}
