package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

import java.nio.charset.StandardCharsets;

/**
 * {@code struct xen_compile_info} (xen/include/public/version.h): {@code char compiler[64]}@0,
 * {@code compile_by[16]}@64, {@code compile_domain[32]}@80, {@code compile_date[32]}@112; 144 bytes in
 * both ABIs. Each string is NUL-terminated and truncated as {@code safe_strcpy()} does (at most
 * size-1 characters), the rest zero.
 */
public record XenCompileInfo(String compiler, String compileBy, String compileDomain, String compileDate) {

    /** sizeof(struct xen_compile_info), both ABIs. */
    public static final int SIZE = 144;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenCompileInfo decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_compile_info");
        return new XenCompileInfo(cString(b, 0, 64), cString(b, 64, 16), cString(b, 80, 32), cString(b, 112, 32));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        putCString(b, 0, 64, compiler);
        putCString(b, 64, 16, compileBy);
        putCString(b, 80, 32, compileDomain);
        putCString(b, 112, 32, compileDate);
        return b;
    }

    /** Writes {@code s} as {@code safe_strcpy()} into a zeroed char[len] at {@code off}. */
    public static void putCString(byte[] b, int off, int len, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(bytes, 0, b, off, Math.min(bytes.length, len - 1));
    }

    /** The NUL-terminated string in char[len] at {@code off}. */
    public static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.ISO_8859_1);
    }
}
