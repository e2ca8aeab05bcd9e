package io.portpolicy.compile;

import java.util.List;

/**
 * What a compile produced: one or more files. A single-file artifact has one part with an
 * empty suffix; iptables has two, {@code .v4} and {@code .v6}.
 *
 * @param extension what {@code --all} appends to the target's name (e.g. {@code .nft}), before a part's suffix
 */
public record Artifact(String extension, List<Part> parts) {

    /** One output file: {@code suffix} is appended to the output path (empty for a single file). */
    public record Part(String suffix, String text) {
    }

    public Artifact {
        parts = List.copyOf(parts);
    }

    public static Artifact single(String extension, String text) {
        return new Artifact(extension, List.of(new Part("", text)));
    }
}
