package io.portpolicy.compile;

import io.portpolicy.compile.aws.AwsSecurityGroupBackend;
import io.portpolicy.compile.awsnacl.AwsNaclBackend;
import io.portpolicy.compile.azure.AzureBackend;
import io.portpolicy.compile.gcp.GcpBackend;
import io.portpolicy.compile.windows.WindowsBackend;
import io.portpolicy.engine.EffectivePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rule's description keeps its file name and line however long the policy's path: the
 * directories give way first (Text.locationAndText), as in nftables and iptables comments.
 */
class DescriptionLocationTest {

    @Test
    void aLongPathLeavesTheFileNameAndLineInEveryDescription(@TempDir Path dir) throws IOException {
        // Longer than GCP's 1,024 characters, the longest description limit.
        Path deep = dir;
        for (int i = 0; i < 5; i++) deep = deep.resolve(("level" + i + "_").repeat(30));
        Files.createDirectories(deep);
        Path file = deep.resolve("site.policy");
        Files.writeString(file, "host web1 = 10.1.0.1 os windows\ngroup web = 10.1.0.0/24\n"
                + "allow tcp/22 from 192.0.2.0/24 to web, web1 comment \"ssh\"\ndefault inbound deny\n");
        EffectivePolicy effective = EffectivePolicy.of(CompileFixtures.checkFile(file.toString()), CompileFixtures.TODAY);
        List<String> lost = new ArrayList<>();
        for (Backend backend : List.of(new AzureBackend(), new GcpBackend(), new AwsSecurityGroupBackend(),
                new AwsNaclBackend(), new WindowsBackend())) {
            String target = backend.forGroups() ? "web" : "web1";
            String text = CompileFixtures.compile(backend, effective, effective.target(target).orElseThrow())
                    .parts().get(0).text();
            if (!text.contains("site.policy:3 ssh")) lost.add(backend.name());
        }
        // GCP describes the policy's default explicit rules by where the default is written.
        String gcp = CompileFixtures.compile(new GcpBackend(), effective, effective.target("web").orElseThrow())
                .parts().get(0).text();
        if (!gcp.contains("site.policy:4 default inbound deny")) lost.add("gcp default");
        assertEquals(List.of(), lost, "descriptions without their file name and line");
    }
}
