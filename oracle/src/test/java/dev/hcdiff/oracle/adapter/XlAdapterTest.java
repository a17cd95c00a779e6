package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.hyperv.HvPersonality;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenHvmEvtchnUpcallVector;
import dev.hcdiff.oracle.xen.abi.XenHvmGetMemType;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.oracle.xen.abi.XenMemoryDomain;
import dev.hcdiff.oracle.xen.abi.XenMemoryReservation;
import dev.hcdiff.oracle.xen.abi.XenRemoveFromPhysmap;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.VcpuState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * memory_op, hvm_op and the dom0 channels of an {@code xl-hvm} domain under the adapter, against the
 * reference: Xen's answers (xen-abi.md §5.7, §5.9, §7, §8) from the adapter's state, the Hyper-V
 * calls in the trail, and each gap recognised by its catalog entry.
 */
class XlAdapterTest {

    /** Xen errnos (xen/include/public/errno.h). */
    static final long EINVAL = -22, EPERM = -1, ENOSYS = -38, EOPNOTSUPP = -95;
    static final long ARG = 0x12000;
    static final long BUF = 0x13000;
    static final long SHINFO_GFN = 0xFDFFF;
    static final long SHINFO = SHINFO_GFN << 12;
    /** DOMID_SELF (xen.h). */
    static final int SELF = 0x7FF0;
    /** HVM_PARAM_CALLBACK_IRQ type vector (params.h HVM_PARAM_CALLBACK_TYPE_VECTOR = 2, bits 63:56). */
    static final long CALLBACK_VECTOR = 2L << 56;

    XenConfig config = XlSide.config(2_596_138);
    XlSide xen = new XlSide(new XenBackend(config));
    XenOnHyperV adapterBackend = XenOnHyperV.of(config);
    XlSide adapter = new XlSide(adapterBackend);
    long seq;

    /** Both at {@code now}; returns {reference, adapter} and the catalog id of their divergence, if any. */
    record Step(Observation ref, Observation got, Optional<String> gap) {
    }

    Step step(GuestRequest r) {
        adapter.now = xen.now;
        Observation ref = xen.serve(r);
        Observation got = adapter.serve(r);
        Optional<Divergence> d = Divergence.between(seq++, r, Divergence.Kind.MODELS, ref, got);
        d.ifPresent(x -> assertTrue(x.known() != null, () -> "new divergence on " + r + " in " + x.fields()
                + "\nxen     " + ref + "\nadapter " + got));
        return new Step(ref, got, d.map(x -> x.known().id()));
    }

    /** A step that must agree. */
    Observation agree(GuestRequest r) {
        Step s = step(r);
        assertEquals(Optional.empty(), s.gap(), () -> "expected agreement on " + r + "\nxen     " + s.ref() + "\nadapter " + s.got());
        return s.got();
    }

    void put(long gpa, byte[] b) {
        xen.ram.put(gpa, b);
        adapter.ram.put(gpa, b);
    }

    Observation call(Abi abi, long nr, long... args) {
        return agree(XlSide.call(abi, nr, args));
    }

    static boolean trailHas(Observation o, String text) {
        return o.trail().stream().anyMatch(s -> s.contains(text));
    }

    void mapSharedInfo(Abi abi) {
        put(ARG, new XenAddToPhysmap(SELF, 0, 0, 0, SHINFO_GFN).encode(abi));
        assertEquals(0, call(abi, 12, 7, ARG).result());
    }

