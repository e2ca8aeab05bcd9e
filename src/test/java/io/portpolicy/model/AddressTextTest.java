package io.portpolicy.model;

import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AddressTextTest {

    private static String text(String address) {
        return AddressText.of(new IPAddressString(address).getAddress());
    }

    @Test
    void anIpv4MappedAddressOrBlockHasItsIpv4PartDotted() {
        assertEquals("::ffff:10.0.0.5", text("::ffff:a00:5"));
        assertEquals("::ffff:10.0.0.0/104", text("::ffff:a00:0/104"));
        // Not the library's own mixed string, 0:0:0:0:0:ffff::
        assertEquals("::ffff:0.0.0.0", text("::ffff:0:0"));
        assertEquals("::ffff:0.0.0.0/96", text("::ffff:0:0/96"));
    }

    @Test
    void everyOtherAddressIsRfc5952Text() {
        assertEquals("10.0.0.5", text("10.0.0.5"));
        assertEquals("::1", text("::1"));
        assertEquals("::a00:9", text("::10.0.0.9"));
        assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"));
        assertEquals("::fffe:0:0/95", text("::fffe:0:0/95"));
    }
}
