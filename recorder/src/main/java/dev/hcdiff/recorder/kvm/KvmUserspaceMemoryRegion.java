package dev.hcdiff.recorder.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct kvm_userspace_memory_region} ({@code <linux/kvm.h>}), 32 bytes:
 * <pre>
 * struct kvm_userspace_memory_region {
 *     __u32 slot;
 *     __u32 flags;
 *     __u64 guest_phys_addr;
 *     __u64 memory_size;      // bytes
 *     __u64 userspace_addr;   // start of the user-space allocated memory
 * };
 * </pre>
 */
public final class KvmUserspaceMemoryRegion {

    private KvmUserspaceMemoryRegion() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("flags"), JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"), JAVA_LONG.withName("userspace_addr"))
            .withName("kvm_userspace_memory_region");

    public static final long SIZE = LAYOUT.byteSize();
    public static final long SLOT = LAYOUT.byteOffset(groupElement("slot"));
    public static final long FLAGS = LAYOUT.byteOffset(groupElement("flags"));
    public static final long GUEST_PHYS_ADDR = LAYOUT.byteOffset(groupElement("guest_phys_addr"));
    public static final long MEMORY_SIZE = LAYOUT.byteOffset(groupElement("memory_size"));
    public static final long USERSPACE_ADDR = LAYOUT.byteOffset(groupElement("userspace_addr"));

    public static MemorySegment of(Arena arena, int slot, long gpa, long size, long hostAddress) {
        MemorySegment s = arena.allocate(LAYOUT);
        s.set(JAVA_INT, SLOT, slot);
        s.set(JAVA_INT, FLAGS, 0);
        s.set(JAVA_LONG, GUEST_PHYS_ADDR, gpa);
        s.set(JAVA_LONG, MEMORY_SIZE, size);
        s.set(JAVA_LONG, USERSPACE_ADDR, hostAddress);
        return s;
    }
}
