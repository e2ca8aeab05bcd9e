package io.portpolicy.check;

import inet.ipaddr.IPAddress;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Quote;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.model.Action;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressTerm;
import io.portpolicy.model.AddressText;
import io.portpolicy.model.Dates;
import io.portpolicy.model.Endpoint;
import io.portpolicy.model.Family;
import io.portpolicy.model.Group;
import io.portpolicy.model.Host;
import io.portpolicy.model.IcmpType;
import io.portpolicy.model.NamedService;
import io.portpolicy.model.Network;
import io.portpolicy.model.Os;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.PortSpec;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.Rule;
import io.portpolicy.model.RuleOptions;
import io.portpolicy.model.ServiceMatch;
import io.portpolicy.model.Setting;
import io.portpolicy.model.Settings;
import io.portpolicy.model.Waiver;
import io.portpolicy.parallel.Concurrently;
import io.portpolicy.source.FileStore;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;
import io.portpolicy.syntax.antlr.PolicyLexer;
import io.portpolicy.syntax.antlr.PolicyParser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.tree.TerminalNode;

import java.io.InputStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Turns syntax trees and inventories into a checked {@link Policy}: names resolved
 * order-independently, values validated, every element located. All problems found are
 * reported; a policy is returned only when there were none.
 */
public final class Checker {

    /** Below this many rules, a second thread costs more than it saves. */
    private static final int RULES_CHECKED_TOGETHER = 2000;

    private final Diagnostics diagnostics;
    private final AddressParser addresses;

    // Declarations, by name, in one namespace for everything that names addresses.
    private final Map<String, Location> addressNames;
    private final Map<String, Declarations.HostDecl> hostDecls;
    private final Map<String, Declarations.SetDecl> networkDecls;
    private final Map<String, Declarations.SetDecl> groupDecls;
    private final Map<String, PolicyParser.ServiceDefContext> serviceDecls;
    private final Map<String, SourceFile> serviceFiles;
    /** Services whose definitions have syntax errors, reported already: not unknown as well. */
    private final Set<String> brokenServices;
    /** Inventory memberships: group name to the hosts that say they belong to it. */
    private final Map<String, List<Declarations.MemberRef>> inventoryMembers;

    // Resolved objects.
    private final Map<String, Host> hosts;
    private final Map<String, Network> networks;
    private final Map<String, Group> groups;
    private final Map<String, NamedService> services;
    private final Map<IPAddress, Host> addressOwners;

    private Setting<Action> defaultInbound = Setting.implicit(Action.DENY);
    private Setting<Action> defaultOutbound = Setting.implicit(Action.ALLOW);
    private Setting<Boolean> stateless = Setting.implicit(false);
    private Setting<PortRange> ephemeral = Setting.implicit(Settings.DEFAULT_EPHEMERAL);

    private Checker(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
        this.addresses = new AddressParser(diagnostics);
        addressNames = new HashMap<>();
        hostDecls = new LinkedHashMap<>();
        networkDecls = new LinkedHashMap<>();
        groupDecls = new LinkedHashMap<>();
        serviceDecls = new LinkedHashMap<>();
        serviceFiles = new HashMap<>();
        brokenServices = new HashSet<>();
        inventoryMembers = new LinkedHashMap<>();
        hosts = new LinkedHashMap<>();
        networks = new LinkedHashMap<>();
        groups = new LinkedHashMap<>();
        services = new LinkedHashMap<>();
        addressOwners = new HashMap<>();
    }

    /**
     * A checker of rules for a second thread: it reads the names {@code resolved} has resolved
     * (nobody writes them any more) and reports to diagnostics of its own.
     */
    private Checker(Checker resolved, Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
        this.addresses = new AddressParser(diagnostics);
        addressNames = resolved.addressNames;
        hostDecls = resolved.hostDecls;
        networkDecls = resolved.networkDecls;
        groupDecls = resolved.groupDecls;
        serviceDecls = resolved.serviceDecls;
        serviceFiles = resolved.serviceFiles;
        brokenServices = resolved.brokenServices;
        inventoryMembers = resolved.inventoryMembers;
        hosts = resolved.hosts;
        networks = resolved.networks;
        groups = resolved.groups;
        services = resolved.services;
        addressOwners = resolved.addressOwners;
    }

    /**
     * Loads and checks the policy in {@code file} ({@code "-"} for standard input).
     *
     * @return the checked policy, or empty when any error was reported
     */
    public static Optional<Policy> check(String file, InputStream stdin, Diagnostics diagnostics) {
        return check(file, stdin, diagnostics, FileStore.DISK);
    }

    /** The same, reading files from {@code store} (a Git revision, say) instead of the working tree. */
    public static Optional<Policy> check(String file, InputStream stdin, Diagnostics diagnostics, FileStore store) {
        PolicyLoader loader = new PolicyLoader(diagnostics, store);
        loader.loadRoot(file, stdin);
        if (loader.files.isEmpty()) return Optional.empty();
        return new Checker(diagnostics).check(loader);
    }

    /**
     * One policy file's text as {@link #check} reads it, and whether its bytes began with a
     * byte-order mark, which the text leaves out: a tool that rewrites the file (fmt) drops it.
     */
    public record TextFile(SourceFile source, boolean byteOrderMark) {
    }

