package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adapter cannot populate or free guest memory (memory-reservation-no-hyperv-call), but it
 * fails where Xen fails when an extent cannot be done: after reading that extent's frame
 * ({@code populate_physmap()}, {@code decrease_reservation()} in xen/common/memory.c). So a
 * recording made under the adapter holds the bytes a replay through the reference needs for
 * that extent, and the guest sees the same reads up to the failure.
 */
class ReservationReadsTest {

    /** XENMEM_decrease_reservation = 1, XENMEM_populate_physmap = 6 (xen/include/public/memory.h). */
    private static final int DECREASE_RESERVATION = 1;
    private static final int POPULATE_PHYSMAP = 6;
    private static final long MEMORY_OP = 12;
    private static final long RESERVATION = 0x1000;
    private static final long EXTENTS = 0x2000;

    /**
     * struct xen_memory_reservation (64-bit): extent_start @0 (handle), nr_extents @8,
     * extent_order @16, mem_flags @20, domid @24 (xen/include/public/memory.h).
     */
    private static FlatRam guestWith(long nrExtents) throws dev.hcdiff.oracle.backend.GuestFault {
        FlatRam ram = new FlatRam(0x10000);
        ByteBuffer r = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        r.putLong(0, EXTENTS).putLong(8, nrExtents).putInt(16, 0).putInt(20, 0).putShort(24, (short) 0x7FF0);
        ram.writePhysical(RESERVATION, r.array());
        ByteBuffer e = ByteBuffer.allocate(8 * (int) nrExtents).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < nrExtents; i++) {
            e.putLong(8 * i, 0x8000 + i);
        }
        ram.writePhysical(EXTENTS, e.array());
        return ram;
    }

    private static Serving.Served serve(Backend b, int op, FlatRam ram) {
        return Serving.serve(b, new Hypercall(0, Abi.XEN64, MEMORY_OP, new long[] {op, RESERVATION, 0, 0, 0, 0}), ram, 1_000);
    }

    private static boolean readsFrom(List<MemChunk> reads, long gpa) {
        return reads.stream().anyMatch(c -> gpa >= c.gpa() && gpa < c.gpa() + c.data().length);
    }

    @Test
    void populatePhysmapReadsTheFirstExtentThenReportsNoneDone() throws Exception {
        Backend adapter = Backends.create(Backends.XEN_ON_HYPERV, new TreeMap<>());
        Serving.Served s = serve(adapter, POPULATE_PHYSMAP, guestWith(3));
        assertEquals(0, s.observation().result(), "no extent done");
        assertTrue(readsFrom(s.reads(), EXTENTS), "extent 0's frame is read, as Xen reads it before mapping");
        assertFalse(readsFrom(s.reads(), EXTENTS + 8), "nothing past the extent that failed");
    }

    @Test
    void decreaseReservationReadsTheFirstExtentThenReportsNoneDone() throws Exception {
        Backend adapter = Backends.create(Backends.XEN_ON_HYPERV, new TreeMap<>());
        Serving.Served s = serve(adapter, DECREASE_RESERVATION, guestWith(2));
        assertEquals(0, s.observation().result());
        assertTrue(readsFrom(s.reads(), EXTENTS));
        assertFalse(readsFrom(s.reads(), EXTENTS + 8));
    }

    @Test
    void theReferenceReadsTheSameFirstExtent() throws Exception {
        Backend xen = Backends.create(Backends.XEN, new TreeMap<>());
        Serving.Served s = serve(xen, POPULATE_PHYSMAP, guestWith(1));
        assertTrue(readsFrom(s.reads(), EXTENTS));
    }
}
