package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.toolstack.Toolstack;
import dev.hcdiff.oracle.xen.abi.EvtchnAllocUnbound;
import dev.hcdiff.oracle.xen.abi.EvtchnClose;
import dev.hcdiff.oracle.xen.abi.EvtchnH;
import dev.hcdiff.oracle.xen.abi.EvtchnSend;
import dev.hcdiff.oracle.xen.abi.EvtchnStatus;
import dev.hcdiff.oracle.xen.abi.MemoryH;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MsrWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state an xl-hvm domain starts in (issue 3's contract) and how the guest meets its toolstack. */
class XlHvmDomainTest {

    final XlGuest g = new XlGuest(Abi.XEN32);

    long evtchn(int cmd, byte[] struct) {
        g.ram.put(XlGuest.ARG, struct);
        g.call(32, cmd, XlGuest.ARG);
        return g.rc();
    }

    EvtchnStatus status(int port) {
        assertEquals(0, evtchn(EvtchnH.EVTCHNOP_status, new EvtchnStatus(XenH.DOMID_SELF, port).encode(Abi.XEN32)));
        return EvtchnStatus.decode(g.ram.get(XlGuest.ARG, 24), Abi.XEN32);
    }

    @Test
    void ports1And2AreInterdomainToDom0sDaemonsAndTheNextFreePortIs3() {
        EvtchnStatus store = status(1);
        assertEquals(EvtchnH.EVTCHNSTAT_interdomain, store.status());
        assertEquals(0, store.u() & 0xFFFF, "u.interdomain.dom = 0");
        assertEquals(Toolstack.DOM0_STORE_PORT, store.u() >>> 32);
        assertEquals(Toolstack.DOM0_CONSOLE_PORT, status(2).u() >>> 32);
        assertEquals(0, evtchn(EvtchnH.EVTCHNOP_alloc_unbound, new EvtchnAllocUnbound(XenH.DOMID_SELF, 0, 0).encode(Abi.XEN32)));
        assertEquals(3, EvtchnAllocUnbound.decode(g.ram.get(XlGuest.ARG, 8), Abi.XEN32).port());
        XlGuest bare = XlGuest.bare(Abi.XEN32);
        bare.ram.put(XlGuest.ARG, new EvtchnStatus(XenH.DOMID_SELF, 1).encode(Abi.XEN32));
        bare.call(32, EvtchnH.EVTCHNOP_status, XlGuest.ARG);
        assertEquals(EvtchnH.EVTCHNSTAT_closed, EvtchnStatus.decode(bare.ram.get(XlGuest.ARG, 24), Abi.XEN32).status());
    }

    @Test
    void aSendOnTheConsolePortShowsTheRingsBytesAndComesBackAsAnEvent() {
        long ring = 0xFEFFFL << 12;
        g.ram.put(ring + 1024, "HVM Loader\n".getBytes(StandardCharsets.ISO_8859_1));
        g.ram.putU32(ring + 3084, 11);
        assertEquals(0, evtchn(EvtchnH.EVTCHNOP_send, new EvtchnSend(2).encode(Abi.XEN32)));
        assertArrayEquals("HVM Loader\n".getBytes(StandardCharsets.ISO_8859_1), g.last.console());
        assertEquals(List.of(2), g.last.eventsPending(), "xenconsoled's notify sets the guest's end pending");
        assertEquals(11, g.ram.u32(ring + 3080), "out_cons advanced");
    }

    @Test
    void aSendOnTheStorePortWithAnEmptyRingWakesXenstoredButNothingComesBack() {
        assertEquals(0, evtchn(EvtchnH.EVTCHNOP_send, new EvtchnSend(1).encode(Abi.XEN32)));
        assertEquals(List.of(), g.last.eventsPending());
        assertTrue(g.last.trail().stream().anyMatch(t -> t.contains("dom0 port " + Toolstack.DOM0_STORE_PORT)));
    }

    @Test
    void hvmloadersXenbusShutdownReconnectsTheRingInsideTheSend() {
        long ring = 0xFEFFCL << 12;
        g.serve(new MmioRead(0, 0xFEE00030L, 4));
        // Xb.open_mmap ran at the introduction: xenbus_shutdown() sees RECONNECTION and takes that path.
        assertEquals(1, g.ram.u32(ring + 2064), "server_features");
        g.ram.putU32(ring + 2052, 7); // some request bytes left behind
        g.ram.putU32(ring + 2068, 1); // rings->connection = XENSTORE_RECONNECT
        assertEquals(0, evtchn(EvtchnH.EVTCHNOP_send, new EvtchnSend(1).encode(Abi.XEN32)));
        // ml_interface_read raised Xb.Reconnect; ml_interface_close reset the page and notified, so
        // the "while (connection == XENSTORE_RECONNECT) ring_wait()" loop ends at once.
        assertEquals(0, g.ram.u32(ring + 2068));
        assertEquals(0, g.ram.u32(ring + 2052));
        assertEquals((byte) 0xff, g.ram.get(ring, 1)[0]);
        assertEquals(List.of(1), g.last.eventsPending());
    }

    @Test
    void serverFeaturesReachTheGuestWithItsFirstRequestOnly() {
        long features = (0xFEFFCL << 12) + 2064;
        assertEquals(0, g.ram.u32(features));
        g.serve(new MmioRead(0, 0xFEE00030L, 4));
        assertEquals(1, g.ram.u32(features));
        g.ram.putU32(features, 0);
        g.serve(new MmioRead(0, 0xFEE00030L, 4));
        assertEquals(0, g.ram.u32(features), "written once, as Xb.open_mmap is called once");
        XlGuest bare = XlGuest.bare(Abi.XEN32);
        bare.serve(new MmioRead(0, 0xFEE00030L, 4));
        assertEquals(0, bare.ram.u32(features), "a bare domain has no xenstored");
    }

    @Test
    void closingTheStorePortFreesItAndDom0sEndIsUnreachable() {
        assertEquals(0, evtchn(EvtchnH.EVTCHNOP_close, new EvtchnClose(1).encode(Abi.XEN32)));
        assertEquals(EvtchnH.EVTCHNSTAT_closed, status(1).status());
        assertEquals(-EINVAL, evtchn(EvtchnH.EVTCHNOP_send, new EvtchnSend(1).encode(Abi.XEN32)));
        assertEquals(EvtchnH.EVTCHNSTAT_interdomain, status(2).status(), "the console port is untouched");
    }

    @Test
    void vcpuTimeIsXensAtCreationAndRefreshedEachVirtualSecond() {
        g.memoryOp(MemoryH.XENMEM_add_to_physmap,
                new XenAddToPhysmap(XenH.DOMID_SELF, 0, MemoryH.XENMAPSPACE_shared_info, 0, 0xFDFFF).encode(Abi.XEN32));
        long t = 0xFDFFF000L + SharedInfo.TIME;
        assertEquals(2, g.ram.u32(t), "one update at the first context switch: version 0 → 1 → 2");
        assertEquals(0, g.ram.u64(t + 8), "tsc_timestamp: the guest TSC starts at 0");
        assertEquals(0, g.ram.u64(t + 16), "system_time 0");
        assertEquals(0x8000_0000L, g.ram.u32(t + 24) & 0xFFFF_FFFFL, "2 GHz: mul 2^31");
        assertEquals(0, g.ram.get(t + 28, 1)[0], "shift 0");
        // xen/arch/x86/time.c __update_vcpu_system_time(): TSC_STABLE only if clocksource_is_tsc(),
        // i.e. with clocksource=tsc on Xen's command line; Debian's default boot has none.
        assertEquals(0, g.ram.get(t + 29, 1)[0] & SharedInfo.XEN_PVCLOCK_TSC_STABLE_BIT, "TSC_STABLE clear");
        assertEquals(0, g.ram.get(t + 29, 1)[0], "no other flag either");
        g.now = 1_500_000_000L;
        g.serve(new MmioRead(0, 0xFEE00030L, 4));
        assertEquals(4, g.ram.u32(t));
        assertEquals(1_500_000_000L, g.ram.u64(t + 16));
        assertEquals(3_000_000_000L, g.ram.u64(t + 8), "1.5 s at 2 GHz");
        assertEquals(0, g.ram.get(t + 29, 1)[0], "a refresh leaves TSC_STABLE clear too");
        g.now = 1_900_000_000L;
        g.serve(new MmioRead(0, 0xFEE00030L, 4));
        assertEquals(4, g.ram.u32(t), "same second: no update");
    }

    @Test
    void aBlockedVcpuGetsFreshTimeWhenItRunsAgain() {
        g.memoryOp(MemoryH.XENMEM_add_to_physmap,
                new XenAddToPhysmap(XenH.DOMID_SELF, 0, MemoryH.XENMAPSPACE_shared_info, 0, 0xFDFFF).encode(Abi.XEN32));
        g.call(29, 1, 0); // SCHEDOP_block
        g.now = 200;
        g.serve(new MmioRead(0, 0xFEE00030L, 4));
        assertEquals(200, g.ram.u64(0xFDFFF000L + SharedInfo.TIME + 16), "the context switch updated it");
    }

    @Test
    void theHypercallPageMsrLatchesTheLayoutFromTheWritersMode() {
        g.serve(new MsrWrite(0, 0x40000000, 0x80000, CpuMode.PROTECTED32));
        assertTrue(g.xen.domain().sharedInfo().has32bitShinfo());
        g.serve(new MsrWrite(0, 0x40000000, 0x80000, CpuMode.LONG64));
        assertFalse(g.xen.domain().sharedInfo().has32bitShinfo());
    }

    @Test
    void aGuestClearingAPendingBitChangesTheModelsCopy() {
        long ring = 0xFEFFFL << 12;
        g.ram.put(ring + 1024, new byte[] {'x'});
        g.ram.putU32(ring + 3084, 1);
        g.memoryOp(MemoryH.XENMEM_add_to_physmap,
                new XenAddToPhysmap(XenH.DOMID_SELF, 0, MemoryH.XENMAPSPACE_shared_info, 0, 0xFDFFF).encode(Abi.XEN32));
        evtchn(EvtchnH.EVTCHNOP_send, new EvtchnSend(2).encode(Abi.XEN32));
        assertTrue(g.xen.domain().sharedInfo().testPending(2));
        long at = 0xFDFFF000L + SharedInfo.EVTCHN_PENDING;
        g.serve(new GuestWrite(0, new MemChunk(at, new byte[] {0})));
        assertFalse(g.xen.domain().sharedInfo().testPending(2));
    }

    @Test
    void theMmioHoleOutsideTheApicsIsTheNullHandlerAndTheHpetIsAbsent() {
        assertEquals(0xFFFF_FFFFL, g.serve(new MmioRead(0, 0xFED00000L, 4)).result(), "no HPET");
        assertEquals(0xFFL, g.serve(new MmioRead(0, 0xFEC00100L, 1)).result(), "past the IOAPIC window");
        assertEquals(0x00050014L, g.serve(new MmioRead(0, 0xFEE00030L, 4)).result(), "the LAPIC version");
        assertEquals(-1L, g.serve(new MmioRead(0, 0xF0000000L, 8)).result());
    }
}
