package io.portpolicy.syntax;

import io.portpolicy.diag.Quote;

/**
 * What is said of a CIDR or range written as a host's address, in a policy (where the parser
 * finds it) and in a YAML inventory (where the checker does): the same words in both.
 */
public final class BlockInHost {

    private BlockInHost() {
    }

    /** The error: a host holds single addresses. */
    public static String error(boolean cidr, String block) {
        return "a host holds single addresses, not the " + (cidr ? "CIDR" : "range") + " " + Quote.of(block);
    }

    /**
     * The hint: a prefix as long as the address (/32, /128) is one address, written without
     * it; any other block is a network.
     */
    public static String hint(String host, String block) {
        int slash = block.indexOf('/');
        if (slash > 0) {
            String address = block.substring(0, slash);
            int bits = address.indexOf(':') >= 0 ? 128 : 32;
            if (block.substring(slash + 1).matches("0*" + bits)) {
                return "a /" + bits + " is one address: write " + Quote.cut(address);
            }
        }
        return "a host is one machine; for a block of addresses write network " + Quote.cut(host) + " = " + Quote.cut(block);
    }
}
