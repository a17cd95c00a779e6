package dev.hcdiff.recorder.kvm;

import java.util.EnumSet;
import java.util.Set;

/** KVM capabilities the recorder checks, with their {@code KVM_CAP_*} numbers from {@code <linux/kvm.h>}. */
public enum KvmCap {
    /** {@code KVM_CAP_USER_MEMORY} 3: guest RAM from a user-space mapping. */
    USER_MEMORY(3, 1, "guest RAM in user-space memory"),
    /** {@code KVM_CAP_EXT_CPUID} 7: KVM_GET_SUPPORTED_CPUID / KVM_SET_CPUID2. */
    EXT_CPUID(7, 1, "setting the guest's CPUID table"),
    /**
     * {@code KVM_CAP_SYNC_REGS} 74: registers travel in kvm_run. The value is a mask; the recorder
     * needs {@code KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS} = 3 ({@code <asm/kvm.h>}).
     */
    SYNC_REGS(74, 3, "registers in kvm_run without an ioctl per exit"),
    /** {@code KVM_CAP_IMMEDIATE_EXIT} 136: the watchdog kicks a vCPU out of KVM_RUN. */
    IMMEDIATE_EXIT(136, 1, "kicking a vCPU out of KVM_RUN"),
    /** {@code KVM_CAP_X86_USER_SPACE_MSR} 188: MSR accesses exit to user space (the hypercall-page MSR). */
    X86_USER_SPACE_MSR(188, 1, "MSR exits to user space"),
    /** {@code KVM_CAP_XEN_HVM} 38: reported in the journal header only; hcdiff never uses in-kernel Xen. */
    XEN_HVM(38, 1, "in-kernel Xen HVM support"),
    /** {@code KVM_CAP_HYPERV} 44: reported only. */
    HYPERV(44, 1, "in-kernel Hyper-V support");

    /** What the recorder cannot run without. */
    public static final Set<KvmCap> RECORDER_REQUIRED =
            EnumSet.of(USER_MEMORY, EXT_CPUID, SYNC_REGS, IMMEDIATE_EXIT, X86_USER_SPACE_MSR);

    private final int number;
    private final int requiredMask;
    private final String purpose;

    KvmCap(int number, int requiredMask, String purpose) {
        this.number = number;
        this.requiredMask = requiredMask;
        this.purpose = purpose;
    }

    /** The {@code KVM_CAP_*} number. */
    public int number() {
        return number;
    }

    /** The bits KVM_CHECK_EXTENSION must report (1 = any non-zero value for boolean caps). */
    public int requiredMask() {
        return requiredMask;
    }

    public String purpose() {
        return purpose;
    }

    /** The header's name, e.g. {@code KVM_CAP_SYNC_REGS}. */
    public String capName() {
        return "KVM_CAP_" + name();
    }

    /** True when a KVM_CHECK_EXTENSION answer satisfies this capability. */
    public boolean satisfiedBy(int value) {
        return requiredMask == 1 ? value > 0 : (value & requiredMask) == requiredMask;
    }
}
