package dev.hcdiff.recorder.guest;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.kvm.KvmRegs;
import dev.hcdiff.recorder.kvm.KvmSregs;
import dev.hcdiff.recorder.kvm.VcpuFd;
import dev.hcdiff.recorder.vmm.GuestRam;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Puts a vCPU into flat 32-bit protected mode without paging, for ELF32 images (how hvmloader is
 * entered: xen-abi.md §8.3): the boot GDT with a 32-bit code segment, CR0.PE, RIP = entry,
 * ESP = {@link BootLayout#STACK_TOP}, EBX = the guest argument.
 */
public final class ProtectedModeBoot {

    private ProtectedModeBoot() {
    }

    /** CR0: PE (bit 0), MP (1), ET (4), NE (5) (Intel SDM vol. 3 §2.5); no paging. */
    static final long CR0 = 1L | 1L << 1 | 1L << 4 | 1L << 5;

    public static void boot(GuestRam ram, VcpuFd vcpu, long entry, long arg) {
        try {
            Gdt.write(ram);
        } catch (GuestFault e) {
            throw new IllegalStateException("the GDT must fit in RAM: " + e.getMessage(), e);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sregs = arena.allocate(KvmSregs.LAYOUT);
            vcpu.getSregs(sregs);
            Gdt.load(sregs, false);
            KvmSregs.cr0(sregs, CR0);
            KvmSregs.cr3(sregs, 0);
            KvmSregs.cr4(sregs, 0);
            KvmSregs.efer(sregs, 0);
            vcpu.setSregs(sregs);

            MemorySegment regs = arena.allocate(KvmRegs.LAYOUT);
            KvmRegs.rip(regs, entry);
            KvmRegs.rsp(regs, BootLayout.STACK_TOP);
            KvmRegs.set(regs, KvmRegs.RBX, arg & 0xFFFF_FFFFL);
            KvmRegs.rflags(regs, KvmRegs.RFLAGS_RESERVED);
            vcpu.setRegs(regs);
        }
    }
}
