package dev.hcdiff.trace.journal;

import java.util.zip.CRC32C;

/**
 * How a journal wraps the codec's bytes in Chronicle documents: journal framing {@value #VERSION}.
 * <pre>
 * header document  'h' 'c' 'j' 0x02, encoded header, crc32c
 * record document  encoded record, crc32c
 * </pre>
 * {@code crc32c} is four bytes, big-endian (as the codec's cookies), the CRC-32C (Castagnoli,
 * RFC 3720 §B.4; {@link CRC32C}) of every byte of the document before it. The journal adds it,
 * not the codec: the {@code .hct} text form carries none, and the codec's bytes stay the same in
 * both forms.
 *
 * <p>Framing 1 (hcdiff before record checksums) had no marker: its header document began with the
 * header cookie {@code 0x4801}. It is refused by name rather than read as garbage.
 *
 * <p>Not thread-safe: one per writer or iterator (the {@link CRC32C} is reused).
 */
final class JournalFraming {

    /** The framing version this code writes and reads; the fourth byte of the header document. */
    static final int VERSION = 2;
    /** The header document's marker: {@code "hcj"} and {@link #VERSION} (this class defines it). */
    static final byte[] MARKER = {'h', 'c', 'j', VERSION};
    /** Bytes of the CRC-32C after the payload (a 32-bit CRC, RFC 3720 §B.4). */
    static final int CRC_BYTES = 4;

    private final CRC32C crc = new CRC32C();

    /** CRC-32C of {@code buf[offset, offset + length)}. */
    int crc(byte[] buf, int offset, int length) {
        crc.reset();
        crc.update(buf, offset, length);
        return (int) crc.getValue();
    }

    /** The big-endian CRC stored at {@code buf[offset, offset + 4)}. */
    static int storedCrc(byte[] buf, int offset) {
        return (buf[offset] & 0xFF) << 24 | (buf[offset + 1] & 0xFF) << 16 | (buf[offset + 2] & 0xFF) << 8
                | buf[offset + 3] & 0xFF;
    }

    /** Writes {@code crc} big-endian at {@code buf[offset, offset + 4)}. */
    static void putCrc(byte[] buf, int offset, int crc) {
        buf[offset] = (byte) (crc >>> 24);
        buf[offset + 1] = (byte) (crc >>> 16);
        buf[offset + 2] = (byte) (crc >>> 8);
        buf[offset + 3] = (byte) crc;
    }

    /** True when the document starts with {@code "hcj"}, whatever the version byte. */
    static boolean hasMarker(byte[] doc, int length) {
        return length >= MARKER.length && doc[0] == MARKER[0] && doc[1] == MARKER[1] && doc[2] == MARKER[2];
    }

    static String hex(int crc) {
        return String.format("0x%08x", crc);
    }
}
