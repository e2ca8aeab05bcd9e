package io.portpolicy.model;

import io.portpolicy.source.Location;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One side of a rule: {@code from ADDRS [except ADDRS] [port PORTS]} or the same after
 * {@code to}.
 *
 * @param ports    source or destination ports written after {@code port}, or {@code null}
 * @param written  false when the side was omitted ({@code from any} / {@code to self} implied)
 */
public record Endpoint(List<AddressTerm> addresses, List<AddressTerm> except, PortSpec ports,
                       boolean written, Location location) {

    public Endpoint {
        addresses = List.copyOf(addresses);
        except = List.copyOf(except);
    }

    public static Endpoint implicitAny(Location location) {
        return new Endpoint(List.of(new AddressTerm.Any(null, location)), List.of(), null, false, location);
    }

    public static Endpoint implicitSelf(Location location) {
        return new Endpoint(List.of(new AddressTerm.Self(location)), List.of(), null, false, location);
    }

    @Override
    public String toString() {
        String text = join(addresses);
        if (!except.isEmpty()) text += " except " + join(except);
        if (ports != null) text += " port " + ports;
        return text;
    }

    private static String join(List<AddressTerm> terms) {
        return terms.stream().map(Object::toString).collect(Collectors.joining(", "));
    }
}
