package dev.hcdiff.recorder.kvm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct kvm_segment} (x86-64, {@code <asm/kvm.h>}), 24 bytes:
 * <pre>
 * struct kvm_segment {
 *     __u64 base;
 *     __u32 limit;
 *     __u16 selector;
 *     __u8  type;
 *     __u8  present, dpl, db, s, l, g, avl;
 *     __u8  unusable;
 *     __u8  padding;
 * };
 * </pre>
 * Accessors take the enclosing segment and the struct's offset in it (a kvm_sregs member).
 */
public final class KvmSegment {

    private KvmSegment() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"), JAVA_INT.withName("limit"), JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"), JAVA_BYTE.withName("present"), JAVA_BYTE.withName("dpl"),
            JAVA_BYTE.withName("db"), JAVA_BYTE.withName("s"), JAVA_BYTE.withName("l"), JAVA_BYTE.withName("g"),
            JAVA_BYTE.withName("avl"), JAVA_BYTE.withName("unusable"), JAVA_BYTE.withName("padding"))
            .withName("kvm_segment");

    public static final long SIZE = LAYOUT.byteSize();
    public static final long BASE = off("base");
    public static final long LIMIT = off("limit");
    public static final long SELECTOR = off("selector");
    public static final long TYPE = off("type");
    public static final long PRESENT = off("present");
    public static final long DPL = off("dpl");
    public static final long DB = off("db");
    public static final long S = off("s");
    public static final long L = off("l");
    public static final long G = off("g");
    public static final long AVL = off("avl");
    public static final long UNUSABLE = off("unusable");

    private static long off(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }

    /** A flat segment descriptor's view as KVM takes it. */
    public record Descriptor(long base, int limit, int selector, int type, boolean present, int dpl,
                             boolean db, boolean s, boolean l, boolean g) {
    }

    public static void write(MemorySegment m, long at, Descriptor d) {
        m.set(JAVA_LONG, at + BASE, d.base());
        m.set(JAVA_INT, at + LIMIT, d.limit());
        m.set(JAVA_SHORT, at + SELECTOR, (short) d.selector());
        m.set(JAVA_BYTE, at + TYPE, (byte) d.type());
        m.set(JAVA_BYTE, at + PRESENT, (byte) (d.present() ? 1 : 0));
        m.set(JAVA_BYTE, at + DPL, (byte) d.dpl());
        m.set(JAVA_BYTE, at + DB, (byte) (d.db() ? 1 : 0));
        m.set(JAVA_BYTE, at + S, (byte) (d.s() ? 1 : 0));
        m.set(JAVA_BYTE, at + L, (byte) (d.l() ? 1 : 0));
        m.set(JAVA_BYTE, at + G, (byte) (d.g() ? 1 : 0));
        m.set(JAVA_BYTE, at + AVL, (byte) 0);
        m.set(JAVA_BYTE, at + UNUSABLE, (byte) 0);
    }

    /**
     * Writes a segment given in Xen's packed attribute format ({@code segment_attributes}, the
     * {@code *_arbytes} of {@code struct hvm_hw_cpu} in {@code xen/include/public/arch-x86/hvm/save.h}):
     * type bits 0-3, S 4, DPL 5-6, P 7, AVL 8, L 9, D/B 10, G 11. A segment without P is marked
     * unusable, as Xen's VMX code does for a null segment ({@code vmx_set_segment_register()}).
     */
    public static void writeXenAttributes(MemorySegment m, long at, long base, int limit, int selector, int attr) {
        boolean present = (attr & 0x80) != 0;
        m.set(JAVA_LONG, at + BASE, base);
        m.set(JAVA_INT, at + LIMIT, limit);
        m.set(JAVA_SHORT, at + SELECTOR, (short) selector);
        m.set(JAVA_BYTE, at + TYPE, (byte) (attr & 0xF));
        m.set(JAVA_BYTE, at + S, (byte) ((attr >>> 4) & 1));
        m.set(JAVA_BYTE, at + DPL, (byte) ((attr >>> 5) & 3));
        m.set(JAVA_BYTE, at + PRESENT, (byte) (present ? 1 : 0));
        m.set(JAVA_BYTE, at + AVL, (byte) ((attr >>> 8) & 1));
        m.set(JAVA_BYTE, at + L, (byte) ((attr >>> 9) & 1));
        m.set(JAVA_BYTE, at + DB, (byte) ((attr >>> 10) & 1));
        m.set(JAVA_BYTE, at + G, (byte) ((attr >>> 11) & 1));
        m.set(JAVA_BYTE, at + UNUSABLE, (byte) (present ? 0 : 1));
    }

    public static boolean l(MemorySegment m, long at) {
        return m.get(JAVA_BYTE, at + L) != 0;
    }

    public static boolean db(MemorySegment m, long at) {
        return m.get(JAVA_BYTE, at + DB) != 0;
    }

    public static int selector(MemorySegment m, long at) {
        return Short.toUnsignedInt(m.get(JAVA_SHORT, at + SELECTOR));
    }

    public static int dpl(MemorySegment m, long at) {
        return m.get(JAVA_BYTE, at + DPL);
    }

    public static long base(MemorySegment m, long at) {
        return m.get(JAVA_LONG, at + BASE);
    }
}
