package io.portpolicy.check;

import io.portpolicy.diag.Diagnostics;
import io.portpolicy.diag.Suggestions;
import io.portpolicy.source.FileErrors;
import io.portpolicy.source.FileStore;
import io.portpolicy.source.Location;
import io.portpolicy.source.SourceFile;
import io.portpolicy.source.Utf8Text;
import io.portpolicy.syntax.ParsedFile;
import io.portpolicy.syntax.PolicyReader;
import io.portpolicy.syntax.antlr.PolicyParser;
import org.antlr.v4.runtime.tree.TerminalNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static io.portpolicy.source.FileErrors.describe;

/**
 * Reads a policy file and everything it includes and imports. Included statements are spliced
 * in place, so the result is one ordered list of statements, as the language defines.
 */
final class PolicyLoader {

    /** How deep includes may nest below the root file: each level is a frame on the reader's stack. */
    private static final int MAX_INCLUDE_DEPTH = 64;

    /** A statement and the file it came from. */
    record Site(ParsedFile file, PolicyParser.StatementContext statement) {
    }

    /** A file being read: what identifies it (see {@link FileStore#locate}) and its name as the user wrote it. */
    private record Open(Path identity, String name) {
    }

    /** Where a file was named and whether it was "included" or "imported" there. */
    private record Named(Location at, String how) {
        @Override
        public String toString() {
            return how + " at " + at;
        }
    }

    private final Diagnostics diagnostics;
    private final FileStore store;
    final List<SourceFile> files = new ArrayList<>();
    final List<Site> statements = new ArrayList<>();
    /** Statements whose syntax errors are reported already. */
    final List<Site> broken = new ArrayList<>();
    final List<InventoryReader> inventories = new ArrayList<>();
    /** The files whose includes are being read, the innermost first. */
    private final Deque<Open> including = new ArrayDeque<>();
    /** Where each file included or imported was first named, and by which, by identity. */
    private final Map<Path, Named> loaded = new HashMap<>();
    private final Map<SourceFile, String> userPaths = new IdentityHashMap<>();
    /** The files whose bytes began with a byte-order mark, which their text leaves out. */
    private final Set<SourceFile> byteOrderMarked = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Which files the policy may include and import, set by the root file's place. */
    private Confinement confinement;

    PolicyLoader(Diagnostics diagnostics, FileStore store) {
        this.diagnostics = diagnostics;
        this.store = store;
    }

    /** Loads the root file; {@code "-"} reads standard input. */
    void loadRoot(String name, InputStream stdin) {
        SourceFile source = readRoot(name, stdin);
        if (source == null) return;
        Path path = name.equals("-") ? Path.of("") : Path.of(name);
        confinement = Confinement.around(name.equals("-") ? path.toAbsolutePath() : path.toAbsolutePath().getParent());
        load(source, new Open(identify(path), fileName(Path.of(source.displayPath()))));
    }

    /**
     * One policy file from the working tree ({@code "-"}: standard input), read as a root file
     * is: UTF-8 only, a leading byte-order mark dropped; {@code null} after reporting why it
     * cannot be read.
     */
    static Checker.TextFile readFile(String name, InputStream stdin, Diagnostics diagnostics) {
        PolicyLoader loader = new PolicyLoader(diagnostics, FileStore.DISK);
        SourceFile source = loader.readRoot(name, stdin);
        return source == null ? null : new Checker.TextFile(source, loader.byteOrderMarked.contains(source));
    }

    private SourceFile readRoot(String name, InputStream stdin) {
        if (name.isEmpty()) {
            // Path.of("") is the current directory: "it is a directory" would send the user looking there.
            diagnostics.error(null, "cannot read '': an empty name names no file",
                    "give the policy file's path, or - for standard input");
            return null;
        }
        if (!name.equals("-")) {
            Path path;
            try {
                path = Path.of(name);
            } catch (InvalidPathException e) {
                diagnostics.error(null, "cannot read '" + name + "': " + describe(e), FileErrors.hint(e));
                return null;
            }
            Optional<Confinement.Refusal> refusal = Confinement.judgeNamed(path, store);
            if (refusal.isPresent()) {
                diagnostics.error(null, "cannot read '" + name + "': " + refusal.get().reason(), refusal.get().hint());
                return null;
            }
            return read(name, path, null);
        }
        try {
            return source("<stdin>", null, FileStore.readCapped(stdin));
        } catch (Utf8Text.NotUtf8 e) {
            notUtf8(e, "standard input");
        } catch (IOException e) {
            diagnostics.error(null, "cannot read standard input: " + describe(e));
        }
        return null;
    }

