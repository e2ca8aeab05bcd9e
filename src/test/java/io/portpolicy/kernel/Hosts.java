package io.portpolicy.kernel;

import java.util.List;

/**
 * The addresses of the hand-written ruleset tests: the target, a trusted peer A and another
 * peer B, in one address family.
 */
record Hosts(String family, String target, String a, String b) {

    static final Hosts V4 = new Hosts("ipv4", "10.0.0.1", "10.1.0.1", "192.0.2.20");
    static final Hosts V6 = new Hosts("ipv6", "2001:db8::1", "2001:db8:1::1", "2001:db8:2::20");
    static final List<Hosts> BOTH = List.of(V4, V6);

    /** A lab with the target and the two peers, for both families. */
    static KernelLab lab() {
        return KernelLab.builder()
                .target(V4.target, V6.target)
                .peer(V4.a, V6.a)
                .peer(V4.b, V6.b)
                .start();
    }
}
