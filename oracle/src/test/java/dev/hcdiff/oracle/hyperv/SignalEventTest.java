package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.trace.record.Interrupt;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HvCallSignalEvent (0x005D) status paths and effects. Expected statuses are the TLFS page
 * "HvCallSignalEvent" Return Values and "Common Hypercall Status Codes" (tlfs), Linux
 * {@code kvm_hvcall_signal_event()} + QEMU {@code hyperv_hcall_signal_event()} (kvm) and Xen
 * {@code viridian_hypercall()} (xen-viridian); numbers from TLFS App. B.
 */
class SignalEventTest {

    /** TLFS App. A: HvCallSignalEvent. */
    static final long SIGNAL_EVENT = 0x005D;
    /** TLFS "Hypercall Inputs": bit 16 Fast. */
    static final long FAST = 1L << 16;
    static final long SIEF_GPA = 0x3000;
    static final int VECTOR = 0x50;

    // TLFS App. B values.
    static final long SUCCESS = 0x0, INVALID_HYPERCALL_CODE = 0x2, INVALID_HYPERCALL_INPUT = 0x3,
            INVALID_ALIGNMENT = 0x4, INVALID_PARAMETER = 0x5, ACCESS_DENIED = 0x6, INVALID_PORT_ID = 0x11,
            INVALID_CONNECTION_ID = 0x12, INVALID_SYNIC_STATE = 0x18;

    // TLFS App. C.
    static final int SCONTROL = 0x40000080, SIEFP = 0x40000082, SINT0 = 0x40000090;

    final FlatRam mem = new FlatRam(0x10000);
    final List<Interrupt> irqs = new ArrayList<>();

    static HvPartition partition(HvPersonality who, String ports) {
        return new HvPartition(HvConfig.defaults().withVcpus(2).withPersonality(who).withPorts(HvPorts.parse(ports)));
    }

    void enableSynic(HvPartition hv, int vp, int sint, long sintValue) {
        assertEquals(false, hv.wrmsr(vp, SCONTROL, 1, mem).faulted());
        assertEquals(false, hv.wrmsr(vp, SIEFP, SIEF_GPA | 1, mem).faulted());
        assertEquals(false, hv.wrmsr(vp, SINT0 + sint, sintValue, mem).faulted());
    }

    long fast(HvPartition hv, int conn, int flag) {
        return hv.hypercall(0, SIGNAL_EVENT | FAST, (conn & 0xffffffffL) | ((long) flag << 32), 0, mem, irqs::add);
    }

    HvPartition ready(HvPersonality who) {
        HvPartition hv = partition(who, "0x10001=event:vp0:sint2:flag0:count16;0x20001=message:vp0:sint3");
        enableSynic(hv, 0, 2, VECTOR);
        return hv;
    }

    @Test
    void signalSetsSiefFlagAtSintTimes256PlusFlagOver8AndRaisesSint() {
        HvPartition hv = ready(HvPersonality.TLFS);
        assertEquals(SUCCESS, fast(hv, 0x10001, 11));
        // TLFS hv_synic_event_flags: SINT 2's 256-byte block, flag 11 → byte 11/8 = 1, bit 11%8 = 3.
        assertEquals(1 << 3, mem.byteAt(SIEF_GPA + 2 * 256 + 1));
        assertEquals(List.of(new Interrupt(0, VECTOR, "sint2")), irqs);
    }

    @Test
    void flagIsOffsetByThePortsBaseFlagNumber() {
        HvPartition hv = partition(HvPersonality.TLFS, "0x7=event:vp1:sint5:flag100:count20");
        enableSynic(hv, 1, 5, 0x61);
        assertEquals(SUCCESS, fast(hv, 7, 5));
        // Absolute flag 100 + 5 = 105 in SINT 5: byte 5*256 + 13, bit 1 (TLFS HvCallSignalEvent).
        assertEquals(1 << 1, mem.byteAt(SIEF_GPA + 5 * 256 + 13));
        assertEquals(List.of(new Interrupt(1, 0x61, "sint5")), irqs);
    }

    @Test
    void secondSignalOfASetFlagRaisesNothingAndWritesNothing() {
        HvPartition hv = ready(HvPersonality.TLFS);
        fast(hv, 0x10001, 0);
        irqs.clear();
        dev.hcdiff.oracle.backend.AccessLog log = new dev.hcdiff.oracle.backend.AccessLog(mem);
        long r = hv.hypercall(0, SIGNAL_EVENT | FAST, 0x10001, 0, log, irqs::add);
        // "It interrupts only if the flag was clear" (TLFS IPC; hyperv-abi.md §6).
        assertEquals(SUCCESS, r);
        assertEquals(List.of(), irqs);
        assertEquals(List.of(), log.writes());
    }

    @Test
    void clearedFlagInterruptsAgain() {
        HvPartition hv = ready(HvPersonality.TLFS);
        fast(hv, 0x10001, 0);
        mem.putByte(SIEF_GPA + 2 * 256, (byte) 0);
        fast(hv, 0x10001, 0);
        assertEquals(2, irqs.size());
    }

