package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.Interrupt;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * HvCallPostMessage (0x005C): the input block ConnectionId u32 @0, RsvdZ u32 @4, MessageType u32
 * @8, PayloadSize u32 @12, Message[240] @16 (TLFS page "HvCallPostMessage"), checked as the TLFS
 * or as KVM + QEMU do, then delivered by {@link Messages}. Xen's viridian does not implement it.
 */
final class PostMessage {

    private final HvPartition p;

    PostMessage(HvPartition p) {
        this.p = p;
    }

    /**
     * HvCallPostMessage (0x005C) under the TLFS (page "HvCallPostMessage", Return Values). A fast
     * call cannot carry the 256-byte input (XMM input is not offered) → INVALID_HYPERCALL_INPUT
     * (the TLFS names no status for it); then the input GPA's alignment and page
     * (INVALID_ALIGNMENT); reserved bits of ConnectionId or the RsvdZ word →
     * INVALID_HYPERCALL_INPUT (as for SignalEvent); unknown connection → INVALID_CONNECTION_ID;
     * not a message port → INVALID_PORT_ID; message type 0 or with its MSB set, or a payload over
     * 240 bytes → INVALID_PARAMETER; target SynIC or SIM page disabled → INVALID_SYNIC_STATE; then
     * delivery or queueing ({@link Messages}), INSUFFICIENT_BUFFERS when the port's buffers are full.
     */
    int tlfs(boolean fast, long rdx, GuestMemory memory, Consumer<Interrupt> irqs) {
        if (fast) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        if (HvCalls.badList(rdx, HvCalls.POST_MESSAGE_INPUT_BYTES)) {
            return HvStatus.INVALID_ALIGNMENT;
        }
        byte[] in;
        try {
            in = memory.readPhysical(rdx, HvCalls.POST_MESSAGE_INPUT_BYTES);
        } catch (GuestFault f) {
            return HvStatus.INVALID_ALIGNMENT;
        }
        long conn = SimPage.Le.get(in, 0, 4);
        if ((conn & ~(long) HvPort.CONNECTION_ID_MASK) != 0 || SimPage.Le.get(in, 4, 4) != 0) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        HvPort port = p.config().ports().lookup((int) conn).orElse(null);
        if (port == null) {
            return HvStatus.INVALID_CONNECTION_ID;
        }
        if (port.type() != HvPort.Type.MESSAGE) {
            return HvStatus.INVALID_PORT_ID;
        }
        int type = (int) SimPage.Le.get(in, 8, 4);
        long size = SimPage.Le.get(in, 12, 4);
        if (type == 0 || type < 0 || size > SimPage.MAX_PAYLOAD) {
            return HvStatus.INVALID_PARAMETER;
        }
        SynIc s = p.synicUnchecked(port.vp());
        if (!s.enabled() || (s.simp() & SynIc.PAGE_ENABLE) == 0) {
            return HvStatus.INVALID_SYNIC_STATE;
        }
        return deliverMessage(port, type, Arrays.copyOfRange(in, 16, 16 + (int) size), memory, irqs);
    }

    /**
     * HvCallPostMessage under KVM: the call exits to QEMU, {@code hyperv_hcall_post_message()}:
     * fast → INVALID_HYPERCALL_CODE; GPA not 8-aligned → INVALID_ALIGNMENT; input not mappable →
     * INSUFFICIENT_MEMORY; PayloadSize &gt; 240 → INVALID_HYPERCALL_INPUT; the connection id
     * (masked to 24 bits) not a message connection → INVALID_CONNECTION_ID; then the handler the
     * root registered for it, played here by the port's delivery (no type check, no page-cross check).
     */
    int qemu(boolean fast, long rdx, GuestMemory memory, Consumer<Interrupt> irqs) {
        if (fast) {
            return HvStatus.INVALID_HYPERCALL_CODE;
        }
        if ((rdx & (HvCalls.GPA_ALIGNMENT - 1)) != 0) {
            return HvStatus.INVALID_ALIGNMENT;
        }
        byte[] in;
        try {
            in = memory.readPhysical(rdx, HvCalls.POST_MESSAGE_INPUT_BYTES);
        } catch (GuestFault f) {
            return HvStatus.INSUFFICIENT_MEMORY;
        }
        long size = SimPage.Le.get(in, 12, 4);
        if (size > SimPage.MAX_PAYLOAD) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        int conn = (int) SimPage.Le.get(in, 0, 4) & HvPort.CONNECTION_ID_MASK;
        HvPort port = p.config().ports().lookup(conn).orElse(null);
        if (port == null || port.type() != HvPort.Type.MESSAGE) {
            return HvStatus.INVALID_CONNECTION_ID;
        }
        SynIc s = p.synicUnchecked(port.vp());
        if ((s.simp() & SynIc.PAGE_ENABLE) == 0) {
            return HvStatus.INVALID_SYNIC_STATE;
        }
        return deliverMessage(port, (int) SimPage.Le.get(in, 8, 4), Arrays.copyOfRange(in, 16, 16 + (int) size),
                memory, irqs);
    }

    private int deliverMessage(HvPort port, int type, byte[] payload, GuestMemory memory, Consumer<Interrupt> irqs) {
        try {
            return p.messages().post(port, type, payload, memory, irqs);
        } catch (GuestFault f) {
            // The SIM page lies outside RAM: it cannot accept messages.
            return HvStatus.INVALID_SYNIC_STATE;
        }
    }
}
