package io.portpolicy.model;

import io.portpolicy.source.Location;

import java.util.List;

/**
 * A service name: built in (from the catalog, with {@code location == null}) or defined by a
 * {@code service} statement.
 */
public record NamedService(String name, List<ServiceMatch> terms, Location location) {

    public NamedService {
        terms = List.copyOf(terms);
    }

    public boolean builtin() {
        return location == null;
    }
}
