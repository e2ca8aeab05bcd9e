package io.portpolicy.compile.cloud;

import io.portpolicy.compile.CompileException;
import io.portpolicy.engine.Target;

/**
 * A compiled cloud target that needs more than its platform allows (lint rule PP503,
 * target-limit). The limit is a target setting, so an account with a raised quota says so in
 * {@code .portpolicy.yaml}.
 *
 * @see io.portpolicy.compile.TargetOption
 */
public final class LimitExceeded extends CompileException {

    private final transient Target target;
    private final int needed;
    private final int limit;

    /**
     * @param what    what is counted, in words: "inbound IPv4 rules"
     * @param setting the target setting that holds the limit, such as {@code max-rules}, or null for a limit
     *                no account can raise (Azure's range of rule priorities)
     */
    public LimitExceeded(String platform, Target target, String what, int needed, int limit, String setting) {
        super(null, target.kind() + " " + target.name() + " needs " + needed + " " + what + " on " + platform + ", "
                + (needed - limit) + " over the limit of " + limit + "; merge or narrow rules"
                + (setting == null ? "" : ", or, if the platform allows more for you, set targets: { " + platform
                + ": { " + setting + ": N } } in .portpolicy.yaml"));
        this.target = target;
        this.needed = needed;
        this.limit = limit;
    }

    public Target target() {
        return target;
    }

    public int needed() {
        return needed;
    }

    public int limit() {
        return limit;
    }
}
