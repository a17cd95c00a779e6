package dev.hcdiff.recorder.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct kvm_enable_cap} ({@code <linux/kvm.h>}), 104 bytes:
 * <pre>
 * struct kvm_enable_cap {
 *     __u32 cap;
 *     __u32 flags;
 *     __u64 args[4];
 *     __u8  pad[64];
 * };
 * </pre>
 */
public final class KvmEnableCap {

    private KvmEnableCap() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("cap"), JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("args"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("pad")).withName("kvm_enable_cap");

    public static final long SIZE = LAYOUT.byteSize();
    public static final long CAP = LAYOUT.byteOffset(groupElement("cap"));
    public static final long FLAGS = LAYOUT.byteOffset(groupElement("flags"));
    public static final long ARGS = LAYOUT.byteOffset(groupElement("args"));

    public static MemorySegment of(Arena arena, int cap, long arg0) {
        MemorySegment s = arena.allocate(LAYOUT);
        s.set(JAVA_INT, CAP, cap);
        s.set(JAVA_LONG, ARGS, arg0);
        return s;
    }
}
