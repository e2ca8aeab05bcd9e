package io.portpolicy.lint;

import io.portpolicy.model.Numbers;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The built-in sensitive-port catalog, read from {@code sensitive-ports.tsv} beside this class. */
public final class SensitivePorts {

    private static final String RESOURCE = "sensitive-ports.tsv";
    private static final SensitivePorts BUILTIN = load();

    private final List<SensitivePort> ports;

    private SensitivePorts(List<SensitivePort> ports) {
        this.ports = List.copyOf(ports);
    }

    public static SensitivePorts builtin() {
        return BUILTIN;
    }

    public List<SensitivePort> ports() {
        return ports;
    }

    /**
     * This catalog followed by {@code extra} (a user's additions from the configuration). The
     * ports of this catalog's entries that an addition names (of the same protocol) are left to
     * the addition: the site has named those ports itself, and a finding should not list one
     * port twice under two names. Built-in MongoDB (tcp/27017-27019) beside a site's tcp/27017
     * keeps 27018-27019.
     */
    public List<SensitivePort> with(List<SensitivePort> extra) {
        List<SensitivePort> all = new ArrayList<>();
        for (SensitivePort port : ports) {
            List<PortRange> named = extra.stream().filter(added -> added.protocol() == port.protocol())
                    .map(SensitivePort::ports).toList();
            for (PortRange range : port.ports().minus(named)) {
                all.add(new SensitivePort(range, port.protocol(), port.service(), port.risk()));
            }
        }
        all.addAll(extra);
        return List.copyOf(all);
    }

    /**
     * Parses {@code PORT[-PORT]}. Returns {@code null} for anything else, so the configuration
     * reader can say where the bad value is.
     */
    public static PortRange parsePorts(String text) {
        String[] bounds = text.strip().split("-", -1);
        if (bounds.length > 2) return null;
        Integer low = Numbers.parse(bounds[0].strip(), PortRange.MAX);
        Integer high = bounds.length == 2 ? Numbers.parse(bounds[1].strip(), PortRange.MAX) : low;
        return low != null && high != null && low <= high ? new PortRange(low, high) : null;
    }

    /** {@code tcp} or {@code udp}, else {@code null}. */
    public static Protocol parseProtocol(String text) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        return lower.equals("tcp") ? Protocol.TCP : lower.equals("udp") ? Protocol.UDP : null;
    }

    private static SensitivePorts load() {
        InputStream in = SensitivePorts.class.getResourceAsStream(RESOURCE);
        if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the build");
        List<SensitivePort> ports = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] fields = line.split("\t");
                PortRange range = fields.length == 4 ? parsePorts(fields[0]) : null;
                Protocol protocol = fields.length == 4 ? parseProtocol(fields[1]) : null;
                if (range == null || protocol == null) {
                    throw new IllegalStateException(RESOURCE + ":" + number + ": expected PORT\\tPROTOCOL\\tSERVICE\\tRISK");
                }
                ports.add(new SensitivePort(range, protocol, fields[2], fields[3]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SensitivePorts(ports);
    }
}
