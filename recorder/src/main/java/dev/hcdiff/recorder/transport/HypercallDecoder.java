package dev.hcdiff.recorder.transport;

import dev.hcdiff.recorder.kvm.KvmRegs;
import dev.hcdiff.recorder.kvm.KvmSegment;
import dev.hcdiff.recorder.kvm.KvmSregs;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Hypercall;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Turns the registers at a transport exit into a {@link Hypercall}, by the guest's mode as Xen's
 * {@code hvm_hypercall()} ({@code xen/arch/x86/hvm/hypercall.c}) decides it: long mode with
 * CS.L = 1 is the 64-bit convention, anything else (32-bit, 16-bit, real mode, compat segments)
 * the 32-bit one. The one place that knows the register conventions: a stub in a Hyper-V page
 * ({@link TransportPages}) decodes as {@link Abi#HV64}, legal only from 64-bit code at CPL 0
 * ({@link #hvRefusal}).
 */
public final class HypercallDecoder {

    private HypercallDecoder() {
    }

    /** IA32_EFER.LMA, bit 10 (Intel SDM vol. 3 §2.2.1). */
    private static final long EFER_LMA = 1L << 10;
    private static final long LOW32 = 0xFFFF_FFFFL;

    /** CR0.PE, bit 0 (Intel SDM vol. 3 §2.5). */
    private static final long CR0_PE = 1L;
    /** RFLAGS.VM, bit 17 (Intel SDM vol. 1 §3.4.3). */
    private static final long RFLAGS_VM = 1L << 17;

    /**
     * The vCPU's mode as Xen's {@code hvm_guest_x86_mode()} sees it: real without CR0.PE, vm86
     * with RFLAGS.VM, 64-bit with EFER.LMA and CS.L, else 32- or 16-bit by CS.D/B.
     */
    public static CpuMode modeOf(MemorySegment regs, MemorySegment sregs) {
        if ((KvmSregs.cr0(sregs) & CR0_PE) == 0) {
            return CpuMode.REAL;
        }
        if ((regs.get(JAVA_LONG, KvmRegs.RFLAGS) & RFLAGS_VM) != 0) {
            return CpuMode.VM86;
        }
        if ((KvmSregs.efer(sregs) & EFER_LMA) != 0 && KvmSegment.l(sregs, KvmSregs.CS)) {
            return CpuMode.LONG64;
        }
        return KvmSegment.db(sregs, KvmSregs.CS) ? CpuMode.PROTECTED32 : CpuMode.PROTECTED16;
    }

    /** The ABI of a Xen call made in this mode: the 64-bit one only from 64-bit code (hvm_hypercall()). */
    public static Abi abiOf(CpuMode mode) {
        return mode == CpuMode.LONG64 ? Abi.XEN64 : Abi.XEN32;
    }

    /** Decodes the call in {@code regs} (a kvm_regs) made in mode {@code abi}. */
    public static Hypercall decode(int vcpu, Abi abi, MemorySegment regs) {
        return switch (abi) {
            // Xen 64-bit: nr rax; args rdi rsi rdx r10 r8 r9.
            case XEN64 -> new Hypercall(vcpu, abi, reg(regs, KvmRegs.RAX), new long[] {
                    reg(regs, KvmRegs.RDI), reg(regs, KvmRegs.RSI), reg(regs, KvmRegs.RDX),
                    reg(regs, KvmRegs.R10), reg(regs, KvmRegs.R8), reg(regs, KvmRegs.R9)});
            // Xen 32-bit: nr eax; args ebx ecx edx esi edi ebp.
            case XEN32 -> new Hypercall(vcpu, abi, reg(regs, KvmRegs.RAX) & LOW32, new long[] {
                    reg(regs, KvmRegs.RBX) & LOW32, reg(regs, KvmRegs.RCX) & LOW32, reg(regs, KvmRegs.RDX) & LOW32,
                    reg(regs, KvmRegs.RSI) & LOW32, reg(regs, KvmRegs.RDI) & LOW32, reg(regs, KvmRegs.RBP) & LOW32});
            // Hyper-V x64 (TLFS "Hypercall Inputs", register mapping): input value rcx, input GPA
            // or fast parameter 1 rdx, output GPA or fast parameter 2 r8. XMM fast input is not
            // decoded: the record carries the two-register form only, then four zeros (Hypercall).
            case HV64 -> new Hypercall(vcpu, abi, reg(regs, KvmRegs.RCX), new long[] {
                    reg(regs, KvmRegs.RDX), reg(regs, KvmRegs.R8), 0, 0, 0, 0});
        };
    }

    /**
     * Why a Hyper-V hypercall cannot be served as {@link Abi#HV64} in this mode and privilege
     * level, or null when it can. TLFS "Legal Hypercall Environments": hypercalls are legal only
     * from protected mode at CPL 0; real mode (and vm86, which runs at CPL 3) or CPL &gt; 0 raise
     * #UD, which the recorder cannot inject into a stub yet. 32-bit and 16-bit protected mode at
     * CPL 0 are legal with the x86 register mapping (EDX:EAX …), which the trace has no ABI for.
     *
     * @param cpl the current privilege level (SS.DPL, as KVM's {@code vmx_get_cpl()} reads it)
     */
    public static String hvRefusal(CpuMode mode, int cpl) {
        return switch (mode) {
            case REAL, VM86 -> "Hyper-V hypercall from " + mode.textName() + " mode: the TLFS raises #UD"
                    + " (Legal Hypercall Environments), which the recorder cannot inject yet";
            case PROTECTED16, PROTECTED32 -> cpl != 0 ? atCpl(cpl)
                    : "Hyper-V hypercall from " + mode.textName() + " mode at CPL 0: legal (TLFS x86 register"
                    + " mapping EDX:EAX) but the recorder decodes only the x64 convention (hv64)";
            case LONG64 -> cpl != 0 ? atCpl(cpl) : null;
        };
    }

    private static String atCpl(int cpl) {
        return "Hyper-V hypercall at CPL " + cpl + ": the TLFS raises #UD (Legal Hypercall Environments),"
                + " which the recorder cannot inject yet";
    }

    /** The value to put in rax for a result under {@code abi}: eax zero-extended for 32-bit callers. */
    public static long resultRegister(Abi abi, long result) {
        return abi == Abi.XEN32 ? result & LOW32 : result;
    }

    private static long reg(MemorySegment regs, long offset) {
        return regs.get(JAVA_LONG, offset);
    }
}
