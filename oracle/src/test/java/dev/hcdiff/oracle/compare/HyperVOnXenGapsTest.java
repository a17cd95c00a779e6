package dev.hcdiff.oracle.compare;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.hyperv.HvPersonality;
import dev.hcdiff.oracle.hyperv.HypercallPage;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each Hyper-V-on-Xen catalog entry recognises its gap and nothing more: a second difference on
 * the same request stays new. Observations are built by hand from what each side answers
 * (hyperv-abi.md §8b; viridian.c, time.c, synic.c of Xen 4.17.7).
 */
class HyperVOnXenGapsTest {

    static Hypercall hv(long input) {
        return new Hypercall(0, Abi.HV64, input, new long[] {0x1000, 0, 0, 0, 0, 0});
    }

    static Observation result(long rax) {
        return Observation.builder().returns(rax).build();
    }

    /** The entry of the hyperv / hyperv-on-xen pair that explains the divergence. */
    static Optional<String> gap(GuestRequest r, Observation ref, Observation tr) {
        return KnownDivergences.match("hyperv-on-xen", r, Comparator.differingFields(ref, tr), ref, tr)
                .map(KnownDivergence::id);
    }

    @Test
    void signalEventUnimplementedUnderViridian() {
        // TLFS: SignalEvent sets a SIEF flag and raises the SINT; viridian: INVALID_HYPERCALL_CODE, nothing.
        Observation ref = Observation.builder().returns(0).write(new MemChunk(0x3000, new byte[] {1}))
                .interrupt(new Interrupt(0, 0x40, "sint2")).build();
        assertEquals(Optional.of("viridian-unimplemented-hypercall"), gap(hv(0x5D), ref, result(2)));
        // The port raising something with its INVALID_HYPERCALL_CODE is not this gap.
        Observation odd = Observation.builder().returns(2).interrupt(new Interrupt(0, 0x40, "ipi")).build();
        assertFalse(HyperVOnXenGaps.unimplementedHypercall(hv(0x5D), Comparator.differingFields(ref, odd), ref, odd));
    }

    @Test
    void reservedInputBitsServedByViridian() {
        Observation ref = result(3);
        Observation tr = Observation.builder().returns(0).interrupt(new Interrupt(1, 0x40, "ipi")).build();
        assertEquals(Optional.of("viridian-no-input-checks"), gap(hv(0x0B | 1L << 31), ref, tr));
        // A console byte is not something an unchecked input explains.
        Observation more = Observation.builder().returns(0).console(new byte[] {'x'}).build();
        assertEquals(Optional.empty(), gap(hv(0x0B | 1L << 31), ref, more));
    }

    @Test
    void flushReportsRepCountAndAcceptsAnEmptyMask() {
        // TLFS: mask 0 without HV_FLUSH_ALL_PROCESSORS is INVALID_PARAMETER; Xen: 0, reps = rep count.
        assertEquals(Optional.of("viridian-flush-lenient"), gap(hv(0x3 | 4L << 32), result(5), result(4L << 32)));
        // reps completed other than the rep count is not viridian's behaviour.
        assertEquals(Optional.empty(), gap(hv(0x3 | 4L << 32), result(5), result(3L << 32)));
    }

    @Test
    void referenceCounterSlightlySlow() {
        MsrRead r = new MsrRead(0, 0x40000020);
        assertEquals(Optional.of("viridian-reference-counter-tsc-scale"), gap(r, result(10_000_000), result(9_999_999)));
        // Ahead of the TLFS counter, or far behind it: new.
        assertEquals(Optional.empty(), gap(r, result(10_000_000), result(10_000_001)));
        assertEquals(Optional.empty(), gap(r, result(10_000_000), result(9_000_000)));
    }

    @Test
    void stimerOnXensClock() {
        // A timer armed a tick apart is the same clock; another timer is not.
        MsrWrite w = new MsrWrite(0, 0x400000B0, 0x20001, CpuMode.LONG64);
        Observation a = Observation.builder().timer(new TimerArm(0, "stimer0", 2_000_000, 0)).build();
        Observation b = Observation.builder().timer(new TimerArm(0, "stimer0", 2_000_100, 0)).build();
        Observation c = Observation.builder().timer(new TimerArm(0, "stimer1", 2_000_100, 0)).build();
        assertEquals(Optional.of("viridian-stimer-on-xen-timer"), gap(w, a, b));
        assertEquals(Optional.empty(), gap(w, a, c));
        // A one-shot already due: the model arms and fires it, viridian fires it with no Xen timer;
        // the message's DeliveryTime is 10000 on the model's clock, 9999 on Xen's.
        byte[] refPayload = new byte[24];
        byte[] xenPayload = new byte[24];
        refPayload[8] = xenPayload[8] = 1;
        refPayload[16] = 0x10;
        refPayload[17] = 0x27;
        xenPayload[16] = 0x0f;
        xenPayload[17] = 0x27;
        Observation fired = Observation.builder().write(new MemChunk(0x12110, refPayload))
                .interrupt(new Interrupt(0, 0x41, "sint1")).timer(new TimerArm(0, "stimer0", 100, 0)).build();
        Observation xenFired = Observation.builder().write(new MemChunk(0x12110, xenPayload))
                .interrupt(new Interrupt(0, 0x41, "sint1")).build();
        assertEquals(Optional.of("viridian-stimer-on-xen-timer"), gap(w, fired, xenFired));
        // The TimerIndex differing is not a clock matter.
        xenPayload[0] = 1;
        Observation wrongIndex = Observation.builder().write(new MemChunk(0x12110, xenPayload))
                .interrupt(new Interrupt(0, 0x41, "sint1")).build();
        assertEquals(Optional.empty(), gap(w, fired, wrongIndex));
    }

