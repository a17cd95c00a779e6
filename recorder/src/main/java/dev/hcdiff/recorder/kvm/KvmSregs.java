package dev.hcdiff.recorder.kvm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct kvm_sregs} (x86-64, {@code <asm/kvm.h>}), 312 bytes:
 * <pre>
 * struct kvm_sregs {
 *     struct kvm_segment cs, ds, es, fs, gs, ss;
 *     struct kvm_segment tr, ldt;
 *     struct kvm_dtable gdt, idt;          // { __u64 base; __u16 limit; __u16 padding[3]; }
 *     __u64 cr0, cr2, cr3, cr4, cr8;
 *     __u64 efer;
 *     __u64 apic_base;
 *     __u64 interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64];   // KVM_NR_INTERRUPTS = 256
 * };
 * </pre>
 */
public final class KvmSregs {

    private KvmSregs() {
    }

    /** {@code struct kvm_dtable}. */
    public static final StructLayout DTABLE = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"), JAVA_SHORT.withName("limit"),
            MemoryLayout.sequenceLayout(3, JAVA_SHORT).withName("padding")).withName("kvm_dtable");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            KvmSegment.LAYOUT.withName("cs"), KvmSegment.LAYOUT.withName("ds"), KvmSegment.LAYOUT.withName("es"),
            KvmSegment.LAYOUT.withName("fs"), KvmSegment.LAYOUT.withName("gs"), KvmSegment.LAYOUT.withName("ss"),
            KvmSegment.LAYOUT.withName("tr"), KvmSegment.LAYOUT.withName("ldt"),
            DTABLE.withName("gdt"), DTABLE.withName("idt"),
            JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"), JAVA_LONG.withName("cr3"),
            JAVA_LONG.withName("cr4"), JAVA_LONG.withName("cr8"), JAVA_LONG.withName("efer"),
            JAVA_LONG.withName("apic_base"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap")).withName("kvm_sregs");

    public static final long SIZE = LAYOUT.byteSize();
    public static final long CS = off("cs");
    public static final long DS = off("ds");
    public static final long ES = off("es");
    public static final long FS = off("fs");
    public static final long GS = off("gs");
    public static final long SS = off("ss");
    public static final long TR = off("tr");
    public static final long LDT = off("ldt");
    public static final long GDT = off("gdt");
    public static final long IDT = off("idt");
    public static final long CR0 = off("cr0");
    public static final long CR2 = off("cr2");
    public static final long CR3 = off("cr3");
    public static final long CR4 = off("cr4");
    public static final long CR8 = off("cr8");
    public static final long EFER = off("efer");
    public static final long APIC_BASE = off("apic_base");
    public static final long INTERRUPT_BITMAP = off("interrupt_bitmap");
    /** Offset of {@code limit} inside a kvm_dtable. */
    public static final long DTABLE_LIMIT = DTABLE.byteOffset(groupElement("limit"));

    private static long off(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }

    public static long cr0(MemorySegment s) { return s.get(JAVA_LONG, CR0); }
    public static long cr3(MemorySegment s) { return s.get(JAVA_LONG, CR3); }
    public static long cr4(MemorySegment s) { return s.get(JAVA_LONG, CR4); }
    public static long efer(MemorySegment s) { return s.get(JAVA_LONG, EFER); }

    public static void cr0(MemorySegment s, long v) { s.set(JAVA_LONG, CR0, v); }
    public static void cr3(MemorySegment s, long v) { s.set(JAVA_LONG, CR3, v); }
    public static void cr4(MemorySegment s, long v) { s.set(JAVA_LONG, CR4, v); }
    public static void efer(MemorySegment s, long v) { s.set(JAVA_LONG, EFER, v); }

    /** Sets a descriptor table register (gdt or idt at {@code at}). */
    public static void dtable(MemorySegment s, long at, long base, int limit) {
        s.set(JAVA_LONG, at, base);
        s.set(JAVA_SHORT, at + DTABLE_LIMIT, (short) limit);
    }
}
