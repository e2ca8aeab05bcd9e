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
        String single = singleAddress(block);
        return single != null ? single
                : "a host is one machine; for a block of addresses write network " + Quote.cut(host) + " = "
                        + Quote.cut(withoutLeadingZeros(block));
    }

    /** The block with its prefix length as the language takes it: '/08' is refused, '/8' is not. */
    private static String withoutLeadingZeros(String block) {
        return block.replaceFirst("/0+(?=\\d)", "/");
    }

    /** The hint in an inventory, which has groups but no networks. */
    public static String inventoryHint(String block) {
        String single = singleAddress(block);
        return single != null ? single
                : "a host is one machine; put a block of addresses in a group (groups: { NAME: ["
                        + Quote.cut(withoutLeadingZeros(block))
                        + "] }) or define it as a network in the policy";
    }

    /** The hint for a prefix as long as the address (/32, /128): it is one address; else {@code null}. */
    private static String singleAddress(String block) {
        int slash = block.indexOf('/');
        if (slash <= 0) return null;
        String address = block.substring(0, slash);
        int bits = address.indexOf(':') >= 0 ? 128 : 32;
        return block.substring(slash + 1).matches("0*" + bits) ? "a /" + bits + " is one address: write " + Quote.cut(address) : null;
    }
}