    @ParameterizedTest
    @EnumSource(value = Abi.class, names = {"XEN32", "XEN64"})
    void pageCountsComeFromTheToolstacksBuild(Abi abi) {
        // tot_pages = low RAM - 32 VGA-hole pages + 8 special + 8 ioreq-server pages (xl's default
        // device model); max_pages = memory + LIBXL_MAXMEM_CONSTANT (1024 KiB); the highest frame: the
        // last special page 0xFEFFF (xen-facts 9).
        long[] expected = {16384 - 32 + 8 + 8, 16384 + 256, 0xFEFFF};
        int[] ops = {3, 4, 14};
        for (int i = 0; i < ops.length; i++) {
            put(ARG, new XenMemoryDomain(SELF).encode(abi));
            assertEquals(expected[i], call(abi, 12, ops[i], ARG).result());
        }
        // dom0 is refused by XSM_TARGET.
        put(ARG, new XenMemoryDomain(0).encode(abi));
        assertEquals(EPERM, (int) call(abi, 12, 3, ARG).result());
    }

    @Test
    void mappingSharedInfoOverRamGivesThePageUpInBothCounts() {
        put(ARG, new XenMemoryDomain(SELF).encode(Abi.XEN64));
        long before = call(Abi.XEN64, 12, 3, ARG).result();
        put(ARG, new XenAddToPhysmap(SELF, 0, 0, 0, 0x200).encode(Abi.XEN64));
        assertEquals(0, call(Abi.XEN64, 12, 7, ARG).result());
        put(ARG, new XenMemoryDomain(SELF).encode(Abi.XEN64));
        assertEquals(before - 1, call(Abi.XEN64, 12, 3, ARG).result(), "xenmem_add_to_physmap_one() frees the RAM page");
        // The APIC page cannot take it: -EPERM (Intel, the APIC-access page at 0xFEE00).
        put(ARG, new XenAddToPhysmap(SELF, 0, 0, 0, 0xFEE00).encode(Abi.XEN64));
        assertEquals(EPERM, call(Abi.XEN64, 12, 7, ARG).result());
        // Beyond a 4-level second-level table: -EINVAL, and the page has left its old frame.
        put(ARG, new XenAddToPhysmap(SELF, 0, 0, 0, 1L << 36).encode(Abi.XEN64));
        assertEquals(EINVAL, call(Abi.XEN64, 12, 7, ARG).result());
        assertEquals(Set.of(), adapterBackend.ownedPages());
        assertEquals(xen.backend.ownedPages(), adapterBackend.ownedPages());
    }

    @Test
    void removingTheOverlayStopsTheAdapterOwningThePage() {
        mapSharedInfo(Abi.XEN64);
        assertEquals(Set.of(SHINFO), adapterBackend.ownedPages());
        put(ARG, new XenRemoveFromPhysmap(SELF, SHINFO_GFN).encode(Abi.XEN64));
        Observation o = call(Abi.XEN64, 12, 15, ARG);
        assertEquals(0, o.result());
        assertTrue(trailHas(o, "overlay removed"));
        assertEquals(Set.of(), adapterBackend.ownedPages());
        // Nothing is there any more: -ENOENT (xen-abi.md §5.7), both.
        assertEquals(-2, call(Abi.XEN64, 12, 15, ARG).result());
    }

    @Test
    void populatePhysmapIsTheReservationGapAndReturnsStartExtent() {
        put(BUF, new byte[] {0x00, 0x01, (byte) 0xFC, 0, 0, 0, 0, 0}); // gfn 0xFC100
        put(ARG, new XenMemoryReservation(BUF, 1, 0, 0, SELF).encode(Abi.XEN64));
        Step s = step(XlSide.call(Abi.XEN64, 12, 6, ARG));
        assertEquals(1, s.ref().result(), "Xen populates one extent (hvmloader's mem_alloc needs 1)");
        assertEquals(0, s.got().result(), "no extent done under the adapter");
        assertEquals(Optional.of("memory-reservation-no-hyperv-call"), s.gap());
        // With start_extent 1 (cmd 6 | 1 << 6) both are done at once: the same answer.
        assertEquals(1, call(Abi.XEN64, 12, 6 | 1 << 6, ARG).result());
    }

