package io.portpolicy.compile;

import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;

/**
 * What to compile.
 *
 * @param effective   the policy's effective meaning (expiry already judged by its date)
 * @param target      the host or group to configure
 * @param format      one of the backend's {@link Backend#formats()}
 * @param toolVersion the version written into the header
 * @param options     the backend's settings, from its defaults and {@code .portpolicy.yaml}
 */
public record CompileRequest(EffectivePolicy effective, Target target, String format, String toolVersion,
                             TargetOptions options) {
}
