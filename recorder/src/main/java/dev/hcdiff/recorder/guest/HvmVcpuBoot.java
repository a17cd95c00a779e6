package dev.hcdiff.recorder.guest;

import dev.hcdiff.recorder.kvm.KvmRegs;
import dev.hcdiff.recorder.kvm.KvmSegment;
import dev.hcdiff.recorder.kvm.KvmSregs;
import dev.hcdiff.recorder.kvm.VcpuFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The boot vCPU state libxc gives an HVM firmware or PVH image ({@code tools/libs/guest/
 * xg_dom_x86.c: vcpu_hvm()}; the PVH contract is {@code docs/misc/pvh.pandoc}): 32-bit flat
 * protected mode with paging off. Fields {@code vcpu_hvm()} leaves at zero in its HVM context
 * record stay zero: selectors, GDTR/IDTR, FS/GS/LDTR (null, so unusable), every GPR but EBX.
 */
public final class HvmVcpuBoot {

    private HvmVcpuBoot() {
    }

    /** {@code vcpu_hvm()}: cr0 = X86_CR0_PE | X86_CR0_ET (bits 0 and 4, Intel SDM vol. 3 §2.5). */
    static final long CR0 = 1L | 1L << 4;
    /** {@code vcpu_hvm()}: cs_arbytes 0xc9b (32-bit execute/read code, accessed, P, D/B, G). */
    static final int CS_ATTR = 0xC9B;
    /** {@code vcpu_hvm()}: ds/es/ss_arbytes 0xc93 (read/write data, accessed, P, D/B, G). */
    static final int DATA_ATTR = 0xC93;
    /** {@code vcpu_hvm()}: tr_arbytes 0x8b (busy 32-bit TSS, P), tr_limit 0x67. */
    static final int TR_ATTR = 0x8B;
    static final int TR_LIMIT = 0x67;
    /** {@code vcpu_hvm()}: cs/ds/es/ss_limit ~0u. */
    static final int FLAT_LIMIT = 0xFFFF_FFFF;

    /**
     * Sets the vCPU's registers.
     *
     * @param entry     EIP: {@code e_entry} for firmware, the PHYS32_ENTRY note for PVH
     * @param startInfo EBX: the guest-physical address of {@code hvm_start_info}
     */
    public static void boot(VcpuFd vcpu, long entry, long startInfo) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sregs = arena.allocate(KvmSregs.LAYOUT);
            vcpu.getSregs(sregs);
            KvmSegment.writeXenAttributes(sregs, KvmSregs.CS, 0, FLAT_LIMIT, 0, CS_ATTR);
            for (long seg : new long[] {KvmSregs.DS, KvmSregs.ES, KvmSregs.SS}) {
                KvmSegment.writeXenAttributes(sregs, seg, 0, FLAT_LIMIT, 0, DATA_ATTR);
            }
            for (long seg : new long[] {KvmSregs.FS, KvmSregs.GS, KvmSregs.LDT}) {
                KvmSegment.writeXenAttributes(sregs, seg, 0, 0, 0, 0);
            }
            KvmSegment.writeXenAttributes(sregs, KvmSregs.TR, 0, TR_LIMIT, 0, TR_ATTR);
            KvmSregs.dtable(sregs, KvmSregs.GDT, 0, 0);
            KvmSregs.dtable(sregs, KvmSregs.IDT, 0, 0);
            KvmSregs.cr0(sregs, CR0);
            KvmSregs.cr3(sregs, 0);
            KvmSregs.cr4(sregs, 0);
            KvmSregs.efer(sregs, 0);
            vcpu.setSregs(sregs);

            MemorySegment regs = arena.allocate(KvmRegs.LAYOUT);
            KvmRegs.rip(regs, entry);
            KvmRegs.set(regs, KvmRegs.RBX, startInfo);
            // RFLAGS reset value: only the always-one bit 1, so IF, TF and VM are clear (pvh.pandoc).
            KvmRegs.rflags(regs, KvmRegs.RFLAGS_RESERVED);
            vcpu.setRegs(regs);
        }
    }
}