    private void load(SourceFile source, Open open) {
        files.add(source);
        including.push(open);
        ParsedFile parsed = PolicyReader.read(source, diagnostics);
        parsed.broken().forEach(statement -> broken.add(new Site(parsed, statement)));
        for (PolicyParser.StatementContext statement : parsed.statements()) {
            if (statement.includeStmt() != null) {
                include(parsed, statement.includeStmt());
            } else if (statement.importStmt() != null) {
                importInventory(parsed, statement.importStmt());
            } else {
                statements.add(new Site(parsed, statement));
            }
        }
        including.pop();
    }

    private void include(ParsedFile from, PolicyParser.IncludeStmtContext statement) {
        Location at = Checker.location(from.source(), statement.STRING().getSymbol());
        String relative = namedPath(statement.STRING(), at);
        if (relative == null) return;
        Path target = resolve(from, relative, at);
        if (target == null || refused(from, relative, target, at, "include")) return;
        Path identity = identify(target);
        List<Open> chain = new ArrayList<>(including);
        Collections.reverse(chain);
        int start = chain.stream().map(Open::identity).toList().indexOf(identity);
        if (start >= 0) {
            String cycle = chain.subList(start, chain.size()).stream()
                    .map(Open::name).collect(Collectors.joining(" -> "));
            diagnostics.error(at, "include cycle: " + cycle + " -> " + fileName(Path.of(relative)),
                    "remove one of the includes; shared definitions belong in a file that includes nothing");
            return;
        }
        Named named = new Named(at, "included");
        if (namedBefore(identity, relative, named)) return;
        if (including.size() > MAX_INCLUDE_DEPTH) {
            diagnostics.error(at, "includes nested too deeply: '" + relative + "' would be level "
                            + including.size() + " below the root file; the limit is " + MAX_INCLUDE_DEPTH,
                    "include shared files from the root file, or from a file near it, instead of chaining them");
            return;
        }
        loaded.put(identity, named);
        SourceFile source = read(display(from, relative, identity), target, at);
        if (source != null) load(source, new Open(identity, fileName(Path.of(relative))));
    }

    /**
     * The path an include or import names, or {@code null} when its string has an unknown escape
     * (reported): without the backslash it would name another file ('shared\common.policy',
     * a Windows path, would read 'sharedcommon.policy').
     */
    private String namedPath(TerminalNode string, Location at) {
        int before = diagnostics.errors();
        String relative = Checker.unquote(string.getText(), at, diagnostics);
        return diagnostics.errors() == before ? relative : null;
    }

    private void importInventory(ParsedFile from, PolicyParser.ImportStmtContext statement) {
        Location at = Checker.location(from.source(), statement.STRING().getSymbol());
        String relative = namedPath(statement.STRING(), at);
        if (relative == null) return;
        Path target = resolve(from, relative, at);
        if (target == null || refused(from, relative, target, at, "import")) return;
        Path identity = identify(target);
        Named named = new Named(at, "imported");
        if (namedBefore(identity, relative, named)) return;
        loaded.put(identity, named);
        SourceFile source = read(display(from, relative, identity), target, at);
        if (source == null) return;
        files.add(source);
        InventoryReader inventory = new InventoryReader(source, diagnostics);
        inventory.read();
        inventories.add(inventory);
    }

    /** Whether the file is one no policy may read ({@link Confinement}), reported when it is. */
    private boolean refused(ParsedFile from, String relative, Path target, Location at, String verb) {
        Optional<Confinement.Refusal> refusal = confinement.judge(target, store);
        refusal.ifPresent(why -> diagnostics.error(at, "cannot " + verb + " '"
                + store.display(display(from, relative, identify(target))) + "': " + why.reason(), why.hint()));
        return refusal.isPresent();
    }

    /**
     * Whether the file was included or imported already, reported when it was. The message says
     * which it was: an include and an import of one file are a slip in one of them.
     */
    private boolean namedBefore(Path identity, String relative, Named now) {
        Named first = loaded.get(identity);
        if (first == null) return false;
        String hint = !first.how.equals(now.how)
                ? "a policy file is included and an inventory imported; name each file once, with the one that fits it"
                : now.how.equals("included") ? "include each file once; its definitions are global"
                : "import each inventory once";
        diagnostics.error(now.at, "'" + relative + "' is already " + first, hint);
        return true;
    }

