package dev.hcdiff.oracle.xen.abi;

/**
 * Constants of {@code xen/include/public/xen.h} (Xen 4.17.7) that the model needs: domain ids,
 * VIRQ numbers, console_io and vm_assist commands. Hypercall numbers are
 * {@link dev.hcdiff.trace.abi.XenHypercall}; sub-op names are {@link dev.hcdiff.trace.abi.XenSubOps}.
 * Names are Xen's, so a reader can grep Xen for them.
 */
public final class XenH {

    private XenH() {
    }

    /** xen.h DOMID_FIRST_RESERVED: ids from here on are not real domains. */
    public static final int DOMID_FIRST_RESERVED = 0x7FF0;
    /** xen.h DOMID_SELF: the calling domain; accepted by rcu_lock_domain_by_any_id() only. */
    public static final int DOMID_SELF = 0x7FF0;
    /** xen.h DOMID_IO. */
    public static final int DOMID_IO = 0x7FF1;
    /** xen.h DOMID_XEN. */
    public static final int DOMID_XEN = 0x7FF2;
    /** xen.h DOMID_COW. */
    public static final int DOMID_COW = 0x7FF3;
    /** xen.h DOMID_INVALID. */
    public static final int DOMID_INVALID = 0x7FF4;
    /** xen.h DOMID_IDLE. */
    public static final int DOMID_IDLE = 0x7FFF;

    /** xen.h VIRQ_TIMER (per-vCPU, "V."). */
    public static final int VIRQ_TIMER = 0;
    /** xen.h VIRQ_DEBUG (per-vCPU). */
    public static final int VIRQ_DEBUG = 1;
    /** xen.h VIRQ_CONSOLE (global, "G."). */
    public static final int VIRQ_CONSOLE = 2;
    /** xen.h VIRQ_DOM_EXC (global). */
    public static final int VIRQ_DOM_EXC = 3;
    /** xen.h VIRQ_TBUF (global). */
    public static final int VIRQ_TBUF = 4;
    /** xen.h VIRQ_DEBUGGER (global). */
    public static final int VIRQ_DEBUGGER = 6;
    /** xen.h VIRQ_XENOPROF (per-vCPU). */
    public static final int VIRQ_XENOPROF = 7;
    /** xen.h VIRQ_CON_RING (global). */
    public static final int VIRQ_CON_RING = 8;
    /** xen.h VIRQ_PCPU_STATE (global). */
    public static final int VIRQ_PCPU_STATE = 9;
    /** xen.h VIRQ_MEM_EVENT (global). */
    public static final int VIRQ_MEM_EVENT = 10;
    /** xen.h VIRQ_ARGO (global). */
    public static final int VIRQ_ARGO = 11;
    /** xen.h VIRQ_ENOMEM (global). */
    public static final int VIRQ_ENOMEM = 12;
    /** xen.h VIRQ_XENPMU (per-vCPU). */
    public static final int VIRQ_XENPMU = 13;
    /** xen.h VIRQ_ARCH_0; VIRQ_ARCH_0..7 are 16..23, all global on x86 (arch_virq_is_global()). */
    public static final int VIRQ_ARCH_0 = 16;
    /** xen.h NR_VIRQS. */
    public static final int NR_VIRQS = 24;

    /**
     * Whether a VIRQ is per-vCPU: {@code xen/common/event_channel.c virq_is_global()} returns false
     * for TIMER, DEBUG, XENOPROF and XENPMU and true for everything else below NR_VIRQS, including
     * VIRQ_ARCH_* ({@code xen/arch/x86/include/asm/event.h arch_virq_is_global()} is always true).
     */
    public static boolean virqIsPerVcpu(int virq) {
        return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
    }

    /** xen.h CONSOLEIO_write. */
    public static final int CONSOLEIO_write = 0;
    /** xen.h CONSOLEIO_read. */
    public static final int CONSOLEIO_read = 1;

    /** xen.h VMASST_CMD_enable. */
    public static final int VMASST_CMD_enable = 0;
    /** xen.h VMASST_CMD_disable. */
    public static final int VMASST_CMD_disable = 1;
    /** xen.h VMASST_TYPE_runstate_update_flag: the only type an HVM guest may use (HVM_VM_ASSIST_MASK). */
    public static final int VMASST_TYPE_runstate_update_flag = 5;

    /** xen.h MMU_UPDATE_PREEMPTED (bit 31 of the count of mmu_update/mmuext_op). */
    public static final int MMU_UPDATE_PREEMPTED = 0x80000000;

    /** xen.h XEN_LEGACY_MAX_VCPUS: vCPUs whose vcpu_info lives inside shared_info. */
    public static final int XEN_LEGACY_MAX_VCPUS = 32;

    /** Page size of x86 Xen guests ({@code PAGE_SIZE}, also what XENVER_pagesize returns). */
    public static final int PAGE_SIZE = 4096;
}
