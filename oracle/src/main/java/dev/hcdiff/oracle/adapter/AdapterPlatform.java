package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.NullHandler;
import dev.hcdiff.oracle.hyperv.DebugConsole;
import dev.hcdiff.oracle.xen.platform.Vioapic;
import dev.hcdiff.oracle.xen.platform.Vlapic;

/**
 * The platform devices a Xen guest under the adapter reaches by MMIO and port I/O. They are not
 * Xen's and not the adapter's but the partition's: Hyper-V virtualises the local APIC in the
 * hypervisor and the root emulates the IOAPIC, and no hypercall of either ABI is involved. The
 * adapter presents the same x86 devices at the same addresses, so it reuses the reference's
 * register models ({@link Vlapic}: one per vCPU at 0xFEE00000, {@link Vioapic} at 0xFEC00000):
 * their reset values and masks are the architectural registers a guest programs, and the TLFS
 * defines none of its own (it adds only the synthetic EOI/ICR/TPR MSRs, "Virtual Interrupt
 * Controller"). A PVH domain's platform has no IOAPIC (libxl asks for a LAPIC only). Everything
 * else in the MMIO hole is an empty bus: reads all ones, writes dropped. Port I/O is the platform's
 * debug console ({@link DebugConsole}).
 */
final class AdapterPlatform {

    private final Vlapic[] vlapics;
    private final Vioapic vioapic = new Vioapic();
    private final boolean hasIoapic;

    AdapterPlatform(int vcpus, boolean hasIoapic) {
        this.hasIoapic = hasIoapic;
        this.vlapics = new Vlapic[vcpus];
        for (int v = 0; v < vcpus; v++) {
            vlapics[v] = new Vlapic(v);
        }
    }

    Vlapic vlapic(int vcpu) {
        return vlapics[vcpu];
    }

    Vioapic vioapic() {
        return vioapic;
    }

    /** Whether the platform has an IOAPIC (not for PVH). */
    boolean hasIoapic() {
        return hasIoapic;
    }

    /** The calling vCPU's LAPIC, the IOAPIC, else all ones. */
    long mmioRead(int vcpu, long gpa, int size) {
        if (Vlapic.inRange(gpa)) {
            return vlapics[vcpu].read(gpa, size);
        }
        if (hasIoapic && Vioapic.inRange(gpa)) {
            return vioapic.read(gpa, size);
        }
        return NullHandler.read(size);
    }

    /**
     * The calling vCPU's LAPIC, the IOAPIC, else dropped.
     *
     * @return true when the write software-enabled the LAPIC
     */
    boolean mmioWrite(int vcpu, long gpa, int size, long value) {
        if (Vlapic.inRange(gpa)) {
            return vlapics[vcpu].write(gpa, size, value);
        }
        if (hasIoapic && Vioapic.inRange(gpa)) {
            vioapic.write(gpa, size, value);
        }
        return false;
    }
}
