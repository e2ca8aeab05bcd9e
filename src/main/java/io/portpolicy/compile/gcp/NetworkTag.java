package io.portpolicy.compile.gcp;

import io.portpolicy.compile.CompileException;
import io.portpolicy.compile.Text;
import io.portpolicy.compile.cloud.GroupNames;
import io.portpolicy.model.Policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeSet;

/**
 * The GCP network tag that stands for a group, and the short identifiers derived from it.
 *
 * <p>A tag is at most 63 characters of {@code a-z}, {@code 0-9} and {@code -}, starting and
 * ending with a letter or digit. A group name ({@code [A-Za-z_][A-Za-z0-9_.-]*}) is lower-cased,
 * every other character becomes {@code -}, runs of {@code -} collapse and leading and trailing
 * ones are dropped: {@code Windows_Servers} becomes {@code windows-servers}. A tag longer than
 * its limit keeps a prefix and ends in 8 hex digits of the SHA-256 of the whole tag, so it stays
 * stable and distinct. Two groups of one policy with the same tag are refused: their rules would
 * apply to each other's instances.
 *
 * <p>A tag may start with a digit, a firewall rule's name may not: names start from the tag,
 * with a {@code g} before a leading digit ({@code _9web} is tagged {@code 9web}, its rules are
 * {@code g9web-in-...}). Two groups whose rules would get the same names are refused too.
 */
final class NetworkTag {

    static final int MAX = 63;

    private NetworkTag() {
    }

    /** The tag for a group name; empty when the name has no letter or digit. */
    static String of(String groupName) {
        String lower = Text.ascii(groupName.toLowerCase(java.util.Locale.ROOT), "");
        String dashed = lower.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return fit(dashed, MAX);
    }

    /**
     * The tag of {@code group}, refused (at the group) when it is empty or another group of the
     * policy has the same one.
     */
    static String checked(Policy policy, String group) throws CompileException {
        String tag = of(group);
        if (tag.isEmpty()) {
            throw GroupNames.refusal(policy, group, "group '" + group + "' has no letter or digit to make a GCP"
                    + " network tag from", "rename it");
        }
        TreeSet<String> same = new TreeSet<>();
        for (String other : policy.groups().keySet()) {
            String theirs = of(other);
            // An empty tag is its own group's refusal, and has no name base to compare.
            if (!other.equals(group) && !theirs.isEmpty() && nameBase(theirs).equals(nameBase(tag))) same.add(other);
        }
        if (!same.isEmpty()) {
            throw GroupNames.refusal(policy, group, "groups '" + group + "' and '" + String.join("', '", same)
                    + "' both become the GCP network tag '" + tag + "' or the rule names '" + nameBase(tag)
                    + "-...', so each would get the other's rules", "rename one of them (tags are lower case, with"
                    + " '-' for every other character, and names start with a letter)");
        }
        return tag;
    }

    /** What the names of a group's firewall rules start with: the tag, with a letter first. */
    static String nameBase(String tag) {
        return Character.isDigit(tag.charAt(0)) ? "g" + tag : tag;
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