    /**
     * Reads one policy file ({@code "-"}: standard input) as {@link #check} does, without
     * following its includes, for tools that work on the text (fmt); {@code null} after
     * reporting why it cannot be read.
     */
    public static TextFile read(String file, InputStream stdin, Diagnostics diagnostics) {
        return PolicyLoader.readFile(file, stdin, diagnostics);
    }

    private Optional<Policy> check(PolicyLoader loader) {
        List<PolicyLoader.Site> rules = new ArrayList<>();
        for (PolicyLoader.Site site : loader.statements) {
            if (site.statement().accessRule() != null) rules.add(site);
            else declare(site.file().source(), site.statement());
        }
        for (InventoryReader inventory : loader.inventories) {
            inventory.hosts.forEach(this::declareHost);
            inventory.groups.forEach(group -> declareSet(group, groupDecls));
        }
        loader.broken.forEach(site -> declareBroken(site.file().source(), site.statement()));
        hostDecls.values().forEach(this::resolveHost);
        networkDecls.values().forEach(this::resolveNetwork);
        declareInventoryOnlyGroups();
        for (String name : dependencyOrder(groupDecls.keySet(), this::groupRefs, this::groupCycle)) {
            resolveGroup(name);
        }
        for (String name : dependencyOrder(serviceDecls.keySet(), this::serviceRefs, this::serviceCycle)) {
            resolveService(name);
        }

        List<Rule> checked = rules(rules);
        if (diagnostics.hasErrors()) return Optional.empty();
        Settings settings = new Settings(defaultInbound, defaultOutbound, stateless, ephemeral);
        return Optional.of(new Policy(loader.files, settings, hosts, networks, groups, services, checked));
    }

    /**
     * Every rule, checked against the names resolved by now. Each rule is checked on its own,
     * so a large policy's second half is checked on a second thread, reporting to diagnostics
     * of its own that join this checker's after. A rule's index is its place among the rules
     * that passed; when one did not, the policy is not returned and the indices do not matter.
     */
    private List<Rule> rules(List<PolicyLoader.Site> sites) {
        if (sites.size() < RULES_CHECKED_TOGETHER) return rules(sites, 0);
        int half = sites.size() / 2;
        Diagnostics secondHalf = new Diagnostics();
        Checker other = new Checker(this, secondHalf);
        List<List<Rule>> halves = Concurrently.both(() -> rules(sites.subList(0, half), 0),
                () -> other.rules(sites.subList(half, sites.size()), half));
        secondHalf.sorted().forEach(diagnostics::add);
        List<Rule> checked = new ArrayList<>(halves.get(0));
        checked.addAll(halves.get(1));
        return checked;
    }

    private List<Rule> rules(List<PolicyLoader.Site> sites, int firstIndex) {
        List<Rule> checked = new ArrayList<>();
        for (PolicyLoader.Site site : sites) {
            Rule rule = rule(site, firstIndex + checked.size());
            if (rule != null) checked.add(rule);
        }
        return checked;
    }

    // ---- declarations -----------------------------------------------------------

    private void declare(SourceFile file, PolicyParser.StatementContext statement) {
        if (statement.hostDef() != null) {
            PolicyParser.HostDefContext host = statement.hostDef();
            List<Located> literals = host.address().stream().map(a -> located(file, a)).toList();
            Located os = host.osName == null ? null : located(file, host.osName);
            declareHost(new Declarations.HostDecl(host.name(0).getText(), literals, os, List.of(),
                    location(file, host.name(0))));
        } else if (statement.networkDef() != null) {
            PolicyParser.NetworkDefContext network = statement.networkDef();
            declareSet(new Declarations.SetDecl("network", network.name().getText(),
                    members(file, network.member()), location(file, network.name())), networkDecls);
        } else if (statement.groupDef() != null) {
            PolicyParser.GroupDefContext group = statement.groupDef();
            declareSet(new Declarations.SetDecl("group", group.name().getText(),
                    members(file, group.member()), location(file, group.name())), groupDecls);
        } else if (statement.serviceDef() != null) {
            PolicyParser.ServiceDefContext service = statement.serviceDef();
            String name = service.name().getText();
            PolicyParser.ServiceDefContext first = serviceDecls.get(name);
            if (first != null) {
                duplicate("service", name, location(file, service.name()),
                        location(serviceFiles.get(name), first.name()));
            } else {
                serviceDecls.put(name, service);
                serviceFiles.put(name, file);
            }
        } else if (statement.defaultSetting() != null) {
            PolicyParser.DefaultSettingContext setting = statement.defaultSetting();
            Action action = action(setting.action());
            Location at = location(file, setting);
            if (setting.direction.getType() == PolicyLexer.INBOUND) {
                defaultInbound = setOnce(defaultInbound, action, at, "default inbound");
            } else {
                defaultOutbound = setOnce(defaultOutbound, action, at, "default outbound");
            }
        } else if (statement.statelessSetting() != null) {
            stateless = setOnce(stateless, true, location(file, statement.statelessSetting()), "stateless");
        } else if (statement.ephemeralSetting() != null) {
            PortRange range = portRange(file, statement.ephemeralSetting().portRange());
            if (range != null) {
                ephemeral = setOnce(ephemeral, range, location(file, statement.ephemeralSetting()), "ephemeral");
            }
        }
    }

