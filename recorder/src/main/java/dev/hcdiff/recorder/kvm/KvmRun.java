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
 * {@code struct kvm_run} (x86-64, {@code <linux/kvm.h>}), the vCPU's shared page, 2352 bytes:
 * <pre>
 * struct kvm_run {
 *     __u8 request_interrupt_window;   // @0
 *     __u8 immediate_exit;             // @1
 *     __u8 padding1[6];
 *     __u32 exit_reason;               // @8
 *     __u8 ready_for_interrupt_injection;  // @12
 *     __u8 if_flag;                    // @13
 *     __u16 flags;                     // @14
 *     __u64 cr8;                       // @16
 *     __u64 apic_base;                 // @24
 *     union { ... char padding[256]; };   // @32: io, mmio, msr, fail_entry, internal, system_event …
 *     __u64 kvm_valid_regs;            // @288
 *     __u64 kvm_dirty_regs;            // @296
 *     union { struct kvm_sync_regs regs; char padding[2048]; } s;   // @304
 * };
 * struct kvm_sync_regs { struct kvm_regs regs; struct kvm_sregs sregs; struct kvm_vcpu_events events; };
 * </pre>
 * The union members are given as offsets from the start of kvm_run. Accessors are static and read
 * the mmapped page in place (style.md §4.1).
 */
public final class KvmRun {

    private KvmRun() {
    }

    /** Size of the exit-information union ({@code char padding[256]}). */
    private static final long EXIT_UNION_SIZE = 256;
    /** Size of the sync-regs union ({@code char padding[SYNC_REGS_SIZE_BYTES]}, 2048). */
    private static final long SYNC_UNION_SIZE = 2048;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("request_interrupt_window"), JAVA_BYTE.withName("immediate_exit"),
            MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("padding1"),
            JAVA_INT.withName("exit_reason"), JAVA_BYTE.withName("ready_for_interrupt_injection"),
            JAVA_BYTE.withName("if_flag"), JAVA_SHORT.withName("flags"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("apic_base"),
            MemoryLayout.sequenceLayout(EXIT_UNION_SIZE, JAVA_BYTE).withName("exit"),
            JAVA_LONG.withName("kvm_valid_regs"), JAVA_LONG.withName("kvm_dirty_regs"),
            MemoryLayout.sequenceLayout(SYNC_UNION_SIZE, JAVA_BYTE).withName("s")).withName("kvm_run");

    public static final long SIZE = LAYOUT.byteSize();
    public static final long REQUEST_INTERRUPT_WINDOW = off("request_interrupt_window");
    public static final long IMMEDIATE_EXIT = off("immediate_exit");
    public static final long EXIT_REASON = off("exit_reason");
    public static final long READY_FOR_INTERRUPT_INJECTION = off("ready_for_interrupt_injection");
    public static final long IF_FLAG = off("if_flag");
    public static final long FLAGS = off("flags");
    public static final long CR8 = off("cr8");
    public static final long APIC_BASE = off("apic_base");
    public static final long EXIT = off("exit");
    public static final long KVM_VALID_REGS = off("kvm_valid_regs");
    public static final long KVM_DIRTY_REGS = off("kvm_dirty_regs");
    /** {@code s.regs.regs}: struct kvm_regs. */
    public static final long SYNC_REGS = off("s");
    /** {@code s.regs.sregs}: struct kvm_sregs. */
    public static final long SYNC_SREGS = SYNC_REGS + KvmRegs.SIZE;
    /** {@code s.regs.events}: struct kvm_vcpu_events. */
    public static final long SYNC_EVENTS = SYNC_SREGS + KvmSregs.SIZE;

    // KVM_EXIT_IO: struct { __u8 direction; __u8 size; __u16 port; __u32 count; __u64 data_offset; } io;
    public static final long IO_DIRECTION = EXIT;
    public static final long IO_SIZE = EXIT + 1;
    public static final long IO_PORT = EXIT + 2;
    public static final long IO_COUNT = EXIT + 4;
    public static final long IO_DATA_OFFSET = EXIT + 8;
    /** {@code KVM_EXIT_IO_IN}. */
    public static final int IO_IN = 0;
    /** {@code KVM_EXIT_IO_OUT}. */
    public static final int IO_OUT = 1;

    // KVM_EXIT_MMIO: struct { __u64 phys_addr; __u8 data[8]; __u32 len; __u8 is_write; } mmio;
    public static final long MMIO_PHYS_ADDR = EXIT;
    public static final long MMIO_DATA = EXIT + 8;
    public static final long MMIO_LEN = EXIT + 16;
    public static final long MMIO_IS_WRITE = EXIT + 20;