    @Test
    void withoutSignalEventsPrivilegeIsAccessDeniedEvenWithBadInput() {
        HvPartition hv = new HvPartition(HvConfig.defaults().withPrivileges(HvPrivilege.DEFAULT_GUEST & ~(1L << 37)));
        // EBX bit 5 SignalEvents absent; a rep count is also set: ACCESS_DENIED is preferred (TLFS ordering).
        long r = hv.hypercall(0, SIGNAL_EVENT | FAST | (1L << 32), 0x10001, 0, mem, irqs::add);
        assertEquals(ACCESS_DENIED, r);
    }

    @Test
    void slowInputGpaMustBe8ByteAlignedAndInsideOnePage() {
        HvPartition hv = ready(HvPersonality.TLFS);
        assertEquals(INVALID_ALIGNMENT, hv.hypercall(0, SIGNAL_EVENT, 0x5004, 0, mem, irqs::add));
        assertEquals(INVALID_ALIGNMENT, hv.hypercall(0, SIGNAL_EVENT, 0x5ffc, 0, mem, irqs::add));
        // Outside the GPA space (beyond this RAM): INVALID_ALIGNMENT (TLFS common codes).
        assertEquals(INVALID_ALIGNMENT, hv.hypercall(0, SIGNAL_EVENT, 0x100000, 0, mem, irqs::add));
    }

    @Test
    void slowInputIsReadFromTheInputGpa() {
        HvPartition hv = ready(HvPersonality.TLFS);
        mem.putLong(0x5ff8, 0x10001L | (4L << 32));
        assertEquals(SUCCESS, hv.hypercall(0, SIGNAL_EVENT, 0x5ff8, 0, mem, irqs::add));
        assertEquals(1 << 4, mem.byteAt(SIEF_GPA + 2 * 256));
    }

    @Test
    void reservedConnectionIdBitsAndRsvdZAreInvalidInput() {
        HvPartition hv = ready(HvPersonality.TLFS);
        // hv_connection_id bits 31:24 reserved; input bytes 6..7 RsvdZ.
        assertEquals(INVALID_HYPERCALL_INPUT, fast(hv, 0x01010001, 0));
        long r = hv.hypercall(0, SIGNAL_EVENT | FAST, 0x10001L | (1L << 48), 0, mem, irqs::add);
        assertEquals(INVALID_HYPERCALL_INPUT, r);
    }

    @Test
    void unknownConnectionIsInvalidConnectionIdBeforeSynicState() {
        HvPartition hv = partition(HvPersonality.TLFS, "0x10001=event:vp0:sint2:flag0:count16");
        // SynIC never enabled, but the connection check comes first.
        assertEquals(INVALID_CONNECTION_ID, fast(hv, 0x10002, 0));
    }

    @Test
    void messagePortIsInvalidPortIdBeforeTheFlagCheck() {
        HvPartition hv = ready(HvPersonality.TLFS);
        assertEquals(INVALID_PORT_ID, fast(hv, 0x20001, 999));
    }

    @Test
    void flagAtOrBeyondFlagCountIsInvalidParameterBeforeSynicState() {
        HvPartition hv = partition(HvPersonality.TLFS, "0x10001=event:vp0:sint2:flag0:count16");
        assertEquals(INVALID_PARAMETER, fast(hv, 0x10001, 16));
        assertEquals(INVALID_SYNIC_STATE, fast(hv, 0x10001, 15));
    }

    @Test
    void disabledSynicOrSiefOrMaskedSintIsInvalidSynicState() {
        HvPartition hv = ready(HvPersonality.TLFS);
        hv.wrmsr(0, SCONTROL, 0, mem);
        assertEquals(INVALID_SYNIC_STATE, fast(hv, 0x10001, 0));
        hv.wrmsr(0, SCONTROL, 1, mem);
        hv.wrmsr(0, SIEFP, SIEF_GPA, mem);
        assertEquals(INVALID_SYNIC_STATE, fast(hv, 0x10001, 0));
        hv.wrmsr(0, SIEFP, SIEF_GPA | 1, mem);
        hv.wrmsr(0, SINT0 + 2, (1L << 16) | VECTOR, mem);
        assertEquals(INVALID_SYNIC_STATE, fast(hv, 0x10001, 0));
        hv.wrmsr(0, SINT0 + 2, VECTOR, mem);
        assertEquals(SUCCESS, fast(hv, 0x10001, 0));
        assertEquals(List.of(new Interrupt(0, VECTOR, "sint2")), irqs);
    }

    @Test
    void pollingSintSetsTheFlagWithoutAnInterrupt() {
        HvPartition hv = partition(HvPersonality.TLFS, "0x10001=event:vp0:sint2:flag0:count16");
        enableSynic(hv, 0, 2, (1L << 18) | VECTOR);
        assertEquals(SUCCESS, fast(hv, 0x10001, 0));
        assertEquals(1, mem.byteAt(SIEF_GPA + 2 * 256));
        assertEquals(List.of(), irqs);
    }