    /**
     * The name a definition with syntax errors gives, when it got that far: defined, but broken,
     * so a rule naming it is not also told the name is unknown. A name defined properly as well
     * keeps that definition.
     */
    private void declareBroken(SourceFile file, PolicyParser.StatementContext statement) {
        PolicyParser.NameContext name = statement.hostDef() != null
                ? (statement.hostDef().name().isEmpty() ? null : statement.hostDef().name(0))
                : statement.networkDef() != null ? statement.networkDef().name()
                : statement.groupDef() != null ? statement.groupDef().name()
                : statement.serviceDef() != null ? statement.serviceDef().name()
                : null;
        if (name == null || name.exception != null || name.NAME() == null) return;
        if (statement.serviceDef() != null) brokenServices.add(name.getText());
        else addressNames.putIfAbsent(name.getText(), location(file, name));
    }

    private <T> Setting<T> setOnce(Setting<T> current, T value, Location at, String what) {
        if (current.written()) {
            diagnostics.error(at, Quote.of(what) + " is set twice; first at " + current.location(),
                    "keep one; a policy has one value for each setting");
            return current;
        }
        return new Setting<>(value, at);
    }

    private void declareHost(Declarations.HostDecl host) {
        if (claimAddressName("host", host.name(), host.location())) hostDecls.put(host.name(), host);
        for (Located group : host.groups()) {
            inventoryMembers.computeIfAbsent(group.text(), g -> new ArrayList<>())
                    .add(new Declarations.MemberRef(Declarations.MemberKind.NAME, host.name(), host.name(), null,
                            group.location()));
        }
    }

    private void declareSet(Declarations.SetDecl set, Map<String, Declarations.SetDecl> into) {
        if (claimAddressName(set.kind(), set.name(), set.location())) into.put(set.name(), set);
    }

    private boolean claimAddressName(String kind, String name, Location at) {
        Location first = addressNames.putIfAbsent(name, at);
        if (first == null) return true;
        duplicate(kind, name, at, first);
        return false;
    }

    private void duplicate(String kind, String name, Location at, Location first) {
        diagnostics.error(at, Quote.of(name) + " is defined twice; first defined at " + first,
                "names are global to the policy and its includes: rename one " + kind + " or remove it");
    }

    private List<Declarations.MemberRef> members(SourceFile file, List<PolicyParser.MemberContext> members) {
        List<Declarations.MemberRef> refs = new ArrayList<>();
        for (PolicyParser.MemberContext member : members) refs.add(member(file, member));
        return refs;
    }

    private Declarations.MemberRef member(SourceFile file, PolicyParser.MemberContext member) {
        Location at = location(file, member);
        String text = member.getText();
        if (member instanceof PolicyParser.NamedMemberContext named) {
            return new Declarations.MemberRef(Declarations.MemberKind.NAME, text, named.name().getText(), null, at);
        }
        if (member instanceof PolicyParser.CidrMemberContext cidr) {
            return new Declarations.MemberRef(Declarations.MemberKind.CIDR, text, cidr.address().getText(),
                    cidr.NUMBER().getText(), at);
        }
        if (member instanceof PolicyParser.RangeMemberContext range) {
            return new Declarations.MemberRef(Declarations.MemberKind.RANGE, text, range.address(0).getText(),
                    range.address(1).getText(), at);
        }
        return new Declarations.MemberRef(Declarations.MemberKind.ADDRESS, text, text, null, at);
    }

    // ---- resolution ---------------------------------------------------------------

    private void resolveHost(Declarations.HostDecl decl) {
        List<IPAddress> parsed = new ArrayList<>();
        Map<IPAddress, Location> listed = new HashMap<>();
        for (Located literal : decl.addresses()) {
            IPAddress address = addresses.hostAddress(literal.text(), literal.location());
            if (address == null) continue;
            // One owner per address holds within a host too: a repeat is most likely a slip for another address.
            Location first = listed.putIfAbsent(address, literal.location());
            if (first != null) {
                diagnostics.error(literal.location(), "address " + AddressText.of(address) + " is listed twice in host "
                        + Quote.of(decl.name()) + "; first at " + first,
                        "keep one; if the host has another address, write that");
                continue;
            }
            Host owner = addressOwners.get(address);
            if (owner != null) {
                diagnostics.error(literal.location(), "address " + AddressText.of(address) + " already belongs to host '"
                        + owner.name() + "' (" + owner.location() + ")",
                        "each address has one owner; use a group to give one address several names");
                continue;
            }
            parsed.add(address);
        }
        Os os = null;
        if (decl.os() != null) {
            os = Os.parse(decl.os().text()).orElse(null);
            if (os == null) {
                String suggestion = Suggestions.didYouMean(decl.os().text().toLowerCase(Locale.ROOT),
                        List.of("linux", "windows", "bsd", "macos"));
                diagnostics.error(decl.os().location(), "unknown os " + Quote.of(decl.os().text()),
                        (suggestion == null ? "" : suggestion + " ") + "(os is one of linux, windows, bsd, macos)");
            }
        }
        Host host = new Host(decl.name(), parsed, os, decl.location());
        parsed.forEach(a -> addressOwners.put(a, host));
        hosts.put(decl.name(), host);
    }

    private void resolveNetwork(Declarations.SetDecl decl) {
        List<AddressLiteral> blocks = new ArrayList<>();
        for (Declarations.MemberRef member : decl.members()) {
            if (member.kind() == Declarations.MemberKind.NAME) {
                diagnostics.error(member.location(), "a network holds addresses, CIDRs and ranges, not names ('"
                        + member.text() + "')", "use a group to combine named objects");
                continue;
            }
            AddressLiteral literal = addresses.literal(member);
            if (literal != null) blocks.add(literal);
        }
        networks.put(decl.name(), new Network(decl.name(), blocks, decl.location()));
    }

