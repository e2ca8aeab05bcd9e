package io.portpolicy.model;

/** The policy-wide settings, with the language's defaults where the policy is silent. */
public record Settings(Setting<Action> defaultInbound, Setting<Action> defaultOutbound,
                       Setting<Boolean> stateless, Setting<PortRange> ephemeral) {

    public static final PortRange DEFAULT_EPHEMERAL = new PortRange(49152, 65535);

    public Action defaultFor(Direction direction) {
        return defaultSetting(direction).value();
    }

    /** The default of {@code direction} with where it was written, if it was. */
    public Setting<Action> defaultSetting(Direction direction) {
        return direction == Direction.INBOUND ? defaultInbound : defaultOutbound;
    }

    /** The ephemeral ports of a host with this os ({@code null}: none given), per the language. */
    public PortRange ephemeralFor(Os os) {
        return os != null ? os.ephemeral() : ephemeral.value();
    }

    public boolean isStateless() {
        return stateless.value();
    }
}
