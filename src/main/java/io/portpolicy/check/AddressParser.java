package io.portpolicy.check;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv4.IPv4AddressStringParameters;
import inet.ipaddr.ipv6.IPv6Address;
import inet.ipaddr.ipv6.IPv6AddressStringParameters;
import io.portpolicy.diag.Diagnostic;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Quote;
import io.portpolicy.model.AddressLiteral;
import io.portpolicy.model.AddressText;
import io.portpolicy.source.Location;
import io.portpolicy.syntax.BlockInHost;

import java.util.regex.Pattern;

/**
 * Parses address literals strictly: no inet_aton shorthands ({@code 10.1}), no leading zeros
 * (is {@code 010} octal?), in IPv4 addresses and in the IPv4 tail of IPv6 ones alike, nor in
 * prefix lengths ({@code /08}), no IPv6
 * group of more than four hex digits, no masks or wildcards, no IPv6 zones
 * ({@code 2001:db8::1%eth0}: a zone names an interface of one machine, which no firewall rule
 * can match). Each failure is reported with a hint. Addresses in inventories and on the command
 * line are held to the same forms. An IPv6 address that stands for an IPv4 one
 * ({@code ::ffff:10.0.0.9}) is accepted with a warning, once where it is written: see {@link #meantIpv4}.
 */
public final class AddressParser {

    private static final IPAddressStringParameters STRICT = strict();

