package io.portpolicy.kernel;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The only addresses a lab may use: 10.0.0.0/8, the three IPv4 documentation ranges
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and the IPv6 documentation range
 * 2001:db8::/32. Anything else is refused before a single command runs.
 */
public final class LabAddresses {

    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private LabAddresses() {
    }

    /**
     * Parses an address literal (never a host name: nothing is looked up) and checks that it is
     * in an allowed range.
     *
     * @throws IllegalArgumentException if it is not a literal or not in an allowed range
     */
    public static InetAddress parse(String literal) {
        if (literal == null || !LITERAL.matcher(literal).matches()) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address literal: " + literal);
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(literal); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address literal: " + literal, e);
        }
        boolean v6text = literal.contains(":");
        if (v6text != (a instanceof Inet6Address)) {
            // e.g. ::ffff:10.0.0.1, which Java turns into an IPv4 address
            throw new IllegalArgumentException("IPv4-mapped and mixed forms are not allowed: " + literal);
        }
        if (!allowed(a)) {
            throw new IllegalArgumentException("address " + literal + " is outside the lab ranges "
                    + "(10.0.0.0/8, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32)");
        }
        return a;
    }

    /** Whether an address is in one of the allowed ranges. */
    public static boolean allowed(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int o0 = b[0] & 0xff;
            int o1 = b[1] & 0xff;
            int o2 = b[2] & 0xff;
            return o0 == 10
                    || (o0 == 192 && o1 == 0 && o2 == 2)
                    || (o0 == 198 && o1 == 51 && o2 == 100)
                    || (o0 == 203 && o1 == 0 && o2 == 113);
        }
        return (b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8;
    }

    /** The address as ip(8) and python print it (IPv6 in its shortest form). */
    public static String text(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952: a single zero word is not shortened
        for (int i = 0; i < 8;) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }

    static boolean isV6(InetAddress a) {
        return a instanceof Inet6Address;
    }
}
