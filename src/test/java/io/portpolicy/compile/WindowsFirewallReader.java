package io.portpolicy.compile;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import io.portpolicy.engine.Packet;
import io.portpolicy.model.Direction;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test-side model of Windows Defender Firewall, built by reading a generated PowerShell
 * script (or netsh batch) token by token, the way PowerShell would: single-quoted strings are
 * verbatim ({@code '} and U+2018..U+201B end them unless doubled), and any character outside a
 * string that is not part of a plain word, a comma or the expected pipe is an error. So what a
 * policy author wrote can only ever arrive as the literal value of a parameter.
 *
 * <p>Evaluation follows Windows' documented semantics: loopback traffic (and a machine talking
 * to its own addresses, which Windows carries over loopback) is exempt; otherwise a matching
 * enabled Block rule wins, then a matching Allow rule, then the profile default. A rule
 * matches when its direction, protocol, local and remote addresses, local and remote ports
 * (TCP and UDP only) and ICMP type or type:code (ICMPv4 and ICMPv6 only) all match; an absent
 * condition is Any.
 */
final class WindowsFirewallReader {

    static final String QUOTES = "'\u2018\u2019\u201a\u201b";
    /** What ends a batch line so that cmd.exe leaves the batch, with an error, when the command fails. */
    static final String STOP_ON_FAILURE = " || exit /b 1";

    /** One rule as the firewall holds it. */
    record FwRule(Map<String, List<String>> parameters) {
        String one(String name) {
            List<String> v = parameters.get(name);
            return v == null ? null : v.get(0);
        }

        List<String> list(String name) {
            return parameters.getOrDefault(name, List.of());
        }
    }

    /** The rules the script adds. */
    final List<FwRule> rules = new ArrayList<>();
    /** The rules of others already on the host (see the constructor). */
    private final List<FwRule> installed = new ArrayList<>();
    final List<String> removedGroups = new ArrayList<>();
    String defaultInbound;
    String defaultOutbound;
    /** A host's firewall may be off: then no rule and no default applies, and everything passes. */
    boolean enabled;
    /**
     * Windows' default: for three seconds after the host sends a multicast or broadcast packet,
     * any unicast answer to it is admitted, whatever the rules and the default say. No packet
     * of the policy is such an answer (a reply comes from the address asked), and a verdict per
     * packet cannot model the three seconds, so a script must turn this off.
     */
    boolean unicastResponsesToMulticast = true;

    /**
     * The firewall as a script finds it on a real host: off, with rules of others enabled
     * (programs' installers, Windows' own rule groups), here the widest: Allow and Block of
     * everything in both directions. Unless the script turns the firewall on and disables them
     * (the netsh batch: deletes them), its verdicts are not the policy's.
     */
    private WindowsFirewallReader() {
        for (String direction : List.of("Inbound", "Outbound")) {
            for (String action : List.of("Allow", "Block")) {
                installed.add(new FwRule(Map.of("Name", List.of("installed " + action + " " + direction), "Direction",
                        List.of(direction), "Action", List.of(action), "Protocol", List.of("Any"), "Enabled", List.of("True"))));
            }
        }
    }

    /** Every rule in the store now is disabled (the script's own were removed before). */
    private void disableAll() {
        for (List<FwRule> store : List.of(installed, rules)) {
            store.replaceAll(rule -> {
                Map<String, List<String>> disabled = new LinkedHashMap<>(rule.parameters());
                disabled.put("Enabled", List.of("False"));
                return new FwRule(disabled);
            });
        }
    }

    // ---- PowerShell ---------------------------------------------------------------------

    private enum Kind { WORD, STRING, COMMA, PIPE, EQUALS }

    private record Token(Kind kind, String text) {
    }

    static List<Token> tokens(String line) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ') {
                i++;
            } else if (QUOTES.indexOf(c) >= 0) {
                StringBuilder s = new StringBuilder();
                i++;
                while (true) {
                    if (i >= line.length()) throw new IllegalArgumentException("unterminated string: " + line);
                    char d = line.charAt(i);
                    if (QUOTES.indexOf(d) >= 0) {
                        if (i + 1 < line.length() && QUOTES.indexOf(line.charAt(i + 1)) >= 0) {
                            s.append(d);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    s.append(d);
                    i++;
                }
                out.add(new Token(Kind.STRING, s.toString()));
            } else if (c == ',') {
                out.add(new Token(Kind.COMMA, ","));
                i++;
            } else if (c == '|') {
                out.add(new Token(Kind.PIPE, "|"));
                i++;
            } else if (c == '=') {
                out.add(new Token(Kind.EQUALS, "="));
                i++;
            } else if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '$') {
                int start = i;
                while (i < line.length() && (line.charAt(i) < 128 && Character.isLetterOrDigit(line.charAt(i))
                        || line.charAt(i) == '-' || line.charAt(i) == '$')) {
                    i++;
                }
                out.add(new Token(Kind.WORD, line.substring(start, i)));
            } else {
                throw new IllegalArgumentException("unexpected character '" + c + "' outside a string: " + line);
            }
        }
        return out;
    }

    static WindowsFirewallReader powershell(String script) {
        WindowsFirewallReader reader = new WindowsFirewallReader();
        // PowerShell takes a leading byte order mark as the file's encoding, not as text.
        if (script.startsWith("\uFEFF")) script = script.substring(1);
        for (String line : script.split("\n", -1)) {
            if (line.contains("\r")) throw new IllegalArgumentException("carriage return in " + line);
            if (line.isEmpty() || line.startsWith("# ")) continue;
            List<Token> t = tokens(line);
            String command = t.get(0).text();
            if (t.get(0).kind() != Kind.WORD) throw new IllegalArgumentException("not a command: " + line);
            if (command.equals("$ErrorActionPreference")) {
                expect(t.size() == 3 && t.get(1).kind() == Kind.EQUALS && t.get(2).kind() == Kind.STRING, line);
                continue;
            }
            int end = t.size();
            if (command.equals("Get-NetFirewallRule")) {
                expect(end >= 2 && t.get(end - 2).kind() == Kind.PIPE && t.get(end - 1).kind() == Kind.WORD, line);
                Map<String, List<String>> p = parameters(t.subList(1, end - 2), line);
                if (t.get(end - 1).text().equals("Remove-NetFirewallRule")) {
                    reader.removedGroups.add(p.get("Group").get(0));
                } else {
                    expect(t.get(end - 1).text().equals("Disable-NetFirewallRule")
                            && p.keySet().equals(java.util.Set.of("Enabled", "ErrorAction"))
                            && p.get("Enabled").equals(List.of("True")), line);
                    reader.disableAll();
                }
                continue;
            }
            if (command.equals("Set-NetFirewallProfile")) {
                Map<String, List<String>> p = parameters(t.subList(1, end), line);
                expect(p.get("Profile").equals(List.of("Domain", "Private", "Public")), line);
                // A parameter left out leaves the setting as it was (Set-NetFirewallProfile).
                if (p.containsKey("Enabled")) reader.enabled = List.of("True").equals(p.get("Enabled"));
                reader.defaultInbound = p.get("DefaultInboundAction").get(0);
                reader.defaultOutbound = p.get("DefaultOutboundAction").get(0);
                if (p.containsKey("AllowUnicastResponseToMulticast")) {
                    reader.unicastResponsesToMulticast = p.get("AllowUnicastResponseToMulticast").equals(List.of("True"));
                }
                continue;
            }
            if (command.equals("New-NetFirewallRule")) {
                expect(end >= 2 && t.get(end - 2).kind() == Kind.PIPE && t.get(end - 1).text().equals("Out-Null"), line);
                reader.rules.add(new FwRule(parameters(t.subList(1, end - 2), line)));
                continue;
            }
            throw new IllegalArgumentException("unexpected command: " + line);
        }
        return reader;
    }

    /** {@code -Name value} pairs; a value is a word or a comma list of strings. */
    private static Map<String, List<String>> parameters(List<Token> t, String line) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        int i = 0;
        while (i < t.size()) {
            Token name = t.get(i++);
            expect(name.kind() == Kind.WORD && name.text().startsWith("-"), line);
            expect(i < t.size(), line);
            List<String> values = new ArrayList<>();
            Token v = t.get(i++);
            if (v.kind() == Kind.WORD) {
                expect(v.text().equals("True"), line);
                values.add(v.text());
            } else {
                expect(v.kind() == Kind.STRING, line);
                values.add(v.text());
                while (i < t.size() && t.get(i).kind() == Kind.COMMA) {
                    expect(i + 1 < t.size() && t.get(i + 1).kind() == Kind.STRING, line);
                    values.add(t.get(i + 1).text());
                    i += 2;
                }
            }
            expect(out.put(name.text().substring(1), values) == null, line);
        }
        return out;
    }

    private static void expect(boolean ok, String line) {
        if (!ok) throw new IllegalArgumentException("unexpected shape: " + line);
    }

    // ---- netsh --------------------------------------------------------------------------

    /** Reads a netsh batch into the same rules (one per netsh line: ICMP types come one per line). */
    static WindowsFirewallReader netsh(String batch) {
        WindowsFirewallReader reader = new WindowsFirewallReader();
        for (String line : batch.split("\r\n", -1)) {
            if (line.contains("\r") || line.contains("\n")) throw new IllegalArgumentException("stray line break: " + line);
            if (line.isEmpty() || line.equals("@echo off") || line.startsWith("rem ")) {
                if (line.startsWith("rem ")) expect(!line.matches(".*[\"%!^&|<>].*"), line);
                continue;
            }
            if (line.startsWith("if not exist ")) {
                // Named after the batch itself (cmd.exe expands %~dpn0), with no text of the policy.
                expect(line.equals("if not exist \"%~dpn0.backup.wfw\" (netsh advfirewall export \"%~dpn0.backup.wfw\""
                        + STOP_ON_FAILURE + ")"), line);
                continue;
            }
            // netsh fails when no rule matches, so the delete runs only where show finds a rule.
            if (line.equals("netsh advfirewall firewall show rule name=all >nul 2>&1 && (netsh advfirewall firewall"
                    + " delete rule name=all" + STOP_ON_FAILURE + ")")) {
                reader.installed.clear();
                reader.rules.clear();
                continue;
            }
            expect(line.length() <= 8191, "longer than cmd.exe runs: " + line.length() + " characters");
            // Every other command configures the firewall: cmd.exe goes on after a failed one, so
            // each must end the batch itself when it fails (as the script's 'Stop' does).
            expect(line.endsWith(STOP_ON_FAILURE), "goes on after a failure: " + line);
            line = line.substring(0, line.length() - STOP_ON_FAILURE.length());
            if (line.equals("netsh advfirewall set allprofiles state on")) {
                reader.enabled = true;
                continue;
            }
            if (line.startsWith("netsh advfirewall set allprofiles settings unicastresponsetomulticast ")) {
                reader.unicastResponsesToMulticast = line.endsWith(" enable");
                continue;
            }
            if (line.startsWith("netsh advfirewall set allprofiles firewallpolicy ")) {
                String[] p = line.substring(line.lastIndexOf(' ') + 1).split(",");
                reader.defaultInbound = p[0].startsWith("block") ? "Block" : "Allow";
                reader.defaultOutbound = p[1].startsWith("block") ? "Block" : "Allow";
                continue;
            }
            String prefix = "netsh advfirewall firewall add rule ";
            expect(line.startsWith(prefix) && count(line, '"') == 4 && !line.matches(".*[%!^&|<>].*"), line);
            Map<String, List<String>> p = new LinkedHashMap<>();
            String rest = line.substring(prefix.length());
            while (!rest.isEmpty()) {
                int eq = rest.indexOf('=');
                String key = rest.substring(0, eq);
                String value;
                if (rest.charAt(eq + 1) == '"') {
                    int close = rest.indexOf('"', eq + 2);
                    value = rest.substring(eq + 2, close);
                    rest = rest.substring(Math.min(rest.length(), close + 2));
                } else {
                    int space = rest.indexOf(' ', eq);
                    value = rest.substring(eq + 1, space < 0 ? rest.length() : space);
                    rest = space < 0 ? "" : rest.substring(space + 1);
                }
                expect(key.matches("[a-z]+") && p.put(key, List.of(value)) == null, line);
            }
            Map<String, List<String>> rule = new LinkedHashMap<>();
            rule.put("Name", p.get("name"));
            rule.put("Direction", List.of(p.get("dir").get(0).equals("in") ? "Inbound" : "Outbound"));
            rule.put("Action", List.of(p.get("action").get(0).equals("allow") ? "Allow" : "Block"));
            String protocol = p.get("protocol").get(0);
            if (protocol.startsWith("icmpv")) {
                String[] parts = protocol.split(":");
                rule.put("Protocol", List.of(parts[0].equals("icmpv4") ? "ICMPv4" : "ICMPv6"));
                String[] tc = parts[1].split(",");
                if (!tc[0].equals("any")) rule.put("IcmpType", List.of(tc[1].equals("any") ? tc[0] : tc[0] + ":" + tc[1]));
            } else {
                rule.put("Protocol", List.of(protocol.equals("tcp") ? "TCP" : protocol.equals("udp") ? "UDP"
                        : protocol.equals("any") ? "Any" : protocol));
            }
            for (String[] k : new String[][] {{"localip", "LocalAddress"}, {"remoteip", "RemoteAddress"},
                    {"localport", "LocalPort"}, {"remoteport", "RemotePort"}}) {
                if (p.containsKey(k[0])) rule.put(k[1], List.of(p.get(k[0]).get(0).split(",")));
            }
            expect(p.get("enable").equals(List.of("yes")), line);
            rule.put("Enabled", List.of("True"));
            rule.put("Description", p.get("description"));
            reader.rules.add(new FwRule(rule));
        }
        return reader;
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(x -> x == c).count();
    }

    // ---- evaluation ---------------------------------------------------------------------

    /** Windows' verdict, "Allow" or "Block", for a packet at a machine with these addresses. */
    String verdict(Direction direction, Packet packet, List<IPAddressSeqRange> machine) {
        boolean own = machine.stream().anyMatch(r -> r.contains(packet.source()))
                && machine.stream().anyMatch(r -> r.contains(packet.destination()));
        if (!enabled || packet.source().isLoopback() || packet.destination().isLoopback() || own) return "Allow";
        boolean allowed = false;
        for (FwRule rule : java.util.stream.Stream.concat(installed.stream(), rules.stream()).toList()) {
            if (!"True".equals(rule.one("Enabled")) || !matches(rule, direction, packet)) continue;
            if (rule.one("Action").equals("Block")) return "Block";
            allowed = true;
        }
        if (allowed) return "Allow";
        return direction == Direction.INBOUND ? defaultInbound : defaultOutbound;
    }

    private static boolean matches(FwRule rule, Direction direction, Packet packet) {
        if (!rule.one("Direction").equals(direction == Direction.INBOUND ? "Inbound" : "Outbound")) return false;
        String protocol = rule.one("Protocol");
        int number;
        switch (protocol) {
            case "Any": number = -1; break;
            case "TCP": number = 6; break;
            case "UDP": number = 17; break;
            case "ICMPv4": number = 1; break;
            case "ICMPv6": number = 58; break;
            default: number = Integer.parseInt(protocol);
        }
        if (number >= 0 && number != packet.protocol()) return false;
        boolean inbound = direction == Direction.INBOUND;
        IPAddress local = inbound ? packet.destination() : packet.source();
        IPAddress remote = inbound ? packet.source() : packet.destination();
        if (!addresses(rule.list("LocalAddress"), local) || !addresses(rule.list("RemoteAddress"), remote)) return false;
        boolean ports = protocol.equals("TCP") || protocol.equals("UDP");
        if (!ports && (rule.parameters().containsKey("LocalPort") || rule.parameters().containsKey("RemotePort"))) {
            throw new IllegalArgumentException("ports without TCP or UDP: " + rule);
        }
        int localPort = inbound ? packet.destinationPort() : packet.sourcePort();
        int remotePort = inbound ? packet.sourcePort() : packet.destinationPort();
        if (!ports(rule.list("LocalPort"), localPort) || !ports(rule.list("RemotePort"), remotePort)) return false;
        if (rule.parameters().containsKey("IcmpType")) {
            if (!protocol.startsWith("ICMP")) throw new IllegalArgumentException("ICMP type without ICMP: " + rule);
            boolean any = false;
            for (String tc : rule.list("IcmpType")) {
                String[] p = tc.split(":");
                if (Integer.parseInt(p[0]) == packet.icmpType()
                        && (p.length == 1 || Integer.parseInt(p[1]) == packet.icmpCode())) {
                    any = true;
                }
            }
            if (!any) return false;
        }
        return true;
    }

    private static boolean addresses(List<String> list, IPAddress address) {
        if (list.isEmpty()) return true;
        for (String element : list) {
            IPAddressSeqRange range;
            int dash = element.indexOf('-');
            if (dash > 0) {
                range = new IPAddressString(element.substring(0, dash)).getAddress()
                        .spanWithRange(new IPAddressString(element.substring(dash + 1)).getAddress());
            } else {
                range = new IPAddressString(element).getAddress().toPrefixBlock().toSequentialRange();
            }
            if (range.getLower().isIPv4() == address.isIPv4() && range.contains(address.withoutPrefixLength())) return true;
        }
        return false;
    }

    private static boolean ports(List<String> list, int port) {
        if (list.isEmpty()) return true;
        for (String element : list) {
            String[] p = element.split("-");
            int low = Integer.parseInt(p[0]);
            int high = p.length > 1 ? Integer.parseInt(p[1]) : low;
            if (low < 0 || high > 65535 || low > high) throw new IllegalArgumentException("bad port range " + element);
            if (low <= port && port <= high) return true;
        }
        return false;
    }
}
