package dev.hcdiff.oracle.backend;

import dev.hcdiff.trace.record.MemChunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a {@link GuestMemory} and logs every byte read and written, guest-physically, in order.
 * Linear accesses are split at 4 KiB page boundaries and translated page by page, so each logged
 * chunk is physically contiguous.
 *
 * <p>A read that faults is logged too, as a zero-length chunk at the address that faulted (the
 * linear address when translation failed, else the guest-physical one): a replay must answer that
 * read with the same {@link GuestFault} (Xen: -EFAULT) rather than call it unrecorded memory.
 * A write that faults is logged the same way among the writes.
 */
public final class AccessLog implements GuestMemory {

    private static final long PAGE = 4096;

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
    public byte[] readLinear(long linear, int len) throws GuestFault {
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            long la = linear + done;
            int n = (int) Math.min(len - done, PAGE - (la & (PAGE - 1)));
            long gpa;
            try {
                gpa = inner.translate(la);
            } catch (GuestFault f) {
                reads.add(new MemChunk(la, new byte[0]));
                throw f;
            }
            byte[] part = readPhysical(gpa, n);
            System.arraycopy(part, 0, out, done, n);
            done += n;
        }
        return out;
    }

    @Override
    public void writeLinear(long linear, byte[] data) throws GuestFault {
        int done = 0;
        while (done < data.length) {
            long la = linear + done;
            int n = (int) Math.min(data.length - done, PAGE - (la & (PAGE - 1)));
            long gpa;
            try {
                gpa = inner.translate(la);
            } catch (GuestFault f) {
                writes.add(new MemChunk(la, new byte[0]));
                throw f;
            }
            byte[] part = new byte[n];
            System.arraycopy(data, done, part, 0, n);
            writePhysical(gpa, part);
            done += n;
        }
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

    @Override
    public long translate(long linear) throws GuestFault {
        return inner.translate(linear);
    }
}