    @Test
    void movingRamAndGrantFramesAreGapsAfterXensChecks() {
        // gmfn: frame 0x300 to 0x301.
        put(ARG, new XenAddToPhysmap(SELF, 0, 2, 0x300, 0x301).encode(Abi.XEN64));
        Step move = step(XlSide.call(Abi.XEN64, 12, 7, ARG));
        assertEquals(0, move.ref().result());
        assertEquals(EOPNOTSUPP, move.got().result());
        assertEquals(Optional.of("physmap-move-root-only"), move.gap());
        // gmfn of a frame nothing is mapped at: -EINVAL in both, checked before the gap.
        put(ARG, new XenAddToPhysmap(SELF, 0, 2, 0xF0000, 0x301).encode(Abi.XEN64));
        assertEquals(EINVAL, call(Abi.XEN64, 12, 7, ARG).result());
        // Grant frame 0: Xen maps it, the adapter presents a Xen without grant tables.
        put(ARG, new XenAddToPhysmap(SELF, 0, 1, 0, 0xFC000).encode(Abi.XEN64));
        Step grant = step(XlSide.call(Abi.XEN64, 12, 7, ARG));
        assertEquals(EINVAL, grant.got().result());
        assertEquals(Optional.of("grant-table-no-hyperv-mapping"), grant.gap());
    }

    @Test
    void removingRamFollowsXensBookkeeping() {
        // Xen unmaps the frame and keeps the page the domain's; the adapter's book does the same.
        put(ARG, new XenRemoveFromPhysmap(SELF, 0x400).encode(Abi.XEN64));
        Observation o = call(Abi.XEN64, 12, 15, ARG);
        assertEquals(0, o.result());
        assertTrue(trailHas(o, "the partition's RAM stays underneath"));
        assertEquals(-2, call(Abi.XEN64, 12, 15, ARG).result(), "nothing there any more: -ENOENT");
        put(ARG, new XenHvmGetMemType(SELF, 0, 0, 0x400).encode(Abi.XEN64));
        call(Abi.XEN64, 34, 15, ARG);
        assertEquals(2, adapter.ram.u32(ARG + 2) & 0xffff, "HVMMEM_mmio_dm: not RAM any more");
        put(ARG, new XenMemoryDomain(SELF).encode(Abi.XEN64));
        assertEquals(16384 - 32 + 8 + 8, call(Abi.XEN64, 12, 3, ARG).result(),
                "tot_pages unchanged: low RAM less the VGA hole, plus the special and ioreq-server pages (xen-facts 9)");
    }

    @ParameterizedTest
    @EnumSource(value = Abi.class, names = {"XEN32", "XEN64"})
    void everyParamIsAllowedOrRefusedAsXenDoes(Abi abi) {
        // get and set of every index and one past the table, as the guest itself (xen-abi.md §5.9).
        for (int index = 0; index <= 40; index++) {
            put(ARG, new XenHvmParam(SELF, 0, index, 0).encode(abi));
            call(abi, 34, 1, ARG);
            put(ARG, new XenHvmParam(SELF, 0, index, index == 36 ? 4 : 0).encode(abi));
            call(abi, 34, 0, ARG);
        }
        // The toolstack's pages are the guest's to read, not to set (pitfall 13).
        put(ARG, new XenHvmParam(SELF, 0, 17, 0).encode(abi));
        assertEquals(0, (int) call(abi, 34, 1, ARG).result());
        assertEquals(0xFEFFFL, XenHvmParam.decode(adapter.ram.get(ARG, 16), abi).value());
        put(ARG, new XenHvmParam(SELF, 0, 1, 0x1234).encode(abi));
        assertEquals(EPERM, (int) call(abi, 34, 0, ARG).result());
        // dom0 is not HVM: -EINVAL before the allow-list.
        put(ARG, new XenHvmParam(0, 0, 1, 0).encode(abi));
        assertEquals(EINVAL, (int) call(abi, 34, 1, ARG).result());
    }

