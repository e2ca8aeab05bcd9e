package io.portpolicy.lint;

import io.portpolicy.model.PortRange;
import io.portpolicy.model.Protocol;

/**
 * A port that should never be reachable from the world.
 *
 * @param protocol {@link Protocol#TCP} or {@link Protocol#UDP}
 * @param risk     why exposing it is dangerous, for the finding's message
 */
public record SensitivePort(PortRange ports, Protocol protocol, String service, String risk) {

    public boolean covers(Protocol proto, int port) {
        return protocol == proto && ports.contains(port);
    }
}
