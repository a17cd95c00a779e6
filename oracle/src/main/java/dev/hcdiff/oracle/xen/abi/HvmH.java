package dev.hcdiff.oracle.xen.abi;

/**
 * Constants of {@code xen/include/public/hvm/hvm_op.h} and {@code xen/include/public/hvm/params.h}
 * (Xen 4.17.7) that the model needs. Names are Xen's.
 */
public final class HvmH {

    private HvmH() {
    }

    /** hvm_op.h HVMOP_set_param. */
    public static final int HVMOP_set_param = 0;
    /** hvm_op.h HVMOP_get_param. */
    public static final int HVMOP_get_param = 1;
    /** hvm_op.h HVMOP_flush_tlbs. */
    public static final int HVMOP_flush_tlbs = 5;
    /** hvm_op.h HVMOP_pagetable_dying. */
    public static final int HVMOP_pagetable_dying = 9;
    /** hvm_op.h HVMOP_get_time. */
    public static final int HVMOP_get_time = 10;
    /** hvm_op.h HVMOP_xentrace. */
    public static final int HVMOP_xentrace = 11;
    /** hvm_op.h HVMOP_get_mem_type. */
    public static final int HVMOP_get_mem_type = 15;
    /** hvm_op.h HVMOP_set_evtchn_upcall_vector. */
    public static final int HVMOP_set_evtchn_upcall_vector = 23;
    /** hvm_op.h HVMOP_guest_request_vm_event. */
    public static final int HVMOP_guest_request_vm_event = 24;
    /** hvm_op.h HVMOP_altp2m. */
    public static final int HVMOP_altp2m = 25;

    /** params.h HVM_PARAM_CALLBACK_IRQ. */
    public static final int HVM_PARAM_CALLBACK_IRQ = 0;
    /** params.h HVM_PARAM_STORE_PFN. */
    public static final int HVM_PARAM_STORE_PFN = 1;
    /** params.h HVM_PARAM_STORE_EVTCHN. */
    public static final int HVM_PARAM_STORE_EVTCHN = 2;
    /** params.h HVM_PARAM_PAE_ENABLED (deprecated). */
    public static final int HVM_PARAM_PAE_ENABLED = 4;
    /** params.h HVM_PARAM_IOREQ_PFN. */
    public static final int HVM_PARAM_IOREQ_PFN = 5;
    /** params.h HVM_PARAM_BUFIOREQ_PFN. */
    public static final int HVM_PARAM_BUFIOREQ_PFN = 6;
    /** params.h HVM_PARAM_VIRIDIAN. */
    public static final int HVM_PARAM_VIRIDIAN = 9;
    /** params.h HVM_PARAM_TIMER_MODE. */
    public static final int HVM_PARAM_TIMER_MODE = 10;
    /** params.h HVM_PARAM_HPET_ENABLED. */
    public static final int HVM_PARAM_HPET_ENABLED = 11;
    /** params.h HVM_PARAM_IDENT_PT. */
    public static final int HVM_PARAM_IDENT_PT = 12;
    /** params.h HVM_PARAM_DM_DOMAIN (deprecated). */
    public static final int HVM_PARAM_DM_DOMAIN = 13;
    /** params.h HVM_PARAM_ACPI_S_STATE. */
    public static final int HVM_PARAM_ACPI_S_STATE = 14;
    /** params.h HVM_PARAM_VM86_TSS. */
    public static final int HVM_PARAM_VM86_TSS = 15;
    /** params.h HVM_PARAM_VPT_ALIGN. */
    public static final int HVM_PARAM_VPT_ALIGN = 16;
    /** params.h HVM_PARAM_CONSOLE_PFN. */
    public static final int HVM_PARAM_CONSOLE_PFN = 17;
    /** params.h HVM_PARAM_CONSOLE_EVTCHN. */
    public static final int HVM_PARAM_CONSOLE_EVTCHN = 18;
    /** params.h HVM_PARAM_ACPI_IOPORTS_LOCATION. */
    public static final int HVM_PARAM_ACPI_IOPORTS_LOCATION = 19;
    /** params.h HVM_PARAM_MEMORY_EVENT_CR0 (deprecated). */
    public static final int HVM_PARAM_MEMORY_EVENT_CR0 = 20;
    /** params.h HVM_PARAM_MEMORY_EVENT_CR3 (deprecated). */
    public static final int HVM_PARAM_MEMORY_EVENT_CR3 = 21;
    /** params.h HVM_PARAM_MEMORY_EVENT_CR4 (deprecated). */
    public static final int HVM_PARAM_MEMORY_EVENT_CR4 = 22;
    /** params.h HVM_PARAM_MEMORY_EVENT_INT3 (deprecated). */
    public static final int HVM_PARAM_MEMORY_EVENT_INT3 = 23;
    /** params.h HVM_PARAM_NESTEDHVM (deprecated). */
    public static final int HVM_PARAM_NESTEDHVM = 24;
    /** params.h HVM_PARAM_MEMORY_EVENT_SINGLE_STEP (deprecated). */
    public static final int HVM_PARAM_MEMORY_EVENT_SINGLE_STEP = 25;
    /** params.h HVM_PARAM_BUFIOREQ_EVTCHN (deprecated). */
    public static final int HVM_PARAM_BUFIOREQ_EVTCHN = 26;
    /** params.h HVM_PARAM_PAGING_RING_PFN. */
    public static final int HVM_PARAM_PAGING_RING_PFN = 27;
    /** params.h HVM_PARAM_MONITOR_RING_PFN. */
    public static final int HVM_PARAM_MONITOR_RING_PFN = 28;
    /** params.h HVM_PARAM_SHARING_RING_PFN. */
    public static final int HVM_PARAM_SHARING_RING_PFN = 29;
    /** params.h HVM_PARAM_MEMORY_EVENT_MSR (deprecated). */
    public static final int HVM_PARAM_MEMORY_EVENT_MSR = 30;
    /** params.h HVM_PARAM_TRIPLE_FAULT_REASON. */
    public static final int HVM_PARAM_TRIPLE_FAULT_REASON = 31;
    /** params.h HVM_PARAM_IOREQ_SERVER_PFN. */
    public static final int HVM_PARAM_IOREQ_SERVER_PFN = 32;
    /** params.h HVM_PARAM_NR_IOREQ_SERVER_PAGES. */
    public static final int HVM_PARAM_NR_IOREQ_SERVER_PAGES = 33;
    /** params.h HVM_PARAM_VM_GENERATION_ID_ADDR. */
    public static final int HVM_PARAM_VM_GENERATION_ID_ADDR = 34;
    /** params.h HVM_PARAM_ALTP2M. */
    public static final int HVM_PARAM_ALTP2M = 35;
    /** params.h HVM_PARAM_X87_FIP_WIDTH. */
    public static final int HVM_PARAM_X87_FIP_WIDTH = 36;
    /** params.h HVM_PARAM_VM86_TSS_SIZED. */
    public static final int HVM_PARAM_VM86_TSS_SIZED = 37;
    /** params.h HVM_PARAM_MCA_CAP. */
    public static final int HVM_PARAM_MCA_CAP = 38;
    /** params.h HVM_NR_PARAMS. */
    public static final int HVM_NR_PARAMS = 39;