    /**
     * The names in an order where each comes after every name it refers to, so each can be
     * resolved from finished parts. The depth-first search keeps its own stack: chains of
     * definitions can be longer than the thread's. A reference that closes a cycle is handed to
     * {@code cycle} with the path around the cycle, and otherwise ignored.
     */
    private static List<String> dependencyOrder(Collection<String> names, Function<String, List<String>> refs,
                                                BiConsumer<String, List<String>> cycle) {
        List<String> order = new ArrayList<>();
        Set<String> finished = new HashSet<>();
        List<String> path = new ArrayList<>();
        Set<String> onPath = new HashSet<>();
        Deque<Iterator<String>> pending = new ArrayDeque<>();
        for (String root : names) {
            if (finished.contains(root)) continue;
            path.add(root);
            onPath.add(root);
            pending.push(refs.apply(root).iterator());
            while (!pending.isEmpty()) {
                Iterator<String> next = pending.peek();
                if (next.hasNext()) {
                    String ref = next.next();
                    if (onPath.contains(ref)) {
                        cycle.accept(ref, path.subList(path.indexOf(ref), path.size()));
                    } else if (!finished.contains(ref)) {
                        path.add(ref);
                        onPath.add(ref);
                        pending.push(refs.apply(ref).iterator());
                    }
                } else {
                    pending.pop();
                    String done = path.remove(path.size() - 1);
                    onPath.remove(done);
                    finished.add(done);
                    order.add(done);
                }
            }
        }
        return order;
    }

    /** The groups a group names, directly or through inventory hosts' memberships. */
    private List<String> groupRefs(String name) {
        List<Declarations.MemberRef> refs = new ArrayList<>(groupDecls.get(name).members());
        refs.addAll(inventoryMembers.getOrDefault(name, List.of()));
        return refs.stream()
                .filter(r -> r.kind() == Declarations.MemberKind.NAME && groupDecls.containsKey(r.first()))
                .map(Declarations.MemberRef::first)
                .toList();
    }

    private void groupCycle(String name, List<String> cycle) {
        diagnostics.error(groupDecls.get(name).location(), "group cycle: " + cycleText(cycle, name),
                "a group cannot contain itself, directly or through other groups");
    }

    /** {@code a -> b -> a}; a very long cycle shows its ends and how many names are between. */
    private static String cycleText(List<String> cycle, String name) {
        List<String> shown = cycle;
        if (cycle.size() > 12) {
            shown = new ArrayList<>(cycle.subList(0, 5));
            shown.add("... (" + (cycle.size() - 10) + " more)");
            shown.addAll(cycle.subList(cycle.size() - 5, cycle.size()));
        }
        return String.join(" -> ", shown) + " -> " + name;
    }

    /** Called in dependency order: the groups it names are resolved already, or close a cycle. */
    private void resolveGroup(String name) {
        Declarations.SetDecl decl = groupDecls.get(name);
        List<AddressTerm> members = new ArrayList<>();
        List<Declarations.MemberRef> refs = new ArrayList<>(decl.members());
        refs.addAll(inventoryMembers.getOrDefault(name, List.of()));
        for (Declarations.MemberRef ref : refs) {
            AddressTerm term = ref.kind() == Declarations.MemberKind.NAME
                    ? namedAddress(ref.first(), ref.location())
                    : addresses.literal(ref);
            if (term != null) members.add(term);
        }
        groups.put(name, new Group(name, members, decl.location()));
    }

    /**
     * Groups that exist only because inventory hosts name them in {@code groups:}, declared
     * before any group is resolved: other groups may name them.
     */
    private void declareInventoryOnlyGroups() {
        inventoryMembers.forEach((name, refs) -> {
            if (groupDecls.containsKey(name)) return;
            Location at = refs.get(0).location();
            if (addressNames.containsKey(name)) {
                diagnostics.error(at, Quote.of(name) + " is not a group (defined at " + addressNames.get(name) + ")",
                        "an inventory host's 'groups' must name groups");
                return;
            }
            groupDecls.put(name, new Declarations.SetDecl("group", name, List.of(), at));
        });
    }

    /** A name used where addresses are expected; {@code null} after reporting it. */
    private AddressTerm namedAddress(String name, Location at) {
        if (hosts.containsKey(name)) return new AddressTerm.HostRef(hosts.get(name), at);
        if (networks.containsKey(name)) return new AddressTerm.NetworkRef(networks.get(name), at);
        if (groupDecls.containsKey(name)) {
            Group group = groups.get(name);
            return group == null ? null : new AddressTerm.GroupRef(group, at); // null: closes a cycle
        }
        if (addressNames.containsKey(name)) return null; // defined, but broken: already reported
        String hint = Suggestions.didYouMean(name, addressNames.keySet());
        if (hint == null && isServiceName(name)) {
            hint = Quote.of(name) + " is a service; services come right after the action";
        }
        diagnostics.error(at, "unknown name " + Quote.of(name), hint == null
                ? "define it with 'host', 'network' or 'group', or import it from an inventory" : hint);
        return null;
    }

    private boolean isServiceName(String name) {
        return serviceDecls.containsKey(name) || ServiceCatalog.isBuiltin(name);
    }

