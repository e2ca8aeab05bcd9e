package io.portpolicy.engine;

import inet.ipaddr.IPAddress;
import io.portpolicy.model.Host;
import io.portpolicy.model.Policy;
import io.portpolicy.model.PortRange;
import io.portpolicy.model.Settings;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code ephemeral} ports are those of whoever owns the address: its host's {@code os}, or
 * the policy's {@code ephemeral} setting for hosts without one and addresses no host owns.
 */
public final class EphemeralPorts {

    private final Map<IPAddress, Host> owners = new HashMap<>();
    private final Settings settings;

    public EphemeralPorts(Policy policy) {
        for (Host host : policy.hosts().values()) {
            host.addresses().forEach(a -> owners.put(a.withoutPrefixLength(), host));
        }
        settings = policy.settings();
    }

    public PortRange of(IPAddress address) {
        Host owner = owners.get(address.withoutPrefixLength());
        return settings.ephemeralFor(owner == null ? null : owner.os());
    }
}
