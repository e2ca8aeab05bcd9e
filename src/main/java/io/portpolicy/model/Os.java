package io.portpolicy.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A host's operating system, which decides the ephemeral ports its clients use. */
public enum Os {
    LINUX(new PortRange(32768, 60999)),
    WINDOWS(new PortRange(49152, 65535)),
    BSD(new PortRange(49152, 65535)),
    MACOS(new PortRange(49152, 65535));

    private final PortRange ephemeral;

    Os(PortRange ephemeral) {
        this.ephemeral = ephemeral;
    }

    public PortRange ephemeral() {
        return ephemeral;
    }

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Os> parse(String text) {
        return Arrays.stream(values()).filter(os -> os.keyword().equals(text)).findFirst();
    }
}