    /** params.h HVM_PARAM_CALLBACK_IRQ_TYPE_MASK: the callback type is bits 63:56. */
    public static final int HVM_PARAM_CALLBACK_TYPE_SHIFT = 56;
    /** params.h HVM_PARAM_CALLBACK_TYPE_GSI. */
    public static final int HVM_PARAM_CALLBACK_TYPE_GSI = 0;
    /** params.h HVM_PARAM_CALLBACK_TYPE_PCI_INTX. */
    public static final int HVM_PARAM_CALLBACK_TYPE_PCI_INTX = 1;
    /** params.h HVM_PARAM_CALLBACK_TYPE_VECTOR. */
    public static final int HVM_PARAM_CALLBACK_TYPE_VECTOR = 2;

    /** params.h HVMPTM_one_missed_tick_pending: the largest TIMER_MODE. */
    public static final int HVMPTM_one_missed_tick_pending = 3;
    /** params.h HVMPTM_no_delay_for_missed_ticks: libxl's default timer_mode. */
    public static final int HVMPTM_no_delay_for_missed_ticks = 1;

    /**
     * xen/arch/x86/include/asm/hvm/domain.h VM86_TSS_UPDATED (1ULL &lt;&lt; 63): Xen's internal
     * "reload the TSS" mark in HVM_PARAM_VM86_TSS_SIZED, masked off on get.
     */
    public static final long VM86_TSS_UPDATED = 1L << 63;
    /** sizeof(struct tss32) (xen/arch/x86/include/asm/processor.h): the smallest VM86 TSS size. */
    public static final int TSS32_SIZE = 104;
    /** hvm.c hvm_set_param(): the largest useful VM86 TSS, tss32 + 256-bit redirection map + 64 Kib I/O map + 1. */
    public static final long VM86_TSS_MAX_SIZE = TSS32_SIZE + 0x100 / 8 + 0x10000 / 8 + 1;
    /** hvm.c hvm_set_param(): "Old hvmloader binaries hardcode the size to 128 bytes." */
    public static final long VM86_TSS_LEGACY_SIZE = 128;

    /** xen/include/public/trace.h TRC_SUBCLS_SHIFT: HVMOP_xentrace events must lie below 1 &lt;&lt; 12. */
    public static final int TRC_SUBCLS_SHIFT = 12;
    /** xen/include/public/trace.h TRACE_EXTRA_MAX (7) u32s: the extra bytes of HVMOP_xentrace. */
    public static final int XENTRACE_EXTRA_BYTES = 7 * 4;

