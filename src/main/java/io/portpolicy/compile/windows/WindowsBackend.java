package io.portpolicy.compile.windows;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.compile.Artifact;
import io.portpolicy.compile.Backend;
import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.CompileRequest;
import io.portpolicy.compile.Header;
import io.portpolicy.compile.HostRules;
import io.portpolicy.compile.StatefulPlatform;
import io.portpolicy.compile.TargetOption;
import io.portpolicy.compile.Text;
import io.portpolicy.engine.DirectedPolicy;
import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.RuleRegion;
import io.portpolicy.engine.Target;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Os;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Windows Defender Firewall for one host, as a PowerShell script (default) or netsh commands.
 *
 * <p>Windows does not evaluate rules in order: a matching Block rule beats every Allow rule,
 * and traffic no rule matches gets the profile default. So the policy is compiled to its
 * effective result, per rule and direction: where the default is deny or reject, each allow
 * rule becomes Allow rules for exactly the packets it decides at this host (those no earlier
 * rule took); where the default is allow, each deny or reject rule becomes Block rules for
 * exactly the packets it decides (between addresses where it matches every protocol and the
 * policy gives them all its verdict, one Any rule, which may take packets an earlier rule
 * decided alike: see {@link #everyProtocolFirst}). No Block ever covers an allowed packet, and no Allow a
 * denied one, so the order Windows ignores does not matter.
 *
 * <p>Exact rewrites: {@code reject} is Block (Windows drops; it cannot answer); {@code log} is
 * compiled without logging (Windows logs per profile, not per rule), said in the header; the policy's
 * implicit IPv6 neighbour discovery becomes an Allow rule where the default is not allow
 * (loopback is exempt from the firewall on Windows). Every rule names its local addresses, so
 * addresses of the machine the policy does not know get the default, as the policy says. A
 * stateless policy cannot be compiled: the firewall always tracks connections.
 */
public final class WindowsBackend implements Backend {

    /** Windows keeps rule descriptions and display names short; longer text is cut on a character boundary. */
    static final int DESCRIPTION_CHARS = 1000;
    static final int DISPLAY_NAME_CHARS = 200;
    /** The characters PowerShell treats as single quotes: ' and U+2018..U+201B. */
    static final String SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b";

    @Override
    public String name() {
        return "windows";
    }

    @Override
    public List<String> formats() {
        return List.of("powershell", "netsh");
    }

    @Override
    public boolean forGroups() {
        return false;
    }

    @Override
    public Optional<Os> os() {
        return Optional.of(Os.WINDOWS);
    }

    /**
     * The setting that replaces {@code portpolicy} in the rule group ({@code NAME:<policy>}) and
     * in rule names and display names: what the script removes before adding its rules.
     */
    public static final TargetOption GROUP = TargetOption.name("group", "portpolicy", "[A-Za-z][A-Za-z0-9._-]{0,63}",
            "a letter, then letters, digits, '.', '_' or '-', at most 64 characters");

    @Override
    public List<TargetOption> options() {
        return List.of(GROUP);
    }

    /**
     * One Windows firewall rule; empty lists mean Any. {@code batchDescription} is the
     * description as netsh's batch writes it: {@link #cmdText escaped} first, then cut.
     */
    record WinRule(String name, String displayName, Direction direction, Action action, String protocol,
                   List<String> localAddresses, List<String> remoteAddresses, List<String> localPorts,
                   List<String> remotePorts, List<String> icmpTypes, String description, String batchDescription) {

        String directionWord() {
            return direction == Direction.INBOUND ? "Inbound" : "Outbound";
        }

        String actionWord() {
            return action == Action.ALLOW ? "Allow" : "Block";
        }
    }

    @Override
    public Artifact compile(CompileRequest request) throws CompileException {
        EffectivePolicy effective = request.effective();
        StatefulPlatform.require(effective, "Windows Defender Firewall",
                "compile it for windows without the 'stateless' setting");
        String owner = request.options().text(GROUP.name());
        String policy = policyName(effective);
        List<WinRule> rules = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            rules.addAll(rules(effective, request.target(), direction, owner, policy));
        }
        boolean netsh = request.format().equals("netsh");
        String group = owner + ":" + policy;
        String text = netsh ? netsh(request, group, rules) : powershell(request, group, rules);
        return Artifact.single(netsh ? ".cmd" : ".ps1", text);
    }

    /** The policy's name in rule names and the group: its main file's name without extension, in [A-Za-z0-9._-]. */
    static String policyName(EffectivePolicy effective) {
        String path = effective.policy().root().displayPath();
        String base = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
        if (base.endsWith(".policy")) base = base.substring(0, base.length() - ".policy".length());
        if (base.isEmpty() || base.equals("-") || base.equals("<stdin>")) base = "stdin";
        return Text.cutChars(Text.ascii(base, "._-"), 60);
    }

    // ---- the effective rules ------------------------------------------------------------

    private static List<WinRule> rules(EffectivePolicy effective, Target target, Direction direction, String owner,
                                       String policy) throws CompileException {
        DirectedPolicy directed = effective.directed(target, direction);
        Action fallback = directed.defaultAction();
        boolean emitAllows = fallback != Action.ALLOW;
        PacketSet host = directed.space().at(target);
        // What this direction's rules may cover: Windows unites its Allow (or Block) rules, so
        // a rule may also take packets an earlier rule already gives the same verdict. Worked
        // out when a rule over every protocol first needs it; no other rule does.
        PacketSet sameVerdict = null;
        String dir = direction == Direction.INBOUND ? "in" : "out";
        List<WinRule> out = new ArrayList<>();
        if (emitAllows) {
            String why = "implicit: IPv6 neighbour discovery is always admitted";
            out.add(new WinRule(owner + ":" + policy + ":" + dir + ":neighbour-discovery",
                    owner + " " + policy + " implicit IPv6 neighbour discovery " + dir, direction, Action.ALLOW,
                    "ICMPv6", List.of(), List.of(), List.of(), List.of(), List.of("133", "134", "135", "136"),
                    why, cmdText(why)));
        }
        for (RuleRegion region : directed.rulesAt(target)) {
            Rule rule = region.rule();
            boolean wanted = emitAllows ? rule.action() == Action.ALLOW : rule.action() != Action.ALLOW;
            if (!wanted) continue;
            List<WinRule> parts = new ArrayList<>();
            PacketSet decided = region.decided().intersect(host);
            List<PacketCube> cubes;
            if (rule.services().stream().anyMatch(service -> service.protocol() == Protocol.ANY)) {
                if (sameVerdict == null) {
                    PacketSet allowed = directed.decidedAs(Action.ALLOW, host);
                    sameVerdict = emitAllows ? allowed : host.minus(allowed);
                }
                cubes = everyProtocolFirst(decided, region.matched().intersect(sameVerdict));
            } else {
                cubes = decided.describe();
            }
            String location = Text.oneLine(rule.location().path() + ":" + rule.location().line());
            String note = (rule.action() == Action.REJECT ? " (reject compiled as Block: Windows drops without answering)" : "")
                    + (rule.options().log() ? " (log: Windows logs per profile, not per rule)" : "");
            String description = HostRules.describe(rule, note, DESCRIPTION_CHARS, Text.Measure.CHARACTERS);
            // Escaped before it is cut: U+XXXX is longer than the character it stands for.
            String batchDescription = HostRules.describe(rule, note, DESCRIPTION_CHARS, Text.Measure.CHARACTERS,
                    WindowsBackend::cmdText);
            List<Shape> shapes = new ArrayList<>();
            for (PacketCube cube : cubes) shapes.addAll(shapes(cube, direction, rule));
            Set<Shape> unique = new LinkedHashSet<>(shapes);
            int n = 0;
            for (Shape shape : unique) {
                n++;
                String suffix = unique.size() > 1 ? " (" + n + ")" : "";
                parts.add(new WinRule(owner + ":" + policy + ":" + dir + ":rule" + rule.index() + ":" + n,
                        Text.cutChars(Text.oneLine(owner + " " + policy + " " + location + suffix), DISPLAY_NAME_CHARS),
                        direction, emitAllows ? Action.ALLOW : Action.DENY, shape.protocol, shape.local,
                        shape.remote, shape.localPorts, shape.remotePorts, shape.icmp,
                        description, batchDescription));
            }
            out.addAll(parts);
        }
        return out;
    }

    /**
     * The blocks of a rule naming {@code any} (only such a rule matches every protocol between
     * some addresses), every protocol between some addresses first. The description cuts a set
     * by protocol before addresses, so a {@code deny any} with a part taken by an earlier rule
     * (a {@code deny tcp/22 from any} before it, say) would come out as one Windows rule per
     * protocol number. Where the rule decides something between two addresses and may cover
     * every packet between them ({@code coverable}: it matches them and the policy gives them
     * its verdict), one {@code Any} rule says it all. The rest stays one rule per protocol, as
     * it must: a Windows rule takes one protocol (or Any, without ports), there is no "every
     * protocol but", and no Allow beats a Block, so peers with some packets allowed (by an
     * earlier rule, or IPv6 peers by the implicit neighbour discovery) keep a Block per
     * protocol they are denied.
     */
    private static List<PacketCube> everyProtocolFirst(PacketSet decided, PacketSet coverable) {
        PacketSet everyProtocol = decided.anyService().intersect(coverable.everyService());
        List<PacketCube> cubes = new ArrayList<>(everyProtocol.describe());
        cubes.addAll(decided.minus(everyProtocol).describe());
        return cubes;
    }

    /** What a Windows rule matches, without its names. */
    private record Shape(String protocol, List<String> local, List<String> remote, List<String> localPorts,
                         List<String> remotePorts, List<String> icmp) {
        // Written out: a record's generated equals and hashCode are linked on their first call,
        // which a short run notices (docs/performance.md, seventh round).
        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && protocol.equals(s.protocol) && local.equals(s.local) && remote.equals(s.remote)
                    && localPorts.equals(s.localPorts) && remotePorts.equals(s.remotePorts) && icmp.equals(s.icmp);
        }

        @Override
        public int hashCode() {
            return Objects.hash(protocol, local, remote, localPorts, remotePorts, icmp);
        }
    }

    /**
     * One block of packets as Windows rules: one per protocol (Windows takes one protocol per
     * rule), unless the block holds every protocol without port or ICMP limits. A packet of a
     * protocol without ports carries port 0 (and type and code 0 where it is not ICMP), so such
     * a protocol belongs to the block only if those values do.
     */
    private static List<Shape> shapes(PacketCube cube, Direction direction, Rule rule) throws CompileException {
        boolean inbound = direction == Direction.INBOUND;
        List<IPAddressSeqRange> own = inbound ? cube.destinations() : cube.sources();
        List<IPAddressSeqRange> peer = inbound ? cube.sources() : cube.destinations();
        List<String> local = own.stream().map(HostRules::element).toList();
        List<String> remote = peer.stream().map(HostRules::element).toList();
        List<ValueRange> localPorts = inbound ? cube.destinationPorts() : cube.sourcePorts();
        List<ValueRange> remotePorts = inbound ? cube.sourcePorts() : cube.destinationPorts();
        boolean portsFull = HostRules.isFull(cube.destinationPorts(), 65535) && HostRules.isFull(cube.sourcePorts(), 65535);
        boolean icmpFull = HostRules.isFull(cube.icmpTypes(), 255) && HostRules.isFull(cube.icmpCodes(), 255);
        List<Shape> out = new ArrayList<>();
        if (HostRules.isFull(cube.protocols(), 255) && portsFull && icmpFull) {
            out.add(new Shape("Any", local, remote, List.of(), List.of(), List.of()));
            return out;
        }
        boolean portsHoldZero = HostRules.contains(cube.destinationPorts(), 0) && HostRules.contains(cube.sourcePorts(), 0);
        boolean icmpHoldsZero = HostRules.contains(cube.icmpTypes(), 0) && HostRules.contains(cube.icmpCodes(), 0);
        int icmpOfFamily = cube.family() == Family.IPV4 ? HostRules.ICMP : HostRules.ICMPV6;
        for (int protocol : HostRules.each(cube.protocols())) {
            if (protocol == HostRules.TCP || protocol == HostRules.UDP) {
                if (!icmpHoldsZero) continue;
                out.add(new Shape(protocol == HostRules.TCP ? "TCP" : "UDP", local, remote,
                        HostRules.portList(localPorts), HostRules.portList(remotePorts), List.of()));
            } else if (protocol == icmpOfFamily) {
                if (!portsHoldZero) continue;
                String name = protocol == HostRules.ICMP ? "ICMPv4" : "ICMPv6";
                out.add(new Shape(name, local, remote, List.of(), List.of(), icmpTypes(cube, rule)));
            } else {
                if (!portsHoldZero || !icmpHoldsZero) continue;
                out.add(new Shape(Integer.toString(protocol), local, remote, List.of(), List.of(), List.of()));
            }
        }
        return out;
    }

    /** ICMP types as Windows lists them: {@code t} for a type with every code, else {@code t:c} pairs. */
    private static List<String> icmpTypes(PacketCube cube, Rule rule) throws CompileException {
        boolean typesFull = HostRules.isFull(cube.icmpTypes(), 255);
        boolean codesFull = HostRules.isFull(cube.icmpCodes(), 255);
        if (typesFull && codesFull) return List.of();
        List<String> out = new ArrayList<>();
        for (int type : HostRules.each(cube.icmpTypes())) {
            if (codesFull) {
                out.add(Integer.toString(type));
            } else {
                for (int code : HostRules.each(cube.icmpCodes())) out.add(type + ":" + code);
            }
        }
        if (out.size() > 4096) {
            throw new CompileException(rule, "too many ICMP type:code pairs for Windows rules (" + out.size() + ")");
        }
        return out;
    }

    /**
     * By default Windows admits, for three seconds after the host sends a multicast or broadcast
     * packet, any unicast answer to it, whatever the rules and the default say. Such an answer
     * comes from another address than the one asked, so it is no reply of the policy's
     * connections: both formats turn the exception off in every profile.
     */
    static final String UNICAST_RESPONSES = "netsh advfirewall set allprofiles settings unicastresponsetomulticast disable";

    // ---- PowerShell ---------------------------------------------------------------------

    /** A PowerShell verbatim string: one line, every single-quote look-alike doubled. */
    static String quote(String text) {
        String line = Text.oneLine(text);
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            out.append(c);
            if (SINGLE_QUOTES.indexOf(c) >= 0) out.append(c);
        }
        return out.append('\'').toString();
    }

    private static String list(List<String> values) {
        List<String> quoted = new ArrayList<>();
        for (String v : values) quoted.add(quote(v));
        return String.join(",", quoted);
    }

    private static String profileAction(Action action) {
        return action == Action.ALLOW ? "Allow" : "Block";
    }

    private static String powershell(CompileRequest request, String group, List<WinRule> rules) {
        StringBuilder out = new StringBuilder();
        for (String line : Header.lines(request, "windows")) out.append("# ").append(Text.oneLine(line)).append('\n');
        for (String note : notes(request)) out.append("# ").append(note).append('\n');
        out.append('\n');
        out.append("$ErrorActionPreference = 'Stop'\n");
        // Both defaults block until the policy's rules are in (its own defaults come last), so a
        // script that stops part-way leaves a host that admits no more than before or than the
        // policy. See UNICAST_RESPONSES.
        out.append("Set-NetFirewallProfile -Profile 'Domain','Private','Public' -Enabled 'True'")
                .append(defaultActions(Action.DENY, Action.DENY)).append(" -AllowUnicastResponseToMulticast 'False'\n");
        out.append("Get-NetFirewallRule -Group ").append(quote(group))
                .append(" -ErrorAction 'SilentlyContinue' | Remove-NetFirewallRule\n");
        // Windows unites every enabled rule: another rule's Allow would admit what the policy
        // denies, another's Block would drop what it allows. The policy is all there is.
        out.append("Get-NetFirewallRule -Enabled 'True' -ErrorAction 'SilentlyContinue' | Disable-NetFirewallRule\n");
        for (WinRule rule : rules) {
            out.append("New-NetFirewallRule -Name ").append(quote(rule.name()))
                    .append(" -DisplayName ").append(quote(rule.displayName()))
                    .append(" -Group ").append(quote(group))
                    .append(" -Direction ").append(quote(rule.directionWord()))
                    .append(" -Action ").append(quote(rule.actionWord()))
                    .append(" -Protocol ").append(quote(rule.protocol()));
            if (!rule.localAddresses().isEmpty()) out.append(" -LocalAddress ").append(list(rule.localAddresses()));
            if (!rule.remoteAddresses().isEmpty()) out.append(" -RemoteAddress ").append(list(rule.remoteAddresses()));
            if (!rule.localPorts().isEmpty()) out.append(" -LocalPort ").append(list(rule.localPorts()));
            if (!rule.remotePorts().isEmpty()) out.append(" -RemotePort ").append(list(rule.remotePorts()));
            if (!rule.icmpTypes().isEmpty()) out.append(" -IcmpType ").append(list(rule.icmpTypes()));
            out.append(" -Profile 'Any' -Enabled True -Description ").append(quote(rule.description()))
                    .append(" | Out-Null\n");
        }
        var settings = request.effective().policy().settings();
        out.append("Set-NetFirewallProfile -Profile 'Domain','Private','Public'")
                .append(defaultActions(settings.defaultFor(Direction.INBOUND), settings.defaultFor(Direction.OUTBOUND)))
                .append('\n');
        return withByteOrderMarkIfNotAscii(out.toString());
    }

    private static String defaultActions(Action inbound, Action outbound) {
        return " -DefaultInboundAction " + quote(profileAction(inbound)) + " -DefaultOutboundAction "
                + quote(profileAction(outbound));
    }

    /**
     * Windows PowerShell 5.1 reads a script without a byte order mark in the machine's ANSI code
     * page, where bytes of UTF-8 become quotes: in windows-1252, the 0x92 of U+0452 (D1 92) is
     * U+2019, which would end the string a comment is quoted in. Microsoft's advice is UTF-8
     * with a byte order mark for any script that is not ASCII; an ASCII one needs none.
     */
    private static String withByteOrderMarkIfNotAscii(String script) {
        return script.chars().allMatch(c -> c < 128) ? script : "\uFEFF" + script;
    }

    private static List<String> notes(CompileRequest request) {
        List<String> notes = new ArrayList<>();
        var settings = request.effective().policy().settings();
        boolean reject = settings.defaultFor(Direction.INBOUND) == Action.REJECT
                || settings.defaultFor(Direction.OUTBOUND) == Action.REJECT
                || request.effective().compiledRules().stream().anyMatch(r -> r.action() == Action.REJECT);
        notes.add("Windows Defender Firewall: Block beats Allow and order does not matter, so these are the policy's "
                + "effective rules.");
        // The policy's implicit loopback rule needs no Windows rule, but a reader must see it is there.
        notes.add("implicit: loopback traffic is always admitted: Windows Defender Firewall does not filter loopback,"
                + " which includes a host's traffic to its own addresses, so it needs no rule here.");
        if (reject) {
            notes.add("note: reject is compiled as Block: Windows drops the packet and cannot answer with a TCP "
                    + "reset or an ICMP error.");
        }
        if (request.effective().compiledRules().stream().anyMatch(r -> r.options().log())) {
            notes.add("note: log is compiled without logging: Windows Defender Firewall logs per profile, not per rule"
                    + " (Set-NetFirewallProfile -LogAllowed/-LogBlocked logs all of a profile's traffic); the admitted"
                    + " packets are the same.");
        }
        return notes;
    }

    // ---- netsh --------------------------------------------------------------------------

    /**
     * Text for a cmd batch line: one line, without the characters cmd would act on even inside
     * quotes, and ASCII. cmd.exe decodes a batch file in the console's code page (OEM, 437 or 850
     * say, unless {@code chcp} changed it), so the bytes of UTF-8 would come out garbled, and in a
     * double-byte code page a lead byte could take the byte after it. Every other character is
     * written as {@code U+XXXX}, which no code page reads as anything else.
     */
    public static String cmdText(String text) {
        String safe = Text.replace(Text.oneLine(text), "\"%!^&|<>", "'_______");
        StringBuilder out = new StringBuilder(safe.length());
        safe.codePoints().forEach(cp -> {
            if (cp < 0x80) {
                out.append((char) cp);
            } else {
                out.append(String.format("U+%04X", cp));
            }
        });
        return out.toString();
    }

    /**
     * cmd.exe runs no line longer than this (Microsoft KB 830473): a longer one, a Block rule
     * say, would not be added and its packets would get the default.
     */
    static final int CMD_LINE_CHARS = 8191;

    /**
     * Ends the batch when a command that configures the firewall fails, as the PowerShell
     * script's {@code $ErrorActionPreference = 'Stop'} does: cmd.exe runs the next line
     * whatever the last one returned, so a Block rule netsh refused would leave its packets to
     * a default of allow, and the batch would still end in success.
     */
    static final String STOP_ON_FAILURE = " || exit /b 1";

    /**
     * Where the batch exports the firewall's policy before it changes anything: next to itself,
     * named after it ({@code %~dpn0} is the batch's own drive, path and name without extension).
     * No text of the policy is in it, and cmd.exe does not act on {@code & | < > ^ )} inside
     * quotes, which a Windows path cannot end: it cannot hold a {@code "}.
     */
    private static final String BACKUP = "\"%~dpn0.backup.wfw\"";

    /**
     * Windows unites every enabled rule (see powershell()), and netsh cannot disable them all: its
     * {@code set rule} takes a rule's name or group, and a rule's name cannot be {@code all}. Its
     * {@code delete rule name=all} deletes every rule of the local store, so the batch does that,
     * the policy's own rules of an earlier run among them. Before it changes anything it exports
     * the firewall's policy ({@link #BACKUP}), unless a backup is there already: the first one,
     * the firewall as it was before any run, is kept. Until the policy's rules are in, both
     * defaults block, so a batch that stops part-way (every command ends it when it fails) leaves
     * a host that admits at most what it did before and, once the rules are deleted, at most what
     * the policy allows; the policy's defaults come last.
     */
    private static String netsh(CompileRequest request, String group, List<WinRule> rules) {
        StringBuilder out = new StringBuilder();
        out.append("@echo off\r\n");
        for (String line : Header.lines(request, "windows netsh")) out.append("rem ").append(cmdText(line)).append("\r\n");
        for (String note : notes(request)) out.append("rem ").append(cmdText(note)).append("\r\n");
        out.append("rem Every rule of the local store is deleted, not disabled: netsh disables rules only by name\r\n");
        out.append("rem or group. Rules that Group Policy sets are not touched. Every rule added here is named after\r\n");
        out.append("rem its group. Before any change, the firewall's policy is exported next to this batch, named\r\n");
        out.append("rem after it with .backup.wfw, unless that file exists: the first backup is kept, and\r\n");
        out.append("rem netsh advfirewall import FILE restores it. Until the policy's rules are in, both defaults\r\n");
        out.append("rem block; a command that fails ends the batch.\r\n");
        out.append("if not exist ").append(BACKUP).append(" (netsh advfirewall export ").append(BACKUP)
                .append(STOP_ON_FAILURE).append(")\r\n");
        out.append("netsh advfirewall set allprofiles state on").append(STOP_ON_FAILURE).append("\r\n");
        out.append(firewallPolicy(Action.DENY, Action.DENY));
        out.append(UNICAST_RESPONSES).append(STOP_ON_FAILURE).append("\r\n");
        // netsh fails when no rule matches: an empty store (after a policy of no rules) has nothing to delete.
        out.append("netsh advfirewall firewall show rule name=all >nul 2>&1 && (netsh advfirewall firewall delete rule"
                + " name=all").append(STOP_ON_FAILURE).append(")\r\n");
        String name = cmdText(group);
        for (WinRule rule : rules) {
            List<String> protocols = new ArrayList<>();
            String base = rule.protocol().toLowerCase();
            if (rule.icmpTypes().isEmpty()) {
                protocols.add(base.equals("icmpv4") || base.equals("icmpv6") ? base + ":any,any" : base);
            } else {
                for (String type : rule.icmpTypes()) {
                    String[] tc = type.split(":");
                    protocols.add(base + ":" + tc[0] + "," + (tc.length > 1 ? tc[1] : "any"));
                }
            }
            for (String protocol : protocols) {
                String head = "netsh advfirewall firewall add rule name=\"" + name + "\" dir="
                        + (rule.direction() == Direction.INBOUND ? "in" : "out") + " action="
                        + rule.actionWord().toLowerCase() + " protocol=" + protocol;
                String tail = " profile=any enable=yes description=\"" + rule.batchDescription() + "\""
                        + STOP_ON_FAILURE + "\r\n";
                addLines(out, head, tail, List.of(rule.localAddresses(), rule.remoteAddresses(), rule.localPorts(),
                        rule.remotePorts()));
            }
        }
        var settings = request.effective().policy().settings();
        out.append(firewallPolicy(settings.defaultFor(Direction.INBOUND), settings.defaultFor(Direction.OUTBOUND)));
        return out.toString();
    }

    private static String firewallPolicy(Action inbound, Action outbound) {
        return "netsh advfirewall set allprofiles firewallpolicy " + profileAction(inbound).toLowerCase() + "inbound,"
                + profileAction(outbound).toLowerCase() + "outbound" + STOP_ON_FAILURE + "\r\n";
    }

    private static final List<String> NETSH_LISTS = List.of(" localip=", " remoteip=", " localport=", " remoteport=");

    /**
     * One netsh rule as lines cmd.exe can run: while a line is too long, its longest list is
     * split in two, each half a rule of its own. Windows admits (or blocks) what any of its
     * rules matches, so the halves together match what the whole did.
     */
    private static void addLines(StringBuilder out, String head, String tail, List<List<String>> lists) {
        StringBuilder line = new StringBuilder(head);
        for (int i = 0; i < lists.size(); i++) {
            if (!lists.get(i).isEmpty()) line.append(NETSH_LISTS.get(i)).append(String.join(",", lists.get(i)));
        }
        line.append(tail);
        int longest = -1;
        for (int i = 0; i < lists.size(); i++) {
            boolean wider = longest < 0 || joinedLength(lists.get(i)) > joinedLength(lists.get(longest));
            if (lists.get(i).size() > 1 && wider) longest = i;
        }
        if (line.length() - 2 <= CMD_LINE_CHARS || longest < 0) {
            out.append(line);
            return;
        }
        List<String> split = lists.get(longest);
        int middle = split.size() / 2;
        for (List<String> half : List.of(split.subList(0, middle), split.subList(middle, split.size()))) {
            List<List<String>> narrower = new ArrayList<>(lists);
            narrower.set(longest, half);
            addLines(out, head, tail, narrower);
        }
    }

    private static int joinedLength(List<String> values) {
        return values.stream().mapToInt(String::length).sum() + values.size();
    }
}
