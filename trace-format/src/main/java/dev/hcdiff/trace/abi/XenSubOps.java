package dev.hcdiff.trace.abi;

import java.util.Map;
import java.util.Optional;

/**
 * Names of the sub-operations of the Xen hypercalls that take a command as their first argument,
 * from the public headers of Xen 4.17. Used to name calls in text traces and reports, e.g.
 * {@code event_channel_op/EVTCHNOP_send}.
 */
public final class XenSubOps {

    private XenSubOps() {
    }

    /** xen/include/public/version.h XENVER_* */
    private static final Map<Integer, String> XENVER = Map.ofEntries(
            Map.entry(0, "XENVER_version"), Map.entry(1, "XENVER_extraversion"),
            Map.entry(2, "XENVER_compile_info"), Map.entry(3, "XENVER_capabilities"),
            Map.entry(4, "XENVER_changeset"), Map.entry(5, "XENVER_platform_parameters"),
            Map.entry(6, "XENVER_get_features"), Map.entry(7, "XENVER_pagesize"),
            Map.entry(8, "XENVER_guest_handle"), Map.entry(9, "XENVER_commandline"),
            Map.entry(10, "XENVER_build_id"));

    /** xen/include/public/xen.h CONSOLEIO_* */
    private static final Map<Integer, String> CONSOLEIO = Map.of(0, "CONSOLEIO_write", 1, "CONSOLEIO_read");

    /** xen/include/public/event_channel.h EVTCHNOP_* */
    private static final Map<Integer, String> EVTCHNOP = Map.ofEntries(
            Map.entry(0, "EVTCHNOP_bind_interdomain"), Map.entry(1, "EVTCHNOP_bind_virq"),
            Map.entry(2, "EVTCHNOP_bind_pirq"), Map.entry(3, "EVTCHNOP_close"),
            Map.entry(4, "EVTCHNOP_send"), Map.entry(5, "EVTCHNOP_status"),
            Map.entry(6, "EVTCHNOP_alloc_unbound"), Map.entry(7, "EVTCHNOP_bind_ipi"),
            Map.entry(8, "EVTCHNOP_bind_vcpu"), Map.entry(9, "EVTCHNOP_unmask"),
            Map.entry(10, "EVTCHNOP_reset"), Map.entry(11, "EVTCHNOP_init_control"),
            Map.entry(12, "EVTCHNOP_expand_array"), Map.entry(13, "EVTCHNOP_set_priority"),
            Map.entry(14, "EVTCHNOP_reset_cont"));

    /** xen/include/public/sched.h SCHEDOP_* */
    private static final Map<Integer, String> SCHEDOP = Map.ofEntries(
            Map.entry(0, "SCHEDOP_yield"), Map.entry(1, "SCHEDOP_block"),
            Map.entry(2, "SCHEDOP_shutdown"), Map.entry(3, "SCHEDOP_poll"),
            Map.entry(4, "SCHEDOP_remote_shutdown"), Map.entry(5, "SCHEDOP_shutdown_code"),
            Map.entry(6, "SCHEDOP_watchdog"), Map.entry(7, "SCHEDOP_pin_override"));

    /** xen/include/public/memory.h XENMEM_* (the op is cmd &amp; 0x3f: MEMOP_CMD_MASK) */
    private static final Map<Integer, String> XENMEM = Map.ofEntries(
            Map.entry(0, "XENMEM_increase_reservation"), Map.entry(1, "XENMEM_decrease_reservation"),
            Map.entry(2, "XENMEM_maximum_ram_page"), Map.entry(3, "XENMEM_current_reservation"),
            Map.entry(4, "XENMEM_maximum_reservation"), Map.entry(5, "XENMEM_machphys_mfn_list"),
            Map.entry(6, "XENMEM_populate_physmap"), Map.entry(7, "XENMEM_add_to_physmap"),
            Map.entry(9, "XENMEM_memory_map"), Map.entry(10, "XENMEM_machine_memory_map"),
            Map.entry(11, "XENMEM_exchange"), Map.entry(12, "XENMEM_machphys_mapping"),
            Map.entry(13, "XENMEM_set_memory_map"), Map.entry(14, "XENMEM_maximum_gpfn"),
            Map.entry(15, "XENMEM_remove_from_physmap"), Map.entry(16, "XENMEM_set_pod_target"),
            Map.entry(17, "XENMEM_get_pod_target"), Map.entry(18, "XENMEM_get_sharing_freed_pages"),
            Map.entry(19, "XENMEM_get_sharing_shared_pages"), Map.entry(20, "XENMEM_paging_op"),
            Map.entry(21, "XENMEM_access_op"), Map.entry(22, "XENMEM_sharing_op"),
            Map.entry(23, "XENMEM_add_to_physmap_batch"), Map.entry(24, "XENMEM_claim_pages"),
            Map.entry(25, "XENMEM_machphys_compat_mfn_list"), Map.entry(26, "XENMEM_get_vnumainfo"),
            Map.entry(27, "XENMEM_reserved_device_memory_map"), Map.entry(28, "XENMEM_acquire_resource"));