    @Test
    void tscPageDiffersOnlyInSequenceAndScale() {
        MsrWrite w = new MsrWrite(0, 0x40000021, 0x3001, CpuMode.LONG64);
        byte[] tlfs = new byte[4096];
        tlfs[0] = 2;
        tlfs[8] = 0x55;
        byte[] xen = new byte[4096];
        xen[0] = 1;
        Observation ref = Observation.builder().write(new MemChunk(0x3000, tlfs)).build();
        assertEquals(Optional.of("viridian-tsc-page"),
                gap(w, ref, Observation.builder().write(new MemChunk(0x3000, xen)).build()));
        xen[16] = 1; // the offset differs too: not this gap
        assertEquals(Optional.empty(), gap(w, ref, Observation.builder().write(new MemChunk(0x3000, xen)).build()));
    }

    @Test
    void hypercallPageWithXensMarker() {
        MsrWrite w = new MsrWrite(0, 0x40000001, 0x5001, CpuMode.LONG64);
        Observation ref = Observation.builder().write(new MemChunk(0x5000,
                HypercallPage.contents(HvPersonality.TLFS, CpuVendor.INTEL))).build();
        Observation xen = Observation.builder().write(new MemChunk(0x5000,
                HypercallPage.contents(HvPersonality.XEN_VIRIDIAN, CpuVendor.INTEL))).build();
        assertEquals(Optional.of("viridian-hypercall-page-marker"), gap(w, ref, xen));
        Observation elsewhere = Observation.builder().write(new MemChunk(0x6000,
                HypercallPage.contents(HvPersonality.XEN_VIRIDIAN, CpuVendor.INTEL))).build();
        assertEquals(Optional.empty(), gap(w, ref, elsewhere));
    }

    @Test
    void msrsViridianLacksOrDoesNotGuard() {
        Observation gp = Observation.builder().fault(Fault.GP).build();
        Observation ok = result(0);
        // HV_X64_MSR_RESET: served by the TLFS model, unimplemented in viridian.
        assertEquals(Optional.of("viridian-msr-unimplemented"), gap(new MsrRead(0, 0x40000003), ok, gp));
        // SCONTROL is implemented by viridian: a #GP there is not this gap.
        assertEquals(Optional.empty(), gap(new MsrRead(0, 0x40000080), ok, gp));
        // EOI without AccessIntrCtrlRegs: #GP in the TLFS, served by viridian.
        assertEquals(Optional.of("viridian-msr-lenient"),
                gap(new MsrWrite(0, 0x40000070, 0, CpuMode.LONG64), gp, Observation.builder().build()));
        // TSC_FREQUENCY served where the reference refused it is not among viridian's lenient MSRs.
        assertEquals(Optional.empty(), gap(new MsrRead(0, 0x40000022), gp, result(1)));
    }

    @Test
    void simpClearedAgainOnARepeatedEnable() {
        MsrWrite w = new MsrWrite(0, 0x40000083, 0x7001, CpuMode.LONG64);
        Observation xen = Observation.builder().write(new MemChunk(0x7000, new byte[4096])).build();
        assertEquals(Optional.of("viridian-page-cleared-on-every-enable"), gap(w, Observation.builder().build(), xen));
        byte[] notZero = new byte[4096];
        notZero[7] = 1;
        assertEquals(Optional.empty(), gap(w, Observation.builder().build(),
                Observation.builder().write(new MemChunk(0x7000, notZero)).build()));
    }

    @Test
    void crashParametersPerVcpu() {
        assertEquals(Optional.of("viridian-crash-msrs-per-vcpu"), gap(new MsrRead(1, 0x40000104), result(7), result(0)));
        assertEquals(Optional.empty(), gap(new MsrRead(1, 0x40000105), result(7), result(0)));
    }