    /**
     * The file a statement names, or {@code null} after reporting a name no file can have. The
     * path is not normalized: {@code link/..} is the directory above the link's target, as the
     * file system reads it, not the directory holding the link.
     */
    private Path resolve(ParsedFile from, String relative, Location at) {
        if (relative.isEmpty()) {
            // It would resolve to the naming file's directory: "it is a directory" would mislead.
            diagnostics.error(at, "an empty path names no file", "write the file's path, relative to this file");
            return null;
        }
        Path base = from.source().path() == null ? Path.of("").toAbsolutePath()
                : from.source().path().toAbsolutePath().getParent();
        try {
            return base.resolve(relative);
        } catch (InvalidPathException e) {
            String hint = FileErrors.hint(e);
            diagnostics.error(at, "'" + relative + "' is not a valid file path: " + describe(e),
                    hint != null ? hint : "write the path as plain text, relative to this file");
            return null;
        }
    }

    /**
     * Included files are shown relative to where the user is, like the root file, tidied of
     * {@code .} and {@code ..} unless that would name another file (a {@code ..} after a link).
     */
    private String display(ParsedFile from, String relative, Path identity) {
        Path parent = from.source().path() == null ? null : Path.of(userPaths.get(from.source())).getParent();
        Path written = parent == null ? Path.of(relative) : parent.resolve(relative);
        Path tidy = written.normalize();
        // '.' tidies to the empty path, which would show as ''.
        if (tidy.toString().isEmpty()) return written.toString();
        return tidy.equals(written) || identify(tidy).equals(identity) ? tidy.toString() : written.toString();
    }

    /**
     * What identifies a file: its path with every link followed, so a file named twice, once
     * through a link, is one file; when nothing can be followed, its path as written (reading
     * it will say what is wrong).
     */
    private Path identify(Path path) {
        try {
            return store.locate(path);
        } catch (IOException unreadable) {
            return path.toAbsolutePath().normalize();
        }
    }

    private static String fileName(Path path) {
        Path name = path.getFileName();
        return name == null ? path.toString() : name.toString();
    }

    /**
     * Reads a file; {@code userPath} is how the user would name it (relative to where they
     * are), {@code at} the statement that named it, or {@code null} for the root.
     */
    private SourceFile read(String userPath, Path path, Location at) {
        String display = store.display(userPath);
        try {
            SourceFile source = source(display, path, store.read(path));
            userPaths.put(source, userPath);
            return source;
        } catch (NoSuchFileException e) {
            diagnostics.error(at, "cannot read '" + display + "': " + describe(e), missingHint(e, path, at));
        } catch (Utf8Text.NotUtf8 e) {
            notUtf8(e, "'" + display + "'");
        } catch (IOException e) {
            // A directory (on the command line, as gofmt takes one): the policies in it are meant.
            String hint = !Files.isDirectory(path) ? null
                    : at == null ? "name the policy files in it, such as " + userPath.replaceAll("/+$", "") + "/*.policy"
                    : "name the policy files in it, one include or import for each";
            diagnostics.error(at, "cannot read '" + display + "': " + describe(e), hint);
        }
        return null;
    }

    /**
     * What may help with a file that is not there: renaming it when its name is not UTF-8, a
     * file of a similar name beside it, else for an include where its path is read from.
     */
    private String missingHint(NoSuchFileException e, Path path, Location at) {
        String rename = FileErrors.hint(e);
        if (rename != null) return rename;
        String similar = Suggestions.similarFile(path, store);
        if (similar != null || at == null) return similar;
        return at.file().path() == null ? "the policy is read from standard input, so paths are relative to the current directory"
                : "paths are relative to the file that names them";
    }

    private void notUtf8(Utf8Text.NotUtf8 e, String what) {
        diagnostics.error(e.at(), "cannot read " + what + ": " + e.getMessage(), Utf8Text.HINT);
    }

    /** The file's text, remembering whether it began with a byte-order mark. */
    private SourceFile source(String display, Path path, byte[] bytes) throws Utf8Text.NotUtf8 {
        Utf8Text.Decoded decoded = Utf8Text.decode(display, path, bytes);
        if (decoded.byteOrderMark()) byteOrderMarked.add(decoded.source());
        return decoded.source();
    }
}
