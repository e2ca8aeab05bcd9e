package io.portpolicy.compile;

import io.portpolicy.compile.iptables.IptablesBackend;

/** The kernel cross-check for iptables-restore and ip6tables-restore. */
class IptablesKernelTest extends BackendKernelTest {

    @Override
    Backend backend() {
        return new IptablesBackend();
    }

    @Override
    KernelCrossCheck.Loader loader() {
        return (lab, artifact) -> lab.loadIptables(artifact.parts().get(0).text(), artifact.parts().get(1).text());
    }
}
