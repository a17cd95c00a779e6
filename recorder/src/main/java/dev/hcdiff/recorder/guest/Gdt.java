package dev.hcdiff.recorder.guest;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.kvm.KvmSegment;
import dev.hcdiff.recorder.kvm.KvmSregs;
import dev.hcdiff.recorder.vmm.GuestRam;

import java.lang.foreign.MemorySegment;

/**
 * The boot GDT (Intel SDM vol. 3 §3.4.5, "Segment Descriptors"): flat 4 GiB segments. A real GDT
 * in guest memory matters: interrupt delivery reloads CS from it (kvm.md).
 */
final class Gdt {

    private Gdt() {
    }

    /** Null descriptor. */
    static final long NULL = 0L;
    /** 64-bit code: base 0, limit 0xFFFFF, type 0xB (execute/read, accessed), S, P, L=1, G. */
    static final long CODE64 = 0x00AF_9B00_0000_FFFFL;
    /** Data: base 0, limit 0xFFFFF, type 0x3 (read/write, accessed), S, P, D/B=1, G. */
    static final long DATA = 0x00CF_9300_0000_FFFFL;
    /** 32-bit code: type 0xB, S, P, D/B=1, G. */
    static final long CODE32 = 0x00CF_9B00_0000_FFFFL;
    static final int ENTRIES = 4;

    /** Code segment type 0xB and data type 0x3 as KVM takes them. */
    private static final int CODE_TYPE = 0xB;
    private static final int DATA_TYPE = 0x3;
    private static final int FLAT_LIMIT = 0xFFFF_FFFF;

    static void write(GuestRam ram) throws GuestFault {
        long[] entries = {NULL, CODE64, DATA, CODE32};
        for (int i = 0; i < entries.length; i++) {
            ram.writeLong(BootLayout.GDT + 8L * i, entries[i]);
        }
    }

    /** Loads GDTR and the flat data segments; CS per {@code longMode}. */
    static void load(MemorySegment sregs, boolean longMode) {
        KvmSregs.dtable(sregs, KvmSregs.GDT, BootLayout.GDT, ENTRIES * 8 - 1);
        // No IDT: an exception before the guest sets its own triple-faults, which the recorder reports.
        KvmSregs.dtable(sregs, KvmSregs.IDT, 0, 0);
        KvmSegment.write(sregs, KvmSregs.CS, new KvmSegment.Descriptor(0, FLAT_LIMIT,
                longMode ? BootLayout.CODE64_SELECTOR : BootLayout.CODE32_SELECTOR, CODE_TYPE, true, 0,
                !longMode, true, longMode, true));
        KvmSegment.Descriptor data = new KvmSegment.Descriptor(0, FLAT_LIMIT, BootLayout.DATA_SELECTOR, DATA_TYPE,
                true, 0, true, true, false, true);
        for (long seg : new long[] {KvmSregs.DS, KvmSregs.ES, KvmSregs.FS, KvmSregs.GS, KvmSregs.SS}) {
            KvmSegment.write(sregs, seg, data);
        }
    }
}
