package dev.hcdiff.trace.text;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of a UTF-8 file, split on bytes and decoded one line at a time, so malformed UTF-8 is
 * reported on the line that holds it (a decoding {@code Reader} fails on its whole read-ahead
 * block). Ends lines as {@link java.io.BufferedReader#readLine()} does: {@code \n}, {@code \r} or
 * {@code \r\n}.
 */
final class Utf8Lines implements Closeable {

    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    Utf8Lines(InputStream in) {
        this.in = in;
    }

    private boolean fill() throws IOException {
        if (pos < limit) {
            return true;
        }
        limit = in.read(buf, 0, buf.length);
        pos = 0;
        return limit > 0;
    }

    /**
     * The next line without its terminator, or null at the end.
     *
     * @throws CharacterCodingException when the line is not valid UTF-8
     */
    String readLine() throws IOException {
        int n = 0;
        boolean any = false;
        while (fill()) {
            any = true;
            byte b = buf[pos++];
            if (b == '\n') {
                return decode(n);
            }
            if (b == '\r') {
                if (fill() && buf[pos] == '\n') {
                    pos++;
                }
                return decode(n);
            }
            if (n == line.length) {
                line = Arrays.copyOf(line, n * 2);
            }
            line[n++] = b;
        }
        return any ? decode(n) : null;
    }

    private String decode(int n) throws CharacterCodingException {
        decoder.reset();
        return decoder.decode(ByteBuffer.wrap(line, 0, n)).toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
