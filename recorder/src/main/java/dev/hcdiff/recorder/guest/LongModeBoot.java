package dev.hcdiff.recorder.guest;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.kvm.KvmRegs;
import dev.hcdiff.recorder.kvm.KvmSregs;
import dev.hcdiff.recorder.kvm.VcpuFd;
import dev.hcdiff.recorder.vmm.GuestRam;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Puts a vCPU straight into 64-bit long mode (as Firecracker's {@code setup_sregs} and KVM
 * selftests' {@code vcpu_setup} do): a GDT with a 64-bit code segment, identity page tables with
 * 2 MiB pages over all of RAM, CR0/CR4/EFER for long mode, RIP = entry, RSP = {@link
 * BootLayout#STACK_TOP}, RDI = the guest argument (System V first argument, so the kit's
 * {@code guest_main(arg)} gets it).
 */
public final class LongModeBoot {

    private LongModeBoot() {
    }

    /** CR0: PE (bit 0), MP (1), ET (4), NE (5), WP (16), PG (31) (Intel SDM vol. 3 §2.5). */
    static final long CR0 = 1L | 1L << 1 | 1L << 4 | 1L << 5 | 1L << 16 | 1L << 31;
    /** CR4: PAE (bit 5), OSFXSR (9), OSXMMEXCPT (10) (Intel SDM vol. 3 §2.5). */
    static final long CR4 = 1L << 5 | 1L << 9 | 1L << 10;
    /** IA32_EFER: LME (bit 8) and LMA (10) (Intel SDM vol. 3 §2.2.1). */
    static final long EFER = 1L << 8 | 1L << 10;
    /** Paging-entry flags: P (bit 0), R/W (1); PS (7) for a 2 MiB page (Intel SDM vol. 3 §4.5). */
    static final long TABLE_FLAGS = 0x3;
    static final long PAGE_2M_FLAGS = 0x83;
    static final long GIB = 1L << 30;
    static final long PAGE_2M = 2L << 20;

    /** Writes the GDT and page tables into RAM and sets the vCPU's registers. */
    public static void boot(GuestRam ram, VcpuFd vcpu, long entry, long arg) {
        int pds = (int) ((ram.lowRamEnd() + GIB - 1) / GIB);
        if (pds > BootLayout.MAX_PDS) {
            throw new IllegalArgumentException("guest RAM of " + ram.lowRamEnd() + " bytes needs " + pds
                    + " page directories, the boot area has room for " + BootLayout.MAX_PDS);
        }
        try {
            Gdt.write(ram);
            ram.writeLong(BootLayout.PML4, BootLayout.PDPT | TABLE_FLAGS);
            for (int i = 0; i < pds; i++) {
                ram.writeLong(BootLayout.PDPT + 8L * i, BootLayout.PD + 4096L * i | TABLE_FLAGS);
            }
            for (long gpa = 0; gpa < ram.lowRamEnd(); gpa += PAGE_2M) {
                ram.writeLong(BootLayout.PD + gpa / PAGE_2M * 8, gpa | PAGE_2M_FLAGS);
            }
        } catch (GuestFault e) {
            throw new IllegalStateException("boot structures must fit in RAM: " + e.getMessage(), e);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sregs = arena.allocate(KvmSregs.LAYOUT);
            vcpu.getSregs(sregs);
            Gdt.load(sregs, true);
            KvmSregs.cr0(sregs, CR0);
            KvmSregs.cr3(sregs, BootLayout.PML4);
            KvmSregs.cr4(sregs, CR4);
            KvmSregs.efer(sregs, EFER);
            vcpu.setSregs(sregs);

            MemorySegment regs = arena.allocate(KvmRegs.LAYOUT);
            KvmRegs.rip(regs, entry);
            KvmRegs.rsp(regs, BootLayout.STACK_TOP);
            KvmRegs.rdi(regs, arg);
            KvmRegs.rflags(regs, KvmRegs.RFLAGS_RESERVED);
            vcpu.setRegs(regs);
        }
    }
}
