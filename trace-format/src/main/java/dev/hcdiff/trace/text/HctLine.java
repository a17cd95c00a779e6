package dev.hcdiff.trace.text;

import dev.hcdiff.trace.TraceFormatException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over one {@code .hct} line: tokens are separated by spaces or tabs, strings may be
 * quoted. Every failure is a {@link TraceFormatException} reading {@code file.hct:LINE: what}.
 */
final class HctLine {

    private final String source;
    private final int number;
    private final String text;
    private int pos;

    HctLine(String source, int number, String text) {
        this.source = source;
        this.number = number;
        this.text = text;
    }

    int number() {
        return number;
    }

    TraceFormatException error(String problem) {
        return error(source, number, problem);
    }

    static TraceFormatException error(String source, int line, String problem) {
        return new TraceFormatException(source + ":" + line + ": " + problem, line);
    }

    private void skipBlanks() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
    }

    boolean atEnd() {
        skipBlanks();
        return pos >= text.length();
    }

    /** The next bare token, or null at the end of the line; does not consume it. */
    String peek() {
        skipBlanks();
        if (pos >= text.length()) {
            return null;
        }
        int end = pos;
        while (end < text.length() && text.charAt(end) != ' ' && text.charAt(end) != '\t') {
            end++;
        }
        return text.substring(pos, end);
    }

    /** The next bare token. */
    String token(String what) {
        String t = peek();
        if (t == null) {
            throw error("missing " + what);
        }
        pos += t.length();
        return t;
    }

    /** Fails unless only blanks are left. */
    void end() {
        String t = peek();
        if (t != null) {
            throw error("unexpected '" + t + "' at the end of the line");
        }
    }

    /** True when the next token is {@code key=…}. */
    boolean hasKey(String key) {
        String t = peek();
        return t != null && t.startsWith(key + "=");
    }

    /** The value text of a {@code key=value} token. */
    private String keyValue(String key, String valueHint) {
        String t = peek();
        if (t == null) {
            throw error("missing " + key + "=" + valueHint);
        }
        if (!t.startsWith(key + "=")) {
            throw error("expected " + key + "=" + valueHint + ", found '" + t + "'");
        }
        pos += t.length();
        return t.substring(key.length() + 1);
    }

    /** A {@code key=WORD} token's word. */
    String wordField(String key) {
        return keyValue(key, "<word>");
    }

    /** A {@code key=NUMBER} token as a 64-bit value. */
    long longField(String key) {
        return number(keyValue(key, "<number>"), key);
    }

    /** A {@code key=NUMBER} token that must fit in 32 bits (signed, or unsigned hex). */
    int intField(String key) {
        return int32(keyValue(key, "<number>"), key);
    }

    /** A {@code key=N,N,…} token. */
    long[] longListField(String key) {
        return longList(keyValue(key, "<n>,<n>,…"), key);
    }

    int[] intListField(String key) {
        long[] values = longListField(key);
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = narrow(values[i], key);
        }
        return out;
    }

    long[] longList(String list, String what) {
        if (list.isEmpty()) {
            throw error("empty list for " + what);
        }
        String[] parts = list.split(",", -1);
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = number(parts[i], what);
        }
        return out;
    }

    /**
     * A number: decimal with an optional minus sign, or {@code 0x} and 1 to 16 hex digits read as
     * an unsigned 64-bit value.
     */
    long number(String s, String what) {
        if (s.startsWith("0x") || s.startsWith("0X")) {
            String digits = s.substring(2);
            if (digits.isEmpty() || digits.length() > 16 || !isHex(digits)) {
                throw error("bad hex number '" + s + "' for " + what + " (0x and 1 to 16 hex digits)");
            }
            return Long.parseUnsignedLong(digits, 16);
        }
        int start = s.startsWith("-") ? 1 : 0;
        if (s.length() == start) {
            throw error("bad number '" + s + "' for " + what);
        }
        for (int i = start; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw error("bad number '" + s + "' for " + what + " (decimal, or hex with 0x)");
            }
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error("number '" + s + "' for " + what + " is out of the 64-bit range");
        }
    }

    int int32(String s, String what) {
        return narrow(number(s, what), what);
    }

    /** Accepts [-2^31, 2^32-1]: a signed int in decimal or an unsigned 32-bit hex value. */
    int narrow(long v, String what) {
        if (v < Integer.MIN_VALUE || v > 0xFFFF_FFFFL) {
            throw error(what + " " + v + " does not fit in 32 bits");
        }
        return (int) v;
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (hexDigit(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The value of an ASCII hex digit, or -1 (Character.digit would also take non-ASCII digits). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** A token that may be quoted: a bare token or a quoted string. */
    String word(String what) {
        skipBlanks();
        if (pos < text.length() && text.charAt(pos) == '"') {
            return quoted(what);
        }
        return token(what);
    }

    /** The rest of the line: a quoted string, or raw text with trailing blanks dropped ({@code ""} when empty). */
    String text(String what) {
        skipBlanks();
        if (pos < text.length() && text.charAt(pos) == '"') {
            String s = quoted(what);
            end();
            return s;
        }
        String s = text.substring(pos).stripTrailing();
        pos = text.length();
        return s;
    }

    /** Everything after the cursor, verbatim. */
    String rest() {
        String s = text.substring(pos);
        pos = text.length();
        return s;
    }

    /** A quoted string: {@code \\ \" \n \r \t \}{@code uXXXX} escapes. */
    private String quoted(String what) {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated quoted " + what + " starting at column " + (start + 1));
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                break;
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated escape in " + what);
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append((char) hexEscape(4, what));
                default -> throw error("bad escape '\\" + e + "' in " + what + " (use \\\\ \\\" \\n \\r \\t \\uXXXX)");
            }
        }
        if (pos < text.length() && text.charAt(pos) != ' ' && text.charAt(pos) != '\t') {
            throw error("unexpected '" + text.charAt(pos) + "' right after the closing quote of " + what);
        }
        return sb.toString();
    }

    private int hexEscape(int digits, String what) {
        if (pos + digits > text.length() || !isHex(text.substring(pos, pos + digits))) {
            throw error("bad escape in " + what + ": expected " + digits + " hex digits");
        }
        int v = Integer.parseInt(text.substring(pos, pos + digits), 16);
        pos += digits;
        return v;
    }

    /**
     * Quoted console bytes: printable ASCII raw, {@code \\ \" \n \r \t \xHH}; another raw character
     * stands for its UTF-8 bytes, so a hand-written {@code "é"} works.
     */
    byte[] consoleBytes() {
        skipBlanks();
        if (pos >= text.length() || text.charAt(pos) != '"') {
            throw error("console bytes must be a quoted string, e.g. console \"Hello\\n\"");
        }
        int start = pos++;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated console string starting at column " + (start + 1));
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    throw error("unterminated escape in console string");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"' -> out.write('"');
                    case '\\' -> out.write('\\');
                    case 'n' -> out.write('\n');
                    case 'r' -> out.write('\r');
                    case 't' -> out.write('\t');
                    case 'x' -> out.write(hexEscape(2, "console string"));
                    default -> throw error("bad escape '\\" + e + "' in console string (use \\\\ \\\" \\n \\r \\t \\xHH)");
                }
            } else if (c < 0x80) {
                out.write(c);
            } else {
                int end = Character.isHighSurrogate(c) && pos < text.length() ? pos + 1 : pos;
                out.writeBytes(text.substring(pos - 1, end).getBytes(StandardCharsets.UTF_8));
                pos = end;
            }
        }
        end();
        return out.toByteArray();
    }

    /** Hex bytes: {@code -} for none, or hex digit pairs, optionally in several blank-separated groups. */
    byte[] hexBytes(String what) {
        String first = token(what + " bytes (hex, or - for none)");
        if (first.equals("-")) {
            end();
            return new byte[0];
        }
        StringBuilder digits = new StringBuilder(first);
        for (String t = peek(); t != null; t = peek()) {
            digits.append(token(what));
        }
        if (digits.length() % 2 != 0) {
            throw error("odd number of hex digits in " + what);
        }
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = hexDigit(digits.charAt(2 * i));
            int lo = hexDigit(digits.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                char bad = hi < 0 ? digits.charAt(2 * i) : digits.charAt(2 * i + 1);
                throw error("bad hex digit '" + bad + "' in " + what);
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
