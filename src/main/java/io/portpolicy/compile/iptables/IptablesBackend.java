package io.portpolicy.compile.iptables;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.compile.Artifact;
import io.portpolicy.compile.Backend;
import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.CompileRequest;
import io.portpolicy.compile.Header;
import io.portpolicy.compile.HostRules;
import io.portpolicy.compile.LogLimit;
import io.portpolicy.compile.TargetOption;
import io.portpolicy.compile.Text;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Action;
import io.portpolicy.model.Direction;
import io.portpolicy.model.Family;
import io.portpolicy.model.Os;
import io.portpolicy.model.Rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code iptables-restore} and {@code ip6tables-restore} input for one host: two parts,
 * {@code .v4} and {@code .v6}, each {@code *filter} ... {@code COMMIT}. INPUT and OUTPUT jump to
 * {@code portpolicy-in} / {@code portpolicy-out} (the {@code chain-prefix} setting replaces
 * {@code portpolicy}): implicit rules, connection tracking when
 * stateful, then a jump to {@code portpolicy-in-rules} for each of the host's own addresses
 * (the policy's rules, one iptables rule per block and protocol, multiport lists split at 15
 * ports; a rule that logs has a rate-limited LOG rule before each of its rules, all of them
 * sharing one hashlimit bucket), and the default after it.
 */
public final class IptablesBackend implements Backend {

    static final int COMMENT_BYTES = 255;
    static final int LOG_PREFIX_CHARS = 29;
    static final int MULTIPORT_SLOTS = 15;
    /** The ICMP type iptables' icmp match reads as "every type" (ip6tables' icmp6 match has no such value). */
    static final int ICMP_WILDCARD_TYPE = 255;
    private static final int ANY_CODE = -1;
    /** The kernel's limit on a chain name (29 bytes with the terminating zero). */
    static final int CHAIN_CHARS = 28;
    /** The suffixes of the chains this backend makes; the longest bounds the prefix. */
    static final List<String> CHAIN_SUFFIXES = List.of("-in", "-in-rules", "-out", "-out-rules");
    static final int PREFIX_CHARS = CHAIN_CHARS - CHAIN_SUFFIXES.stream().mapToInt(String::length).max().orElseThrow();
    /** The setting naming the chains: a letter first, so a chain can never be read as an option or a built-in target. */
    public static final TargetOption CHAIN_PREFIX = TargetOption.name("chain-prefix", "portpolicy",
            "[A-Za-z][A-Za-z0-9_-]{0," + (PREFIX_CHARS - 1) + "}",
            "a letter, then letters, digits, '_' or '-', at most " + PREFIX_CHARS + " characters (the chains add up to "
                    + (CHAIN_CHARS - PREFIX_CHARS) + " more, and iptables allows " + CHAIN_CHARS + ")");

    @Override
    public String name() {
        return "iptables";
    }

    @Override
    public List<String> formats() {
        return List.of("restore");
    }

    @Override
    public boolean forGroups() {
        return false;
    }

    @Override
    public Optional<Os> os() {
        return Optional.of(Os.LINUX);
    }

    @Override
    public List<TargetOption> options() {
        List<TargetOption> options = new ArrayList<>(LogLimit.OPTIONS);
        options.add(CHAIN_PREFIX);
        return options;
    }

    @Override
    public Artifact compile(CompileRequest request) throws CompileException {
        Map<Direction, HostRules> rules = HostRules.bothOf(request.effective(), request.target());
        HostRules in = rules.get(Direction.INBOUND);
        HostRules out = rules.get(Direction.OUTBOUND);
        LogLimit limit = LogLimit.of(request.options());
        String prefix = request.options().text(CHAIN_PREFIX.name());
        String inChain = prefix + CHAIN_SUFFIXES.get(0);
        String outChain = prefix + CHAIN_SUFFIXES.get(2);
        List<Artifact.Part> parts = new ArrayList<>();
        for (Family family : Family.values()) {
            StringBuilder text = new StringBuilder();
            for (String line : Header.lines(request, name() + ", " + family.label())) {
                text.append("# ").append(line).append('\n');
            }
            text.append("*filter\n");
            text.append(":INPUT ").append(policy(in.defaultAction())).append(" [0:0]\n");
            text.append(":FORWARD DROP [0:0]\n");
            text.append(":OUTPUT ").append(policy(out.defaultAction())).append(" [0:0]\n");
            for (String suffix : CHAIN_SUFFIXES) text.append(':').append(prefix).append(suffix).append(" - [0:0]\n");
            text.append("-A INPUT -j ").append(inChain).append('\n');
            text.append("-A OUTPUT -j ").append(outChain).append('\n');
            chain(text, inChain, in, family, limit, prefix);
            chain(text, outChain, out, family, limit, prefix);
            text.append("COMMIT\n");
            parts.add(new Artifact.Part(family == Family.IPV4 ? ".v4" : ".v6", text.toString()));
        }
        return new Artifact("", parts);
    }

