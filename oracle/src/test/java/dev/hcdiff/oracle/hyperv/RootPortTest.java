package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.trace.record.Interrupt;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Event ports of the root: a guest's HvCallSignalEvent to one is handed to the root, and the root's
 * own signal into the partition sets the flag of an event port here (TLFS "Inter-Partition
 * Communication", HvCallSignalEvent; KVM {@code kvm_hvcall_signal_event()} with an eventfd
 * connection; Xen viridian does not implement SignalEvent). Status numbers from TLFS App. B.
 */
class RootPortTest {

    static final long SIGNAL_EVENT = 0x005D, FAST = 1L << 16;
    static final int SUCCESS = 0x0, INVALID_HYPERCALL_CODE = 0x2, INVALID_PARAMETER = 0x5, INVALID_PORT_ID = 0x11,
            INVALID_CONNECTION_ID = 0x12, INVALID_SYNIC_STATE = 0x18;
    static final int SCONTROL = 0x40000080, SIEFP = 0x40000082, SINT0 = 0x40000090;
    static final String PORTS = "0x10001=event:vp0:sint2:flag0:count16;0x20001=message:vp0:sint3;0xd0010=root:count1";

    final FlatRam mem = new FlatRam(0x10000);
    final List<Interrupt> irqs = new ArrayList<>();

    static HvPartition partition(HvPersonality who) {
        return new HvPartition(HvConfig.defaults().withPersonality(who).withPorts(HvPorts.parse(PORTS)));
    }

    int signal(HvPartition hv, int conn, int flag) {
        return HvStatus.statusOf(hv.hypercall(0, SIGNAL_EVENT | FAST, conn | ((long) flag << 32), 0, mem, irqs::add));
    }

    @Test
    void aSignalToARootPortIsHandedToTheRoot() {
        HvPartition hv = partition(HvPersonality.TLFS);
        assertEquals(SUCCESS, signal(hv, 0xd0010, 0));
        assertEquals(List.of(new HvPartition.RootSignal(0xd0010, 0)), hv.takeRootSignals());
        assertEquals(List.of(), hv.takeRootSignals(), "taken once");
        // Flag ≥ FlagCount: INVALID_PARAMETER, and nothing reaches the root.
        assertEquals(INVALID_PARAMETER, signal(hv, 0xd0010, 1));
        assertEquals(List.of(), hv.takeRootSignals());
        assertEquals(List.of(), irqs);
    }

    @Test
    void kvmSignalsTheEventfdForFlagZeroOnly() {
        HvPartition hv = partition(HvPersonality.KVM);
        assertEquals(SUCCESS, signal(hv, 0xd0010, 0));
        assertEquals(1, hv.takeRootSignals().size());
        assertEquals(INVALID_PORT_ID, signal(hv, 0xd0010, 1));
    }

    @Test
    void xenViridianHasNoSignalEvent() {
        assertEquals(INVALID_HYPERCALL_CODE, signal(partition(HvPersonality.XEN_VIRIDIAN), 0xd0010, 0));
    }

    @Test
    void theRootSignalsAnEventPortHereLikeAGuestWould() {
        HvPartition hv = partition(HvPersonality.TLFS);
        assertEquals(INVALID_SYNIC_STATE, hv.signalFromRoot(0x10001, 3, mem, irqs::add), "SynIC off");
        hv.wrmsr(0, SCONTROL, 1, mem);
        hv.wrmsr(0, SIEFP, 0x3000 | 1, mem);
        hv.wrmsr(0, SINT0 + 2, 0x50, mem);
        assertEquals(SUCCESS, hv.signalFromRoot(0x10001, 3, mem, irqs::add));
        // SIEF byte sint * 256 + flag / 8, bit flag % 8 (TLFS hv_synic_event_flags).
        assertEquals(1 << 3, mem.byteAt(0x3000 + 2 * 256));
        assertEquals(List.of(new Interrupt(0, 0x50, "sint2")), irqs);
        assertEquals(INVALID_PARAMETER, hv.signalFromRoot(0x10001, 16, mem, irqs::add));
        assertEquals(INVALID_PORT_ID, hv.signalFromRoot(0x20001, 0, mem, irqs::add));
        assertEquals(INVALID_PORT_ID, hv.signalFromRoot(0xd0010, 0, mem, irqs::add), "a root port is not here");
        assertEquals(INVALID_CONNECTION_ID, hv.signalFromRoot(0x777, 0, mem, irqs::add));
    }

    @Test
    void underKvmTheRootDropsTheEventWhenTheSiefPageIsOff() {
        HvPartition hv = partition(HvPersonality.KVM);
        // SCONTROL resets to 1 in KVM, SIEFP to 0: hyperv_set_event_flag() has nowhere to put it.
        assertEquals(SUCCESS, hv.signalFromRoot(0x10001, 3, mem, irqs::add));
        assertEquals(0, mem.byteAt(2 * 256));
        assertEquals(List.of(), irqs);
    }
}
