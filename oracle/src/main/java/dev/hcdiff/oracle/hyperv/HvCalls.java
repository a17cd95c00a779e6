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
 *       ({@code xen/arch/x86/hvm/viridian/viridian.c: viridian_hypercall()}).</li>
 * </ul>
 * Legal-environment checks (#UD at CPL &gt; 0 or in real mode) need the caller's mode, which a
 * request does not carry; the recorder only forwards CPL-0 protected-mode calls.
 */
final class HvCalls {

    /** Code bits of HvCallNotifyLongSpinWait (TLFS App. A). */
    static final int NOTIFY_LONG_SPIN_WAIT = HvCallCode.NOTIFY_LONG_SPIN_WAIT.code();
    /** Code bits of HvCallSignalEvent (TLFS App. A). */
    static final int SIGNAL_EVENT = HvCallCode.SIGNAL_EVENT.code();
    /** Code bits of HvCallPostDebugData (TLFS App. A). */
    static final int POST_DEBUG_DATA = HvCallCode.POST_DEBUG_DATA.code();
    /** Size of the SignalEvent input block: ConnectionId u32, FlagNumber u16, RsvdZ u16 (TLFS HvCallSignalEvent). */
    static final int SIGNAL_EVENT_INPUT_BYTES = 8;
    /** Input and output GPAs must be 8-byte aligned (TLFS "Alignment Requirements"). */
    static final long GPA_ALIGNMENT = 8;
    /** Page size for the "must not cross a page" rule. */
    static final long PAGE = 4096;

    private final HvPartition p;

    HvCalls(HvPartition p) {
        this.p = p;
    }

    /** @param vp the calling VP; no modelled call depends on it yet (IPIs and flushes will) */
    long dispatch(int vp, HypercallInput in, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> irqs) {
        int status = switch (p.personality()) {
            case TLFS -> dispatchTlfs(in, rdx, memory, irqs);
            case KVM -> dispatchKvm(in, rdx, memory, irqs);
            case XEN_VIRIDIAN -> dispatchXen(in);
        };
        // Every call modelled is simple: reps completed is 0 (TLFS "Hypercall Outputs").
        return HvStatus.result(status, 0);
    }

    /** True for the codes this model implements (NotifyLongSpinWait, SignalEvent, PostDebugData). */
    static boolean modelled(int code) {
        return code == NOTIFY_LONG_SPIN_WAIT || code == SIGNAL_EVENT || code == POST_DEBUG_DATA;
    }

    private int dispatchTlfs(HypercallInput in, long rdx, GuestMemory memory, Consumer<Interrupt> irqs) {
        int code = in.code();
        if (!modelled(code)) {
            return HvStatus.INVALID_HYPERCALL_CODE;
        }
        if (code == SIGNAL_EVENT && !p.config().has(HvPrivilege.SIGNAL_EVENTS)
                || code == POST_DEBUG_DATA && !p.config().has(HvPrivilege.DEBUGGING)) {
            return HvStatus.ACCESS_DENIED;
        }
        int st = in.validate(HypercallInput.CallShape.SIMPLE);
        if (st != HvStatus.SUCCESS) {
            return st;
        }
        if (code == NOTIFY_LONG_SPIN_WAIT) {
            return notifyLongSpinWait();
        }
        if (code == SIGNAL_EVENT) {
            return signalEvent(in.fast(), rdx, memory, irqs);
        }
        return postDebugData(in.fast());
    }

    private int dispatchKvm(HypercallInput in, long rdx, GuestMemory memory, Consumer<Interrupt> irqs) {
        int code = in.code();
        if (!kvmAccess(code)) {
            return HvStatus.ACCESS_DENIED;
        }
        if (in.reservedBitsSet()) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        if (code == NOTIFY_LONG_SPIN_WAIT) {
            int st = in.validateShape(HypercallInput.CallShape.SIMPLE);
            return st != HvStatus.SUCCESS ? st : notifyLongSpinWait();
        }
        if (code == SIGNAL_EVENT) {
            int st = in.validateShape(HypercallInput.CallShape.SIMPLE);
            return st != HvStatus.SUCCESS ? st : signalEventKvm(in.fast(), rdx, memory, irqs);
        }
        if (code == POST_DEBUG_DATA) {
            // kvm_hv_hypercall(): fast → INVALID_PARAMETER, then SynDBG off → INVALID_HYPERCALL_CODE.
            // The model exposes no synthetic-debugger leaves (0x40000080–82), so SynDBG is off.
            return in.fast() ? HvStatus.INVALID_PARAMETER : HvStatus.INVALID_HYPERCALL_CODE;
        }
        return HvStatus.INVALID_HYPERCALL_CODE;
    }

    private int dispatchXen(HypercallInput in) {
        // viridian_hypercall(): HVCALL_NOTIFY_LONG_SPIN_WAIT → vcpu_yield(), success; SignalEvent,
        // PostDebugData and everything else unimplemented → HV_STATUS_INVALID_HYPERCALL_CODE.
        return in.code() == NOTIFY_LONG_SPIN_WAIT ? notifyLongSpinWait() : HvStatus.INVALID_HYPERCALL_CODE;
    }

    /**
     * KVM's {@code hv_check_hypercall_access()} for the modelled codes: NotifyLongSpinWait needs a
     * spin count other than 0 and 0xFFFFFFFF; SignalEvent the SignalEvents privilege; the debug
     * calls pass when SynDBG is disabled "so the resulting code will be INVALID_HYPERCALL_CODE".
     */
    private boolean kvmAccess(int code) {
        if (code == NOTIFY_LONG_SPIN_WAIT) {
            int spin = p.config().spinRetries();
            return spin != 0 && spin != -1;
        }
        if (code == SIGNAL_EVENT) {
            return p.config().has(HvPrivilege.SIGNAL_EVENTS);
        }
        return true;
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
            return kvmUserspaceSignal(param);
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
            return kvmUserspaceSignal(param);
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
     * The KVM fall-through "maybe userspace knows this conn_id": no active SynIC → 3; else QEMU
     * answers 0x11 for a non-zero flag and 0x12 for a connection it has no handler for. The model's
     * SynIC is active when the partition holds AccessSynicRegs (QEMU's hv-synic sets both).
     */
    private int kvmUserspaceSignal(long param) {
        if (!p.config().has(HvPrivilege.ACCESS_SYNIC_REGS)) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        if ((param & 0x0000_ffff_0000_0000L) != 0) {
            return HvStatus.INVALID_PORT_ID;
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
     * HvCallPostDebugData (0x0069) once the Debugging privilege is held. The TLFS documents only
     * its code and privilege; with no debugger attached the model answers as KVM + QEMU do: a fast
     * call is INVALID_PARAMETER ({@code kvm_hv_hypercall()}), otherwise INVALID_HYPERCALL_CODE
     * (QEMU {@code hyperv_hcall_post_dbg_data()} without a SynDBG handler).
     */
    int postDebugData(boolean fast) {
        return fast ? HvStatus.INVALID_PARAMETER : HvStatus.INVALID_HYPERCALL_CODE;
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