    /** The user services a service names. */
    private List<String> serviceRefs(String name) {
        return serviceDecls.get(name).serviceItem().stream()
                .filter(item -> item instanceof PolicyParser.NamedServiceContext)
                .map(item -> ((PolicyParser.NamedServiceContext) item).name().getText())
                .filter(serviceDecls::containsKey)
                .toList();
    }

    private void serviceCycle(String name, List<String> cycle) {
        diagnostics.error(location(serviceFiles.get(name), serviceDecls.get(name).name()),
                "service cycle: " + cycleText(cycle, name), "a service cannot contain itself");
    }

    /** Called in dependency order, like {@link #resolveGroup}. */
    private void resolveService(String name) {
        PolicyParser.ServiceDefContext decl = serviceDecls.get(name);
        SourceFile file = serviceFiles.get(name);
        List<ServiceMatch> terms = new ArrayList<>();
        for (PolicyParser.ServiceItemContext item : decl.serviceItem()) terms.addAll(serviceItem(file, item));
        services.put(name, new NamedService(name, terms, location(file, decl.name())));
    }

    // ---- services and ports -------------------------------------------------------------

    private List<ServiceMatch> serviceItem(SourceFile file, PolicyParser.ServiceItemContext item) {
        Location at = location(file, item);
        if (item instanceof PolicyParser.AnyServiceContext) return List.of(ServiceMatch.any(at));
        if (item instanceof PolicyParser.NamedServiceContext named) {
            String name = named.name().getText();
            // A user service is resolved before the services that name it, unless it closes a cycle.
            NamedService service = serviceDecls.containsKey(name) ? services.get(name)
                    : ServiceCatalog.builtin().get(name);
            if (service == null) {
                if (!serviceDecls.containsKey(name) && !brokenServices.contains(name)) unknownService(name, at);
                return List.of();
            }
            // Terms that differ only in where they were written inside the service are one term
            // here; keeping one of each stops 's1 = s2, s2; s2 = s3, s3; ...' doubling at every
            // level. The key leaves out the term's service, whose hash would walk the whole chain.
            Map<List<Object>, ServiceMatch> unique = new LinkedHashMap<>();
            for (ServiceMatch term : service.terms()) {
                unique.putIfAbsent(Arrays.asList(term.protocol(), term.ports(), term.icmpTypes()),
                        term.via(service, at));
            }
            return List.copyOf(unique.values());
        }
        if (item instanceof PolicyParser.UnknownProtocolServiceContext other) {
            unknownProtocol(other.name().getText(), location(file, other.name()));
            return List.of();
        }
        PolicyParser.ProtocolServiceContext proto = (PolicyParser.ProtocolServiceContext) item;
        Protocol protocol = protocol(proto);
        PolicyParser.ProtocolArgContext arg = proto.protocolArg();
        if (protocol.hasPorts()) {
            if (arg == null) return List.of(new ServiceMatch(protocol, PortSpec.ALL, List.of(), null, at));
            if (arg.portSet() == null) {
                String written = arg.getText();
                diagnostics.error(location(file, arg), Quote.of(written) + " is not a port", isServiceName(written)
                        ? Quote.of(written) + " is a service and brings its protocol and ports: write it alone, as in 'allow "
                                + written + "'"
                        : protocol.keyword() + " takes ports: N, N-M, {N, N-M, ...} or ephemeral");
                return List.of();
            }
            PortSpec ports = portSet(file, arg.portSet());
            return ports == null ? List.of() : List.of(new ServiceMatch(protocol, ports, List.of(), null, at));
        }
        if (arg == null) return List.of(new ServiceMatch(protocol, null, List.of(), null, at));
        List<IcmpType> types = icmpTypes(file, protocol, arg);
        return types == null ? List.of() : List.of(new ServiceMatch(protocol, null, types, null, at));
    }

    private static Protocol protocol(PolicyParser.ProtocolServiceContext service) {
        return Protocol.valueOf(service.protocol().getText().toUpperCase(Locale.ROOT));
    }

    /** 'tpc/22' or 'sctp/9899': a word before '/' can only be meant as a protocol. */
    private void unknownProtocol(String name, Location at) {
        List<String> protocols = List.of("tcp", "udp", "icmp", "icmpv6");
        String hint = isServiceName(name)
                ? Quote.of(name) + " is a service and brings its own ports: write it alone, without '/'"
                : Suggestions.didYouMean(name, protocols);
        diagnostics.error(at, "unknown protocol " + Quote.of(name), hint != null ? hint
                : "the protocols are tcp, udp, icmp and icmpv6; other IP protocols cannot be expressed");
    }

    private void unknownService(String name, Location at) {
        Set<String> known = new TreeSet<>(ServiceCatalog.builtin().keySet());
        known.addAll(serviceDecls.keySet());
        for (Protocol protocol : Protocol.values()) known.add(protocol.keyword());
        String hint = Suggestions.didYouMean(name, known);
        if (hint == null && addressNames.containsKey(name)) {
            hint = Quote.of(name) + " names addresses; write it after 'from' or 'to'";
        }
        diagnostics.error(at, "unknown service " + Quote.of(name), hint == null
                ? "write PROTO/PORTS such as tcp/8443, or define it with 'service " + name + " = ...'" : hint);
    }

