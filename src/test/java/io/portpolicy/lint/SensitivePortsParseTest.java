package io.portpolicy.lint;

import io.portpolicy.model.PortRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Ports in the configuration (ephemeral, sensitive ports) are read as the policy language reads them. */
class SensitivePortsParseTest {

    @Test
    void portsAreAsciiDigitsWithoutASign() {
        assertEquals(new PortRange(1024, 2000), SensitivePorts.parsePorts("1024-2000"));
        assertEquals(new PortRange(8500, 8500), SensitivePorts.parsePorts(" 8500 "));
        // Integer.parseInt took these: a sign, and Arabic-Indic digits.
        assertNull(SensitivePorts.parsePorts("+1024-+\u0662\u0660\u0660\u0660"));
        assertNull(SensitivePorts.parsePorts("\u0668\u0665\u0660\u0660"));
        assertNull(SensitivePorts.parsePorts("-0"));
        assertNull(SensitivePorts.parsePorts("65536"));
        assertNull(SensitivePorts.parsePorts("99999999999999999999"));
    }
}