    /** xen/include/public/hvm/hvm_op.h HVMOP_* */
    private static final Map<Integer, String> HVMOP = Map.ofEntries(
            Map.entry(0, "HVMOP_set_param"), Map.entry(1, "HVMOP_get_param"),
            Map.entry(5, "HVMOP_flush_tlbs"), Map.entry(9, "HVMOP_pagetable_dying"),
            Map.entry(10, "HVMOP_get_time"), Map.entry(11, "HVMOP_xentrace"),
            Map.entry(15, "HVMOP_get_mem_type"), Map.entry(23, "HVMOP_set_evtchn_upcall_vector"),
            Map.entry(24, "HVMOP_guest_request_vm_event"), Map.entry(25, "HVMOP_altp2m"));

    /** xen/include/public/vcpu.h VCPUOP_* */
    private static final Map<Integer, String> VCPUOP = Map.ofEntries(
            Map.entry(0, "VCPUOP_initialise"), Map.entry(1, "VCPUOP_up"), Map.entry(2, "VCPUOP_down"),
            Map.entry(3, "VCPUOP_is_up"), Map.entry(4, "VCPUOP_get_runstate_info"),
            Map.entry(5, "VCPUOP_register_runstate_memory_area"), Map.entry(6, "VCPUOP_set_periodic_timer"),
            Map.entry(7, "VCPUOP_stop_periodic_timer"), Map.entry(8, "VCPUOP_set_singleshot_timer"),
            Map.entry(9, "VCPUOP_stop_singleshot_timer"), Map.entry(10, "VCPUOP_register_vcpu_info"),
            Map.entry(11, "VCPUOP_send_nmi"), Map.entry(12, "VCPUOP_get_physid"),
            Map.entry(13, "VCPUOP_register_vcpu_time_memory_area"));

    /** xen/include/public/grant_table.h GNTTABOP_* */
    private static final Map<Integer, String> GNTTABOP = Map.ofEntries(
            Map.entry(0, "GNTTABOP_map_grant_ref"), Map.entry(1, "GNTTABOP_unmap_grant_ref"),
            Map.entry(2, "GNTTABOP_setup_table"), Map.entry(3, "GNTTABOP_dump_table"),
            Map.entry(4, "GNTTABOP_transfer"), Map.entry(5, "GNTTABOP_copy"),
            Map.entry(6, "GNTTABOP_query_size"), Map.entry(7, "GNTTABOP_unmap_and_replace"),
            Map.entry(8, "GNTTABOP_set_version"), Map.entry(9, "GNTTABOP_get_status_frames"),
            Map.entry(10, "GNTTABOP_get_version"), Map.entry(11, "GNTTABOP_swap_grant_ref"),
            Map.entry(12, "GNTTABOP_cache_flush"));

    /** xen/include/public/physdev.h PHYSDEVOP_* (the ones an HVM guest can reach) */
    private static final Map<Integer, String> PHYSDEVOP = Map.ofEntries(
            Map.entry(5, "PHYSDEVOP_irq_status_query"), Map.entry(12, "PHYSDEVOP_eoi"),
            Map.entry(13, "PHYSDEVOP_map_pirq"), Map.entry(14, "PHYSDEVOP_unmap_pirq"),
            Map.entry(23, "PHYSDEVOP_get_free_pirq"));

    /** The sub-op table of a hypercall whose first argument is a command, if it has one. */
    private static Map<Integer, String> table(XenHypercall call) {
        return switch (call) {
            case XEN_VERSION -> XENVER;
            case CONSOLE_IO -> CONSOLEIO;
            case EVENT_CHANNEL_OP -> EVTCHNOP;
            case SCHED_OP -> SCHEDOP;
            case MEMORY_OP -> XENMEM;
            case HVM_OP -> HVMOP;
            case VCPU_OP -> VCPUOP;
            case GRANT_TABLE_OP -> GNTTABOP;
            case PHYSDEV_OP -> PHYSDEVOP;
            default -> null;
        };
    }

    /** True when the hypercall's first argument selects a sub-op. */
    public static boolean hasSubOps(XenHypercall call) {
        return table(call) != null;
    }

    /**
     * The sub-op number the command argument selects: {@code cmd & MEMOP_CMD_MASK} (0x3f) for
     * memory_op (xen/include/public/memory.h), the low 32 bits otherwise.
     */
    public static int subOpOf(XenHypercall call, long cmdArg) {
        return call == XenHypercall.MEMORY_OP ? (int) (cmdArg & 0x3f) : (int) cmdArg;
    }

    /** The sub-op's name, e.g. {@code EVTCHNOP_send}, if Xen defines it. */
    public static Optional<String> name(XenHypercall call, int subOp) {
        Map<Integer, String> t = table(call);
        return t == null ? Optional.empty() : Optional.ofNullable(t.get(subOp));
    }

    /** The sub-op number for a name, if {@code call} has it. */
    public static Optional<Integer> number(XenHypercall call, String name) {
        Map<Integer, String> t = table(call);
        if (t == null) {
            return Optional.empty();
        }
        return t.entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey).findFirst();
    }
}