    @Test
    void siefNotCleared() {
        MsrWrite w = new MsrWrite(0, 0x40000082, 0x9001, CpuMode.LONG64);
        Observation ref = Observation.builder().write(new MemChunk(0x9000, new byte[4096])).build();
        assertEquals(Optional.of("viridian-sief-unmapped"), gap(w, ref, Observation.builder().build()));
    }

    @Test
    void cpuidIdentityButNotTheVendorLeaf() {
        Observation a = Observation.builder().returns(0, 0, 0, 0).build();
        Observation b = Observation.builder().returns(0x1772, 0x60000, 0, 0).build();
        assertEquals(Optional.of("viridian-cpuid-identity"), gap(new CpuidQuery(0, 0x40000002, 0), a, b));
        assertEquals(Optional.empty(), gap(new CpuidQuery(0, 0x40000000, 0), a, b));
        // Xen's own leaves at 0x40000100 must carry Xen's signature.
        assertEquals(Optional.empty(), gap(new CpuidQuery(0, 0x40000100, 0), a, b));
        Observation xen = Observation.builder().returns(0x40000105, 0x566e6558L, 0x65584d4dL, 0x4d4d566eL).build();
        assertEquals(Optional.of("viridian-cpuid-identity"), gap(new CpuidQuery(0, 0x40000100, 0), a, xen));
        // An identity viridian never reports is new; so is a leaf 3 without the privileges Xen always grants.
        Observation odd = Observation.builder().returns(0x1234, 0x60000, 0, 0).build();
        assertEquals(Optional.empty(), gap(new CpuidQuery(0, 0x40000002, 0), a, odd));
        Observation noIntrCtrl = Observation.builder().returns(0x60, 0, 0, 0).build();
        assertEquals(Optional.empty(), gap(new CpuidQuery(0, 0x40000003, 0), a, noIntrCtrl));
    }

    @Test
    void interruptsOnlyToEnabledVlapics() {
        Hypercall ipi = hv(0x0B | 1L << 16);
        Observation ref = Observation.builder().returns(0).interrupt(new Interrupt(0, 0x40, "ipi"))
                .interrupt(new Interrupt(1, 0x40, "ipi")).build();
        Observation tr = Observation.builder().returns(0).interrupt(new Interrupt(1, 0x40, "ipi")).build();
        assertEquals(Optional.of("viridian-vlapic-gates-interrupts"), gap(ipi, ref, tr));
        Observation extra = Observation.builder().returns(0).interrupt(new Interrupt(2, 0x40, "ipi")).build();
        assertEquals(Optional.empty(), gap(ipi, ref, extra));
    }

    /** SIM page of hv-hello's recording and its timer SINT (recorder/guests/hv-hello.c: TIMER_SINT 3, vector 0x41). */
    private static final long SIM = 0x106000, SLOT3 = SIM + 3 * 256;
    private static final int TIMER_VECTOR = 0x41;
    /** HvMessageTypeTimerExpired (TLFS hv_message_type), payload 24 bytes (hv_timer_message_payload). */
    private static final int TIMER_EXPIRED = 0x80000010, TIMER_PAYLOAD = 24;

    private static void le(byte[] b, int at, long v, int n) {
        for (int i = 0; i < n; i++) {
            b[at + i] = (byte) (v >>> 8 * i);
        }
    }

    /** hv_timer_message_payload: TimerIndex u32, Reserved u32, ExpirationTime u64, DeliveryTime u64. */
    private static byte[] timerPayload(int index, long expiration, long delivery) {
        byte[] p = new byte[TIMER_PAYLOAD];
        le(p, 0, index, 4);
        le(p, 8, expiration, 8);
        le(p, 16, delivery, 8);
        return p;
    }

    /**
     * The Hyper-V side: the whole message, header (type, size, flags 0, Reserved 0, SenderId 0 for a
     * timer) then payload, as KVM's synic_deliver_msg() copies it; SINT3 asserted.
     */
    private static Observation hypervTimerMessage(long counter, byte[] payload) {
        byte[] m = new byte[16 + TIMER_PAYLOAD];
        le(m, 0, TIMER_EXPIRED, 4);
        m[4] = TIMER_PAYLOAD;
        System.arraycopy(payload, 0, m, 16, TIMER_PAYLOAD);
        return Observation.builder().returns(counter).write(new MemChunk(SLOT3, m))
                .interrupt(new Interrupt(0, TIMER_VECTOR, "sint3")).build();
    }

