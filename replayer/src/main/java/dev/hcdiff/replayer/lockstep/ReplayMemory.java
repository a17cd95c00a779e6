package dev.hcdiff.replayer.lockstep;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.backend.UnrecordedMemory;
import dev.hcdiff.trace.record.MemChunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Guest memory during the replay of one exchange: serves exactly the bytes the recording
 * captured (design.md: "In replay the view serves the bytes the recording captured; a read
 * outside them is a replay error"). Writes land in an overlay that later reads of the same
 * exchange see. A zero-length recorded chunk marks an access that faulted when recorded
 * ({@link dev.hcdiff.oracle.backend.AccessLog}) and faults again here.
 *
 * <p>Translation is the identity: the recorder logs guest-physical addresses, and every guest
 * recorded so far runs identity-mapped or unpaged. A non-identity mapping shows up as an
 * {@link UnrecordedMemory} error, never as silently wrong bytes.
 */
final class ReplayMemory implements GuestMemory {

    private final List<MemChunk> recorded;
    private final List<MemChunk> recordedWrites;
    private final List<MemChunk> overlay = new ArrayList<>();

    /**
     * @param reads  the bytes the recording says the call read
     * @param writes the bytes the recording says the call wrote (only its fault markers matter)
     */
    ReplayMemory(List<MemChunk> reads, List<MemChunk> writes) {
        this.recorded = reads;
        this.recordedWrites = writes;
    }

    @Override
    public byte[] readPhysical(long gpa, int len) throws GuestFault {
        // The common case, one recorded chunk holding the whole read and nothing written over it
        // yet in this exchange: copy it out at once.
        if (overlay.isEmpty() && len > 0) {
            for (MemChunk c : recorded) {
                if (c.length() == 0 && c.gpa() == gpa) {
                    throw new GuestFault(gpa, len, "faulted when recorded");
                }
                if (c.covers(gpa, len)) {
                    return c.slice(gpa, len);
                }
            }
        }
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = byteAt(gpa + i, len);
        }
        return out;
    }

    private byte byteAt(long addr, int len) throws GuestFault {
        for (int i = overlay.size() - 1; i >= 0; i--) {
            MemChunk c = overlay.get(i);
            if (c.covers(addr, 1)) {
                return c.byteAt((int) (addr - c.gpa()));
            }
        }
        for (MemChunk c : recorded) {
            if (c.length() == 0 && c.gpa() == addr) {
                throw new GuestFault(addr, len, "faulted when recorded");
            }
            if (c.covers(addr, 1)) {
                return c.byteAt((int) (addr - c.gpa()));
            }
        }
        throw new UnrecordedMemory(addr, len);
    }

    @Override
    public void writePhysical(long gpa, byte[] data) throws GuestFault {
        for (MemChunk f : recordedWrites) {
            if (f.length() == 0 && f.gpa() == gpa) {
                throw new GuestFault(gpa, data.length, "faulted when recorded");
            }
        }
        overlay.add(new MemChunk(gpa, data));
    }

    @Override
    public long translate(long linear) throws GuestFault {
        for (MemChunk c : recorded) {
            if (c.length() == 0 && c.gpa() == linear) {
                throw new GuestFault(linear, 0, "translation faulted when recorded");
            }
        }
        return linear;
    }
}
