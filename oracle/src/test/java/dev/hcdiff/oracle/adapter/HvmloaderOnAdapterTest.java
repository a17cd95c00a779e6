package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.compare.Comparator;
import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.oracle.hyperv.HvPartition;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.oracle.xen.abi.XenMemoryMap;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.VcpuState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The requests Debian's hvmloader makes before its no-BIOS stop (xen-abi.md §8.2 steps 3-11, 16,
 * 17; tools/firmware/hvmloader/hvmloader.c main(), hypercall.h, xenbus.c, e820.c, util.c), 32-bit,
 * served step by step by the reference Xen and by the adapter, each on its own RAM of issue 3's
 * layout: every step agrees, or differs only by a catalogued gap, and the adapter's trail names
 * the Hyper-V calls it made. The guest adapts to where it finds Xen, as hvmloader's CPUID scan
 * does (0x40000000 under Xen, 0x40000100 under the adapter).
 */
class HvmloaderOnAdapterTest {

    /** The recorded host's TSC (corpora/cases/hello), so the MHz is not a round number. */
    static final int TSC_KHZ = 2_596_138;
    /** hvmloader's hypercall page (hypercall.h HYPERCALL_PHYSICAL_ADDRESS). */
    static final long PAGE = 0x80000;
    static final long ARG = 0x12000;
    static final long BUF = 0x13000;
    /** mem_hole_alloc(1): the frame below 0xFE000000 (util.c get_shared_info()). */
    static final long SHINFO_GFN = 0xFDFFF;
    static final long SHINFO = SHINFO_GFN << 12;

    final XenConfig config = XlSide.config(TSC_KHZ);
    final XlSide xen = new XlSide(new XenBackend(config));
    final XenOnHyperV adapterBackend = XenOnHyperV.of(config);
    final XlSide adapter = new XlSide(adapterBackend);
    long seq;

    /** Serves one request on both at the same virtual time; fails on a divergence no catalog entry explains. */
    Observation both(GuestRequest r, Set<String> allowedGaps) {
        xen.now += 10_000;
        adapter.now = xen.now;
        Observation ref = xen.serve(r);
        Observation got = adapter.serve(r);
        Optional<Divergence> d = Divergence.between(seq++, r, Divergence.Kind.MODELS, ref, got);
        d.ifPresent(x -> assertTrue(x.known() != null && allowedGaps.contains(x.known().id()),
                () -> "step " + r + " differs in " + x.fields() + " (known: " + (x.known() == null ? "no" : x.known().id())
                        + ")\nxen     " + ref + "\nadapter " + got));
        return got;
    }

    Observation both(GuestRequest r) {
        return both(r, Set.of());
    }

    static boolean trailHas(Observation o, String text) {
        return o.trail().stream().anyMatch(s -> s.contains(text));
    }

    /** hvmloader's putchar(): one OUT to 0xE9 per byte. */
    void print(String s) {
        for (byte b : s.getBytes(StandardCharsets.ISO_8859_1)) {
            both(new PortWrite(0, 0xE9, 1, b), Set.of("debug-port-e9-unfiltered"));
        }
    }

    /** init_hypercalls() on one side: scan for "XenVMMXenVMM" in 0x100 steps, then the page MSR of base+2. */
    static Observation initHypercalls(XlSide side) {
        for (int base = 0x40000000; base <= 0x4000FF00; base += 0x100) {
            long[] r = side.serve(new CpuidQuery(0, base, 0)).returns();
            if (r[1] == 0x566e6558L && r[2] == 0x65584d4dL && r[3] == 0x4d4d566eL) {
                assertTrue(r[0] - base >= 2, "BUG_ON(eax - base < 2)");
                long[] leaf2 = side.serve(new CpuidQuery(0, base + 2, 0)).returns();
                assertEquals(1, leaf2[0], "one hypercall page");
                Observation msr = side.serve(new MsrWrite(0, (int) leaf2[1], PAGE, CpuMode.PROTECTED32));
                assertEquals(0x40011L, side.serve(new CpuidQuery(0, base + 1, 0)).returns()[0], "Xen 4.17");
                return msr;
            }
        }
        throw new AssertionError("no Xen signature found");
    }