    private static String policy(Action action) {
        return action == Action.ALLOW ? "ACCEPT" : "DROP";
    }

    private void chain(StringBuilder out, String chain, HostRules rules, Family family, LogLimit limit, String prefix)
            throws CompileException {
        boolean inbound = rules.direction() == Direction.INBOUND;
        boolean v6 = family == Family.IPV6;
        add(out, chain, (inbound ? "-i" : "-o") + " lo", "-j ACCEPT", "implicit: loopback traffic is always admitted");
        if (v6) {
            for (int type = 133; type <= 136; type++) {
                add(out, chain, "-p ipv6-icmp -m icmp6 --icmpv6-type " + type, "-j ACCEPT",
                        "implicit: IPv6 neighbour discovery is always admitted");
            }
        }
        if (!rules.stateless()) {
            add(out, chain, "-m conntrack --ctstate RELATED,ESTABLISHED", "-j ACCEPT", "stateful: replies to admitted connections");
            add(out, chain, "! -p " + protocolName(v6 ? HostRules.ICMPV6 : HostRules.ICMP, v6)
                    + " -m conntrack --ctstate INVALID", "-j DROP", HostRules.INVALID_BUT_ICMP);
        }
        String sub = chain + "-rules";
        for (IPAddressSeqRange own : rules.own(family)) {
            add(out, chain, (inbound ? "-d " : "-s ") + HostRules.element(own), "-j " + sub,
                    inbound ? "addressed to this host: the policy rules" : "sent from this host: the policy rules");
        }
        Action fallback = rules.defaultAction();
        String comment = "default " + rules.direction().keyword() + " " + fallback.keyword();
        switch (fallback) {
            case ALLOW: add(out, chain, "", "-j ACCEPT", comment); break;
            case DENY: add(out, chain, "", "-j DROP", comment); break;
            default:
                add(out, chain, "-p tcp", "-j REJECT --reject-with tcp-reset", comment);
                add(out, chain, "", "-j REJECT --reject-with " + (v6 ? "icmp6-adm-prohibited" : "icmp-admin-prohibited"), comment);
        }
        for (HostRules.Compiled compiled : rules.rules()) {
            if (compiled.cubes().isEmpty()) continue;
            Rule rule = compiled.rule();
            // Made safe once: a rule may give many lines.
            // Escaped, then fitted to the limit by describe: no second cut.
            String ruleComment = HostRules.describe(rule, COMMENT_BYTES, IptablesBackend::escape).strip();
            for (PacketCube cube : compiled.cubes()) {
                if (cube.family() != family) continue;
                List<PacketCube> parts = rule.action() == Action.REJECT ? HostRules.rejectParts(cube) : List.of(cube);
                for (PacketCube part : parts) {
                    for (String match : matches(rules, part, rule)) {
                        if (rule.options().log()) addSafe(out, sub, match, log(rule, limit, prefix), ruleComment);
                        addSafe(out, sub, match, verdict(rule.action(), part, v6, match), ruleComment);
                    }
                }
            }
        }
    }

    private static String verdict(Action action, PacketCube cube, boolean v6, String match) {
        switch (action) {
            case ALLOW: return "-j ACCEPT";
            case DENY: return "-j DROP";
            default:
                if (match.contains("-p tcp ") || match.endsWith("-p tcp")) return "-j REJECT --reject-with tcp-reset";
                return "-j REJECT --reject-with " + (v6 ? "icmp6-adm-prohibited" : "icmp-admin-prohibited");
        }
    }

    /** The match parts of one block: one per protocol and per multiport chunk. */
    static List<String> matches(HostRules rules, PacketCube cube, Rule rule) throws CompileException {
        boolean inbound = rules.direction() == Direction.INBOUND;
        boolean v6 = cube.family() == Family.IPV6;
        List<String> peerMatches = HostRules.isEveryAddress(rules.peers(cube)) ? List.of("")
                : addressMatches(rules.peers(cube), inbound);
        List<String> ownMatches = rules.ownIsWholeHost(cube) ? List.of("") : addressMatches(rules.owns(cube), !inbound);
        List<String> out = new ArrayList<>();
        for (String peer : peerMatches) {
            for (String own : ownMatches) out.addAll(protocolMatches(join(peer, own), cube, rule, v6));
        }
        return out;
    }

