package dev.hcdiff.recorder.transport;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.vmm.GuestRam;
import dev.hcdiff.trace.record.MemChunk;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Installs the recorder's transport over what a backend wrote for an MSR write (the hypercall
 * page, design.md): patches the trapping instructions inside the bytes the backend wrote
 * ({@link StubPatcher}), and reports each 4 KiB page that changed, as installed, for a
 * {@code TransportPage} record. Bytes the backend did not write are never touched.
 */
public final class TransportInstaller {

    private TransportInstaller() {
    }

    private static final long PAGE = 4096;

    /** A page with the recorder's stubs in it: its guest-physical address and its bytes now. */
    public record Installed(long gpa, byte[] bytes) {
    }

    public static List<Installed> install(GuestRam ram, List<MemChunk> written) throws GuestFault {
        TreeSet<Long> pages = new TreeSet<>();
        for (MemChunk chunk : written) {
            byte[] bytes = ram.read(chunk.gpa(), chunk.length());
            if (StubPatcher.patch(bytes) > 0) {
                ram.write(chunk.gpa(), bytes);
                for (long p = chunk.gpa() & -PAGE; p < chunk.gpa() + chunk.length(); p += PAGE) {
                    pages.add(p);
                }
            }
        }
        List<Installed> out = new ArrayList<>();
        for (long page : pages) {
            out.add(new Installed(page, ram.read(page, (int) PAGE)));
        }
        return out;
    }
}