    /** xenbus.c xenstore_read() on both: the same request and reply, answered inside the send. */
    String[] xenstoreRead(String path) {
        xen.queueXsRead(path, ARG, 1);
        adapter.queueXsRead(path, ARG, 1);
        Observation sent = both(XlSide.call(Abi.XEN32, 32, 4, ARG));
        assertEquals(0, (int) sent.result());
        assertTrue(trailHas(sent, "HvCallSignalEvent(conn=0xd0010, flag=0) -> 0x0"), sent.trail().toString());
        assertTrue(trailHas(sent, "root: HvCallSignalEvent(conn=0x10001, flag=1) -> 0x0"), sent.trail().toString());
        String[] ref = xen.takeXsReply();
        String[] got = adapter.takeXsReply();
        assertArrayEquals(ref, got);
        return got;
    }

    @Test
    void hvmloaderGetsTheSameAnswersUnderTheAdapterUpToItsCrashShutdown() {
        print("HVM Loader\n");

        // Step 5: each finds Xen where its CPUID says, and the page MSR writes the same stubs.
        Observation refMsr = initHypercalls(xen);
        Observation gotMsr = initHypercalls(adapter);
        assertEquals(Fault.NONE, gotMsr.fault());
        assertEquals(Set.of(), Comparator.differingFields(refMsr, gotMsr), "the same hypercall page at 0x80000");
        assertArrayEquals(xen.ram.get(PAGE, 4096), adapter.ram.get(PAGE, 4096));
        Observation extra = both(XlSide.call(Abi.XEN32, 17, 1, BUF));
        assertEquals(0, extra.result());
        assertEquals(".7", new String(adapter.ram.get(BUF, 2), StandardCharsets.ISO_8859_1));

        // Step 6: the toolstack's e820, adapter-held: what libxl set, nothing reserved where hvmloader allocates.
        xen.ram.put(ARG, new XenMemoryMap(128, BUF, 0).encode(Abi.XEN32));
        adapter.ram.put(ARG, new XenMemoryMap(128, BUF, 0).encode(Abi.XEN32));
        Observation map = both(XlSide.call(Abi.XEN32, 12, 9, ARG));
        assertEquals(0, map.result());
        int n = XenMemoryMap.decode(adapter.ram.get(ARG, 8), Abi.XEN32).nrEntries();
        assertTrue(n >= 1, "memory_map_setup() BUGs on 0 entries");
        for (int i = 0; i < n; i++) {
            E820Entry e = E820Entry.decode(adapter.ram.get(BUF + 20L * i, 20), 0);
            assertTrue(e.type() != 2 || e.addr() + e.size() <= 0xFC100000L || e.addr() >= 0xFE000000L,
                    "no E820_RESERVED overlaps [0xFC100000, 0xFE000000): " + e);
        }
        assertEquals(1, E820Entry.decode(adapter.ram.get(BUF, 20), 0).type(), "E820_RAM first");
        assertTrue(trailHas(map, "adapter-held"));

        // Step 7: the store ring and port from the toolstack's params.
        for (int[] p : new int[][] {{1, 0xFEFFC}, {2, 1}}) {
            xen.ram.put(ARG, new XenHvmParam(0x7FF0, 0, p[0], 0).encode(Abi.XEN32));
            adapter.ram.put(ARG, new XenHvmParam(0x7FF0, 0, p[0], 0).encode(Abi.XEN32));
            assertEquals(0, both(XlSide.call(Abi.XEN32, 34, 1, ARG)).result());
            assertEquals(p[1], XenHvmParam.decode(adapter.ram.get(ARG, 16), Abi.XEN32).value());
        }

        // Step 8: xenstore over the root connection; xenstored answers inside the send.
        assertArrayEquals(new String[] {"2", "seabios"}, xenstoreRead("hvmloader/bios"));
        assertArrayEquals(new String[] {"2", "0"}, xenstoreRead("hvmloader/allow-memory-relocate"));
        assertArrayEquals(new String[] {"16", "ENOENT\0"}, xenstoreRead("platform/mmio_hole_size"));

        // Step 10: shared_info at 0xFDFFF: the adapter's overlay, written where Xen's page would be.
        xen.ram.put(ARG, new XenAddToPhysmap(0x7FF0, 0, 0, 0, SHINFO_GFN).encode(Abi.XEN32));
        adapter.ram.put(ARG, new XenAddToPhysmap(0x7FF0, 0, 0, 0, SHINFO_GFN).encode(Abi.XEN32));
        Observation shinfo = both(XlSide.call(Abi.XEN32, 12, 7, ARG));
        assertEquals(0, shinfo.result());
        assertEquals(Set.of(SHINFO), adapterBackend.ownedPages());
        assertEquals(xen.backend.ownedPages(), adapterBackend.ownedPages());
        assertArrayEquals(xen.ram.get(SHINFO, 4096), adapter.ram.get(SHINFO, 4096),
                "the same page: the store port pending in the 32-bit layout, the clock at creation");
        assertEquals(0b10, adapter.ram.get(SHINFO + 2048, 1)[0] & 0b10);
        // ring_wait()'s test_and_clear_bit() in guest memory, served as a GuestWrite.
        for (XlSide s : List.of(xen, adapter)) {
            s.ram.put(SHINFO + 2048, new byte[] {0});
        }
        both(new GuestWrite(0, new MemChunk(SHINFO + 2048, new byte[] {0})));

        // Step 11: the partition's IOAPIC and LAPIC, the same registers.
        both(new MmioWrite(0, 0xFEC00000L, 4, 0x01));
        assertEquals(0x002F0011L, both(new MmioRead(0, 0xFEC00010L, 4)).result());
        both(new MmioWrite(0, 0xFEC00000L, 4, 0x00));
        both(new MmioWrite(0, 0xFEC00010L, 4, 0x01000000));
        both(new MmioWrite(0, 0xFEC00000L, 4, 0x10));
        both(new MmioWrite(0, 0xFEC00010L, 4, 0x700));
        assertEquals(0x700, both(new MmioRead(0, 0xFEC00010L, 4)).result());
        both(new MmioWrite(0, 0xFEE000F0L, 4, 0x1FF));
        both(new MmioWrite(0, 0xFEE00350L, 4, 0x10700));
        both(new MmioWrite(0, 0xFEE00360L, 4, 0x400));
        assertEquals(0x1FFL, both(new MmioRead(0, 0xFEE000F0L, 4)).result());
        // PCI conf1 with nothing behind it: all ones.
        assertEquals(0xFFFFFFFFL, both(new dev.hcdiff.trace.record.PortRead(0, 0xCFC, 4)).result());

        // Step 16: the domain handle, the version.
        assertEquals(0, both(XlSide.call(Abi.XEN32, 17, 8, BUF)).result());
        assertArrayEquals(new byte[16], adapter.ram.get(BUF, 16), "the nil UUID");
        assertEquals(0x40011, both(XlSide.call(Abi.XEN32, 17, 0, 0)).result());

        // Step 17: BUG() → SCHEDOP_shutdown(SHUTDOWN_crash), reported to the root through the crash MSRs.
        print("*** HVMLoader bug at hvmloader.c:388\n");
        xen.ram.putU32(ARG, 3);
        adapter.ram.putU32(ARG, 3);
        Observation crash = both(XlSide.call(Abi.XEN32, 29, 2, ARG));
        assertEquals(0, crash.returns().length, "SCHEDOP_shutdown never returns");
        assertEquals(3, crash.shutdown());
        assertEquals(VcpuState.Run.DOWN, crash.vcpu().run());
        for (String msr : List.of("WRMSR CRASH_P0 (0x40000100) = 0x3 -> ok", "WRMSR CRASH_P1 (0x40000101) = 0x1 -> ok",
                "WRMSR CRASH_CTL (0x40000105) = 0x8000000000000000 -> ok")) {
            assertTrue(trailHas(crash, msr), crash.trail().toString());
        }
        assertEquals(List.of(new HvPartition.Crash(0, List.of(3L, 1L, 0L, 0L, 0L))), adapterBackend.partition().crashes());
    }
}
