package io.portpolicy.compile;

import io.portpolicy.compile.aws.AwsSecurityGroupBackend;
import io.portpolicy.compile.awsnacl.AwsNaclBackend;
import io.portpolicy.compile.azure.AzureBackend;
import io.portpolicy.compile.gcp.GcpBackend;
import io.portpolicy.compile.iptables.IptablesBackend;
import io.portpolicy.compile.nftables.NftablesBackend;
import io.portpolicy.compile.windows.WindowsBackend;

import java.util.List;
import java.util.Optional;

/** The registered backends, in the order the help lists them. */
public final class Backends {

    private static final List<Backend> ALL = List.of(new NftablesBackend(), new IptablesBackend(),
            new WindowsBackend(), new AwsSecurityGroupBackend(), new AwsNaclBackend(),
            new AzureBackend(), new GcpBackend());

    private Backends() {
    }

    public static List<Backend> all() {
        return ALL;
    }

    public static Optional<Backend> named(String name) {
        return ALL.stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
