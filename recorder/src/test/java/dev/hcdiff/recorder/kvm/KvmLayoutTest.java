package dev.hcdiff.recorder.kvm;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every size, offset and ioctl number the FFM bindings hard-code, against the output of
 * {@code scripts/kvm-probe} ({@code make -C scripts/kvm-probe run}), which prints them from
 * {@code <linux/kvm.h>} with {@code sizeof}/{@code offsetof}. The output below was copied from a
 * run on Debian 12 (linux-libc-dev 6.1.187-1, x86-64) on 2026-11-25; shared/docs/kvm.md has
 * the same numbers. A layout edit that moves a field, or a probe line left unchecked, fails here.
 */
class KvmLayoutTest {

    /** Verbatim output of scripts/kvm-probe. */
    private static final String PROBE_OUTPUT = """
            sizeof(struct kvm_run) 2352
            offsetof(struct kvm_run, request_interrupt_window) 0
            offsetof(struct kvm_run, immediate_exit) 1
            offsetof(struct kvm_run, exit_reason) 8
            offsetof(struct kvm_run, ready_for_interrupt_injection) 12
            offsetof(struct kvm_run, if_flag) 13
            offsetof(struct kvm_run, flags) 14
            offsetof(struct kvm_run, cr8) 16
            offsetof(struct kvm_run, apic_base) 24
            offsetof(struct kvm_run, io.direction) 32
            offsetof(struct kvm_run, io.size) 33
            offsetof(struct kvm_run, io.port) 34
            offsetof(struct kvm_run, io.count) 36
            offsetof(struct kvm_run, io.data_offset) 40
            offsetof(struct kvm_run, mmio.phys_addr) 32
            offsetof(struct kvm_run, mmio.data) 40
            offsetof(struct kvm_run, mmio.len) 48
            offsetof(struct kvm_run, mmio.is_write) 52
            offsetof(struct kvm_run, msr.error) 32
            offsetof(struct kvm_run, msr.reason) 40
            offsetof(struct kvm_run, msr.index) 44
            offsetof(struct kvm_run, msr.data) 48
            offsetof(struct kvm_run, fail_entry.hardware_entry_failure_reason) 32
            offsetof(struct kvm_run, internal.suberror) 32
            offsetof(struct kvm_run, internal.ndata) 36
            offsetof(struct kvm_run, internal.data) 40
            offsetof(struct kvm_run, system_event.type) 32
            offsetof(struct kvm_run, kvm_valid_regs) 288
            offsetof(struct kvm_run, kvm_dirty_regs) 296
            offsetof(struct kvm_run, s.regs) 304
            offsetof(struct kvm_run, s.regs.sregs) 448
            offsetof(struct kvm_run, s.regs.events) 760
            sizeof(struct kvm_regs) 144
            offsetof(struct kvm_regs, rax) 0
            offsetof(struct kvm_regs, rbx) 8
            offsetof(struct kvm_regs, rcx) 16
            offsetof(struct kvm_regs, rdx) 24
            offsetof(struct kvm_regs, rsi) 32
            offsetof(struct kvm_regs, rdi) 40
            offsetof(struct kvm_regs, rsp) 48
            offsetof(struct kvm_regs, rbp) 56
            offsetof(struct kvm_regs, r8) 64
            offsetof(struct kvm_regs, r9) 72
            offsetof(struct kvm_regs, r10) 80
            offsetof(struct kvm_regs, r15) 120
            offsetof(struct kvm_regs, rip) 128
            offsetof(struct kvm_regs, rflags) 136
            sizeof(struct kvm_segment) 24
            offsetof(struct kvm_segment, base) 0
            offsetof(struct kvm_segment, limit) 8
            offsetof(struct kvm_segment, selector) 12
            offsetof(struct kvm_segment, type) 14
            offsetof(struct kvm_segment, present) 15
            offsetof(struct kvm_segment, dpl) 16
            offsetof(struct kvm_segment, db) 17
            offsetof(struct kvm_segment, s) 18
            offsetof(struct kvm_segment, l) 19
            offsetof(struct kvm_segment, g) 20
            offsetof(struct kvm_segment, avl) 21
            offsetof(struct kvm_segment, unusable) 22
            sizeof(struct kvm_dtable) 16
            sizeof(struct kvm_sregs) 312
            offsetof(struct kvm_sregs, cs) 0
            offsetof(struct kvm_sregs, ds) 24
            offsetof(struct kvm_sregs, es) 48
            offsetof(struct kvm_sregs, fs) 72
            offsetof(struct kvm_sregs, gs) 96
            offsetof(struct kvm_sregs, ss) 120
            offsetof(struct kvm_sregs, tr) 144
            offsetof(struct kvm_sregs, ldt) 168
            offsetof(struct kvm_sregs, gdt) 192
            offsetof(struct kvm_sregs, idt) 208
            offsetof(struct kvm_sregs, cr0) 224
            offsetof(struct kvm_sregs, cr2) 232
            offsetof(struct kvm_sregs, cr3) 240
            offsetof(struct kvm_sregs, cr4) 248
            offsetof(struct kvm_sregs, cr8) 256
            offsetof(struct kvm_sregs, efer) 264
            offsetof(struct kvm_sregs, apic_base) 272
            offsetof(struct kvm_sregs, interrupt_bitmap) 280
            sizeof(struct kvm_cpuid2) 8
            sizeof(struct kvm_cpuid_entry2) 40
            offsetof(struct kvm_cpuid_entry2, function) 0
            offsetof(struct kvm_cpuid_entry2, index) 4
            offsetof(struct kvm_cpuid_entry2, flags) 8
            offsetof(struct kvm_cpuid_entry2, eax) 12
            offsetof(struct kvm_cpuid_entry2, ebx) 16
            offsetof(struct kvm_cpuid_entry2, ecx) 20
            offsetof(struct kvm_cpuid_entry2, edx) 24
            sizeof(struct kvm_userspace_memory_region) 32
            offsetof(struct kvm_userspace_memory_region, slot) 0
            offsetof(struct kvm_userspace_memory_region, flags) 4
            offsetof(struct kvm_userspace_memory_region, guest_phys_addr) 8
            offsetof(struct kvm_userspace_memory_region, memory_size) 16
            offsetof(struct kvm_userspace_memory_region, userspace_addr) 24
            sizeof(struct kvm_enable_cap) 104
            offsetof(struct kvm_enable_cap, cap) 0
            offsetof(struct kvm_enable_cap, flags) 4
            offsetof(struct kvm_enable_cap, args) 8
            KVM_GET_API_VERSION 0xae00
            KVM_CREATE_VM 0xae01
            KVM_CHECK_EXTENSION 0xae03
            KVM_GET_VCPU_MMAP_SIZE 0xae04
            KVM_GET_SUPPORTED_CPUID 0xc008ae05
            KVM_CREATE_VCPU 0xae41
            KVM_SET_USER_MEMORY_REGION 0x4020ae46
            KVM_SET_TSS_ADDR 0xae47
            KVM_RUN 0xae80
            KVM_GET_REGS 0x8090ae81
            KVM_SET_REGS 0x4090ae82
            KVM_GET_SREGS 0x8138ae83
            KVM_SET_SREGS 0x4138ae84
            KVM_SET_CPUID2 0x4008ae90
            KVM_ENABLE_CAP 0x4068aea3
            KVM_GET_TSC_KHZ 0xaea3
            """;