    private List<IcmpType> icmpTypes(SourceFile file, Protocol protocol, PolicyParser.ProtocolArgContext arg) {
        List<IcmpType> types = new ArrayList<>();
        boolean ok = true;
        if (arg.portSet() != null) {
            // `icmp/8` and `icmp/{0,8}` parse as ports; for ICMP they are type numbers.
            for (PolicyParser.PortItemContext item : portItems(arg.portSet())) {
                PolicyParser.PortRangeContext range = item.portRange();
                if (range == null || range.high != null) {
                    diagnostics.error(location(file, item), Quote.of(item.getText()) + " is not an ICMP type",
                            "ICMP takes a type name or number, optionally with :code, e.g. echo-request or 3:4");
                    ok = false;
                    continue;
                }
                Integer type = byteValue(file, range.low, "ICMP type");
                if (type == null) ok = false;
                else types.add(new IcmpType(type, null));
            }
        } else {
            for (PolicyParser.IcmpItemContext item : arg.icmpItem()) {
                IcmpType type = icmpType(file, protocol, item);
                if (type == null) ok = false;
                else types.add(type);
            }
        }
        return ok ? types : null;
    }

    private IcmpType icmpType(SourceFile file, Protocol protocol, PolicyParser.IcmpItemContext item) {
        Integer type;
        if (item.icmpType.getType() == PolicyLexer.NUMBER) {
            type = byteValue(file, item.icmpType, "ICMP type");
        } else {
            type = IcmpTypes.number(protocol, item.icmpType.getText());
            if (type == null) {
                String name = item.icmpType.getText();
                Protocol other = protocol == Protocol.ICMP ? Protocol.ICMPV6 : Protocol.ICMP;
                // ICMPv4 and ICMPv6 name some types alike at other numbers, and some only in one.
                String hint = IcmpTypes.number(other, name) != null
                        ? Quote.of(name) + " is an " + other.keyword() + " type (" + IcmpTypes.number(other, name)
                                + "): write " + other.keyword() + "/" + name
                                + (other == Protocol.ICMPV6 ? ", for IPv6" : ", for IPv4")
                                // IPv4's path MTU discovery uses destination-unreachable, code 4.
                                + (name.equals("packet-too-big") ? "; for IPv4, icmp/3:4 (fragmentation needed)" : "")
                        : Suggestions.didYouMean(name, IcmpTypes.names(protocol));
                diagnostics.error(location(file, item.icmpType), "unknown " + protocol.keyword() + " type "
                        + Quote.of(item.icmpType.getText()), hint != null ? hint
                        : "known types: " + String.join(", ", new TreeSet<>(IcmpTypes.names(protocol))));
            }
        }
        Integer code = item.code == null ? null : byteValue(file, item.code, "ICMP code");
        if (type == null || (item.code != null && code == null)) return null;
        return new IcmpType(type, code);
    }

    private Integer byteValue(SourceFile file, Token token, String what) {
        Integer value = number(token.getText(), 255);
        if (value == null) {
            diagnostics.error(location(file, token), what + " " + Quote.cut(token.getText()) + " is out of range",
                    what + "s are 0-255");
        }
        return value;
    }

    private static List<PolicyParser.PortItemContext> portItems(PolicyParser.PortSetContext set) {
        return set.portItem();
    }

    private PortSpec portSet(SourceFile file, PolicyParser.PortSetContext set) {
        List<PortRange> ranges = new ArrayList<>();
        boolean ephemeralPorts = false;
        boolean ok = true;
        for (PolicyParser.PortItemContext item : portItems(set)) {
            if (item.EPHEMERAL() != null) {
                ephemeralPorts = true;
                continue;
            }
            PortRange range = portRange(file, item.portRange());
            if (range == null) ok = false;
            else ranges.add(range);
        }
        return ok ? new PortSpec(ranges, ephemeralPorts) : null;
    }

    private PortRange portRange(SourceFile file, PolicyParser.PortRangeContext range) {
        Integer low = port(file, range.low);
        Integer high = range.high == null ? low : port(file, range.high);
        if (low == null || high == null) return null;
        if (low > high) {
            diagnostics.error(location(file, range), "port range " + Quote.cut(range.getText()) + " is backwards",
                    "write it low to high: " + high + "-" + low);
            return null;
        }
        return new PortRange(low, high);
    }

    private Integer port(SourceFile file, Token token) {
        Integer port = number(token.getText(), PortRange.MAX);
        if (port == null) {
            diagnostics.error(location(file, token), "port " + Quote.cut(token.getText()) + " is out of range",
                    "ports are 0-65535");
        }
        return port;
    }

    private static Integer number(String digits, int max) {
        if (digits.length() > 6) return null;
        int value = Integer.parseInt(digits);
        return value <= max ? value : null;
    }

    // ---- rules ------------------------------------------------------------------

