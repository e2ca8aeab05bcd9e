package io.portpolicy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files an earlier {@code compile} of the same policy, target and format left in the
 * {@code --all} output directory that this run did not write: most likely for a host or group
 * removed or renamed since, which a deployment pushing the whole directory would push too. They
 * are only found, never deleted: the directory is the user's.
 *
 * <p>A file is one when its name ends as this run's files do ({@code .nft}; {@code .v4} and
 * {@code .v6}; ...) and its first {@value #HEAD_BYTES} bytes hold two lines of this run's files:
 * the line naming portpolicy, but for the version (the header's first line, {@code # Generated
 * by portpolicy 0.1.0 (nftables). Do not edit: ...}, or, in EC2 API JSON, which has no room for a
 * header, the group's description, {@code "Description" : "portpolicy 0.1.0 sha256 ...}), and
 * the end of the line naming the policy ({@code : sites/a.policy} of {@code # policy:
 * sites/a.policy}; {@code ; sites/a.policy",} of that description), so another policy's files
 * in the same directory are not named. GCP's API JSON carries neither, so its files are not
 * looked for. Only those candidates are read, and only their first bytes; symbolic links are
 * not followed: the directory is listed once.
 */
final class StaleOutputs {

    /**
     * How much of a file is read: enough for every format's line naming portpolicy, also for an
     * EC2 group's description, which follows the group's name (at most 255 characters).
     */
    static final int HEAD_BYTES = 512;

    /**
     * The line naming portpolicy in a generated file: what comes before it on its line (a comment
     * marker, a JSON key), the version, and what says which target and format wrote it: the
     * header's label ({@code (iptables, IPv4).}) or the EC2 description's {@code sha256}.
     */
    private static final String PROVENANCE = "(?m)^(.*?)portpolicy %s( \\([^)\\n]*\\)\\.| sha256 )";

    private StaleOutputs() {
    }

    /**
     * The files in {@code directory}, sorted by name, that an earlier compile of the same policy
     * wrote as this run wrote {@code written}.
     *
     * @param written this run's text of one target's files, by how their names end ({@code .nft})
     * @param names   the names of every file this run wrote
     * @param version this run's version, which the lines naming portpolicy in {@code written} carry
     * @param policy  the policy's path as the files name it
     */
    static List<Path> in(Path directory, Map<String, String> written, Set<String> names, String version, String policy)
            throws IOException {
        Map<String, List<Pattern>> marks = new LinkedHashMap<>();
        written.forEach((ending, text) -> {
            String head = head(text);
            Matcher mark = Pattern.compile(String.format(PROVENANCE, Pattern.quote(version))).matcher(head);
            String policyLineEnd = policyLineEnd(head, policy);
            if (mark.find() && policyLineEnd != null) {
                marks.put(ending, List.of(
                        Pattern.compile("(?m)^" + Pattern.quote(mark.group(1) + "portpolicy ") + "\\S+"
                                + Pattern.quote(mark.group(2))),
                        Pattern.compile("(?m)" + Pattern.quote(policyLineEnd) + "$")));
            }
        });
        List<Path> stale = new ArrayList<>();
        if (marks.isEmpty()) return stale;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (names.contains(name)) continue;
                for (Map.Entry<String, List<Pattern>> mark : marks.entrySet()) {
                    boolean candidate = name.length() > mark.getKey().length() && name.endsWith(mark.getKey());
                    if (candidate && isRegularFile(entry)) {
                        String head = head(entry);
                        if (mark.getValue().stream().allMatch(line -> line.matcher(head).find())) stale.add(entry);
                    }
                }
            }
        }
        stale.sort(Comparator.comparing(Path::toString));
        return stale;
    }

    /**
     * The end of the line of {@code head} that names {@code policy}: from the {@code ": "} or
     * {@code "; "} before the name to the line's end ({@code ",} closing a JSON string); null when
     * no line names it (a name too long for a header line: then no file is looked for).
     */
    private static String policyLineEnd(String head, String policy) {
        Matcher line = Pattern.compile("(?m)[:;] " + Pattern.quote(policy) + "\"?,?$").matcher(head);
        return line.find() ? line.group() : null;
    }

    /**
     * A regular file itself, not a link to one (whatever it points to is not in the directory),
     * nor a FIFO, which opening would wait on for a writer.
     */
    private static boolean isRegularFile(Path entry) {
        try {
            return Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile();
        } catch (IOException gone) {
            return false;
        }
    }

    private static String head(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new String(bytes, 0, Math.min(bytes.length, HEAD_BYTES), StandardCharsets.UTF_8);
    }

    /** The start of a file; empty when it cannot be read, as then nothing shows portpolicy wrote it. */
    private static String head(Path file) {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return new String(in.readNBytes(HEAD_BYTES), StandardCharsets.UTF_8);
        } catch (IOException unreadable) {
            return "";
        }
    }
}
