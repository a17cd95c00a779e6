package dev.hcdiff.trace.text;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The lexical conventions of {@code .hct} shared by the writer and the scanner: how numbers,
 * strings, console bytes and hex are spelled, and the few names that are not in {@code abi/}.
 * The grammar itself is in {@link HctReader}'s javadoc.
 */
final class HctSyntax {

    /** First line of every {@code .hct} file. */
    static final String VERSION_LINE = "hct 1";
    static final String VERSION_KEYWORD = "hct";
    static final String VERSION = "1";

    /** Bytes per hex line of a memory block; longer blocks continue on {@code +} lines. */
    static final int HEX_BYTES_PER_LINE = 32;
    /** Console bytes per {@code console} line; a line also ends after each newline byte. */
    static final int CONSOLE_BYTES_PER_LINE = 64;

    /**
     * Largest errno a Xen or Linux call returns as {@code -errno}: Linux {@code MAX_ERRNO}
     * (include/linux/err.h); return values in {@code [-4095, -1]} are written in decimal.
     */
    static final long MAX_ERRNO = 4095;

    /** {@code expect} values: {@code agree} or {@code known:<id>,<id>…}. */
    static final Pattern EXPECT = Pattern.compile("agree|known:[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*");

    private static final HexFormat HEX = HexFormat.of();

    /**
     * Xen shutdown reasons, {@code xen/include/public/sched.h SHUTDOWN_*}: index = code
     * (poweroff 0, reboot 1, suspend 2, crash 3, watchdog 4, soft_reset 5).
     */
    static final String[] SHUTDOWN_NAMES = {"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"};

    private HctSyntax() {
    }

    // ------------------------------------------------------------------ numbers

    /** {@code 0} or {@code 0x…}: unsigned 64-bit hex, for addresses, registers and arguments. */
    static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    /** {@code 0} or {@code 0x…}: unsigned 32-bit hex, for leaves, MSR indices and ports. */
    static String hex32(int v) {
        return v == 0 ? "0" : "0x" + Integer.toHexString(v);
    }

    /** A vector: hex when it is one, decimal when negative (-1 = no vector). */
    static String vector(int v) {
        return v >= 0 ? hex32(v) : Integer.toString(v);
    }

    /** A returned register: {@code -errno} in decimal, anything else in hex. */
    static String returned(long v) {
        return v < 0 && v >= -MAX_ERRNO ? Long.toString(v) : hex(v);
    }

    /** A Xen call number or sub-op that has no name: decimal, or hex when negative as a long. */
    static String number(long v) {
        return v >= 0 ? Long.toString(v) : hex(v);
    }

    // ------------------------------------------------------------------ strings

    /** True for characters written as {@code \}{@code uXXXX} inside quotes: controls, C1, line separators. */
    static boolean needsUnicodeEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }

    private static boolean isBlank(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** A quoted string with {@code \\ \" \n \r \t \}{@code uXXXX} escapes. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (needsUnicodeEscape(c) || unpairedSurrogateAt(s, i)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static boolean unpairedSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    /** A single token: bare when printable ASCII without spaces and not starting with a quote, else quoted. */
    static String word(String s) {
        if (s.isEmpty() || s.charAt(0) == '"') {
            return quote(s);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return quote(s);
            }
        }
        return s;
    }

    /**
     * A rest-of-line text: raw when it reads back unchanged (not empty, no leading quote, no blank
     * at either end, nothing that needs an escape), else quoted.
     */
    static String text(String s) {
        if (s.isEmpty() || s.charAt(0) == '"' || isBlank(s.charAt(0)) || isBlank(s.charAt(s.length() - 1))) {
            return quote(s);
        }
        for (int i = 0; i < s.length(); i++) {
            if (needsUnicodeEscape(s.charAt(i)) || unpairedSurrogateAt(s, i)) {
                return quote(s);
            }
        }
        return s;
    }

    /** Console bytes as a quoted literal: printable ASCII raw, {@code \\ \" \n \r \t}, else {@code \xHH}. */
    static String consoleLiteral(byte[] data, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from + 2).append('"');
        for (int i = from; i < to; i++) {
            int b = data[i] & 0xFF;
            switch (b) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        sb.append((char) b);
                    } else {
                        sb.append("\\x").append(HEX.toHexDigits((byte) b));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Lower-case hex of a byte range, {@code -} when empty. */
    static String hexBytes(byte[] data, int from, int to) {
        return from == to ? "-" : HEX.formatHex(data, from, to);
    }

    /** The {@code shutdown} detail value: Xen's name when it has one, else the number. */
    static String shutdown(int code) {
        return code >= 0 && code < SHUTDOWN_NAMES.length ? SHUTDOWN_NAMES[code] : Integer.toString(code);
    }
}