    private Rule rule(PolicyLoader.Site site, int index) {
        SourceFile file = site.file().source();
        PolicyParser.AccessRuleContext rule = site.statement().accessRule();
        int errorsBefore = diagnostics.errors();
        Location at = location(file, rule.action());

        List<ServiceMatch> terms = new ArrayList<>();
        for (PolicyParser.ServiceItemContext item : rule.serviceItem()) {
            terms.addAll(serviceItem(file, item));
        }
        Endpoint from = rule.source == null ? Endpoint.implicitAny(at) : endpoint(file, rule.source);
        Endpoint to = rule.destination == null ? Endpoint.implicitSelf(at) : endpoint(file, rule.destination);
        if (from.ports() != null) checkSourcePorts(file, rule, terms);
        if (rule.destination != null && rule.destination.portSet() != null) {
            terms = destinationPorts(site, rule, terms, to.ports());
            to = new Endpoint(to.addresses(), to.except(), null, true, to.location());
        }
        RuleOptions options = options(file, rule.option());
        if (diagnostics.errors() != errorsBefore) return null;
        int start = rule.getStart().getTokenIndex();
        int stop = rule.getStop().getTokenIndex();
        if (rule.option().isEmpty()) {
            String text = text(site, start, stop);
            return new Rule(index, action(rule.action()), terms, from, to, options, at, text, text);
        }
        int firstOption = rule.option(0).getStart().getTokenIndex();
        String withoutOptions = text(site, start, firstOption - 1);
        // An option's keyword always follows a space.
        String text = withoutOptions + " " + text(site, firstOption, stop);
        return new Rule(index, action(rule.action()), terms, from, to, options, at, text, withoutOptions);
    }

    private void checkSourcePorts(SourceFile file, PolicyParser.AccessRuleContext rule, List<ServiceMatch> terms) {
        for (ServiceMatch term : terms) {
            if (!term.protocol().hasPorts()) {
                diagnostics.error(location(file, rule.source.portSet()), "source ports need tcp or udp, but the rule also matches "
                        + term, "split the rule: one for tcp/udp with 'port', one for the rest");
                return;
            }
        }
    }

    /**
     * The rule's services with the ports written after 'to', which only a bare tcp or udp may
     * take. How each service is written decides, not its ports: 'tcp/0-65535' holds all ports
     * like 'tcp', yet its written ports would be dropped without a word.
     */
    private List<ServiceMatch> destinationPorts(PolicyLoader.Site site, PolicyParser.AccessRuleContext rule,
                                                List<ServiceMatch> terms, PortSpec ports) {
        Location at = location(site.file().source(), rule.destination.portSet());
        for (PolicyParser.ServiceItemContext item : rule.serviceItem()) {
            String written = text(site, item);
            // An unknown protocol is reported already, and is the mistake to fix first.
            if (item instanceof PolicyParser.UnknownProtocolServiceContext) return terms;
            if (item instanceof PolicyParser.NamedServiceContext) {
                // An unknown name is reported already, and is the mistake to fix first.
                if (serviceDecls.containsKey(written) || ServiceCatalog.builtin().containsKey(written)) {
                    diagnostics.error(at, "the service name " + Quote.of(written) + " cannot take 'to ... port'; that is for"
                            + " a bare protocol", "a service brings its own ports: write the protocol instead of '"
                            + written + "', e.g. 'tcp to X port 443', or give the ports in the service");
                }
                return terms;
            }
            if (!(item instanceof PolicyParser.ProtocolServiceContext proto) || !protocol(proto).hasPorts()) {
                diagnostics.error(at, "destination ports need tcp or udp, but the rule also matches " + written,
                        "write the ports with the protocol instead, e.g. tcp/443");
                return terms;
            }
            if (proto.protocolArg() != null) {
                diagnostics.error(at, "destination ports are given twice: in " + Quote.of(written) + " and after 'to ... port'",
                        "'port' after 'to' is for a bare protocol: write 'tcp to X port 443' or 'tcp/443 to X'");
                return terms;
            }
        }
        return terms.stream().map(t -> t.withPorts(ports)).toList();
    }

    private Endpoint endpoint(SourceFile file, PolicyParser.EndpointContext endpoint) {
        List<AddressTerm> included = addressSet(file, endpoint.addressSet(0));
        List<AddressTerm> excluded = endpoint.excluded == null ? List.of() : addressSet(file, endpoint.excluded);
        PortSpec ports = endpoint.portSet() == null ? null : portSet(file, endpoint.portSet());
        return new Endpoint(included, excluded, ports, true, location(file, endpoint));
    }

    private List<AddressTerm> addressSet(SourceFile file, PolicyParser.AddressSetContext set) {
        List<AddressTerm> terms = new ArrayList<>();
        for (PolicyParser.AddressItemContext item : set.addressItem()) {
            Location at = location(file, item);
            AddressTerm term;
            if (item.ANY() != null) term = new AddressTerm.Any(null, at);
            else if (item.ANY4() != null) term = new AddressTerm.Any(Family.IPV4, at);
            else if (item.ANY6() != null) term = new AddressTerm.Any(Family.IPV6, at);
            else if (item.SELF() != null) term = new AddressTerm.Self(at);
            else {
                Declarations.MemberRef ref = member(file, item.member());
                term = ref.kind() == Declarations.MemberKind.NAME
                        ? namedAddress(ref.first(), at)
                        : addresses.literal(ref);
            }
            if (term != null) terms.add(term);
        }
        return terms;
    }