    /** Where the IPv4 address starts in an IPv6 one that holds one (::ffff:10.0.0.9). */
    private static final int IPV4_PART = IPv6Address.BIT_COUNT - IPv4Address.BIT_COUNT;

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]*");

    private static final String IPV4_HINT =
            "an IPv4 address is four numbers 0-255 without leading zeros, such as 192.0.2.10";

    private static final String IPV6_HINT =
            "IPv6 addresses are up to eight groups of 1-4 hex digits, with '::' for one run of zeros";

    private static final String IPV4_TAIL_HINT =
            "; an IPv4 tail is four numbers 0-255 without leading zeros, such as ::ffff:192.0.2.10";

    /**
     * The hint for IPv6 text covering every IPv4 address: the IPv4 form would turn a rule that
     * matched no IPv4 packet into one for all of them, which is not to be done in passing.
     */
    private static final String EVERY_IPV4_HINT = "write 0.0.0.0/0 (any4 in a rule) only if every IPv4 address is"
            + " meant: as written, it matches no IPv4 packet";

    private static IPAddressStringParameters strict() {
        IPAddressStringParameters.Builder builder = new IPAddressStringParameters.Builder()
                .allowEmpty(false)
                .allowAll(false)
                .allowSingleSegment(false)
                .allowMask(false)
                .allowPrefix(false)
                .allowWildcardedSeparator(false)
                .setRangeOptions(IPAddressStringParameters.RangeParameters.NO_RANGE);
        strictIpv4(builder.getIPv4AddressParametersBuilder());
        // RFC 4291 text: a group is 1-4 hex digits (0db8 is fine, 000001 is not), and an IPv4
        // tail (::ffff:192.0.2.1) is held to the same rules as an IPv4 address.
        IPv6AddressStringParameters.Builder ipv6 = builder.getIPv6AddressParametersBuilder()
                .allowZone(false)
                .allowUnlimitedLeadingZeros(false);
        strictIpv4(ipv6.getEmbeddedIPv4AddressParametersBuilder());
        return builder.toParams();
    }

    private static void strictIpv4(IPv4AddressStringParameters.Builder ipv4) {
        ipv4.allow_inet_aton(false).allowLeadingZeros(false);
    }

    private final Diagnostics diagnostics;

    AddressParser(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** A single address, or {@code null} after reporting why it is not one. */
    IPAddress address(String text, Location at) {
        IPAddress address = single(text);
        if (address == null) diagnostics.error(at, invalid(text), hint(text));
        return address;
    }

    /**
     * A host's single address, or {@code null} after reporting why it is not one. A policy's
     * parser refuses a CIDR or range there; one from an inventory is refused here in the same words.
     */
    IPAddress hostAddress(String text, Location at) {
        int slash = text.indexOf('/');
        int dash = text.indexOf('-');
        // Only text that is a CIDR or range is called one: a name such as web-5.example.com is no address at all.
        boolean cidr = slash > 0 && single(text.substring(0, slash)) != null && text.substring(slash + 1).matches("[0-9]{1,3}");
        boolean range = dash > 0 && single(text.substring(0, dash)) != null && single(text.substring(dash + 1)) != null;
        if (cidr || range) {
            diagnostics.error(at, BlockInHost.error(cidr, text), BlockInHost.inventoryHint(text));
            return null;
        }
        return addressWarnedOf(text, at);
    }

    /** {@link #address}, with a warning when it stands for an IPv4 address. */
    private IPAddress addressWarnedOf(String text, Location at) {
        IPAddress address = address(text, at);
        IPv4Address ipv4 = address == null ? null : meantIpv4(address, text);
        if (ipv4 != null) ipv4Meant(text, address, true, "write " + ipv4, at);
        return address;
    }

    /**
     * The IPv4 address {@code address} stands for, or {@code null}: an IPv4-mapped address
     * ({@code ::ffff:10.0.0.9}, in any notation) always, and an IPv4-compatible one (RFC 4291
     * deprecated them) when {@code written} with a dotted IPv4 part ({@code ::10.0.0.9}), which
     * shows an IPv4 address was meant. Other addresses of ::/96 ({@code ::}, {@code ::1},
     * {@code ::a00:9}) are what they say. {@code query} reads its command line's addresses so too.
     */
    public static IPv4Address meantIpv4(IPAddress address, String written) {
        if (!address.isIPv6()) return null;
        IPv6Address ipv6 = address.toIPv6();
        boolean meant = ipv6.isIPv4Mapped() || ipv6.isIPv4Compatible() && written.indexOf('.') >= 0;
        return meant ? ipv6.getEmbeddedIPv4Address() : null;
    }

    /** What kind of IPv6 address standing for an IPv4 one {@code address} is (see {@link #meantIpv4}). */
    public static String ipv4MeantKind(IPAddress address) {
        return address.toIPv6().isIPv4Mapped() ? "IPv4-mapped" : "IPv4-compatible (deprecated)";
    }

    /**
     * Warns that {@code text} is IPv6 standing for IPv4: a firewall sees IPv4 traffic as IPv4
     * packets, which rules compiled from it, IPv6 rules, never match. A warning, not an error:
     * the text is valid IPv6, and the policy means what it says.
     */
    private void ipv4Meant(String text, IPAddress first, boolean single, String hint, Location at) {
        String kind = ipv4MeantKind(first);
        String what = single ? " is an " + kind + " IPv6 address: rules with it" : " holds " + kind
                + " IPv6 addresses: rules with them";
        diagnostics.add(Diagnostic.warning(at, Quote.of(text) + what
                + " match IPv6 packets only, and IPv4 traffic is matched only by the IPv4 form", hint));
    }

    /**
     * The hint for a CIDR of {@code ipv4}'s IPv6 form with an IPv4 prefix length of {@code length}:
     * the IPv4 block it covers, host bits masked (a hint must not be what PP406 warns of), or
     * the one address of a /32, written as the language writes single addresses.
     */
    private static String ipv4BlockHint(IPv4Address ipv4, int length) {
        if (length == 0) return EVERY_IPV4_HINT;
        if (length == IPv4Address.BIT_COUNT) return "write " + ipv4;
        IPv4Address network = ipv4.toPrefixBlock(length).getLower().withoutPrefixLength();
        String block = network + "/" + length;
        if (network.equals(ipv4)) return "write " + block;
        return "write " + block + ", the IPv4 block it covers (not " + ipv4 + "/" + length
                + ", which has host bits set)";
    }

    /** The one address {@code text} is in a form the language accepts, or {@code null}. */
    public static IPAddress single(String text) {
        try {
            return new IPAddressString(text, STRICT).toAddress();
        } catch (AddressStringException e) {
            return null;
        }
    }

    /** The error for {@code text} when {@link #single} refuses it. */
    public static String invalid(String text) {
        String invalid = "invalid " + (isIpv6(text) ? "IPv6" : "IPv4") + " address " + Quote.of(text);
        if (unzoned(text) == null) return invalid;
        return invalid + ": a %zone names an interface of one machine, which no firewall rule can match";
    }

    /** How addresses of the family {@code text} looks like are written. */
    public static String hint(String text) {
        String unzoned = unzoned(text);
        if (unzoned != null) return "drop the %zone: write " + unzoned;
        if (!isIpv6(text)) return IPV4_HINT;
        return text.indexOf('.') < 0 ? IPV6_HINT : IPV6_HINT + IPV4_TAIL_HINT;
    }

    private static boolean isIpv6(String text) {
        return text.indexOf(':') >= 0;
    }

    /**
     * The address before the IPv6 zone of {@code text} ({@code 2001:db8::1} of
     * {@code 2001:db8::1%eth0}), or {@code null} when it is no address with a zone.
     */
    private static String unzoned(String text) {
        int zone = text.indexOf('%');
        return isIpv6(text) && zone > 0 && single(text.substring(0, zone)) != null ? text.substring(0, zone) : null;
    }

    /** A member written as an address, CIDR or range; {@code null} after an error. */
    AddressLiteral literal(Declarations.MemberRef ref) {
        return switch (ref.kind()) {
            case ADDRESS -> {
                IPAddress address = addressWarnedOf(ref.first(), ref.location());
                yield address == null ? null
                        : new AddressLiteral(address.toSequentialRange(), ref.text(), false, ref.location());
            }
            case CIDR -> cidr(ref);
            case RANGE -> range(ref);
            case NAME -> throw new IllegalArgumentException("a name is not a literal: " + ref.text());
        };
    }

    private AddressLiteral cidr(Declarations.MemberRef ref) {
        IPAddress address = address(ref.first(), ref.location());
        if (address == null) return null;
        int max = address.getBitCount();
        int prefix;
        try {
            prefix = Integer.parseInt(ref.second());
        } catch (NumberFormatException e) {
            prefix = Integer.MAX_VALUE;
        }
        if (prefix > max) {
            diagnostics.error(ref.location(), "prefix length /" + ref.second() + " is out of range in " + Quote.of(ref.text()),
                    (address.isIPv4() ? "IPv4" : "IPv6") + " prefix lengths are 0-" + max);
            return null;
        }
        // Refused like a leading zero in an octet: tools disagree on what it means, and it may be a slip ('/028'?).
        if (ref.second().length() > 1 && ref.second().charAt(0) == '0') {
            diagnostics.error(ref.location(), "prefix length /" + ref.second() + " has a leading zero in "
                    + Quote.of(ref.text()), "write /" + prefix + "; " + (address.isIPv4() ? "IPv4" : "IPv6")
                    + " prefix lengths are 0-" + max + ", without leading zeros");
            return null;
        }
        // A shorter prefix holds more than the addresses of one IPv4 block.
        IPv4Address ipv4 = prefix >= IPV4_PART ? meantIpv4(address, ref.first()) : null;
        if (ipv4 != null) {
            ipv4Meant(ref.text(), address, prefix == IPv6Address.BIT_COUNT, ipv4BlockHint(ipv4, prefix - IPV4_PART),
                    ref.location());
        }
        IPAddress block = address.toPrefixBlock(prefix);
        boolean hostBitsSet = !block.getLower().withoutPrefixLength().equals(address.withoutPrefixLength());
        return new AddressLiteral(block.toSequentialRange(), ref.text(), hostBitsSet, ref.location());
    }

    private AddressLiteral range(Declarations.MemberRef ref) {
        IPAddress low = address(ref.first(), ref.location());
        IPAddress high = address(ref.second(), ref.location());
        if (low == null || high == null) return null;
        if (low.isIPv4() != high.isIPv4()) {
            diagnostics.error(ref.location(), "range " + Quote.of(ref.text()) + " mixes IPv4 and IPv6",
                    "write one range per address family");
            return null;
        }
        if (low.compareTo(high) > 0) {
            diagnostics.error(ref.location(), "range " + Quote.of(ref.text()) + " is backwards",
                    "write it low to high: " + AddressText.of(high) + "-" + AddressText.of(low));
            return null;
        }
        IPv4Address lowIpv4 = meantIpv4(low, ref.first());
        IPv4Address highIpv4 = meantIpv4(high, ref.second());
        // Both mapped or both compatible: from one kind to the other, a range holds much else.
        if (lowIpv4 != null && highIpv4 != null && low.toIPv6().isIPv4Mapped() == high.toIPv6().isIPv4Mapped()) {
            boolean everyIpv4 = lowIpv4.isZero() && highIpv4.isMax();
            ipv4Meant(ref.text(), low, false, everyIpv4 ? EVERY_IPV4_HINT : "write " + lowIpv4 + "-" + highIpv4,
                    ref.location());
        }
        IPAddressSeqRange range = low.toSequentialRange(high);
        return new AddressLiteral(range, ref.text(), false, ref.location());
    }

    /** Classifies a member written as plain text (in YAML): a name, address, CIDR or range. */
    static Declarations.MemberRef member(String text, Location at) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        if (slash >= 0) {
            return new Declarations.MemberRef(Declarations.MemberKind.CIDR, trimmed,
                    trimmed.substring(0, slash), trimmed.substring(slash + 1), at);
        }
        if (NAME.matcher(trimmed).matches() && trimmed.indexOf(':') < 0) {
            return new Declarations.MemberRef(Declarations.MemberKind.NAME, trimmed, trimmed, null, at);
        }
        int dash = trimmed.indexOf('-');
        int zone = trimmed.indexOf('%');
        // A dash after a zone is part of it (2001:db8::1%br-lan), refused with the zone.
        if (dash >= 0 && (zone < 0 || dash < zone)) {
            return new Declarations.MemberRef(Declarations.MemberKind.RANGE, trimmed,
                    trimmed.substring(0, dash), trimmed.substring(dash + 1), at);
        }
        return new Declarations.MemberRef(Declarations.MemberKind.ADDRESS, trimmed, trimmed, null, at);
    }
}