    @Test
    void aVectorCallbackGoesIntoTheSintsAndUpcallsAsXenDoes() {
        put(ARG, new XenHvmParam(SELF, 0, 0, CALLBACK_VECTOR | 0xF3).encode(Abi.XEN64));
        Observation set = call(Abi.XEN64, 34, 0, ARG);
        assertTrue(trailHas(set, "WRMSR SINT2 (0x40000092) = 0x400f3 -> ok"), set.trail().toString());
        // The store port becomes pending with the reply: the 0→1 of upcall_pending injects 0xF3.
        xen.queueXsRead("domid", ARG, 1);
        adapter.queueXsRead("domid", ARG, 1);
        Observation send = call(Abi.XEN64, 32, 4, ARG);
        assertEquals(List.of(1), send.eventsPending());
        assertEquals(List.of(new Interrupt(0, 0xF3, "upcall")), send.interrupts());
        assertArrayEquals(new String[] {"2", "1"}, adapter.takeXsReply());
    }

    @Test
    void anUpcallVectorWaitsForTheLapicAndIsRaisedWhenItIsEnabled() {
        put(ARG, new XenHvmEvtchnUpcallVector(0, 0xE0).encode(Abi.XEN64));
        Observation set = call(Abi.XEN64, 34, 23, ARG);
        assertEquals(List.of(), set.interrupts(), "the LAPIC is software-disabled at reset (SPIV 0xFF)");
        xen.queueXsRead("domid", ARG, 1);
        adapter.queueXsRead("domid", ARG, 1);
        assertEquals(List.of(), call(Abi.XEN64, 32, 4, ARG).interrupts());
        // Software-enabling the LAPIC re-raises the pending upcall (vlapic_reg_write() APIC_SPIV).
        Observation spiv = agree(new MmioWrite(0, 0xFEE000F0L, 4, 0x1FF));
        assertEquals(List.of(new Interrupt(0, 0xE0, "upcall")), spiv.interrupts());
        put(ARG, new XenHvmEvtchnUpcallVector(0, 0x0F).encode(Abi.XEN64));
        assertEquals(EINVAL, call(Abi.XEN64, 34, 23, ARG).result(), "vector < 0x10");
    }

    @Test
    void aGsiCallbackIsALineOfTheIoapicForVcpu0() {
        put(ARG, new XenHvmParam(SELF, 0, 0, 5).encode(Abi.XEN64));
        Observation set = call(Abi.XEN64, 34, 0, ARG);
        assertTrue(trailHas(set, "IOAPIC"));
        xen.queueXsRead("domid", ARG, 1);
        adapter.queueXsRead("domid", ARG, 1);
        assertEquals(List.of(new Interrupt(0, -1, "upcall")), call(Abi.XEN64, 32, 4, ARG).interrupts());
    }

    @Test
    void getTimeIsTheReferenceCounterTimes100() {
        xen.now = 1_234_567_891L;
        Step s = step(XlSide.call(Abi.XEN64, 34, 10, ARG));
        assertEquals(Optional.of("hyperv-clock-100ns"), s.gap());
        assertEquals(1_234_567_891L, xen.ram.u64(ARG));
        // TIME_REF_COUNT = ns / 100 since partition creation (TLFS "Reference Counter").
        assertEquals(1_234_567_800L, adapter.ram.u64(ARG));
        assertTrue(trailHas(s.got(), "RDMSR TIME_REF_COUNT (0x40000020) -> 0xbc614e"), s.got().trail().toString());
    }

