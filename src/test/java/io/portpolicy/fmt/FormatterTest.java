package io.portpolicy.fmt;

import io.portpolicy.cli.Main;
import io.portpolicy.diag.Diagnostics;
import io.portpolicy.source.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fmt: the canonical layout, idempotent, keeping every comment, on every example and language.md snippet. */
class FormatterTest {

    private static final Pattern FENCE = Pattern.compile("(?m)^```([a-z-]+)\\n(.*?)^```$", Pattern.DOTALL);

    private static String format(String name, String text) {
        Diagnostics diagnostics = new Diagnostics();
        String out = Formatter.format(new SourceFile(name, null, text), diagnostics)
                .orElseThrow(() -> new AssertionError(name + " does not read: " + diagnostics.sorted()));
        return out;
    }

    /** Formatting twice changes nothing, and every comment of the input is in the output. */
    private static void roundTrips(String name, String text) {
        String once = format(name, text);
        assertEquals(once, format(name, once), () -> name + " is not formatted idempotently");
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            if (hash >= 0 && !line.substring(0, hash).contains("\"")) {
                String comment = line.substring(hash).stripTrailing();
                assertTrue(once.contains(comment), () -> name + " lost the comment " + comment);
            }
        }
        assertTrue(once.endsWith("\n") && !once.endsWith("\n\n") || once.isEmpty(), name);
    }

    @Test
    void canonicalLayout() {
        String messy = "\n\n# header\n\ndefault   inbound deny ;\nhost web1=10.0.0.1 ,2001:db8::1 os linux   # the web\n"
                + "\n\n\nservice app = tcp / 8080 - 8081 , udp/{ 1,2 }\nallow app , icmp / 3 : 4\n"
                + "   from 10.0.0.0 / 8 except 10.1.0.0/16   # not the lab\n    to web1 comment \"x\"\n# trailing\n";
        String expected = "# header\n\ndefault inbound deny;\nhost web1 = 10.0.0.1, 2001:db8::1 os linux  # the web\n\n"
                + "service app = tcp/8080-8081, udp/{1, 2}\nallow app, icmp/3:4 from 10.0.0.0/8 except 10.1.0.0/16  # not the lab\n"
                + "    to web1 comment \"x\"\n# trailing\n";
        assertEquals(expected, format("messy.policy", messy));
        roundTrips("messy.policy", messy);
    }

    @Test
    void everyExampleRoundTrips() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Path.of("policies-examples"))) {
            files = walk.filter(p -> p.toString().endsWith(".policy")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path file : files) roundTrips(file.toString(), Files.readString(file));
    }

    @Test
    void everyLanguageDocSnippetRoundTrips() throws IOException {
        Matcher m = FENCE.matcher(Files.readString(Path.of("docs/language.md")));
        int count = 0;
        while (m.find()) {
            if (!m.group(1).equals("policy")) continue;
            roundTrips("docs/language.md snippet " + (++count), m.group(2));
        }
        assertTrue(count > 0);
    }

    private static int run(String... args) {
        return Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), false);
    }

    @Test
    void checkAndRewrite(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.policy");
        Files.writeString(file, "allow   ssh from 10.0.0.0/8   # admins\n");
        assertEquals(1, run("fmt", "--check", file.toString()));
        assertEquals("allow   ssh from 10.0.0.0/8   # admins\n", Files.readString(file));
        assertEquals(0, run("fmt", file.toString()));
        assertEquals("allow ssh from 10.0.0.0/8  # admins\n", Files.readString(file));
        assertEquals(0, run("fmt", "--check", file.toString()));
        Files.writeString(file, "allow ssh from\n");
        assertEquals(2, run("fmt", file.toString()));
        assertEquals(2, run("fmt", dir.resolve("missing.policy").toString()));
    }

    @Test
    void standardInputCanBeNamedOnce() {
        // The second '-' would read an empty input and print it formatted: nothing at all.
        assertEquals(2, run("fmt", "-", "-"));
    }

    @Test
    void aByteOrderMarkIsNotCanonical(@TempDir Path dir) throws IOException {
        // The text without the mark was already canonical, so fmt used to leave the mark in place.
        Path file = dir.resolve("bom.policy");
        Files.writeString(file, "\uFEFFallow ssh from 10.0.0.0/8\n");
        assertEquals(1, run("fmt", "--check", file.toString()));
        assertEquals(0, run("fmt", file.toString()));
        assertEquals("allow ssh from 10.0.0.0/8\n", Files.readString(file));
        assertEquals(0, run("fmt", "--check", file.toString()));
    }

    @Test
    void aRewrittenFileKeepsItsPermissionsAndALinkStaysALink(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.policy");
        Files.writeString(file, "allow   ssh from 10.0.0.0/8\n");
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(file, mode);
        assertEquals(0, run("fmt", file.toString()));
        assertEquals("allow ssh from 10.0.0.0/8\n", Files.readString(file));
        assertEquals(mode, Files.getPosixFilePermissions(file));

        Path link = Files.createSymbolicLink(dir.resolve("link.policy"), Path.of("a.policy"));
        Files.writeString(file, "allow   tcp/22 from 10.0.0.0/8\n");
        assertEquals(0, run("fmt", link.toString()));
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertEquals("allow tcp/22 from 10.0.0.0/8\n", Files.readString(file), "the file it points to is formatted");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file, link), files.sorted().toList(), "no temporary file is left");
        }
    }

    @Test
    void textThatIsNotUtf8IsAnErrorNotRewritten(@TempDir Path dir) throws IOException {
        byte[] latin1 = "host h = 10.0.0.1 # caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("l.policy"), latin1);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"fmt", file.toString()}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), false);
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("it is not UTF-8 text"), err.toString());
        assertArrayEquals(latin1, Files.readAllBytes(file));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(2, Main.run(new String[] {"fmt", "-"}, new ByteArrayInputStream(latin1), new PrintStream(out),
                new PrintStream(new ByteArrayOutputStream()), false));
        assertEquals(0, out.size(), "nothing written for standard input either");
    }
}
