package io.portpolicy.compile.cloud;

import io.portpolicy.compile.CompileException;
import io.portpolicy.engine.Target;

/**
 * A compiled cloud target that needs more than its platform allows (lint rule PP503,
 * target-limit). The limit is a target setting, so an account with a raised quota says so in
 * {@code .portpolicy.yaml}, up to the most the platform gives any account.
 *
 * @see io.portpolicy.compile.TargetOption
 */
public final class LimitExceeded extends CompileException {

    private final transient Target target;
    private final int needed;
    private final int limit;
    private final boolean raisable;
    /** What else fits the target in, for a limit a setting moves rather than raises; null for a quota. */
    private final String advice;

    /**
     * A limit no setting changes (Azure's range of rule priorities).
     *
     * @param what what is counted, in words: "inbound IPv4 rules"
     */
    public LimitExceeded(String platform, Target target, String what, int needed, int limit) {
        this(platform, target, what, needed, limit, null, 0);
    }

    /**
     * A limit a target setting holds, such as {@code max-rules}, whose values give at most
     * {@code most}: beyond that no account can have it, and only merging or splitting helps.
     */
    public LimitExceeded(String platform, Target target, String what, int needed, int limit, String setting,
                         int most) {
        this(platform, target, what, Integer.toString(needed), needed, limit, setting, most,
                (needed - limit) + " over the limit of " + limit);
    }

    /**
     * A limit that a setting moves rather than raises (where GCP's priorities start): no
     * account has more, but other values of the setting leave enough. {@code advice} says which,
     * as a clause after "or"; {@code fits} is whether any value does.
     */
    public static LimitExceeded withAdvice(String platform, Target target, String what, int needed, int limit,
                                           String advice, boolean fits) {
        return new LimitExceeded(target, needs(platform, target, what, Integer.toString(needed),
                (needed - limit) + " over the limit of " + limit) + ", or " + advice, needed, limit, fits, advice);
    }

    /**
     * A target that needs more than {@code most}, the most any value of {@code setting} allows,
     * counted no further: counting every one can take far longer than the answer is worth.
     */
    public static LimitExceeded moreThan(String platform, Target target, String what, int limit, String setting,
                                         int most) {
        return new LimitExceeded(platform, target, what, "more than " + most, most + 1, limit, setting, most,
                "over the limit of " + limit);
    }

    private LimitExceeded(String platform, Target target, String what, String neededWords, int needed, int limit,
                          String setting, int most, String overWords) {
        this(target, needs(platform, target, what, neededWords, overWords)
                + (setting == null ? ""
                : needed <= most ? ", or, if the platform allows more for you, set targets: { " + platform + ": { "
                + setting + ": N } } in .portpolicy.yaml"
                : ", or split the group: no value of " + setting + " allows more than " + most),
                needed, limit, setting != null && needed <= most, null);
    }

    /** The message's start, the same for every limit: what the target needs, and what to do first. */
    private static String needs(String platform, Target target, String what, String neededWords, String overWords) {
        return target.kind() + " " + target.name() + " needs " + neededWords + " " + what + " on " + platform + ", "
                + overWords + "; merge or narrow rules";
    }

    private LimitExceeded(Target target, String message, int needed, int limit, boolean raisable, String advice) {
        super(null, message);
        this.target = target;
        this.needed = needed;
        this.limit = limit;
        this.raisable = raisable;
        this.advice = advice;
    }

    public Target target() {
        return target;
    }

    /** What the target needs, or, for {@link #moreThan}, one more than the most counted. */
    public int needed() {
        return needed;
    }

    public int limit() {
        return limit;
    }

    /** The advice of {@link #withAdvice}, or null for a limit an account's quota sets. */
    public String advice() {
        return advice;
    }

    /** Whether a setting in {@code .portpolicy.yaml} can allow what the target needs, on an account that has it. */
    public boolean raisable() {
        return raisable;
    }
}
