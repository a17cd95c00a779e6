package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.abi.HvCallCode;
import dev.hcdiff.trace.record.Interrupt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * The hypercalls of the partition, one method per TLFS call, behind a dispatcher that validates
 * the input value in each personality's order (hyperv-abi.md §2.7):
 * <ul>
 *   <li>tlfs: unknown code → INVALID_HYPERCALL_CODE (OpenVMM looks the code up first,
 *       {@code hv1_hypercall/src/support.rs: Dispatcher::dispatch}); then the privilege
 *       (ACCESS_DENIED, "the preferred status code", TLFS "Ordering of Error Conditions"); then the
 *       input value (TLFS "Common Hypercall Status Codes"); then the call;</li>
 *   <li>kvm: privilege, then reserved bits for every code, then the per-code switch with its
 *       rep/variable-header checks; so an unknown code with a reserved bit gives 3, not 2
 *       ({@code arch/x86/kvm/hyperv.c: kvm_hv_hypercall()}, hyperv-abi.md §9 pitfall 2);</li>
 *   <li>xen-viridian: no input-value check at all, unknown or unhandled code → 2
 *       ({@code xen/arch/x86/hvm/viridian/viridian.c: viridian_hypercall()}); its handlers'
 *       -EINVAL is INVALID_PARAMETER.</li>
 * </ul>
 * Input blocks: 8-byte aligned and inside one page, else INVALID_ALIGNMENT (TLFS "Alignment
 * Requirements"); KVM checks this only for SignalEvent and answers an unreadable block with
 * INVALID_HYPERCALL_INPUT, Xen with INVALID_PARAMETER (hyperv-abi.md §2.5). The result value
 * carries reps completed in bits 43:32 (TLFS "Hypercall Outputs").
 * Legal-environment checks (#UD at CPL &gt; 0 or in real mode) need the caller's mode, which a
 * request does not carry; the recorder only forwards CPL-0 protected-mode calls.
 */
final class HvCalls {

    /** Code bits of HvCallNotifyLongSpinWait (TLFS App. A). */
    static final int NOTIFY_LONG_SPIN_WAIT = HvCallCode.NOTIFY_LONG_SPIN_WAIT.code();
    /** Code bits of HvCallSignalEvent (TLFS App. A). */
    static final int SIGNAL_EVENT = HvCallCode.SIGNAL_EVENT.code();
    /** Code bits of HvCallPostMessage (TLFS App. A). */
    static final int POST_MESSAGE = HvCallCode.POST_MESSAGE.code();
    /** Code bits of HvCallPostDebugData (TLFS App. A). */
    static final int POST_DEBUG_DATA = HvCallCode.POST_DEBUG_DATA.code();
    /** Code bits of HvCallRetrieveDebugData (TLFS App. A). */
    static final int RETRIEVE_DEBUG_DATA = HvCallCode.RETRIEVE_DEBUG_DATA.code();
    /** Code bits of HvCallResetDebugSession (TLFS App. A). */
    static final int RESET_DEBUG_SESSION = HvCallCode.RESET_DEBUG_SESSION.code();
    /** Code bits of HvCallFlushVirtualAddressSpace (TLFS App. A). */
    static final int FLUSH_SPACE = HvCallCode.FLUSH_VIRTUAL_ADDRESS_SPACE.code();
    /** Code bits of HvCallFlushVirtualAddressList (TLFS App. A), a rep call. */
    static final int FLUSH_LIST = HvCallCode.FLUSH_VIRTUAL_ADDRESS_LIST.code();
    /** Code bits of HvCallFlushVirtualAddressSpaceEx (TLFS App. A). */
    static final int FLUSH_SPACE_EX = HvCallCode.FLUSH_VIRTUAL_ADDRESS_SPACE_EX.code();
    /** Code bits of HvCallFlushVirtualAddressListEx (TLFS App. A), a rep call. */
    static final int FLUSH_LIST_EX = HvCallCode.FLUSH_VIRTUAL_ADDRESS_LIST_EX.code();
    /** Code bits of HvCallSendSyntheticClusterIpi (TLFS App. A). */
    static final int SEND_IPI = HvCallCode.SEND_SYNTHETIC_CLUSTER_IPI.code();
    /** Code bits of HvCallSendSyntheticClusterIpiEx (TLFS App. A). */
    static final int SEND_IPI_EX = HvCallCode.SEND_SYNTHETIC_CLUSTER_IPI_EX.code();
    /** Code bits of HvCallGetVpIndexFromApicId (TLFS App. A), a rep call. */
    static final int GET_VP_INDEX_FROM_APIC_ID = HvCallCode.GET_VP_INDEX_FROM_APIC_ID.code();
    /** Size of the SignalEvent input block: ConnectionId u32, FlagNumber u16, RsvdZ u16 (TLFS HvCallSignalEvent). */
    static final int SIGNAL_EVENT_INPUT_BYTES = 8;
    /** Size of the PostMessage input block: ConnectionId, RsvdZ, MessageType, PayloadSize, Message[240] (TLFS HvCallPostMessage). */
    static final int POST_MESSAGE_INPUT_BYTES = 256;
    /** GetVpIndexFromApicId fixed header: PartitionId u64, TargetVtl u8, padding[7] (TLFS HvCallGetVpIndexFromApicId). */
    static final int APIC_ID_HEADER = 16;
    /** Bytes per input element (ApicId u32 + padding) and per output element (VpIndex u32 + padding). */
    static final int APIC_ID_ELEMENT = 8;
    /** HV_PARTITION_ID_SELF, ((HV_PARTITION_ID)-1) (TLFS datatype hv_partition_id; Linux hvgdk_mini.h). */
    static final long PARTITION_ID_SELF = -1L;
    /** Input and output GPAs must be 8-byte aligned (TLFS "Alignment Requirements"). */
    static final long GPA_ALIGNMENT = 8;
    /** Page size for the "must not cross a page" rule. */
    static final long PAGE = 4096;

    /** Simple call, variable header allowed (the Ex calls: bank words of an HV_VP_SET). */
    static final HypercallInput.CallShape SIMPLE_VARIABLE = new HypercallInput.CallShape(false, true);
    /** Rep call with a fixed header. */
    static final HypercallInput.CallShape REP = new HypercallInput.CallShape(true, false);
    /** Rep call with a variable header (HvCallFlushVirtualAddressListEx). */
    static final HypercallInput.CallShape REP_VARIABLE = new HypercallInput.CallShape(true, true);

    private final HvPartition p;
    private final FlushAndIpi flushAndIpi;
    private final PostMessage postMessage;

    HvCalls(HvPartition p) {
        this.p = p;
        this.flushAndIpi = new FlushAndIpi(p);
        this.postMessage = new PostMessage(p);
    }

    /** @param vp the calling VP */
    HvCallResult dispatch(int vp, HypercallInput in, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> irqs) {
        if (p.personality() == HvPersonality.KVM && kvmXmmUndefined(in)) {
            return HvCallResult.undefinedOpcode();
        }
        return HvCallResult.of(switch (p.personality()) {
            case TLFS -> dispatchTlfs(in, rdx, r8, memory, irqs);
            case KVM -> dispatchKvm(in, rdx, r8, memory, irqs);
            case XEN_VIRIDIAN -> dispatchXen(in, rdx, r8, memory, irqs);
        });
    }

    /**
     * KVM's step 4 (hyperv-abi.md §2.7): after the privilege and reserved-bit checks, a fast call
     * of a code that takes XMM input ({@code is_xmm_fast_hypercall()}: the four flushes and
     * SendSyntheticClusterIpiEx) raises #UD when XMM input (CPUID 0x40000003 EDX bit 4) is not
     * offered, which it is not here.
     */
    private boolean kvmXmmUndefined(HypercallInput in) {
        int code = in.code();
        boolean xmmCode = code == FLUSH_SPACE || code == FLUSH_LIST || code == FLUSH_SPACE_EX || code == FLUSH_LIST_EX
                || code == SEND_IPI_EX;
        return xmmCode && in.fast() && kvmAccess(code) && !in.reservedBitsSet();
    }

    /** True for the codes this model implements: every call listed in {@link #shape}. */
    static boolean modelled(int code) {
        return shape(code) != null;
    }

    /**
     * The class of each modelled call (TLFS App. A "Simple"/"Rep" and the call pages; the Ex
     * calls take their VP set's bank words as a variable header), or null for a code the model
     * does not implement.
     */
    static HypercallInput.CallShape shape(int code) {
        if (code == NOTIFY_LONG_SPIN_WAIT || code == SIGNAL_EVENT || code == POST_MESSAGE || code == POST_DEBUG_DATA
                || code == RETRIEVE_DEBUG_DATA || code == RESET_DEBUG_SESSION || code == FLUSH_SPACE || code == SEND_IPI) {
            return HypercallInput.CallShape.SIMPLE;
        }
        if (code == FLUSH_SPACE_EX || code == SEND_IPI_EX) {
            return SIMPLE_VARIABLE;
        }
        if (code == FLUSH_LIST || code == GET_VP_INDEX_FROM_APIC_ID) {
            return REP;
        }
        if (code == FLUSH_LIST_EX) {
            return REP_VARIABLE;
        }
        return null;
    }

    /** The partition privilege a call needs under the TLFS (hyperv-abi.md §1 gate table), 0 for none. */
    private static long tlfsPrivilege(int code) {
        if (code == SIGNAL_EVENT) {
            return HvPrivilege.SIGNAL_EVENTS;
        }
        if (code == POST_MESSAGE) {
            return HvPrivilege.POST_MESSAGES;
        }
        if (code == POST_DEBUG_DATA || code == RETRIEVE_DEBUG_DATA || code == RESET_DEBUG_SESSION) {
            return HvPrivilege.DEBUGGING;
        }
        return 0;
    }

    private long dispatchTlfs(HypercallInput in, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> irqs) {
        int code = in.code();
        HypercallInput.CallShape shape = shape(code);
        if (shape == null) {
            return HvStatus.result(HvStatus.INVALID_HYPERCALL_CODE, 0);
        }
        long need = tlfsPrivilege(code);
        if (need != 0 && !p.config().has(need)) {
            return HvStatus.result(HvStatus.ACCESS_DENIED, 0);
        }
        int st = in.validate(shape);
        if (st != HvStatus.SUCCESS) {
            return HvStatus.result(st, 0);
        }
        if (code == FLUSH_SPACE || code == FLUSH_LIST || code == FLUSH_SPACE_EX || code == FLUSH_LIST_EX) {
            return flushAndIpi.flushTlfs(in, rdx, memory);
        }
        if (code == GET_VP_INDEX_FROM_APIC_ID) {
            return getVpIndexFromApicId(in, rdx, r8, memory);
        }
        int status;
        if (code == NOTIFY_LONG_SPIN_WAIT) {
            status = notifyLongSpinWait();
        } else if (code == SIGNAL_EVENT) {
            status = signalEvent(in.fast(), rdx, memory, irqs);
        } else if (code == POST_MESSAGE) {
            status = postMessage.tlfs(in.fast(), rdx, memory, irqs);
        } else if (code == SEND_IPI || code == SEND_IPI_EX) {
            status = flushAndIpi.ipiTlfs(in, rdx, r8, memory, irqs);
        } else {
            status = debugCall(code, in.fast());
        }
        return HvStatus.result(status, 0);
    }

    private long dispatchKvm(HypercallInput in, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> irqs) {
        int code = in.code();
        if (!kvmAccess(code)) {
            return HvStatus.result(HvStatus.ACCESS_DENIED, 0);
        }
        if (in.reservedBitsSet()) {
            return HvStatus.result(HvStatus.INVALID_HYPERCALL_INPUT, 0);
        }
        if (code == FLUSH_SPACE || code == FLUSH_LIST || code == FLUSH_SPACE_EX || code == FLUSH_LIST_EX) {
            return flushAndIpi.flushKvm(in, rdx, memory);
        }
        int status;
        if (code == NOTIFY_LONG_SPIN_WAIT) {
            int st = in.validateShape(HypercallInput.CallShape.SIMPLE);
            status = st != HvStatus.SUCCESS ? st : notifyLongSpinWait();
        } else if (code == SIGNAL_EVENT) {
            int st = in.validateShape(HypercallInput.CallShape.SIMPLE);
            status = st != HvStatus.SUCCESS ? st : signalEventKvm(in.fast(), rdx, memory, irqs);
        } else if (code == POST_MESSAGE) {
            int st = in.validateShape(HypercallInput.CallShape.SIMPLE);
            // "don't bother userspace if it has no way to handle it": rep/var or no active SynIC → 3.
            status = st != HvStatus.SUCCESS || !p.config().has(HvPrivilege.ACCESS_SYNIC_REGS)
                    ? HvStatus.INVALID_HYPERCALL_INPUT
                    : postMessage.qemu(in.fast(), rdx, memory, irqs);
        } else if (code == SEND_IPI || code == SEND_IPI_EX) {
            // kvm_hv_hypercall(): a rep count or start index → 3; a variable header on the non-Ex call → 3.
            boolean rep = in.repCount() != 0 || in.repStart() != 0;
            status = rep || code == SEND_IPI && in.variableHeaderSize() != 0
                    ? HvStatus.INVALID_HYPERCALL_INPUT
                    : flushAndIpi.ipiKvm(in, rdx, r8, memory, irqs);
        } else if (code == POST_DEBUG_DATA || code == RETRIEVE_DEBUG_DATA) {
            // kvm_hv_hypercall(): fast → INVALID_PARAMETER, then SynDBG off → INVALID_HYPERCALL_CODE.
            // The model exposes no synthetic-debugger leaves (0x40000080–82), so SynDBG is off.
            status = in.fast() ? HvStatus.INVALID_PARAMETER : HvStatus.INVALID_HYPERCALL_CODE;
        } else {
            // ResetDebugSession with SynDBG off, GetVpIndexFromApicId (not handled) and unknown codes.
            status = HvStatus.INVALID_HYPERCALL_CODE;
        }
        return HvStatus.result(status, 0);
    }

    /**
     * {@code viridian_hypercall()}: no input-value check at all; NotifyLongSpinWait, the flushes
     * and the IPIs are handled, everything else (SignalEvent, PostMessage, the debug calls,
     * GetVpIndexFromApicId, unknown codes) → INVALID_HYPERCALL_CODE.
     */
    private long dispatchXen(HypercallInput in, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> irqs) {
        int code = in.code();
        if (code == NOTIFY_LONG_SPIN_WAIT) {
            return HvStatus.result(notifyLongSpinWait(), 0);
        }
        if (code == FLUSH_SPACE || code == FLUSH_LIST || code == FLUSH_SPACE_EX || code == FLUSH_LIST_EX) {
            return flushAndIpi.flushXen(in, rdx, memory);
        }
        if (code == SEND_IPI || code == SEND_IPI_EX) {
            return HvStatus.result(flushAndIpi.ipiXen(in, rdx, r8, memory, irqs), 0);
        }
        return HvStatus.result(HvStatus.INVALID_HYPERCALL_CODE, 0);
    }

    /**
     * KVM's {@code hv_check_hypercall_access()} for the modelled codes: NotifyLongSpinWait needs a
     * spin count other than 0 and 0xFFFFFFFF; SignalEvent and PostMessage their privileges; the
     * flushes the remote-TLB-flush recommendation (and ExProcessorMasks for the Ex forms), the IPIs
     * the cluster-IPI recommendation (and ExProcessorMasks), all of which the model's CPUID
     * 0x40000004 offers under kvm; the debug calls pass when SynDBG is disabled "so the resulting
     * code will be INVALID_HYPERCALL_CODE".
     */
    private boolean kvmAccess(int code) {
        if (code == NOTIFY_LONG_SPIN_WAIT) {
            int spin = p.config().spinRetries();
            return spin != 0 && spin != -1;
        }
        if (code == SIGNAL_EVENT) {
            return p.config().has(HvPrivilege.SIGNAL_EVENTS);
        }
        if (code == POST_MESSAGE) {
            return p.config().has(HvPrivilege.POST_MESSAGES);
        }
        int rec = HvCpuid.recommendations(p.personality());
        boolean exOk = (rec & HvCpuid.REC_EX_PROCESSOR_MASKS) != 0;
        if (code == FLUSH_SPACE || code == FLUSH_LIST) {
            return (rec & HvCpuid.REC_REMOTE_TLB_FLUSH) != 0;
        }
        if (code == FLUSH_SPACE_EX || code == FLUSH_LIST_EX) {
            return (rec & HvCpuid.REC_REMOTE_TLB_FLUSH) != 0 && exOk;
        }
        if (code == SEND_IPI) {
            return (rec & HvCpuid.REC_CLUSTER_IPI) != 0;
        }
        if (code == SEND_IPI_EX) {
            return (rec & HvCpuid.REC_CLUSTER_IPI) != 0 && exOk;
        }
        return true;
    }

    /** Misaligned, or a list of {@code bytes} from {@code gpa} that leaves its 4 KiB page (TLFS "Alignment Requirements"). */
    static boolean badList(long gpa, long bytes) {
        return (gpa & (GPA_ALIGNMENT - 1)) != 0 || (gpa & (PAGE - 1)) + bytes > PAGE;
    }

    /**
     * HvCallGetVpIndexFromApicId (0x009A, rep) under the TLFS: a fast call cannot carry the input
     * → INVALID_HYPERCALL_INPUT; input (16 + 8 × count bytes) or output (8 × count bytes) list
     * misaligned or crossing a page → INVALID_ALIGNMENT; a PartitionId other than HV_PARTITION_ID_SELF
     * → INVALID_PARTITION_ID; a TargetVtl other than 0 → INVALID_PARAMETER; then elements from the
     * rep start index: the VP whose APIC ID it is (the model numbers APIC IDs as VP indices) is
     * written to the output element; an APIC ID no VP has stops the call with INVALID_PARAMETER and
     * the reps completed so far (TLFS "Hypercall Classes": "reps completed" = elements done).
     */
    long getVpIndexFromApicId(HypercallInput in, long rdx, long r8, GuestMemory memory) {
        if (in.fast()) {
            return HvStatus.result(HvStatus.INVALID_HYPERCALL_INPUT, 0);
        }
        int count = in.repCount();
        if (badList(rdx, APIC_ID_HEADER + (long) APIC_ID_ELEMENT * count) || badList(r8, (long) APIC_ID_ELEMENT * count)) {
            return HvStatus.result(HvStatus.INVALID_ALIGNMENT, 0);
        }
        try {
            byte[] input = memory.readPhysical(rdx, APIC_ID_HEADER + APIC_ID_ELEMENT * count);
            if (SimPage.Le.get(input, 0, 8) != PARTITION_ID_SELF) {
                return HvStatus.result(HvStatus.INVALID_PARTITION_ID, in.repStart());
            }
            if (input[8] != 0) {
                return HvStatus.result(HvStatus.INVALID_PARAMETER, in.repStart());
            }
            for (int i = in.repStart(); i < count; i++) {
                long apicId = SimPage.Le.get(input, APIC_ID_HEADER + APIC_ID_ELEMENT * i, 4);
                if (apicId >= p.vcpus()) {
                    return HvStatus.result(HvStatus.INVALID_PARAMETER, i);
                }
                byte[] out = new byte[4];
                SimPage.Le.put(out, 0, apicId, 4);
                memory.writePhysical(r8 + (long) APIC_ID_ELEMENT * i, out);
            }
        } catch (GuestFault f) {
            return HvStatus.result(HvStatus.INVALID_ALIGNMENT, in.repStart());
        }
        return HvStatus.result(HvStatus.SUCCESS, count);
    }

    /**
     * HvCallNotifyLongSpinWait (0x0008): advisory, "always SUCCESS" (TLFS HvCallNotifyLongSpinWait);
     * the hypervisor may reschedule, which a guest cannot observe beyond time passing.
     */
    int notifyLongSpinWait() {
        return HvStatus.SUCCESS;
    }

    /**
     * HvCallSignalEvent (0x005D), TLFS page "HvCallSignalEvent" and "Alignment Requirements".
     * Checks in order: input GPA alignment or page crossing, reserved bits of the input block,
     * unknown connection, wrong port type, flag ≥ FlagCount, SynIC/SIEF disabled or SINT masked;
     * then sets SIEF flag BaseFlagNumber + flag and raises the SINT only if the flag was clear.
     */
    int signalEvent(boolean fast, long rdx, GuestMemory memory, Consumer<Interrupt> irqs) {
        long param;
        if (fast) {
            param = rdx;
        } else {
            if (misalignedOrCrossing(rdx)) {
                return HvStatus.INVALID_ALIGNMENT;
            }
            try {
                param = le64(memory.readPhysical(rdx, SIGNAL_EVENT_INPUT_BYTES));
            } catch (GuestFault f) {
                // A GPA outside the GPA space: INVALID_ALIGNMENT (TLFS "Common Hypercall Status Codes").
                return HvStatus.INVALID_ALIGNMENT;
            }
        }
        int conn = (int) param;
        int flag = (int) ((param >>> 32) & 0xffff);
        int rsvdZ = (int) (param >>> 48);
        if ((conn & ~HvPort.CONNECTION_ID_MASK) != 0 || rsvdZ != 0) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        HvPort port = p.config().ports().lookup(conn).orElse(null);
        if (port == null) {
            return HvStatus.INVALID_CONNECTION_ID;
        }
        if (port.type() == HvPort.Type.MESSAGE) {
            return HvStatus.INVALID_PORT_ID;
        }
        if (flag >= port.flagCount()) {
            return HvStatus.INVALID_PARAMETER;
        }
        if (port.type() == HvPort.Type.ROOT) {
            // The root's SynIC state is the root's business: the event is handed over.
            p.signalRoot(conn, flag);
            return HvStatus.SUCCESS;
        }
        SynIc s = p.synicUnchecked(port.vp());
        // T:IPC: the target SynIC or SIEF page disabled, or the SINT masked, cannot accept events.
        if (!s.enabled() || !s.siefEnabled() || s.masked(port.sint())) {
            return HvStatus.INVALID_SYNIC_STATE;
        }
        return setSiefFlag(port, flag, s, memory, irqs, true);
    }

    /**
     * HvCallSignalEvent under KVM + QEMU: {@code kvm_hvcall_signal_event()} then, for
     * INVALID_PORT_ID, the userspace exit to QEMU {@code hyperv_hcall_signal_event()}
     * (hyperv-abi.md §4 and §9 pitfall 7). A non-zero flag number is INVALID_PORT_ID whatever the
     * port's flag count, and the root's handler sets the flag later, outside the call, so SynIC
     * state never fails the call: a disabled SynIC or SIEF page drops the event
     * ({@code hyperv_set_event_flag()} → -ENXIO) and a masked SINT gets no interrupt.
     */
    int signalEventKvm(boolean fast, long rdx, GuestMemory memory, Consumer<Interrupt> irqs) {
        long param;
        if (fast) {
            param = rdx;
        } else {
            if (misalignedOrCrossing(rdx)) {
                return HvStatus.INVALID_ALIGNMENT;
            }
            try {
                param = le64(memory.readPhysical(rdx, SIGNAL_EVENT_INPUT_BYTES));
            } catch (GuestFault f) {
                return HvStatus.INVALID_ALIGNMENT;
            }
        }
        if ((param & 0x0000_ffff_0000_0000L) != 0) {
            return kvmUserspaceSignal(param, fast, memory);
        }
        if ((param & ~(long) HvPort.CONNECTION_ID_MASK) != 0) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        HvPort port = p.config().ports().lookup((int) param).orElse(null);
        if (port != null && port.type() == HvPort.Type.ROOT) {
            // A connection the VMM registered with KVM_HYPERV_EVENTFD: KVM signals the eventfd,
            // the root's service reads it (kvm_hvcall_signal_event() → eventfd_signal()).
            p.signalRoot((int) param, 0);
            return HvStatus.SUCCESS;
        }
        if (port == null || port.type() != HvPort.Type.EVENT) {
            return kvmUserspaceSignal(param, fast, memory);
        }
        SynIc s = p.synicUnchecked(port.vp());
        if (!s.enabled() || !s.siefEnabled()) {
            return HvStatus.SUCCESS;
        }
        // KVM ignores the Polling bit; a masked SINT sets the flag but raises nothing (synic_set_irq()).
        setSiefFlag(port, 0, s, memory, irqs, !s.masked(port.sint()));
        return HvStatus.SUCCESS;
    }

    /**
     * The KVM fall-through "maybe userspace knows this conn_id": no active SynIC → 3; else the
     * KVM_EXIT_HYPERV_HCALL exit, which QEMU answers in {@code hyperv_hcall_signal_event()}. The
     * model's SynIC is active when the partition holds AccessSynicRegs (QEMU's hv-synic sets both).
     *
     * <p>Pitfall (for hyperv-abi.md §4 "Userspace completion in KVM"): for a slow call,
     * {@code kvm_hvcall_signal_event()} reads the 8-byte input into {@code hc->ingpa} itself, and
     * {@code kvm_hv_hypercall()} then exits with {@code params[0] = hc.ingpa} (now the connection
     * word, not a GPA) and the original input value (Fast = 0). QEMU takes {@code params[0]} for a
     * GPA again: not 8-aligned → INVALID_ALIGNMENT; else {@code ldq_phys()} at "connection id"
     * (unassigned memory reads 0, softmmu/memory.c {@code unassigned_mem_read()}) and its checks
     * run on that value: flag bits 32–47 → 0x11, other reserved bits → 3, no handler → 0x12. QEMU's
     * handler list is empty here: with KVM_CAP_HYPERV_EVENTFD the handlers live in KVM
     * ({@code hyperv_set_event_flag_handler()}). So a slow SignalEvent on an unknown connection is
     * never answered from the connection the guest wrote.
     */
    private int kvmUserspaceSignal(long param, boolean fast, GuestMemory memory) {
        if (!p.config().has(HvPrivilege.ACCESS_SYNIC_REGS)) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        long value = param;
        if (!fast) {
            if ((value & (SIGNAL_EVENT_INPUT_BYTES - 1)) != 0) {
                return HvStatus.INVALID_ALIGNMENT;
            }
            try {
                value = le64(memory.readPhysical(value, SIGNAL_EVENT_INPUT_BYTES));
            } catch (GuestFault f) {
                value = 0; // unassigned_mem_read() returns 0
            }
        }
        if ((value & 0x0000_ffff_0000_0000L) != 0) {
            return HvStatus.INVALID_PORT_ID;
        }
        if ((value & ~(long) HvPort.CONNECTION_ID_MASK) != 0) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        return HvStatus.INVALID_CONNECTION_ID;
    }

    /**
     * The root's HvCallSignalEvent into this partition ({@link HvPartition#signalFromRoot}): the
     * TLFS checks of the target (connection, port type, flag, SynIC state) as for a guest's call;
     * under KVM the root sets the flag with {@code hyperv_set_event_flag()}, which drops the event
     * when the SynIC or SIEF page is off and raises nothing while the SINT is masked.
     */
    int rootSignal(int conn, int flag, GuestMemory memory, Consumer<Interrupt> irqs) {
        HvPort port = p.config().ports().lookup(conn).orElse(null);
        if (port == null) {
            return HvStatus.INVALID_CONNECTION_ID;
        }
        if (port.type() != HvPort.Type.EVENT) {
            return HvStatus.INVALID_PORT_ID;
        }
        if (flag < 0 || flag >= port.flagCount()) {
            return HvStatus.INVALID_PARAMETER;
        }
        SynIc s = p.synicUnchecked(port.vp());
        if (p.personality() == HvPersonality.KVM) {
            if (!s.enabled() || !s.siefEnabled()) {
                return HvStatus.SUCCESS;
            }
            return setSiefFlag(port, flag, s, memory, irqs, !s.masked(port.sint()));
        }
        if (!s.enabled() || !s.siefEnabled() || s.masked(port.sint())) {
            return HvStatus.INVALID_SYNIC_STATE;
        }
        return setSiefFlag(port, flag, s, memory, irqs, true);
    }

    /**
     * HvCallPostDebugData (0x0069), HvCallRetrieveDebugData (0x006A) and HvCallResetDebugSession
     * (0x006B) once the Debugging privilege is held. The TLFS documents only their codes and
     * privilege (hyperv-abi.md §4, "not documented in TLFS"); with no debugger attached the model
     * answers as KVM + QEMU do without a synthetic debugger: a fast Post/Retrieve is
     * INVALID_PARAMETER, everything else INVALID_HYPERCALL_CODE ({@code kvm_hv_hypercall()}).
     */
    int debugCall(int code, boolean fast) {
        return fast && code != RESET_DEBUG_SESSION ? HvStatus.INVALID_PARAMETER : HvStatus.INVALID_HYPERCALL_CODE;
    }

    /** Sets SIEF flag BaseFlagNumber + flag; raises the SINT only on a 0→1 change (TLFS "SIEF"). */
    private int setSiefFlag(HvPort port, int flag, SynIc s, GuestMemory memory, Consumer<Interrupt> irqs,
                            boolean mayInterrupt) {
        int absolute = port.baseFlagNumber() + flag;
        long gpa = (s.siefp() & SynIc.PAGE_GPFN_MASK) + SynIc.siefByteOffset(port.sint(), absolute);
        int bit = 1 << SynIc.siefBit(absolute);
        try {
            byte b = memory.readPhysical(gpa, 1)[0];
            if ((b & bit) != 0) {
                return HvStatus.SUCCESS;
            }
            memory.writePhysical(gpa, new byte[] {(byte) (b | bit)});
        } catch (GuestFault f) {
            // The SIEF page is outside guest RAM: it cannot accept events.
            return HvStatus.INVALID_SYNIC_STATE;
        }
        if (mayInterrupt && !(p.personality() == HvPersonality.TLFS && s.polling(port.sint()))) {
            irqs.accept(new Interrupt(port.vp(), s.vector(port.sint()), "sint" + port.sint()));
        }
        return HvStatus.SUCCESS;
    }

    /** Not 8-byte aligned, or an 8-byte block that would cross a 4 KiB page (KVM kvm_hvcall_signal_event()). */
    private static boolean misalignedOrCrossing(long gpa) {
        return (gpa & (GPA_ALIGNMENT - 1)) != 0 || (gpa & (PAGE - 1)) + SIGNAL_EVENT_INPUT_BYTES > PAGE;
    }

    private static long le64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
