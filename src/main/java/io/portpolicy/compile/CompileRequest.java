package io.portpolicy.compile;

import io.portpolicy.engine.EffectivePolicy;
import io.portpolicy.engine.Target;
import io.portpolicy.source.SourceFile;

/**
 * What to compile.
 *
 * @param effective   the policy's effective meaning (expiry already judged by its date)
 * @param target      the host or group to configure
 * @param format      one of the backend's {@link Backend#formats()}
 * @param toolVersion the version written into the header
 * @param options     the backend's settings, from its defaults and {@code .portpolicy.yaml}
 * @param config      the configuration file read ({@code .portpolicy.yaml} or {@code --config}),
 *                    which the header names and hashes, or {@code null} when there is none
 */
public record CompileRequest(EffectivePolicy effective, Target target, String format, String toolVersion,
                             TargetOptions options, SourceFile config) {

    /** A request compiled without a configuration file. */
    public CompileRequest(EffectivePolicy effective, Target target, String format, String toolVersion,
                          TargetOptions options) {
        this(effective, target, format, toolVersion, options, null);
    }
}
