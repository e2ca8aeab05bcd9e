package io.portpolicy.lint.format;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** SARIF locations are URI references: names with spaces, '%', ':' or non-ASCII are escaped. */
class SarifUriTest {

    @Test
    void escapesWhatAUriCannotHoldAndKeepsSlashes() {
        assertEquals("policies/my%20file%2520.policy", SarifReport.escaped("policies/my file%20.policy"));
        assertEquals("we%2Cird%3Ana%25me.policy", SarifReport.escaped("we,ird:na%me.policy"));
        assertEquals("caf%C3%A9.policy", SarifReport.escaped("café.policy"));
        assertEquals("%3Cstdin%3E", SarifReport.escaped("<stdin>"));
    }

    @Test
    void escapedNamesReadBackAsTheSameRelativePath() {
        for (String name : new String[] {"a b/c%d:e.policy", "x,y;z=1&q#f?.policy", "ü/ß.policy"}) {
            URI uri = URI.create(SarifReport.escaped(name));
            assertNull(uri.getScheme(), name);
            assertEquals(name, uri.getPath());
        }
    }
}
