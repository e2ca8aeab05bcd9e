package io.portpolicy.compile;

import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import org.approvaltests.Approvals;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The exact output of every example host for each backend, compiled through the CLI on a fixed
 * day; one approved file per backend, one section per host. The tool version is written as
 * VERSION so a release does not change the approved text.
 */
class CompileApprovalTest {

    static String version() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = io.portpolicy.cli.Main.class.getResourceAsStream("version.properties")) {
            properties.load(in);
        }
        return properties.getProperty("version");
    }

    private static String all(String backend, String... extra) throws IOException {
        StringBuilder approved = new StringBuilder();
        for (String file : CompileFixtures.examples()) {
            EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file), CompileFixtures.TODAY);
            for (Target host : CompileFixtures.hosts(effective)) {
                String[] args = new String[7 + extra.length];
                String[] base = {"compile", file, "--target", backend, "--host", host.name(), "--today=2026-11-21"};
                System.arraycopy(base, 0, args, 0, base.length);
                System.arraycopy(extra, 0, args, base.length, extra.length);
                CompileFixtures.Run run = CompileFixtures.run(args);
                assertEquals("", run.err());
                assertEquals(0, run.exit());
                CompileFixtures.Run again = CompileFixtures.run(args);
                assertEquals(run.out(), again.out(), "output is not byte-stable for " + file + " " + host.name());
                approved.append("=== ").append(file).append(" --host ").append(host.name())
                        .append(extra.length > 0 ? " " + String.join(" ", extra) : "").append(" ===\n")
                        .append(run.out().replace("portpolicy " + version() + " (", "portpolicy VERSION ("));
            }
        }
        return approved.toString();
    }

    @Test
    void nftables() throws IOException {
        Approvals.verify(all("nftables"));
    }

    @Test
    void iptables() throws IOException {
        Approvals.verify(all("iptables") + all("iptables", "--family", "6"));
    }
}
