package io.portpolicy.model;

import io.portpolicy.source.Location;

/** One element of an address list, with names resolved to the objects they name. */
public sealed interface AddressTerm
        permits AddressTerm.Any, AddressTerm.Self, AddressTerm.HostRef, AddressTerm.NetworkRef,
                AddressTerm.GroupRef, AddressLiteral {

    Location location();

    /** {@code any} (family {@code null}), {@code any4} or {@code any6}. */
    record Any(Family family, Location location) implements AddressTerm {
        @Override
        public String toString() {
            return family == null ? "any" : family == Family.IPV4 ? "any4" : "any6";
        }
    }

    /** {@code self}: the host or group being configured. */
    record Self(Location location) implements AddressTerm {
        @Override
        public String toString() {
            return "self";
        }
    }

    record HostRef(Host host, Location location) implements AddressTerm {
        @Override
        public String toString() {
            return host.name();
        }
    }

    record NetworkRef(Network network, Location location) implements AddressTerm {
        @Override
        public String toString() {
            return network.name();
        }
    }

    record GroupRef(Group group, Location location) implements AddressTerm {
        @Override
        public String toString() {
            return group.name();
        }
    }
}
