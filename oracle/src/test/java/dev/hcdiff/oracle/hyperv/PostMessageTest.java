package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.trace.record.Interrupt;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * HvCallPostMessage (0x005C): TLFS page "HvCallPostMessage" (input ConnectionId u32 @0, RsvdZ u32
 * @4, MessageType u32 @8, PayloadSize u32 @12, Message[240] @16; Return Values), HV_MESSAGE
 * (16-byte header, slot n of the SIM page for SINTn), hyperv-abi.md §6 (16 buffers per port,
 * INSUFFICIENT_BUFFERS 0x13); kvm: {@code kvm_hv_hypercall()} then QEMU
 * {@code hyperv_hcall_post_message()}; xen-viridian: not implemented → 2.
 */
class PostMessageTest {

    static final long POST_MESSAGE = 0x005C, FAST = 1L << 16;
    static final long IN = 0x1000, SIM_GPA = 0x4000;
    static final int SCONTROL = 0x40000080, SIMP = 0x40000083, EOM = 0x40000084, SINT0 = 0x40000090;
    static final int VECTOR = 0x60;
    static final long SUCCESS = 0, INVALID_HYPERCALL_CODE = 2, INVALID_HYPERCALL_INPUT = 3, INVALID_ALIGNMENT = 4,
            INVALID_PARAMETER = 5, ACCESS_DENIED = 6, INSUFFICIENT_MEMORY = 0xB, INVALID_PORT_ID = 0x11,
            INVALID_CONNECTION_ID = 0x12, INSUFFICIENT_BUFFERS = 0x13, INVALID_SYNIC_STATE = 0x18;
    static final String PORTS = "0x20001=message:vp1:sint3;0x10001=event:vp0:sint2:flag0:count16";

    final FlatRam mem = new FlatRam(0x10000);
    final List<Interrupt> irqs = new ArrayList<>();

    HvPartition partition(HvPersonality who) {
        HvPartition hv = new HvPartition(HvConfig.defaults().withPersonality(who).withVcpus(2).withPorts(HvPorts.parse(PORTS)));
        hv.wrmsr(1, SCONTROL, 1, mem);
        hv.wrmsr(1, SIMP, SIM_GPA | 1, mem);
        hv.wrmsr(1, SINT0 + 3, VECTOR, mem);
        return hv;
    }

    void input(long conn, long type, long size) {
        mem.putLong(IN, conn);
        mem.putLong(IN + 8, type | (size << 32));
        for (int i = 0; i < 240; i++) {
            mem.putByte(IN + 16 + i, (byte) (i + 1));
        }
    }

    long post(HvPartition hv) {
        return hv.hypercall(0, POST_MESSAGE, IN, 0, mem, irqs::add);
    }