    private RuleOptions options(SourceFile file, List<PolicyParser.OptionContext> options) {
        boolean log = false;
        String logPrefix = null;
        Map<String, String> strings = new HashMap<>();
        Map<String, Location> seen = new HashMap<>();
        LocalDate expires = null;
        List<Waiver> waivers = new ArrayList<>();
        for (PolicyParser.OptionContext option : options) {
            Location at = location(file, option);
            String keyword = option.getStart().getText();
            if (!(option instanceof PolicyParser.WaiveOptionContext)) {
                Location first = seen.putIfAbsent(keyword, at);
                if (first != null) {
                    diagnostics.error(at, Quote.of(keyword) + " is given twice in this rule; first at " + first,
                            "keep one");
                    continue;
                }
            }
            if (option instanceof PolicyParser.LogOptionContext logOption) {
                log = true;
                if (logOption.STRING() != null) logPrefix = string(file, logOption.STRING());
            } else if (option instanceof PolicyParser.CommentOptionContext comment) {
                strings.put("comment", string(file, comment.STRING()));
            } else if (option instanceof PolicyParser.OwnerOptionContext owner) {
                strings.put("owner", string(file, owner.STRING()));
            } else if (option instanceof PolicyParser.TicketOptionContext ticket) {
                strings.put("ticket", string(file, ticket.STRING()));
            } else if (option instanceof PolicyParser.ExpiresOptionContext expiry) {
                expires = date(file, expiry.DATE());
            } else if (option instanceof PolicyParser.WaiveOptionContext waive) {
                String reason = waive.reason == null ? null : unquote(waive.reason.getText(),
                        location(file, waive.reason), diagnostics);
                LocalDate until = waive.DATE() == null ? null : date(file, waive.DATE());
                waivers.add(new Waiver(waive.ruleId.getText(), reason, until, at));
            }
        }
        return new RuleOptions(log, logPrefix, strings.get("comment"), strings.get("owner"), strings.get("ticket"),
                expires, waivers);
    }

    private LocalDate date(SourceFile file, TerminalNode date) {
        try {
            return Dates.parse(date.getText());
        } catch (DateTimeParseException e) {
            diagnostics.error(location(file, date.getSymbol()), "invalid date " + Quote.of(date.getText()),
                    "dates are YYYY-MM-DD and must exist, e.g. 2026-12-31");
            return null;
        }
    }

    private String string(SourceFile file, TerminalNode string) {
        return unquote(string.getText(), location(file, string.getSymbol()), diagnostics);
    }

    private static Action action(PolicyParser.ActionContext action) {
        return Action.valueOf(action.getText().toUpperCase(Locale.ROOT));
    }

    /**
     * The rule as written, comments dropped and whitespace collapsed: tokens joined by one space,
     * none around '/', '-' and ':', none before ',' and '}', none after '{'. (Built token by
     * token; joining and then replacing patterns was a tenth of the time of a large lint.)
     */
    private static String text(PolicyLoader.Site site, ParserRuleContext rule) {
        return text(site, rule.getStart().getTokenIndex(), rule.getStop().getTokenIndex());
    }

    /** The tokens {@code first..last} written as {@link #text(PolicyLoader.Site, ParserRuleContext)} writes them. */
    private static String text(PolicyLoader.Site site, int first, int last) {
        TokenStream tokens = site.file().tokens();
        StringBuilder out = new StringBuilder(64);
        int previous = Token.INVALID_TYPE;
        for (int i = first; i <= last; i++) {
            Token token = tokens.get(i);
            if (token.getChannel() != Token.DEFAULT_CHANNEL) continue;
            int type = token.getType();
            if (previous != Token.INVALID_TYPE && spaced(previous, type)) out.append(' ');
            out.append(type == PolicyLexer.STRING ? collapsed(token.getText()) : token.getText());
            previous = type;
        }
        return out.toString();
    }

    private static boolean spaced(int before, int after) {
        return !(after == PolicyLexer.COMMA || after == PolicyLexer.RBRACE || before == PolicyLexer.LBRACE
                || before == PolicyLexer.SLASH || after == PolicyLexer.SLASH
                || before == PolicyLexer.DASH || after == PolicyLexer.DASH
                || before == PolicyLexer.COLON || after == PolicyLexer.COLON);
    }

    /** Strings keep the collapsing the rule text always had inside them. */
    private static String collapsed(String string) {
        return string.replace(" , ", ", ").replace(" / ", "/").replace("{ ", "{").replace(" }", "}")
                .replace(" - ", "-").replace(" : ", ":");
    }

    // ---- shared helpers -----------------------------------------------------------

    /**
     * The text of a double-quoted string token at {@code at}, escapes undone (only {@code \"}
     * and {@code \\} are escapes); an unknown escape is reported at the escape itself, which in
     * a long comment is hard to find from the string's start.
     */
    static String unquote(String quoted, Location at, Diagnostics diagnostics) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\') {
                int next = quoted.codePointAt(i + 1);
                if (next != '"' && next != '\\') {
                    // Strings are on one line: the escape's column is the string's plus the characters before it.
                    Location escape = at.file().at(at.line(), at.column() + quoted.codePointCount(0, i), 2);
                    diagnostics.error(escape, "unknown escape " + Quote.of("\\" + Character.toString(next)) + " in string",
                            "strings allow only \\\" and \\\\ as escapes");
                }
                out.appendCodePoint(next);
                i += Character.charCount(next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static Location location(SourceFile file, Token token) {
        return file.at(token.getLine(), token.getCharPositionInLine() + 1, Math.max(1, token.getText().length()));
    }

    static Location location(SourceFile file, ParserRuleContext context) {
        Token start = context.getStart();
        Token stop = context.getStop() == null ? start : context.getStop();
        int length = stop.getLine() == start.getLine()
                ? stop.getStopIndex() - start.getStartIndex() + 1 : start.getText().length();
        return file.at(start.getLine(), start.getCharPositionInLine() + 1, length);
    }

    private static Located located(SourceFile file, ParserRuleContext context) {
        return new Located(context.getText(), location(file, context));
    }
}
