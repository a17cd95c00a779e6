package dev.hcdiff.trace.record;

import java.util.Arrays;

/**
 * The recorder's own hypercall stubs, installed over the page a backend wrote for the
 * hypercall-page MSR (on these hosts {@code vmcall} never returns: kvm.md). Transport, never a
 * divergence: replay skips it; a reader sees exactly what the guest executed.
 *
 * @param gpa   guest-physical address of the page
 * @param bytes the page as installed
 */
public record TransportPage(long seq, long timeNs, long gpa, byte[] bytes) implements TraceRecord {

    public TransportPage {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportPage t && t.seq == seq && t.timeNs == timeNs && t.gpa == gpa
                && Arrays.equals(t.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seq) * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "TransportPage[seq=" + seq + ", timeNs=" + timeNs + ", gpa=0x" + Long.toHexString(gpa)
                + ", " + bytes.length + " bytes]";
    }
}
