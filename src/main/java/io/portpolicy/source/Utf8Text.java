package io.portpolicy.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads an input file's bytes as the UTF-8 text every input (policy, inventory, configuration)
 * must be, so that a file in another encoding is reported at its first invalid byte instead
 * of being read with replacement characters or failing with the decoder's words.
 */
public final class Utf8Text {

    private static final String BYTE_ORDER_MARK = "\uFEFF";

    /** The hint every "not UTF-8" error carries. */
    public static final String HINT = "policy files, inventories and configurations are UTF-8;"
            + " convert it, e.g. iconv -f ISO-8859-1 -t UTF-8";

    private Utf8Text() {
    }

    /**
     * A file's text.
     *
     * @param source        the text, a leading byte-order mark dropped
     * @param byteOrderMark whether there was one (not canonical: {@code fmt} drops it)
     */
    public record Decoded(SourceFile source, boolean byteOrderMark) {
    }

    /** Bytes that are not UTF-8: where the first invalid sequence is, and its bytes in hex. */
    public static final class NotUtf8 extends IOException {
        private final transient Location at;

        NotUtf8(Location at, String bytes) {
            super("it is not UTF-8 text (" + bytes + ")");
            this.at = at;
        }

        /** The first invalid sequence, in the file read with replacement characters (to quote its line). */
        public Location at() {
            return at;
        }
    }

    /**
     * A file on disk read as every input is ({@link FileStore#readCapped}), named by its path:
     * the configuration and baselines, which no policy includes.
     */
    public static SourceFile read(Path file) throws IOException {
        return decode(file.toString(), file, FileStore.readCapped(file)).source();
    }

    /** The file's text: UTF-8 only, a leading byte-order mark dropped. */
    public static Decoded decode(String display, Path path, byte[] bytes) throws NotUtf8 {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // UTF-8 never decodes to more chars than it has bytes.
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            String before = withoutByteOrderMark(out.flip().toString());
            SourceFile replaced = new SourceFile(display, path,
                    withoutByteOrderMark(new String(bytes, StandardCharsets.UTF_8)));
            throw new NotUtf8(replaced.at(lineOf(before), columnAtEnd(before), 1),
                    hex(bytes, in.position(), result.length()));
        }
        decoder.flush(out);
        String text = out.flip().toString();
        return new Decoded(new SourceFile(display, path, withoutByteOrderMark(text)), text.startsWith(BYTE_ORDER_MARK));
    }

    private static String withoutByteOrderMark(String text) {
        return text.startsWith(BYTE_ORDER_MARK) ? text.substring(BYTE_ORDER_MARK.length()) : text;
    }

    /** The line the end of {@code text} is on, counting line feeds as the lexer does. */
    private static int lineOf(String text) {
        return 1 + (int) text.chars().filter(c -> c == '\n').count();
    }

    /** The column just past the end of {@code text}, in code points as the lexer counts them. */
    private static int columnAtEnd(String text) {
        String lastLine = text.substring(text.lastIndexOf('\n') + 1);
        return 1 + lastLine.codePointCount(0, lastLine.length());
    }

    /** "byte 0xE9" or "bytes 0xF0 0x28": the invalid sequence as the decoder found it. */
    private static String hex(byte[] bytes, int from, int length) {
        StringBuilder shown = new StringBuilder(length == 1 ? "byte" : "bytes");
        for (int i = from; i < from + length; i++) shown.append(String.format(Locale.ROOT, " 0x%02X", bytes[i]));
        return shown.toString();
    }
}
