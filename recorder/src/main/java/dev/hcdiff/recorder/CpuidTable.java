package dev.hcdiff.recorder;

import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.recorder.kvm.KvmCpuid2;
import dev.hcdiff.trace.record.CpuidQuery;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the vCPU's CPUID table: KVM's supported leaves with KVM's own hypervisor range
 * ({@code 0x40000000..}, "KVMKVMKVM") removed (a second entry for a leaf is ignored, kvm.md), plus
 * the backend's hypervisor leaves. The backend is scanned as a guest scans (xen-abi.md §2): each
 * base 0x40000000..0x4000FF00 in 0x100 steps whose EAX lies in [base+1, base+0xff] is taken, with
 * every leaf up to its EAX, subleaves 0..2 of base+3 and subleaf 0 of base+4. Each answer put in
 * the table is recorded as one exchange; probes of bases not taken are not (the guest sees KVM's
 * out-of-range answer for them, not the backend's).
 */
final class CpuidTable {

    private CpuidTable() {
    }

    /** The hypervisor CPUID range (Intel SDM vol. 2A CPUID: 0x40000000–0x4FFFFFFF reserved for hypervisors). */
    static final int HV_FIRST = 0x4000_0000;
    static final int HV_LAST = 0x4FFF_FFFF;
    /** Bases guests probe: 0x40000000 + n*0x100 up to 0x4000FF00 (Linux {@code hypervisor_cpuid_base()}). */
    static final int SCAN_LAST = 0x4000_FF00;
    static final int SCAN_STEP = 0x100;
    /** Leaf base+3: Xen's TSC leaf, subleaves 0..2 (xen/include/public/arch-x86/cpuid.h). */
    static final int TSC_LEAF = 3;
    static final int TSC_SUBLEAVES = 3;
    /** Leaf base+4: Xen's HVM leaf, subleaf 0 only. */
    static final int HVM_LEAF = 4;

    static List<KvmCpuid2.Entry> build(List<KvmCpuid2.Entry> supported, Journal journal, int vcpu) {
        List<KvmCpuid2.Entry> table = new ArrayList<>();
        for (KvmCpuid2.Entry e : supported) {
            if (Integer.compareUnsigned(e.function(), HV_FIRST) < 0 || Integer.compareUnsigned(e.function(), HV_LAST) > 0) {
                table.add(e);
            }
        }
        for (long base = HV_FIRST; base <= SCAN_LAST; base += SCAN_STEP) {
            long t0 = System.nanoTime();
            CpuidQuery probe = new CpuidQuery(vcpu, (int) base, 0);
            long timeNs = journal.clock().at(t0);
            Serving.Served served = Serving.serve(journal.backend(), probe, journal.memory(), timeNs);
            long max = Integer.toUnsignedLong((int) served.observation().result());
            if (max < base + 1 || max > base + 0xff) {
                continue;
            }
            journal.recordServed(probe, served, t0, timeNs);
            table.add(entry(probe, served, 0));
            for (long leaf = base + 1; leaf <= max; leaf++) {
                int offset = (int) (leaf - base);
                int subleaves = offset == TSC_LEAF ? TSC_SUBLEAVES : 1;
                int flags = offset == TSC_LEAF || offset == HVM_LEAF ? KvmCpuid2.FLAG_SIGNIFICANT_INDEX : 0;
                for (int sub = 0; sub < subleaves; sub++) {
                    long t = System.nanoTime();
                    CpuidQuery q = new CpuidQuery(vcpu, (int) leaf, sub);
                    long tv = journal.clock().at(t);
                    Serving.Served s = Serving.serve(journal.backend(), q, journal.memory(), tv);
                    journal.recordServed(q, s, t, tv);
                    table.add(entry(q, s, flags));
                }
            }
        }
        return table;
    }

    private static KvmCpuid2.Entry entry(CpuidQuery q, Serving.Served s, int flags) {
        long[] r = s.observation().returns();
        if (r.length != 4) {
            throw new IllegalStateException("the backend answered CPUID 0x" + Integer.toHexString(q.leaf())
                    + " with " + r.length + " registers, expected eax ebx ecx edx");
        }
        return new KvmCpuid2.Entry(q.leaf(), q.subleaf(), flags, (int) r[0], (int) r[1], (int) r[2], (int) r[3]);
    }
}
