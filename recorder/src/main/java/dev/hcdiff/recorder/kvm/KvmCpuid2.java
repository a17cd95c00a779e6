package dev.hcdiff.recorder.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct kvm_cpuid2} with its {@code struct kvm_cpuid_entry2} array ({@code <asm/kvm.h>}):
 * <pre>
 * struct kvm_cpuid_entry2 {
 *     __u32 function, index, flags;
 *     __u32 eax, ebx, ecx, edx;
 *     __u32 padding[3];
 * };                                              // 40 bytes
 * struct kvm_cpuid2 { __u32 nent; __u32 padding; struct kvm_cpuid_entry2 entries[]; };  // header 8
 * </pre>
 */
public final class KvmCpuid2 {

    private KvmCpuid2() {
    }

    public static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("nent"), JAVA_INT.withName("padding")).withName("kvm_cpuid2");

    public static final StructLayout ENTRY = MemoryLayout.structLayout(
            JAVA_INT.withName("function"), JAVA_INT.withName("index"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"), JAVA_INT.withName("ecx"), JAVA_INT.withName("edx"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("padding")).withName("kvm_cpuid_entry2");

    public static final long HEADER_SIZE = HEADER.byteSize();
    public static final long NENT = HEADER.byteOffset(groupElement("nent"));
    public static final long ENTRY_SIZE = ENTRY.byteSize();
    public static final long FUNCTION = entryOff("function");
    public static final long INDEX = entryOff("index");
    public static final long FLAGS = entryOff("flags");
    public static final long EAX = entryOff("eax");
    public static final long EBX = entryOff("ebx");
    public static final long ECX = entryOff("ecx");
    public static final long EDX = entryOff("edx");

    /** {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX} (sic, {@code <asm/kvm.h>}): the leaf has subleaves. */
    public static final int FLAG_SIGNIFICANT_INDEX = 1;

    private static long entryOff(String name) {
        return ENTRY.byteOffset(groupElement(name));
    }

    /** One CPUID table entry. */
    public record Entry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    }

    /** A zeroed kvm_cpuid2 with room for {@code capacity} entries and nent = capacity. */
    public static MemorySegment allocate(Arena arena, int capacity) {
        MemorySegment s = arena.allocate(HEADER_SIZE + ENTRY_SIZE * capacity, 8);
        s.set(JAVA_INT, NENT, capacity);
        return s;
    }

    public static int nent(MemorySegment s) {
        return s.get(JAVA_INT, NENT);
    }

    public static Entry entry(MemorySegment s, int i) {
        long at = HEADER_SIZE + ENTRY_SIZE * i;
        return new Entry(s.get(JAVA_INT, at + FUNCTION), s.get(JAVA_INT, at + INDEX), s.get(JAVA_INT, at + FLAGS),
                s.get(JAVA_INT, at + EAX), s.get(JAVA_INT, at + EBX), s.get(JAVA_INT, at + ECX), s.get(JAVA_INT, at + EDX));
    }

    /** A kvm_cpuid2 holding exactly {@code entries}. */
    public static MemorySegment of(Arena arena, java.util.List<Entry> entries) {
        MemorySegment s = allocate(arena, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            long at = HEADER_SIZE + ENTRY_SIZE * i;
            s.set(JAVA_INT, at + FUNCTION, e.function());
            s.set(JAVA_INT, at + INDEX, e.index());
            s.set(JAVA_INT, at + FLAGS, e.flags());
            s.set(JAVA_INT, at + EAX, e.eax());
            s.set(JAVA_INT, at + EBX, e.ebx());
            s.set(JAVA_INT, at + ECX, e.ecx());
            s.set(JAVA_INT, at + EDX, e.edx());
        }
        return s;
    }
}
