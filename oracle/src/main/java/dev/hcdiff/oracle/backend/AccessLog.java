package dev.hcdiff.oracle.backend;

import dev.hcdiff.trace.record.MemChunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a {@link GuestMemory} and logs every byte read and written, guest-physically, in order.
 * Linear accesses go through {@link GuestMemory}'s page-by-page defaults, so each logged chunk is
 * physically contiguous.
 *
 * <p>A read that faults is logged too, as a zero-length chunk at the address that faulted (the
 * linear address when translation failed, else the guest-physical one): a replay must answer that
 * read with the same {@link GuestFault} (Xen: -EFAULT) rather than call it unrecorded memory.
 * A write that faults is logged the same way among the writes; a translation that faults, for a
 * read or a write, among the reads.
 */
public final class AccessLog implements GuestMemory {

    private final GuestMemory inner;
    private final List<MemChunk> reads = new ArrayList<>();
    private final List<MemChunk> writes = new ArrayList<>();

    public AccessLog(GuestMemory inner) {
        this.inner = inner;
    }

    /** Chunks read so far, in order. */
    public List<MemChunk> reads() {
        return List.copyOf(reads);
    }

    /** Chunks written so far, in order. */
    public List<MemChunk> writes() {
        return List.copyOf(writes);
    }

    @Override
    public byte[] readPhysical(long gpa, int len) throws GuestFault {
        byte[] b;
        try {
            b = inner.readPhysical(gpa, len);
        } catch (GuestFault f) {
            reads.add(new MemChunk(gpa, new byte[0]));
            throw f;
        }
        reads.add(new MemChunk(gpa, b));
        return b;
    }

    @Override
    public void writePhysical(long gpa, byte[] data) throws GuestFault {
        try {
            inner.writePhysical(gpa, data);
        } catch (GuestFault f) {
            writes.add(new MemChunk(gpa, new byte[0]));
            throw f;
        }
        writes.add(new MemChunk(gpa, data));
    }

    /** A translation that faults is logged among the reads: a page walk reads the page tables. */
    @Override
    public long translate(long linear) throws GuestFault {
        try {
            return inner.translate(linear);
        } catch (GuestFault f) {
            reads.add(new MemChunk(linear, new byte[0]));
            throw f;
        }
    }
}
