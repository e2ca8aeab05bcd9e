package io.portpolicy.model;

/**
 * Whole numbers as users write them, read one way everywhere, as the policy language reads
 * them: ASCII digits only. Integer.parseInt would also take a sign and other scripts' digits
 * ("+1024", "٨٥٠٠"), which nothing else of portpolicy accepts.
 */
public final class Numbers {

    private Numbers() {
    }

    /** The number {@code text} writes in ASCII digits, if it is at most {@code max}; else {@code null}. */
    public static Integer parse(String text, int max) {
        if (text.isEmpty()) return null;
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return null;
            value = value * 10 + (c - '0');
            if (value > max) return null;
        }
        return (int) value;
    }
}