    @Test
    void kvmAnswersInvalidPortIdForAnyNonZeroFlag() {
        HvPartition hv = ready(HvPersonality.KVM);
        // kvm_hvcall_signal_event(): flag bits 32-47 != 0 → 0x11, then QEMU says 0x11 again.
        assertEquals(INVALID_PORT_ID, fast(hv, 0x10001, 1));
        assertEquals(SUCCESS, fast(hv, 0x10001, 0));
        assertEquals(1, mem.byteAt(SIEF_GPA + 2 * 256));
    }

    @Test
    void kvmWithoutActiveSynicAnswersInvalidInputOnTheUserspacePath() {
        HvPartition hv = new HvPartition(HvConfig.defaults().withPersonality(HvPersonality.KVM)
                .withPrivileges(HvPrivilege.DEFAULT_GUEST & ~(1L << 2)));
        // Unknown connection → 0x11 in kernel → fall-through with SynIC inactive → 3.
        assertEquals(INVALID_HYPERCALL_INPUT, fast(hv, 0x10001, 0));
    }

    @Test
    void kvmUnknownConnectionIsInvalidConnectionIdFromQemu() {
        HvPartition hv = ready(HvPersonality.KVM);
        assertEquals(INVALID_CONNECTION_ID, fast(hv, 0x30001, 0));
        assertEquals(INVALID_CONNECTION_ID, fast(hv, 0x20001, 0));
    }

    long slow(HvPartition hv, long inputWord) {
        mem.putLong(0x1000, inputWord);
        return hv.hypercall(0, SIGNAL_EVENT, 0x1000, 0, mem, irqs::add);
    }

    @Test
    void kvmSlowUnknownConnectionIsJudgedByQemuAsIfTheConnectionWereAGpa() {
        // Linux kvm_hvcall_signal_event() reads the input into hc->ingpa; kvm_hv_hypercall() exits
        // with params[0] = hc.ingpa and Fast = 0; QEMU hyperv_hcall_signal_event() then checks
        // "addr & (__alignof__(addr) - 1)" → INVALID_ALIGNMENT and does ldq_phys(addr).
        HvPartition hv = ready(HvPersonality.KVM);
        assertEquals(INVALID_ALIGNMENT, slow(hv, 0x30001));
        // 0x8000 is aligned: QEMU reads the u64 there and applies its checks to that value.
        mem.putLong(0x8000, 1L << 32);
        assertEquals(INVALID_PORT_ID, slow(hv, 0x8000), "flag bits in the word at 0x8000");
        mem.putLong(0x8000, 1L << 56);
        assertEquals(INVALID_HYPERCALL_INPUT, slow(hv, 0x8000), "reserved bits in the word at 0x8000");
        mem.putLong(0x8000, 0x10001);
        assertEquals(INVALID_CONNECTION_ID, slow(hv, 0x8000), "QEMU has no handler, even for a KVM eventfd port");
        // Outside RAM: unassigned_mem_read() gives 0 → connection 0 → no handler.
        assertEquals(INVALID_CONNECTION_ID, slow(hv, 0x30008));
        // A non-zero flag: KVM's 0x11 falls through; QEMU reads at the (huge, aligned) word → 0 → 0x12.
        assertEquals(INVALID_CONNECTION_ID, slow(hv, (1L << 32) | 0x10008));
        assertEquals(List.of(), irqs);
        assertEquals(0, mem.byteAt(SIEF_GPA + 2 * 256));
        // Fast calls keep the value as the connection word.
        assertEquals(INVALID_CONNECTION_ID, fast(hv, 0x30001, 0));
        assertEquals(INVALID_PORT_ID, fast(hv, 0x30001, 1));
    }

    @Test
    void kvmDropsTheEventSilentlyWhenSiefIsDisabled() {
        HvPartition hv = partition(HvPersonality.KVM, "0x10001=event:vp0:sint2:flag0:count16");
        // SCONTROL resets to 1 under KVM but SIEFP is 0: QEMU's hyperv_set_event_flag() → -ENXIO, call already 0.
        assertEquals(SUCCESS, fast(hv, 0x10001, 0));
        assertEquals(List.of(), irqs);
    }

    @Test
    void kvmMaskedSintGetsTheFlagButNoInterrupt() {
        HvPartition hv = partition(HvPersonality.KVM, "0x10001=event:vp0:sint2:flag0:count16");
        enableSynic(hv, 0, 2, (1L << 16) | VECTOR);
        assertEquals(SUCCESS, fast(hv, 0x10001, 0));
        assertEquals(1, mem.byteAt(SIEF_GPA + 2 * 256));
        assertEquals(List.of(), irqs);
    }

    @Test
    void xenViridianDoesNotImplementSignalEvent() {
        HvPartition hv = ready(HvPersonality.XEN_VIRIDIAN);
        assertEquals(INVALID_HYPERCALL_CODE, fast(hv, 0x10001, 0));
        assertTrue(irqs.isEmpty());
    }
}