    // KVM_EXIT_X86_RDMSR / WRMSR: struct { __u8 error; __u8 pad[7]; __u32 reason; __u32 index; __u64 data; } msr;
    public static final long MSR_ERROR = EXIT;
    public static final long MSR_REASON = EXIT + 8;
    public static final long MSR_INDEX = EXIT + 12;
    public static final long MSR_DATA = EXIT + 16;

    // KVM_EXIT_FAIL_ENTRY: struct { __u64 hardware_entry_failure_reason; __u32 cpu; } fail_entry;
    public static final long FAIL_ENTRY_REASON = EXIT;

    // KVM_EXIT_INTERNAL_ERROR: struct { __u32 suberror; __u32 ndata; __u64 data[16]; } internal;
    public static final long INTERNAL_SUBERROR = EXIT;
    public static final long INTERNAL_NDATA = EXIT + 4;
    public static final long INTERNAL_DATA = EXIT + 8;

    // KVM_EXIT_SYSTEM_EVENT: struct { __u32 type; __u32 ndata; ... } system_event;
    public static final long SYSTEM_EVENT_TYPE = EXIT;

    /** {@code KVM_SYNC_X86_REGS} ({@code <asm/kvm.h>}). */
    public static final long SYNC_X86_REGS = 1L;
    /** {@code KVM_SYNC_X86_SREGS} ({@code <asm/kvm.h>}). */
    public static final long SYNC_X86_SREGS = 1L << 1;

    private static long off(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }

    public static void immediateExit(MemorySegment run, boolean on) {
        run.set(JAVA_BYTE, IMMEDIATE_EXIT, (byte) (on ? 1 : 0));
    }

    public static int exitReason(MemorySegment run) {
        return run.get(JAVA_INT, EXIT_REASON);
    }

    public static boolean ifFlag(MemorySegment run) {
        return run.get(JAVA_BYTE, IF_FLAG) != 0;
    }

    /** kvm_run.ready_for_interrupt_injection after an exit: KVM_INTERRUPT would be taken at the next entry. */
    public static boolean readyForInterruptInjection(MemorySegment run) {
        return run.get(JAVA_BYTE, READY_FOR_INTERRUPT_INJECTION) != 0;
    }

    /** kvm_run.request_interrupt_window: exit with KVM_EXIT_IRQ_WINDOW_OPEN once the guest can take an interrupt. */
    public static void requestInterruptWindow(MemorySegment run, boolean on) {
        run.set(JAVA_BYTE, REQUEST_INTERRUPT_WINDOW, (byte) (on ? 1 : 0));
    }

    public static int ioDirection(MemorySegment run) {
        return run.get(JAVA_BYTE, IO_DIRECTION);
    }

    public static int ioSize(MemorySegment run) {
        return run.get(JAVA_BYTE, IO_SIZE);
    }

    public static int ioPort(MemorySegment run) {
        return Short.toUnsignedInt(run.get(JAVA_SHORT, IO_PORT));
    }

    public static int ioCount(MemorySegment run) {
        return run.get(JAVA_INT, IO_COUNT);
    }

    public static long ioDataOffset(MemorySegment run) {
        return run.get(JAVA_LONG, IO_DATA_OFFSET);
    }

    public static long mmioPhysAddr(MemorySegment run) {
        return run.get(JAVA_LONG, MMIO_PHYS_ADDR);
    }

    public static int mmioLen(MemorySegment run) {
        return run.get(JAVA_INT, MMIO_LEN);
    }

    public static boolean mmioIsWrite(MemorySegment run) {
        return run.get(JAVA_BYTE, MMIO_IS_WRITE) != 0;
    }

    public static void msrError(MemorySegment run, boolean error) {
        run.set(JAVA_BYTE, MSR_ERROR, (byte) (error ? 1 : 0));
    }

    public static int msrIndex(MemorySegment run) {
        return run.get(JAVA_INT, MSR_INDEX);
    }

    public static long msrData(MemorySegment run) {
        return run.get(JAVA_LONG, MSR_DATA);
    }

    public static void msrData(MemorySegment run, long value) {
        run.set(JAVA_LONG, MSR_DATA, value);
    }

    public static long failEntryReason(MemorySegment run) {
        return run.get(JAVA_LONG, FAIL_ENTRY_REASON);
    }

    public static int internalSuberror(MemorySegment run) {
        return run.get(JAVA_INT, INTERNAL_SUBERROR);
    }

    public static int systemEventType(MemorySegment run) {
        return run.get(JAVA_INT, SYSTEM_EVENT_TYPE);
    }

    public static void validRegs(MemorySegment run, long mask) {
        run.set(JAVA_LONG, KVM_VALID_REGS, mask);
    }

    public static void dirtyRegs(MemorySegment run, long mask) {
        run.set(JAVA_LONG, KVM_DIRTY_REGS, mask);
    }

    public static long dirtyRegs(MemorySegment run) {
        return run.get(JAVA_LONG, KVM_DIRTY_REGS);
    }
}