    @Test
    void vcpuTimeInfoComesFromTheTscPageInExactUnits() {
        mapSharedInfo(Abi.XEN32);
        xen.now = 1_500_000_000L;
        Step s = step(XlSide.call(Abi.XEN32, 17, 0, 0));
        assertEquals(Optional.of("hyperv-clock-100ns"), s.gap());
        long time = SHINFO + 32;
        long khz = 2_596_138;
        long tsc = 1_500L * khz;
        assertEquals(tsc, adapter.ram.u64(time + 8), "tsc_timestamp: the TSC at the update");
        assertEquals(xen.ram.u64(time + 8), adapter.ram.u64(time + 8));
        // TLFS: RefTime = (TSC * TscScale) >> 64, TscScale = 2^64 * 10^7 / f (OpenVMM), in 100 ns.
        BigInteger scale = BigInteger.TEN.pow(7).shiftLeft(64).divide(BigInteger.valueOf(khz * 1000));
        long ref = BigInteger.valueOf(tsc).multiply(scale).shiftRight(64).longValueExact();
        assertEquals(ref * 100, adapter.ram.u64(time + 16), "system_time: the reference time in ns");
        assertEquals(1_500_000_000L, xen.ram.u64(time + 16));
        // mul, shift and flags are Xen's set_time_scale() of TSC_FREQUENCY: the same bytes.
        assertArrayEquals(xen.ram.get(time + 24, 8), adapter.ram.get(time + 24, 8));
        assertEquals(xen.ram.u32(time), adapter.ram.u32(time), "the same version: updates on Xen's schedule");
        assertEquals(0, adapter.ram.u32(time) & 1);
    }

    @Test
    void withoutTheTscPagePrivilegeTheTimeComesFromTheReferenceCounter() {
        adapterBackend = new XenOnHyperV(config, HvConfig.defaults().withTscKhz(config.tscKhz())
                .withPrivileges(dev.hcdiff.oracle.hyperv.HvPrivilege.DEFAULT_GUEST
                        & ~dev.hcdiff.oracle.hyperv.HvPrivilege.ACCESS_PARTITION_REFERENCE_TSC));
        adapter = new XlSide(adapterBackend);
        mapSharedInfo(Abi.XEN64);
        xen.now = 1_500_000_789L;
        Step s = step(XlSide.call(Abi.XEN64, 17, 0, 0));
        assertEquals(Optional.of("hyperv-clock-100ns"), s.gap());
        // TIME_REF_COUNT: 100 ns units since partition creation (TLFS "Reference Counter").
        assertEquals(1_500_000_700L, adapter.ram.u64(SHINFO + 32 + 16));
        assertTrue(trailHas(s.got(), "from TIME_REF_COUNT"), s.got().trail().toString());
    }

    @Test
    void aPvhDomainHasNoIoapicAndTakesOnlyAVectorCallback() {
        config = XenConfig.defaults().withXlPvh(XlSide.MEMORY);
        xen = new XlSide(new XenBackend(config));
        adapterBackend = XenOnHyperV.of(config);
        adapter = new XlSide(adapterBackend);
        // No IOAPIC at 0xFEC00000: the empty bus (libxl asks a PVH domain for a LAPIC only).
        agree(new MmioWrite(0, 0xFEC00000L, 4, 1));
        assertEquals(0xFFFFFFFFL, agree(new dev.hcdiff.trace.record.MmioRead(0, 0xFEC00010L, 4)).result());
        // A GSI callback changes nothing; get_param still reads 0 (hvm_set_callback_via() returns early).
        put(ARG, new XenHvmParam(SELF, 0, 0, 5).encode(Abi.XEN64));
        assertTrue(trailHas(call(Abi.XEN64, 34, 0, ARG), "only a vector"));
        // XENVER_get_features: no hvm_pirqs for PVH (0x12305, xen-abi.md §5.1).
        put(ARG, new byte[8]);
        call(Abi.XEN64, 17, 6, ARG);
        assertEquals(0x12305, adapter.ram.u32(ARG + 4));
    }

