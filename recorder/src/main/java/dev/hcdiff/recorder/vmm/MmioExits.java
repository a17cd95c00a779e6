package dev.hcdiff.recorder.vmm;

import dev.hcdiff.recorder.kvm.KvmRun;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.Observation;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@code KVM_EXIT_MMIO}: a guest access to guest-physical memory no KVM slot backs
 * ({@code Documentation/virt/kvm/api.rst}, "KVM_EXIT_MMIO": {@code phys_addr}, {@code data[8]},
 * {@code len}, {@code is_write}; for a read the VMM puts the value in {@code data} and KVM
 * completes the instruction on the next KVM_RUN).
 *
 * <p>Inside the MMIO hole, [end of low RAM, 4 GiB) minus the RAM regions, the access is the
 * backend's: {@link MmioWrite} or {@link MmioRead} (under Xen the vLAPIC, vIOAPIC, HPET or the
 * null handler answer it). At or above 4 GiB, or inside low RAM's range, nothing the guest owns
 * is there: the guest stops with BAD_ACCESS and host memory is never touched.
 */
final class MmioExits {

    private MmioExits() {
    }

    /** The 32-bit physical address space: Xen's HVM MMIO hole ends at 4 GiB ({@code xen/include/public/hvm/e820.h}). */
    static final long FOUR_GIB = 1L << 32;

    static Step handle(Vcpu v, long exitNs) {
        MemorySegment run = v.run;
        long gpa = KvmRun.mmioPhysAddr(run);
        int len = KvmRun.mmioLen(run);
        boolean write = KvmRun.mmioIsWrite(run);
        if (!inHole(v.ram, gpa, len)) {
            return v.stop(new VcpuStop.BadAccess(v.rip(), gpa, len, write));
        }
        if (len != 1 && len != 2 && len != 4 && len != 8) {
            return v.stop(new VcpuStop.Unhandled(v.rip(), (write ? "write" : "read") + " of " + len
                    + " bytes at MMIO address 0x" + Long.toHexString(gpa) + ": only 1, 2, 4 and 8-byte accesses are served"));
        }
        if (write) {
            MmioWrite w = new MmioWrite(v.id(), gpa, len, readLe(run, len));
            return v.afterServed(w, v.services.serve(w, exitNs));
        }
        MmioRead r = new MmioRead(v.id(), gpa, len);
        Observation o = v.services.serve(r, exitNs);
        writeLe(run, len, o.result());
        return v.afterServed(r, o);
    }

    /** True when {@code [gpa, gpa+len)} lies in the MMIO hole: above low RAM, below 4 GiB, no RAM in it. */
    static boolean inHole(GuestRam ram, long gpa, int len) {
        return len > 0 && gpa >= ram.lowRamEnd() && gpa <= FOUR_GIB - len && !ram.overlaps(gpa, len);
    }

    private static long readLe(MemorySegment run, int len) {
        long value = 0;
        for (int i = 0; i < len; i++) {
            value |= (run.get(JAVA_BYTE, KvmRun.MMIO_DATA + i) & 0xFFL) << (8 * i);
        }
        return value;
    }

    private static void writeLe(MemorySegment run, int len, long value) {
        for (int i = 0; i < len; i++) {
            run.set(JAVA_BYTE, KvmRun.MMIO_DATA + i, (byte) (value >>> (8 * i)));
        }
    }
}