    /** Xen's name of a param ({@code HVM_PARAM_STORE_PFN}), or its number. */
    public static String paramName(long index) {
        return switch ((int) index) {
            case HVM_PARAM_CALLBACK_IRQ -> "HVM_PARAM_CALLBACK_IRQ";
            case HVM_PARAM_STORE_PFN -> "HVM_PARAM_STORE_PFN";
            case HVM_PARAM_STORE_EVTCHN -> "HVM_PARAM_STORE_EVTCHN";
            case HVM_PARAM_PAE_ENABLED -> "HVM_PARAM_PAE_ENABLED";
            case HVM_PARAM_IOREQ_PFN -> "HVM_PARAM_IOREQ_PFN";
            case HVM_PARAM_BUFIOREQ_PFN -> "HVM_PARAM_BUFIOREQ_PFN";
            case HVM_PARAM_VIRIDIAN -> "HVM_PARAM_VIRIDIAN";
            case HVM_PARAM_TIMER_MODE -> "HVM_PARAM_TIMER_MODE";
            case HVM_PARAM_HPET_ENABLED -> "HVM_PARAM_HPET_ENABLED";
            case HVM_PARAM_IDENT_PT -> "HVM_PARAM_IDENT_PT";
            case HVM_PARAM_DM_DOMAIN -> "HVM_PARAM_DM_DOMAIN";
            case HVM_PARAM_ACPI_S_STATE -> "HVM_PARAM_ACPI_S_STATE";
            case HVM_PARAM_VM86_TSS -> "HVM_PARAM_VM86_TSS";
            case HVM_PARAM_VPT_ALIGN -> "HVM_PARAM_VPT_ALIGN";
            case HVM_PARAM_CONSOLE_PFN -> "HVM_PARAM_CONSOLE_PFN";
            case HVM_PARAM_CONSOLE_EVTCHN -> "HVM_PARAM_CONSOLE_EVTCHN";
            case HVM_PARAM_ACPI_IOPORTS_LOCATION -> "HVM_PARAM_ACPI_IOPORTS_LOCATION";
            case HVM_PARAM_MEMORY_EVENT_CR0 -> "HVM_PARAM_MEMORY_EVENT_CR0";
            case HVM_PARAM_MEMORY_EVENT_CR3 -> "HVM_PARAM_MEMORY_EVENT_CR3";
            case HVM_PARAM_MEMORY_EVENT_CR4 -> "HVM_PARAM_MEMORY_EVENT_CR4";
            case HVM_PARAM_MEMORY_EVENT_INT3 -> "HVM_PARAM_MEMORY_EVENT_INT3";
            case HVM_PARAM_NESTEDHVM -> "HVM_PARAM_NESTEDHVM";
            case HVM_PARAM_MEMORY_EVENT_SINGLE_STEP -> "HVM_PARAM_MEMORY_EVENT_SINGLE_STEP";
            case HVM_PARAM_BUFIOREQ_EVTCHN -> "HVM_PARAM_BUFIOREQ_EVTCHN";
            case HVM_PARAM_PAGING_RING_PFN -> "HVM_PARAM_PAGING_RING_PFN";
            case HVM_PARAM_MONITOR_RING_PFN -> "HVM_PARAM_MONITOR_RING_PFN";
            case HVM_PARAM_SHARING_RING_PFN -> "HVM_PARAM_SHARING_RING_PFN";
            case HVM_PARAM_MEMORY_EVENT_MSR -> "HVM_PARAM_MEMORY_EVENT_MSR";
            case HVM_PARAM_TRIPLE_FAULT_REASON -> "HVM_PARAM_TRIPLE_FAULT_REASON";
            case HVM_PARAM_IOREQ_SERVER_PFN -> "HVM_PARAM_IOREQ_SERVER_PFN";
            case HVM_PARAM_NR_IOREQ_SERVER_PAGES -> "HVM_PARAM_NR_IOREQ_SERVER_PAGES";
            case HVM_PARAM_VM_GENERATION_ID_ADDR -> "HVM_PARAM_VM_GENERATION_ID_ADDR";
            case HVM_PARAM_ALTP2M -> "HVM_PARAM_ALTP2M";
            case HVM_PARAM_X87_FIP_WIDTH -> "HVM_PARAM_X87_FIP_WIDTH";
            case HVM_PARAM_VM86_TSS_SIZED -> "HVM_PARAM_VM86_TSS_SIZED";
            case HVM_PARAM_MCA_CAP -> "HVM_PARAM_MCA_CAP";
            default -> Long.toString(index & 0xffffffffL);
        };
    }
}