    /** Each probe line's name → the binding's value for it. */
    private static final Map<String, Long> BINDINGS = Map.ofEntries(
            Map.entry("sizeof(struct kvm_run)", KvmRun.SIZE),
            Map.entry("offsetof(struct kvm_run, request_interrupt_window)", KvmRun.REQUEST_INTERRUPT_WINDOW),
            Map.entry("offsetof(struct kvm_run, immediate_exit)", KvmRun.IMMEDIATE_EXIT),
            Map.entry("offsetof(struct kvm_run, exit_reason)", KvmRun.EXIT_REASON),
            Map.entry("offsetof(struct kvm_run, ready_for_interrupt_injection)", KvmRun.READY_FOR_INTERRUPT_INJECTION),
            Map.entry("offsetof(struct kvm_run, if_flag)", KvmRun.IF_FLAG),
            Map.entry("offsetof(struct kvm_run, flags)", KvmRun.FLAGS),
            Map.entry("offsetof(struct kvm_run, cr8)", KvmRun.CR8),
            Map.entry("offsetof(struct kvm_run, apic_base)", KvmRun.APIC_BASE),
            Map.entry("offsetof(struct kvm_run, io.direction)", KvmRun.IO_DIRECTION),
            Map.entry("offsetof(struct kvm_run, io.size)", KvmRun.IO_SIZE),
            Map.entry("offsetof(struct kvm_run, io.port)", KvmRun.IO_PORT),
            Map.entry("offsetof(struct kvm_run, io.count)", KvmRun.IO_COUNT),
            Map.entry("offsetof(struct kvm_run, io.data_offset)", KvmRun.IO_DATA_OFFSET),
            Map.entry("offsetof(struct kvm_run, mmio.phys_addr)", KvmRun.MMIO_PHYS_ADDR),
            Map.entry("offsetof(struct kvm_run, mmio.data)", KvmRun.MMIO_DATA),
            Map.entry("offsetof(struct kvm_run, mmio.len)", KvmRun.MMIO_LEN),
            Map.entry("offsetof(struct kvm_run, mmio.is_write)", KvmRun.MMIO_IS_WRITE),
            Map.entry("offsetof(struct kvm_run, msr.error)", KvmRun.MSR_ERROR),
            Map.entry("offsetof(struct kvm_run, msr.reason)", KvmRun.MSR_REASON),
            Map.entry("offsetof(struct kvm_run, msr.index)", KvmRun.MSR_INDEX),
            Map.entry("offsetof(struct kvm_run, msr.data)", KvmRun.MSR_DATA),
            Map.entry("offsetof(struct kvm_run, fail_entry.hardware_entry_failure_reason)", KvmRun.FAIL_ENTRY_REASON),
            Map.entry("offsetof(struct kvm_run, internal.suberror)", KvmRun.INTERNAL_SUBERROR),
            Map.entry("offsetof(struct kvm_run, internal.ndata)", KvmRun.INTERNAL_NDATA),
            Map.entry("offsetof(struct kvm_run, internal.data)", KvmRun.INTERNAL_DATA),
            Map.entry("offsetof(struct kvm_run, system_event.type)", KvmRun.SYSTEM_EVENT_TYPE),
            Map.entry("offsetof(struct kvm_run, kvm_valid_regs)", KvmRun.KVM_VALID_REGS),
            Map.entry("offsetof(struct kvm_run, kvm_dirty_regs)", KvmRun.KVM_DIRTY_REGS),
            Map.entry("offsetof(struct kvm_run, s.regs)", KvmRun.SYNC_REGS),
            Map.entry("offsetof(struct kvm_run, s.regs.sregs)", KvmRun.SYNC_SREGS),
            Map.entry("offsetof(struct kvm_run, s.regs.events)", KvmRun.SYNC_EVENTS),
            Map.entry("sizeof(struct kvm_regs)", KvmRegs.SIZE),
            Map.entry("offsetof(struct kvm_regs, rax)", KvmRegs.RAX),
            Map.entry("offsetof(struct kvm_regs, rbx)", KvmRegs.RBX),
            Map.entry("offsetof(struct kvm_regs, rcx)", KvmRegs.RCX),
            Map.entry("offsetof(struct kvm_regs, rdx)", KvmRegs.RDX),
            Map.entry("offsetof(struct kvm_regs, rsi)", KvmRegs.RSI),
            Map.entry("offsetof(struct kvm_regs, rdi)", KvmRegs.RDI),
            Map.entry("offsetof(struct kvm_regs, rsp)", KvmRegs.RSP),
            Map.entry("offsetof(struct kvm_regs, rbp)", KvmRegs.RBP),
            Map.entry("offsetof(struct kvm_regs, r8)", KvmRegs.R8),
            Map.entry("offsetof(struct kvm_regs, r9)", KvmRegs.R9),
            Map.entry("offsetof(struct kvm_regs, r10)", KvmRegs.R10),
            Map.entry("offsetof(struct kvm_regs, r15)", KvmRegs.R15),
            Map.entry("offsetof(struct kvm_regs, rip)", KvmRegs.RIP),
            Map.entry("offsetof(struct kvm_regs, rflags)", KvmRegs.RFLAGS),
            Map.entry("sizeof(struct kvm_segment)", KvmSegment.SIZE),
            Map.entry("offsetof(struct kvm_segment, base)", KvmSegment.BASE),
            Map.entry("offsetof(struct kvm_segment, limit)", KvmSegment.LIMIT),
            Map.entry("offsetof(struct kvm_segment, selector)", KvmSegment.SELECTOR),
            Map.entry("offsetof(struct kvm_segment, type)", KvmSegment.TYPE),
            Map.entry("offsetof(struct kvm_segment, present)", KvmSegment.PRESENT),
            Map.entry("offsetof(struct kvm_segment, dpl)", KvmSegment.DPL),
            Map.entry("offsetof(struct kvm_segment, db)", KvmSegment.DB),
            Map.entry("offsetof(struct kvm_segment, s)", KvmSegment.S),
            Map.entry("offsetof(struct kvm_segment, l)", KvmSegment.L),
            Map.entry("offsetof(struct kvm_segment, g)", KvmSegment.G),
            Map.entry("offsetof(struct kvm_segment, avl)", KvmSegment.AVL),
            Map.entry("offsetof(struct kvm_segment, unusable)", KvmSegment.UNUSABLE),
            Map.entry("sizeof(struct kvm_dtable)", KvmSregs.DTABLE.byteSize()),
            Map.entry("sizeof(struct kvm_sregs)", KvmSregs.SIZE),
            Map.entry("offsetof(struct kvm_sregs, cs)", KvmSregs.CS),
            Map.entry("offsetof(struct kvm_sregs, ds)", KvmSregs.DS),
            Map.entry("offsetof(struct kvm_sregs, es)", KvmSregs.ES),
            Map.entry("offsetof(struct kvm_sregs, fs)", KvmSregs.FS),
            Map.entry("offsetof(struct kvm_sregs, gs)", KvmSregs.GS),
            Map.entry("offsetof(struct kvm_sregs, ss)", KvmSregs.SS),
            Map.entry("offsetof(struct kvm_sregs, tr)", KvmSregs.TR),
            Map.entry("offsetof(struct kvm_sregs, ldt)", KvmSregs.LDT),
            Map.entry("offsetof(struct kvm_sregs, gdt)", KvmSregs.GDT),
            Map.entry("offsetof(struct kvm_sregs, idt)", KvmSregs.IDT),
            Map.entry("offsetof(struct kvm_sregs, cr0)", KvmSregs.CR0),
            Map.entry("offsetof(struct kvm_sregs, cr2)", KvmSregs.CR2),
            Map.entry("offsetof(struct kvm_sregs, cr3)", KvmSregs.CR3),
            Map.entry("offsetof(struct kvm_sregs, cr4)", KvmSregs.CR4),
            Map.entry("offsetof(struct kvm_sregs, cr8)", KvmSregs.CR8),
            Map.entry("offsetof(struct kvm_sregs, efer)", KvmSregs.EFER),
            Map.entry("offsetof(struct kvm_sregs, apic_base)", KvmSregs.APIC_BASE),
            Map.entry("offsetof(struct kvm_sregs, interrupt_bitmap)", KvmSregs.INTERRUPT_BITMAP),
            Map.entry("sizeof(struct kvm_cpuid2)", KvmCpuid2.HEADER_SIZE),
            Map.entry("sizeof(struct kvm_cpuid_entry2)", KvmCpuid2.ENTRY_SIZE),
            Map.entry("offsetof(struct kvm_cpuid_entry2, function)", KvmCpuid2.FUNCTION),
            Map.entry("offsetof(struct kvm_cpuid_entry2, index)", KvmCpuid2.INDEX),
            Map.entry("offsetof(struct kvm_cpuid_entry2, flags)", KvmCpuid2.FLAGS),
            Map.entry("offsetof(struct kvm_cpuid_entry2, eax)", KvmCpuid2.EAX),
            Map.entry("offsetof(struct kvm_cpuid_entry2, ebx)", KvmCpuid2.EBX),
            Map.entry("offsetof(struct kvm_cpuid_entry2, ecx)", KvmCpuid2.ECX),
            Map.entry("offsetof(struct kvm_cpuid_entry2, edx)", KvmCpuid2.EDX),
            Map.entry("sizeof(struct kvm_userspace_memory_region)", KvmUserspaceMemoryRegion.SIZE),
            Map.entry("offsetof(struct kvm_userspace_memory_region, slot)", KvmUserspaceMemoryRegion.SLOT),
            Map.entry("offsetof(struct kvm_userspace_memory_region, flags)", KvmUserspaceMemoryRegion.FLAGS),
            Map.entry("offsetof(struct kvm_userspace_memory_region, guest_phys_addr)", KvmUserspaceMemoryRegion.GUEST_PHYS_ADDR),
            Map.entry("offsetof(struct kvm_userspace_memory_region, memory_size)", KvmUserspaceMemoryRegion.MEMORY_SIZE),
            Map.entry("offsetof(struct kvm_userspace_memory_region, userspace_addr)", KvmUserspaceMemoryRegion.USERSPACE_ADDR),
            Map.entry("sizeof(struct kvm_enable_cap)", KvmEnableCap.SIZE),
            Map.entry("offsetof(struct kvm_enable_cap, cap)", KvmEnableCap.CAP),
            Map.entry("offsetof(struct kvm_enable_cap, flags)", KvmEnableCap.FLAGS),
            Map.entry("offsetof(struct kvm_enable_cap, args)", KvmEnableCap.ARGS),
            Map.entry("KVM_GET_API_VERSION", KvmIoctls.KVM_GET_API_VERSION),
            Map.entry("KVM_CREATE_VM", KvmIoctls.KVM_CREATE_VM),
            Map.entry("KVM_CHECK_EXTENSION", KvmIoctls.KVM_CHECK_EXTENSION),
            Map.entry("KVM_GET_VCPU_MMAP_SIZE", KvmIoctls.KVM_GET_VCPU_MMAP_SIZE),
            Map.entry("KVM_GET_SUPPORTED_CPUID", KvmIoctls.KVM_GET_SUPPORTED_CPUID),
            Map.entry("KVM_CREATE_VCPU", KvmIoctls.KVM_CREATE_VCPU),
            Map.entry("KVM_SET_USER_MEMORY_REGION", KvmIoctls.KVM_SET_USER_MEMORY_REGION),
            Map.entry("KVM_SET_TSS_ADDR", KvmIoctls.KVM_SET_TSS_ADDR),
            Map.entry("KVM_RUN", KvmIoctls.KVM_RUN),
            Map.entry("KVM_GET_REGS", KvmIoctls.KVM_GET_REGS),
            Map.entry("KVM_SET_REGS", KvmIoctls.KVM_SET_REGS),
            Map.entry("KVM_GET_SREGS", KvmIoctls.KVM_GET_SREGS),
            Map.entry("KVM_SET_SREGS", KvmIoctls.KVM_SET_SREGS),
            Map.entry("KVM_SET_CPUID2", KvmIoctls.KVM_SET_CPUID2),
            Map.entry("KVM_ENABLE_CAP", KvmIoctls.KVM_ENABLE_CAP),
            Map.entry("KVM_GET_TSC_KHZ", KvmIoctls.KVM_GET_TSC_KHZ));