    /**
     * Addresses as matches: ranges that are a few prefix blocks go into comma lists of at most
     * 16 blocks ({@code -s a,b}); other ranges get an {@code -m iprange} match each (it takes one range).
     */
    private static List<String> addressMatches(List<IPAddressSeqRange> ranges, boolean source) {
        List<String> out = new ArrayList<>();
        List<String> blocks = new ArrayList<>();
        for (IPAddressSeqRange range : ranges) {
            List<String> span = HostRules.prefixBlocks(range);
            if (span.size() <= 4) {
                blocks.addAll(span);
            } else {
                out.add("-m iprange " + (source ? "--src-range " : "--dst-range ")
                        + range.getLower().withoutPrefixLength().toCanonicalString() + "-"
                        + range.getUpper().withoutPrefixLength().toCanonicalString());
            }
        }
        List<String> lists = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i += 16) {
            lists.add((source ? "-s " : "-d ") + String.join(",", blocks.subList(i, Math.min(blocks.size(), i + 16))));
        }
        lists.addAll(out);
        return lists;
    }

    private static List<String> protocolMatches(String prefix, PacketCube cube, Rule rule, boolean v6)
            throws CompileException {
        boolean ports = !HostRules.isFull(cube.destinationPorts(), 65535) || !HostRules.isFull(cube.sourcePorts(), 65535);
        boolean icmp = !HostRules.isFull(cube.icmpTypes(), 255) || !HostRules.isFull(cube.icmpCodes(), 255);
        List<String> out = new ArrayList<>();
        if (HostRules.isFull(cube.protocols(), 255)) {
            if (ports || icmp) throw new CompileException(rule, "ports or ICMP types without a protocol");
            out.add(prefix);
            return out;
        }
        for (int protocol : HostRules.each(cube.protocols())) {
            String p = join(prefix, "-p " + protocolName(protocol, v6));
            if (ports) {
                if (protocol != HostRules.TCP && protocol != HostRules.UDP) {
                    throw new CompileException(rule, "ports for a protocol without ports");
                }
                String name = protocolName(protocol, v6);
                for (String sports : portMatches(cube.sourcePorts(), name, "sport")) {
                    for (String dports : portMatches(cube.destinationPorts(), name, "dport")) {
                        out.add(join(join(p, sports), dports));
                    }
                }
            } else if (icmp) {
                boolean ok = v6 ? protocol == HostRules.ICMPV6 : protocol == HostRules.ICMP;
                if (!ok) throw new CompileException(rule, "ICMP types for a protocol that is not ICMP of the packet's IP version");
                boolean allCodes = HostRules.isFull(cube.icmpCodes(), 255);
                for (int type : HostRules.each(cube.icmpTypes())) {
                    if (allCodes) {
                        out.add(join(p, icmpMatch(v6, type, ANY_CODE)));
                    } else {
                        for (int code : HostRules.each(cube.icmpCodes())) out.add(join(p, icmpMatch(v6, type, code)));
                    }
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The match of one ICMP type, and of one code unless {@code code} is {@link #ANY_CODE}.
     * iptables' icmp match takes type 255 for "any type", so type 255 is read off the ICMP
     * header with u32 instead: the type is the first byte after the IP header (whose length is
     * the low nibble of byte 0, in words), the code the second. Like the icmp match, it looks
     * only at unfragmented packets and first fragments ({@code ! -f}): elsewhere those bytes are
     * payload.
     */
    private static String icmpMatch(boolean v6, int type, int code) {
        if (v6) return "-m icmp6 --icmpv6-type " + type + (code == ANY_CODE ? "" : "/" + code);
        if (type != ICMP_WILDCARD_TYPE) return "-m icmp --icmp-type " + type + (code == ANY_CODE ? "" : "/" + code);
        String header = "0>>22&0x3C@0";
        String test = code == ANY_CODE ? header + ">>24=" + type : header + ">>16=" + String.format("0x%04X", (type << 8) | code);
        return "! -f -m u32 --u32 \"" + test + "\"";
    }

    /** A port list as matches: none for every port, one --sport/--dport for one value or range, else multiport chunks. */
    private static List<String> portMatches(List<ValueRange> ports, String protocol, String which) {
        if (HostRules.isFull(ports, 65535)) return List.of("");
        if (ports.size() == 1) return List.of("-m " + protocol + " --" + which + " " + port(ports.get(0)));
        List<String> out = new ArrayList<>();
        List<String> chunk = new ArrayList<>();
        int slots = 0;
        for (ValueRange range : ports) {
            int cost = range.isSingle() ? 1 : 2;
            if (slots + cost > MULTIPORT_SLOTS) {
                out.add("-m multiport --" + which + "s " + String.join(",", chunk));
                chunk = new ArrayList<>();
                slots = 0;
            }
            chunk.add(port(range));
            slots += cost;
        }
        out.add("-m multiport --" + which + "s " + String.join(",", chunk));
        return out;
    }

    private static String port(ValueRange range) {
        return range.isSingle() ? Integer.toString(range.low()) : range.low() + ":" + range.high();
    }

    private static String protocolName(int protocol, boolean v6) {
        switch (protocol) {
            case HostRules.TCP: return "tcp";
            case HostRules.UDP: return "udp";
            case HostRules.ICMP: return "icmp";
            case HostRules.ICMPV6: return "ipv6-icmp";
            default: return Integer.toString(protocol);
        }
    }

    private static String join(String a, String b) {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        return a + " " + b;
    }

    /**
     * The LOG target behind its limit: a packet over the limit skips the LOG rule, not the verdict
     * rule after it. The limit is hashlimit's rather than limit's, whose every rule has a bucket
     * of its own: without a mode, hashlimit keeps one bucket per name, which all LOG rules of the
     * policy rule share ({@link LogLimit#bucket}). The name holds the rate and burst because
     * hashlimit reuses a name's bucket as it was made: reloaded with the same name, a new rate
     * would be ignored. An idle bucket is dropped once it would have filled again, not after
     * hashlimit's default of 10 s, which would refill a large burst early.
     */
    private static String log(Rule rule, LogLimit limit, String chainPrefix) {
        String bucket = chainPrefix + "-" + LogLimit.bucket(rule) + "-" + limit.perSecond() + "-" + limit.burst();
        return "-m hashlimit --hashlimit-upto " + limit.perSecond() + "/sec --hashlimit-burst " + limit.burst()
                + " --hashlimit-name " + bucket + " --hashlimit-htable-expire " + limit.refillMillis()
                + " -j LOG --log-prefix \"" + logPrefix(rule) + "\"";
    }

    private static String logPrefix(Rule rule) {
        String prefix = rule.options().logPrefix() != null ? rule.options().logPrefix() : "portpolicy";
        prefix = Text.ascii(Text.oneLine(prefix), " ._:/=+,@#()[]-");
        return Text.cutChars(prefix, LOG_PREFIX_CHARS - 1) + " ";
    }

    private static void add(StringBuilder out, String chain, String match, String target, String comment) {
        addSafe(out, chain, match, target, comment(comment));
    }

    /** A rule line whose comment {@link #comment} has already made safe. */
    private static void addSafe(StringBuilder out, String chain, String match, String target, String safeComment) {
        out.append("-A ").append(chain);
        out.append(" -m comment --comment \"").append(safeComment).append('"');
        if (!match.isEmpty()) out.append(' ').append(match);
        out.append(' ').append(target).append('\n');
    }

    /**
     * A comment iptables-restore reads back unchanged: one line, no quotes nor backslashes, at
     * most 255 bytes. {@code iptables -L} shows it between "/*" and its end mark, so a space
     * splits each of the two marks inside it: one would end the listed comment early, and what
     * followed would read as part of the rule.
     */
    static String comment(String text) {
        return Text.cutBytes(escape(text), COMMENT_BYTES).strip();
    }

    /**
     * {@link #comment} before the cut: it lengthens the text ({@code *}{@code /} becomes three
     * characters), so a rule's comment is escaped before it is fitted to the limit
     * ({@link HostRules#describe(Rule, int, java.util.function.UnaryOperator)}), or the cut after it
     * could take the file name and line.
     */
    private static String escape(String text) {
        String safe = Text.replace(Text.oneLine(text), "\"\\'", "''`");
        // Splitting every end mark first leaves no new one; splitting the start marks then makes none.
        return safe.replace("*/", "* /").replace("/*", "/ *");
    }
}
