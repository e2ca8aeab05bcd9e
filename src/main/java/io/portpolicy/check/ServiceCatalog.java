package io.portpolicy.check;

import io.portpolicy.model.NamedService;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.PortSpec;
import io.portpolicy.model.Protocol;
import io.portpolicy.model.ServiceMatch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The built-in service names, read from {@code services.tsv} beside this class. */
public final class ServiceCatalog {

    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();
    private static final Map<String, NamedService> BUILTIN = load();

    private ServiceCatalog() {
    }

    public static Map<String, NamedService> builtin() {
        return BUILTIN;
    }

    public static boolean isBuiltin(String name) {
        return BUILTIN.containsKey(name);
    }

    public static String description(String name) {
        return DESCRIPTIONS.get(name);
    }

    private static Map<String, NamedService> load() {
        Map<String, NamedService> services = new LinkedHashMap<>();
        for (String[] row : Tsv.rows("services.tsv")) {
            List<ServiceMatch> terms = new ArrayList<>();
            for (String term : row[1].split(",")) {
                String[] protoPorts = term.split("/");
                Protocol protocol = Protocol.valueOf(protoPorts[0].toUpperCase(Locale.ROOT));
                String[] bounds = protoPorts[1].split("-");
                PortRange ports = new PortRange(Integer.parseInt(bounds[0]),
                        Integer.parseInt(bounds[bounds.length - 1]));
                terms.add(new ServiceMatch(protocol, new PortSpec(List.of(ports), false), List.of(), null, null));
            }
            services.put(row[0], new NamedService(row[0], terms, null));
            DESCRIPTIONS.put(row[0], row[2]);
        }
        return Collections.unmodifiableMap(services);
    }

    /** Tab-separated data files with {@code #} comments, read from this package's resources. */
    static final class Tsv {
        private Tsv() {
        }

        static List<String[]> rows(String resource) {
            List<String[]> rows = new ArrayList<>();
            try (InputStream in = ServiceCatalog.class.getResourceAsStream(resource);
                 BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    if (!line.isBlank() && !line.startsWith("#")) rows.add(line.split("\t"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read built-in data " + resource, e);
            }
            return rows;
        }
    }
}
