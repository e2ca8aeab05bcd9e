package io.portpolicy.lint.rules;

import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.diag.Severity;
import io.portpolicy.engine.PacketSet;
import io.portpolicy.engine.PacketSpace;
import io.portpolicy.lint.Exposure;
import io.portpolicy.lint.Finding;
import io.portpolicy.lint.LintContext;
import io.portpolicy.lint.LintRule;
import io.portpolicy.lint.RuleInfo;
import io.portpolicy.lint.SensitivePort;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

@RuleInfo(id = "PP104", name = "sensitive-port-exposed", severity = Severity.ERROR,
        summary = "A port of the sensitive-port catalog (databases, caches, SMB/NetBIOS, WinRM, VNC, Docker, "
                + "Kubernetes/etcd, ...) is allowed from the whole world (error) or from a public range wider "
                + "than /24 (warning).",
        rationale = "Databases, caches, container and cluster APIs and Windows file sharing were built for "
                + "trusted networks: many have no authentication by default, and the rest are brute-forced. "
                + "Exposed, they leak data, get ransomed, or hand over the machine. Internet scanners find "
                + "them within hours. The catalog is a data file; .portpolicy.yaml adds site-specific ports.",
        securitySeverity = "9.0")
public final class SensitivePortExposed implements LintRule {

    @Override
    public List<Finding> check(LintContext context) {
        List<SensitivePort> catalog = context.config().sensitivePorts();
        List<Finding> found = new ArrayList<>();
        List<Exposure.Hit> hits = ReturnTraffic.openingHits(context, s -> union(s, catalog));
        // Per part of each hit (a layer), who reaches each catalog port: the layers on two threads,
        // each with the catalog's sets of its own space.
        List<List<Reach[]>> reached = Exposure.eachPart(hits, space -> {
            PacketSet[] entries = new PacketSet[catalog.size()];
            return (hit, part) -> {
                Reach[] byPort = new Reach[catalog.size()];
                for (int p = 0; p < catalog.size(); p++) {
                    if (entries[p] == null) entries[p] = entry(space, catalog.get(p));
                    PacketSet exposed = hit.admitted().get(part).intersect(entries[p]);
                    if (exposed.isEmpty()) continue;
                    List<PortRange> ports = Exposure.openPorts(exposed, catalog.get(p).protocol());
                    if (exposed.intersects(hit.fromWorld().get(part))) {
                        byPort[p] = new Reach(true, List.of(), List.of(), ports);
                    } else {
                        List<IPAddressSeqRange> peers = exposed.peerAddresses();
                        byPort[p] = new Reach(false, peers, Exposure.widePublic(peers), ports);
                    }
                }
                return byPort;
            };
        });
        for (int h = 0; h < hits.size(); h++) {
            Exposure.Hit hit = hits.get(h);
            // Per catalog entry, in catalog order, the ports of it the rule admits.
            Map<Integer, List<PortRange>> world = new TreeMap<>();
            Map<Integer, List<PortRange>> wide = new TreeMap<>();
            List<IPAddressSeqRange> sources = new ArrayList<>();
            List<IPAddressSeqRange> wideSources = new ArrayList<>();
            for (int p = 0; p < catalog.size(); p++) {
                for (Reach[] part : reached.get(h)) {
                    Reach reach = part[p];
                    if (reach == null) continue;
                    if (reach.world()) {
                        world.computeIfAbsent(p, k -> new ArrayList<>()).addAll(reach.ports());
                    } else if (!reach.widePublic().isEmpty()) {
                        wide.computeIfAbsent(p, k -> new ArrayList<>()).addAll(reach.ports());
                        sources.addAll(reach.peers());
                        wideSources.addAll(reach.widePublic());
                    }
                }
            }
            wide.keySet().removeAll(world.keySet());
            if (world.isEmpty() && wide.isEmpty()) continue;
            Severity severity = world.isEmpty() ? Severity.WARNING : Severity.ERROR;
            String message = world.isEmpty()
                    ? "admits " + list(catalog, wide) + " from " + Exposure.addresses(Exposure.merge(sources)) + " to "
                            + Exposure.names(hit.targets()) + ": " + Exposure.wideRanges(sources, wideSources, true)
                    : "admits " + list(catalog, world) + " from the whole world to "
                            + Exposure.names(hit.worldTargets());
            String hint = "allow these ports only from the clients that need them (the app tier, the admin network)";
            Finding finding = hit.finding(context, this, message, hint);
            found.add(finding.withSeverity(severity));
        }
        return found;
    }

    /**
     * Who reaches a sensitive port in one part of a hit: the whole world, or else the peers that
     * do and their public parts wider than /24 (IPv6 /48) (possibly none).
     */
    private record Reach(boolean world, List<IPAddressSeqRange> peers, List<IPAddressSeqRange> widePublic,
                         List<PortRange> ports) {
    }

    /** SSH, Telnet and RDP have rules of their own (PP101-PP103). */
    private static PacketSet entry(PacketSpace space, SensitivePort port) {
        PacketSet set = space.protocol(port.protocol()).intersect(space.destinationPorts(port.ports()));
        set = set.minus(Exposure.port(space, Protocol.TCP, 22)).minus(Exposure.port(space, Protocol.TCP, 23));
        return set.minus(Exposure.port(space, Protocol.TCP, 3389)).minus(Exposure.port(space, Protocol.UDP, 3389));
    }

    private static PacketSet union(PacketSpace space, List<SensitivePort> catalog) {
        PacketSet all = space.none();
        for (SensitivePort port : catalog) all = all.union(entry(space, port));
        return all;
    }

    /** The entries' services with the ports of each that are admitted: "MongoDB (tcp/27017)". */
    private static String list(List<SensitivePort> catalog, Map<Integer, List<PortRange>> admitted) {
        Set<String> services = new LinkedHashSet<>();
        admitted.forEach((p, ports) -> services.add(catalog.get(p).service() + " ("
                + catalog.get(p).protocol().keyword() + "/" + Exposure.ports(Exposure.mergePorts(ports)) + ")"));
        List<String> names = new ArrayList<>(services);
        String text = String.join(", ", names.subList(0, Math.min(3, names.size())));
        return names.size() > 3 ? text + " and " + (names.size() - 3) + " more sensitive ports" : text;
    }
}