    @Test
    void theConsoleRingReachesXenconsoledInTheRoot() {
        byte[] text = "hello\n".getBytes(StandardCharsets.US_ASCII);
        put(XlSide.CONSOLE + 1024, text);
        xen.ram.putU32(XlSide.CONSOLE + 3084, text.length);
        adapter.ram.putU32(XlSide.CONSOLE + 3084, text.length);
        put(ARG, new byte[] {2, 0, 0, 0});
        Observation o = call(Abi.XEN64, 32, 4, ARG);
        assertArrayEquals(text, o.console());
        assertEquals(List.of(2), o.eventsPending());
        assertTrue(trailHas(o, "HvCallSignalEvent(conn=0xd0011, flag=0) -> 0x0"), o.trail().toString());
        assertEquals(text.length, adapter.ram.u32(XlSide.CONSOLE + 3080), "out_cons advanced");
    }

    @Test
    void theToolstacksPortsAreInterdomainToDom0AndCanBeClosed() {
        // EVTCHNOP_status of port 1: interdomain (2), to dom0 (0) port 0x10 (the model's dom0 port).
        byte[] st = new byte[24];
        st[0] = (byte) SELF;
        st[1] = (byte) (SELF >> 8);
        st[4] = 1;
        put(ARG, st);
        call(Abi.XEN64, 32, 5, ARG);
        assertEquals(2, adapter.ram.u32(ARG + 8));
        assertEquals(0, adapter.ram.u32(ARG + 16) & 0xffff);
        assertEquals(0x10, adapter.ram.u32(ARG + 20));
        put(ARG, new byte[] {1, 0, 0, 0});
        assertEquals(0, call(Abi.XEN64, 32, 3, ARG).result());
        assertEquals(EINVAL, call(Abi.XEN64, 32, 4, ARG).result(), "a closed port cannot send");
    }

    @Test
    void aBadVm86TssCrashesTheDomainThroughTheCrashMsrs() {
        put(ARG, new XenHvmParam(SELF, 0, 37, 0x10).encode(Abi.XEN64));
        Observation o = call(Abi.XEN64, 34, 0, ARG);
        assertEquals(0, o.returns().length);
        assertEquals(3, o.shutdown());
        assertEquals(VcpuState.Run.DOWN, o.vcpu().run());
        assertTrue(trailHas(o, "WRMSR CRASH_CTL (0x40000105) = 0x8000000000000000 -> ok"));
    }

    @Test
    void memTypeAndPagetableDyingAnswerFromTheAdaptersBook() {
        mapSharedInfo(Abi.XEN64);
        for (long pfn : new long[] {0x10, 0xA0, SHINFO_GFN, 0xFEE00, 0xFEFFC}) {
            put(ARG, new XenHvmGetMemType(SELF, 0, 0, pfn).encode(Abi.XEN64));
            assertEquals(0, call(Abi.XEN64, 34, 15, ARG).result());
        }
        put(ARG, new byte[16]);
        adapter.ram.put(ARG, new byte[] {(byte) 0xF0, 0x7F});
        xen.ram.put(ARG, new byte[] {(byte) 0xF0, 0x7F});
        assertEquals(EINVAL, call(Abi.XEN64, 34, 9, ARG).result(), "HAP/SLAT: no hint needed");
        assertEquals(ENOSYS, call(Abi.XEN64, 34, 2, ARG).result(), "moved to dm_op");
    }

    @Test
    void underXenViridianTheStoreIsUnreachableAndThatIsAKnownGap() {
        XlSide v = new XlSide(new XenOnHyperV(config, HvConfig.defaults().withPersonality(HvPersonality.XEN_VIRIDIAN)
                .withTscKhz(config.tscKhz())));
        xen.queueXsRead("domid", ARG, 1);
        v.queueXsRead("domid", ARG, 1);
        GuestRequest send = XlSide.call(Abi.XEN64, 32, 4, ARG);
        Observation ref = xen.serve(send);
        Observation got = v.serve(send);
        assertEquals(ENOSYS, got.result());
        Optional<Divergence> d = Divergence.between(0, send, Divergence.Kind.MODELS, ref, got);
        assertEquals("hyperv-call-unavailable", d.orElseThrow().known().id());
    }
}