    @Test
    void everyProbedNumberMatchesTheBinding() {
        Map<String, Long> probed = parse(PROBE_OUTPUT);
        assertEquals(BINDINGS.keySet(), probed.keySet(), "every probe line has a binding and every binding a probe line");
        probed.forEach((name, value) -> assertEquals(value, BINDINGS.get(name), name));
    }

    @Test
    void ioctlNumbersFollowTheIocEncoding() {
        // <asm-generic/ioctl.h>: dir << 30 | size << 16 | type << 8 | nr; _IOW dir 1, _IOR 2, _IOWR 3.
        assertEquals(ioc(1, KvmUserspaceMemoryRegion.SIZE, 0x46), KvmIoctls.KVM_SET_USER_MEMORY_REGION);
        assertEquals(ioc(2, KvmRegs.SIZE, 0x81), KvmIoctls.KVM_GET_REGS);
        assertEquals(ioc(1, KvmSregs.SIZE, 0x84), KvmIoctls.KVM_SET_SREGS);
        assertEquals(ioc(1, KvmCpuid2.HEADER_SIZE, 0x90), KvmIoctls.KVM_SET_CPUID2);
        assertEquals(ioc(1, KvmEnableCap.SIZE, 0xa3), KvmIoctls.KVM_ENABLE_CAP);
        assertEquals(ioc(3, KvmCpuid2.HEADER_SIZE, 0x05), KvmIoctls.KVM_GET_SUPPORTED_CPUID);
        // struct kvm_interrupt { __u32 irq; }: _IOW(KVMIO, 0x86, struct kvm_interrupt).
        assertEquals(ioc(1, 4, 0x86), KvmIoctls.KVM_INTERRUPT);
    }

    private static long ioc(int dir, long size, int nr) {
        return (long) dir << 30 | size << 16 | 0xAEL << 8 | nr;
    }

    /** "name value" lines; values in decimal, or hex with 0x. */
    private static Map<String, Long> parse(String output) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : List.of(output.strip().split("\n"))) {
            int space = line.lastIndexOf(' ');
            String value = line.substring(space + 1);
            m.put(line.substring(0, space), value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value));
        }
        return m;
    }
}
