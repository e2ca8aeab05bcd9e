package io.portpolicy.compile;

import io.portpolicy.engine.EffectivePolicy;

/**
 * The refusal every backend for a platform that always tracks connections shares. Such a
 * platform admits the replies to every flow it admitted, while a stateless policy admits only
 * the replies its own rules say: compiling it would admit packets the policy does not, so it
 * is refused rather than compiled inexactly.
 */
public final class StatefulPlatform {

    private StatefulPlatform() {
    }

    /**
     * Refuses a stateless policy, at its {@code stateless} statement.
     *
     * @param platform the platform as the message names it, e.g. "an AWS security group"
     * @param hint     what the user can do instead, e.g. "compile it for aws without the 'stateless' setting"
     */
    public static void require(EffectivePolicy effective, String platform, String hint) throws CompileException {
        if (effective.policy().settings().isStateless()) {
            throw CompileException.at(effective.policy().settings().stateless().location(), "the policy is stateless, but "
                    + platform + " always tracks connections and admits replies by itself, beyond what the policy"
                    + " admits: " + hint);
        }
    }
}
