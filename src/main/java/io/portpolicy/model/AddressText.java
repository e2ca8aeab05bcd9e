package io.portpolicy.model;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.ipv6.IPv6Address;
import inet.ipaddr.ipv6.IPv6AddressSection.CompressOptions;
import inet.ipaddr.ipv6.IPv6AddressSection.IPv6StringOptions;

/**
 * How an address or CIDR block is written for people (messages, {@code query}, lint and diff
 * text): RFC 5952 text, but an IPv4-mapped address with its IPv4 part dotted
 * ({@code ::ffff:10.0.0.5}, not {@code ::ffff:a00:5}), as RFC 5952 section 5 recommends. Compiled
 * rules keep the plain hex form, which every target reads.
 */
public final class AddressText {

    /**
     * RFC 5952 compression around a dotted IPv4 part. The zeros of the IPv4 part are never
     * compressed: the library's own mixed string writes {@code ::ffff:0.0.0.0} as {@code 0:0:0:0:0:ffff::}.
     */
    private static final IPv6StringOptions MIXED = new IPv6StringOptions.Builder()
            .setMakeMixed(true)
            .setCompressOptions(new CompressOptions(false, CompressOptions.CompressionChoiceOptions.ZEROS,
                    CompressOptions.MixedCompressionOptions.NO))
            .toOptions();

    private AddressText() {
    }

    /** An address, or a CIDR block with its prefix length. */
    public static String of(IPAddress address) {
        IPv6Address ipv6 = address.isIPv6() ? address.toIPv6() : null;
        return ipv6 != null && ipv6.isIPv4Mapped() ? ipv6.toNormalizedString(MIXED) : address.toCanonicalString();
    }

    /** A CIDR block, or a plain address for a block of one. */
    public static String block(IPAddress block) {
        Integer prefix = block.getNetworkPrefixLength();
        return prefix == null || prefix == block.getBitCount() ? of(block.withoutPrefixLength()) : of(block);
    }

    /** A range as the CIDR block it is when it is one, else LOW-HIGH. */
    public static String range(IPAddressSeqRange range) {
        IPAddress[] blocks = range.spanWithPrefixBlocks();
        return blocks.length == 1 ? block(blocks[0]) : of(range.getLower()) + "-" + of(range.getUpper());
    }
}
