package io.portpolicy.compile.gcp;

import io.portpolicy.compile.Text;
import io.portpolicy.compile.cloud.GroupNames;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The GCP network tag that stands for a group, and the short identifiers derived from it.
 *
 * <p>A tag is at most 63 characters of {@code a-z}, {@code 0-9} and {@code -}, starting and
 * ending with a letter or digit. A group name ({@code [A-Za-z_][A-Za-z0-9_.-]*}) is lower-cased,
 * every other character becomes {@code -}, runs of {@code -} collapse and leading and trailing
 * ones are dropped: {@code Windows_Servers} becomes {@code windows-servers}. A tag longer than
 * its limit keeps a prefix and ends in 8 hex digits (32 bits) of the SHA-256 of the whole tag, so
 * it stays stable and almost always distinct. Two groups of one policy with the same tag are
 * refused ({@link #NAMES}): their rules would apply to each other's instances.
 *
 * <p>A tag may start with a digit, a firewall rule's name may not: names start from the tag,
 * with a {@code g} before a leading digit ({@code _9web} is tagged {@code 9web}, its rules are
 * {@code g9web-in-...}). Two groups whose rules would get the same names are refused too.
 */
final class NetworkTag {

    static final int MAX = 63;

    /** The longest start of a rule name: the rest holds {@code -in-}, the rule's index and its part. */
    static final int RULE_NAME_START = MAX - 17;

    /**
     * Tags and the rule names made from them, compared by the start of their rules' names: two
     * groups with the same tag would each get the other's rules, and two whose rule names start
     * alike would share names: {@code 9web} and {@code g9web}, or two long tags that agree in
     * the characters a rule name keeps and in its 32-bit hash.
     */
    static final GroupNames NAMES = new GroupNames("GCP network tag", NetworkTag::of, NetworkTag::ruleNameStart,
            "each would get the other's rules, or their rules the same names", "tags are lower case, with '-' for"
            + " every other character, and rule names start with a letter");

    private NetworkTag() {
    }

    /** The tag for a group name; empty when the name has no letter or digit. */
    static String of(String groupName) {
        String lower = Text.ascii(groupName.toLowerCase(java.util.Locale.ROOT), "");
        String dashed = lower.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return fit(dashed, MAX);
    }

    /**
     * What the names of a group's firewall rules start with: the tag, with a letter first, cut
     * to {@link #RULE_NAME_START} characters.
     */
    static String ruleNameStart(String tag) {
        return fit(Character.isDigit(tag.charAt(0)) ? "g" + tag : tag, RULE_NAME_START);
    }

    /**
     * {@code text} when it fits in {@code max} characters, else a prefix of it, a dash and 8 hex
     * digits of its hash; the result never ends in a dash.
     */
    static String fit(String text, int max) {
        if (text.length() <= max) return text;
        String prefix = text.substring(0, max - 9).replaceAll("-+$", "");
        return prefix + "-" + hash(text);
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
