package io.portpolicy.check;

import io.portpolicy.source.Location;

import java.util.List;

/**
 * Object definitions before names are resolved. Policy statements and YAML inventories both
 * produce these, so both are checked by the same code with the same messages.
 */
final class Declarations {

    private Declarations() {
    }

    /** How a group or network member is written. */
    enum MemberKind { NAME, ADDRESS, CIDR, RANGE }

    /**
     * @param text   the whole member as written
     * @param first  the name, the address, the CIDR's address or the range's low end
     * @param second the CIDR's prefix length or the range's high end, else {@code null}
     */
    record MemberRef(MemberKind kind, String text, String first, String second, Location location) {
    }

    /** @param os {@code null} when not given; @param groups memberships from an inventory */
    record HostDecl(String name, List<Located> addresses, Located os, List<Located> groups, Location location) {
    }

    /** A {@code group} or {@code network} definition. */
    record SetDecl(String kind, String name, List<MemberRef> members, Location location) {
    }
}
