package dev.hcdiff.trace.abi;

import java.util.Optional;

/**
 * Xen hypercall numbers, as {@code xen/include/public/xen.h} defines them ({@code __HYPERVISOR_*},
 * Xen 4.17). Names are the header's without the prefix, so {@code event_channel_op} is
 * {@code __HYPERVISOR_event_channel_op}.
 */
public enum XenHypercall {
    SET_TRAP_TABLE(0, "set_trap_table"),
    MMU_UPDATE(1, "mmu_update"),
    SET_GDT(2, "set_gdt"),
    STACK_SWITCH(3, "stack_switch"),
    SET_CALLBACKS(4, "set_callbacks"),
    FPU_TASKSWITCH(5, "fpu_taskswitch"),
    SCHED_OP_COMPAT(6, "sched_op_compat"),
    PLATFORM_OP(7, "platform_op"),
    SET_DEBUGREG(8, "set_debugreg"),
    GET_DEBUGREG(9, "get_debugreg"),
    UPDATE_DESCRIPTOR(10, "update_descriptor"),
    MEMORY_OP(12, "memory_op"),
    MULTICALL(13, "multicall"),
    UPDATE_VA_MAPPING(14, "update_va_mapping"),
    SET_TIMER_OP(15, "set_timer_op"),
    EVENT_CHANNEL_OP_COMPAT(16, "event_channel_op_compat"),
    XEN_VERSION(17, "xen_version"),
    CONSOLE_IO(18, "console_io"),
    PHYSDEV_OP_COMPAT(19, "physdev_op_compat"),
    GRANT_TABLE_OP(20, "grant_table_op"),
    VM_ASSIST(21, "vm_assist"),
    UPDATE_VA_MAPPING_OTHERDOMAIN(22, "update_va_mapping_otherdomain"),
    IRET(23, "iret"),
    VCPU_OP(24, "vcpu_op"),
    SET_SEGMENT_BASE(25, "set_segment_base"),
    MMUEXT_OP(26, "mmuext_op"),
    XSM_OP(27, "xsm_op"),
    NMI_OP(28, "nmi_op"),
    SCHED_OP(29, "sched_op"),
    CALLBACK_OP(30, "callback_op"),
    XENOPROF_OP(31, "xenoprof_op"),
    EVENT_CHANNEL_OP(32, "event_channel_op"),
    PHYSDEV_OP(33, "physdev_op"),
    HVM_OP(34, "hvm_op"),
    SYSCTL(35, "sysctl"),
    DOMCTL(36, "domctl"),
    KEXEC_OP(37, "kexec_op"),
    TMEM_OP(38, "tmem_op"),
    ARGO_OP(39, "argo_op"),
    XENPMU_OP(40, "xenpmu_op"),
    DM_OP(41, "dm_op"),
    HYPFS_OP(42, "hypfs_op");

    private final int number;
    private final String xenName;

    XenHypercall(int number, String xenName) {
        this.number = number;
        this.xenName = xenName;
    }

    /** The hypercall number (rax/eax). */
    public int number() {
        return number;
    }

    /** Xen's name without {@code __HYPERVISOR_}, e.g. {@code "event_channel_op"}. */
    public String xenName() {
        return xenName;
    }

    private static final XenHypercall[] BY_NUMBER = new XenHypercall[64];

    static {
        for (XenHypercall h : values()) {
            BY_NUMBER[h.number] = h;
        }
    }

    /** The hypercall with this number, if Xen defines one. */
    public static Optional<XenHypercall> byNumber(long number) {
        return number >= 0 && number < BY_NUMBER.length ? Optional.ofNullable(BY_NUMBER[(int) number]) : Optional.empty();
    }

    /** The hypercall with this Xen name, if any. */
    public static Optional<XenHypercall> byName(String name) {
        for (XenHypercall h : values()) {
            if (h.xenName.equals(name)) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }
}