    /**
     * viridian_synic_deliver_timer_msg() (synic.c, Xen 4.17.7): message_type, payload_size and
     * message_flags (bytes 0-5), then memcpy of the payload at +16; no vlapic_set_irq() while the
     * vLAPIC is disabled.
     */
    private static Observation viridianTimerMessage(long counter, byte[] payload) {
        byte[] h = new byte[6];
        le(h, 0, TIMER_EXPIRED, 4);
        h[4] = TIMER_PAYLOAD;
        return Observation.builder().returns(counter).write(new MemChunk(SLOT3, h))
                .write(new MemChunk(SLOT3 + 16, payload)).build();
    }

    @Test
    void timerExpiryPolledThroughTheReferenceCounterIsKnownByThreeGaps() {
        // hv-hello's stimer0 expiring while it polls TIME_REF_COUNT: Xen's counter (and so the
        // message's DeliveryTime) one tick behind, the header's bytes 6-15 unwritten, and no SINT3
        // on the guest's disabled vLAPIC. No single entry covers result, writes and interrupts.
        MsrRead poll = new MsrRead(0, 0x40000020);
        long expiration = 0x2bc722, now = 0x2bcca7;
        Observation ref = hypervTimerMessage(now, timerPayload(0, expiration, now));
        Observation tr = viridianTimerMessage(now - 1, timerPayload(0, expiration, now - 1));
        assertEquals(Optional.of("viridian-reference-counter-tsc-scale"), gap(poll, ref, tr));
        assertEquals(java.util.List.of("viridian-reference-counter-tsc-scale", "viridian-stimer-on-xen-timer",
                        "viridian-vlapic-gates-interrupts"),
                KnownDivergences.matchAll("hyperv-on-xen", poll, Comparator.differingFields(ref, tr), ref, tr).stream()
                        .map(KnownDivergence::id).toList());
        Divergence d = Divergence.between(1023, poll, Divergence.Kind.MODELS, "hyperv-on-xen", ref, tr).orElseThrow();
        assertFalse(d.isNew());
        assertEquals("viridian-reference-counter-tsc-scale", d.known().id());
        assertEquals(3, d.knownAll().size());
        // The header half alone (same clock, vLAPIC enabled): the timer entry explains the writes.
        Observation sameClock = viridianTimerMessage(now, timerPayload(0, expiration, now));
        Observation enabled = Observation.builder().write(sameClock.writes().get(0)).write(sameClock.writes().get(1))
                .returns(now).interrupt(new Interrupt(0, TIMER_VECTOR, "sint3")).build();
        assertEquals(Optional.of("viridian-stimer-on-xen-timer"), gap(poll, ref, enabled));
    }

    @Test
    void aWrongTimerPayloadOrHeaderKeepsTheExpiryNew() {
        MsrRead poll = new MsrRead(0, 0x40000020);
        long expiration = 0x2bc722, now = 0x2bcca7;
        Observation ref = hypervTimerMessage(now, timerPayload(0, expiration, now));
        // Another timer's index, an expiration far off the clock's slack, a DeliveryTime ahead by much.
        for (byte[] wrong : java.util.List.of(timerPayload(1, expiration, now - 1),
                timerPayload(0, expiration + 100_000, now - 1), timerPayload(0, expiration, now + 100_000))) {
            Observation tr = viridianTimerMessage(now - 1, wrong);
            assertEquals(Optional.empty(), gap(poll, ref, tr));
            assertTrue(Divergence.between(1, poll, Divergence.Kind.MODELS, "hyperv-on-xen", ref, tr).orElseThrow().isNew());
        }
        // A header Xen does write (message_type) differing is no gap either.
        byte[] h = new byte[6];
        le(h, 0, 0x80000011, 4);
        h[4] = TIMER_PAYLOAD;
        Observation badType = Observation.builder().returns(now - 1).write(new MemChunk(SLOT3, h))
                .write(new MemChunk(SLOT3 + 16, timerPayload(0, expiration, now - 1))).build();
        assertEquals(Optional.empty(), gap(poll, ref, badType));
        // Nor a non-zero SenderId written where Hyper-V writes 0 for a timer.
        byte[] sender = new byte[8];
        sender[0] = 1;
        Observation withSender = Observation.builder().returns(now - 1).write(viridianTimerMessage(now - 1,
                        timerPayload(0, expiration, now - 1)).writes().get(0)).write(new MemChunk(SLOT3 + 8, sender))
                .write(new MemChunk(SLOT3 + 16, timerPayload(0, expiration, now - 1))).build();
        assertEquals(Optional.empty(), gap(poll, ref, withSender));
    }

    @Test
    void everyGapIdIsInTheCatalogOnce() {
        for (KnownDivergence k : HyperVOnXenGaps.entries()) {
            assertTrue(KnownDivergences.byId(k.id()).isPresent(), k.id());
            assertTrue(k.id().startsWith("viridian-"), k.id());
        }
        assertEquals(HyperVOnXenGaps.entries().size(), KnownDivergences.catalogFor("hyperv-on-xen").size());
    }
}