    long slot(int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | mem.byteAt(SIM_GPA + 3 * 256 + off + i);
        }
        return v;
    }

    @Test
    void messageLandsInTheTargetSlotAndRaisesTheSint() {
        HvPartition hv = partition(HvPersonality.TLFS);
        input(0x20001, 1, 5);
        assertEquals(SUCCESS, post(hv));
        assertEquals(List.of(new Interrupt(1, VECTOR, "sint3")), irqs);
        assertEquals(1, slot(0, 4), "MessageType");
        assertEquals(5, slot(4, 1), "PayloadSize");
        assertEquals(0x20001, slot(8, 8), "origination: the port");
        assertEquals(0x0504030201L, slot(16, 5), "the first PayloadSize bytes");
        assertEquals(0, slot(21, 1), "only PayloadSize bytes are sent");
    }

    @Test
    void busySlotQueuesWithMessagePendingUntilSixteenBuffersAreTaken() {
        HvPartition hv = partition(HvPersonality.TLFS);
        input(0x20001, 1, 8);
        assertEquals(SUCCESS, post(hv));
        for (int i = 0; i < 16; i++) {
            assertEquals(SUCCESS, post(hv), "buffer " + i);
        }
        assertEquals(1, slot(5, 1), "MessagePending set on the occupied slot");
        assertEquals(INSUFFICIENT_BUFFERS, post(hv));
        // Guest empties the slot and writes EOM: the next queued message moves in.
        mem.putLong(SIM_GPA + 3 * 256, 0);
        irqs.clear();
        hv.wrmsr(1, EOM, 0, mem, 0, t -> { });
        hv.expireTimers(0, mem, irqs::add);
        assertEquals(List.of(new Interrupt(1, VECTOR, "sint3")), irqs);
        assertEquals(1, slot(0, 4));
        assertEquals(SUCCESS, post(hv), "a buffer is free again");
    }

    @Test
    void errorStatusesFollowTheTlfsTable() {
        HvPartition hv = partition(HvPersonality.TLFS);
        input(0x30001, 1, 8);
        assertEquals(INVALID_CONNECTION_ID, post(hv));
        input(0x10001, 1, 8);
        assertEquals(INVALID_PORT_ID, post(hv), "an event port is not a message port");
        input(0x20001, 0, 8);
        assertEquals(INVALID_PARAMETER, post(hv), "type zero");
        input(0x20001, 0x80000001L, 8);
        assertEquals(INVALID_PARAMETER, post(hv), "type with its MSB set");
        input(0x20001, 1, 241);
        assertEquals(INVALID_PARAMETER, post(hv), "payload over 240 bytes");
        input(0x20001, 1, 8);
        assertEquals(INVALID_ALIGNMENT, hv.hypercall(0, POST_MESSAGE, IN + 4, 0, mem, irqs::add));
        assertEquals(INVALID_ALIGNMENT, hv.hypercall(0, POST_MESSAGE, 0x1f08, 0, mem, irqs::add), "256 bytes cross the page");
        hv.wrmsr(1, SIMP, SIM_GPA, mem);
        assertEquals(INVALID_SYNIC_STATE, post(hv), "SIM page disabled");
        assertEquals(List.of(), irqs);
    }

    @Test
    void withoutPostMessagesPrivilegeIsAccessDenied() {
        HvPartition hv = new HvPartition(HvConfig.defaults().withPrivileges(HvPrivilege.DEFAULT_GUEST & ~HvPrivilege.POST_MESSAGES));
        input(0x20001, 1, 8);
        assertEquals(ACCESS_DENIED, post(hv));
    }

    @Test
    void kvmHandsTheCallToQemuWithItsOwnStatuses() {
        HvPartition hv = partition(HvPersonality.KVM);
        input(0x20001, 1, 8);
        assertEquals(INVALID_HYPERCALL_CODE, hv.hypercall(0, POST_MESSAGE | FAST, IN, 0, mem, irqs::add), "QEMU: fast");
        input(0x20001, 1, 241);
        assertEquals(INVALID_HYPERCALL_INPUT, post(hv), "QEMU: payload_size > 240 → 3, not 5");
        input(0x10001, 1, 8);
        assertEquals(INVALID_CONNECTION_ID, post(hv), "QEMU has no message handler for an event connection");
        assertEquals(INSUFFICIENT_MEMORY, hv.hypercall(0, POST_MESSAGE, 0xfff8, 0, mem, irqs::add), "unmappable input");
        input(0xff020001L, 0, 8);
        assertEquals(SUCCESS, post(hv), "the id is masked to 24 bits and the type is not judged");
        // A rep count reaches KVM's "rep || !synic->active" check first.
        assertEquals(INVALID_HYPERCALL_INPUT, hv.hypercall(0, POST_MESSAGE | (1L << 32), IN, 0, mem, irqs::add));
    }

    @Test
    void xenViridianDoesNotImplementIt() {
        HvPartition hv = partition(HvPersonality.XEN_VIRIDIAN);
        input(0x20001, 1, 8);
        assertEquals(INVALID_HYPERCALL_CODE, post(hv));
    }
}
