package io.portpolicy.compile;

import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A setting of one compile target that {@code .portpolicy.yaml} may change under
 * {@code targets: {TARGET: {NAME: VALUE}}}, such as the nftables table name or the AWS quota.
 *
 * @param name         the key
 * @param defaultValue what the target uses when the configuration does not say
 * @param accepts      the values it takes, in words, for the error that rejects a bad value
 * @param valid        whether a value is acceptable
 */
public record TargetOption(String name, String defaultValue, String accepts, Predicate<String> valid) {

    /** A whole number from {@code min} to {@code max}. */
    public static TargetOption number(String name, int defaultValue, int min, int max) {
        return new TargetOption(name, Integer.toString(defaultValue), "a whole number from " + min + " to " + max,
                value -> value.matches("[0-9]{1,9}") && Integer.parseInt(value) >= min && Integer.parseInt(value) <= max);
    }

    /** A name matching {@code pattern} (the target's own rule for identifiers). */
    public static TargetOption name(String name, String defaultValue, String pattern, String accepts) {
        Pattern compiled = Pattern.compile(pattern);
        return new TargetOption(name, defaultValue, accepts, value -> compiled.matcher(value).matches());
    }

    /** The same setting refusing {@code words} too (a target's reserved words), said in {@code accepts}. */
    public TargetOption except(Set<String> words, String why) {
        Predicate<String> before = valid;
        return new TargetOption(name, defaultValue, accepts + ", " + why, value -> before.test(value) && !words.contains(value));
    }
}
