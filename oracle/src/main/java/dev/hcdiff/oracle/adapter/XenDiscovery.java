package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.xen.abi.CpuidH;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;

import java.util.function.UnaryOperator;

/**
 * Where a Xen guest finds Xen, and how its platform requests move with it. A Xen guest scans
 * CPUID from 0x40000000 in 0x100 steps for "XenVMMXenVMM" and takes the hypercall-page MSR from
 * leaf base+2 EBX (xen-abi.md §2; Linux {@code xen_cpuid_base()}, hvmloader
 * {@code init_hypercalls()}). Plain Xen answers at base 0x40000000 with MSR 0x40000000; Xen with
 * Viridian, and the Xen-to-Hyper-V adapter, at 0x40000100 with MSR 0x40000200
 * ({@code xen/arch/x86/cpuid.c}, {@code msr.c}).
 *
 * <p>A replay of a recording made under one of them serves the other the request the same guest
 * would have made there: the leaf or MSR moved by the difference of the bases. The guest's own
 * discovery makes that move, so it is not a divergence; what remains different (the limit in
 * base+0 EAX, the MSR index in base+2 EBX) is the known gap {@code xen-cpuid-relocated}.
 */
public final class XenDiscovery {

    private XenDiscovery() {
    }

    /** Requests a guest that found Xen at {@code fromBase} makes, as made to a Xen at {@code toBase}. */
    public static UnaryOperator<GuestRequest> relocate(int fromBase, int toBase) {
        if (fromBase == toBase) {
            return UnaryOperator.identity();
        }
        int fromMsr = msrFor(fromBase);
        int toMsr = msrFor(toBase);
        return r -> switch (r) {
            case CpuidQuery q when inLeaves(q.leaf(), fromBase) ->
                    new CpuidQuery(q.vcpu(), q.leaf() - fromBase + toBase, q.subleaf());
            case MsrWrite w when w.index() == fromMsr -> new MsrWrite(w.vcpu(), toMsr, w.value(), w.mode());
            case MsrRead m when m.index() == fromMsr -> new MsrRead(m.vcpu(), toMsr);
            default -> r;
        };
    }

    /** The hypercall-page MSR of a Xen whose leaves start at {@code base}. */
    static int msrFor(int base) {
        return base == CpuidH.XEN_CPUID_VIRIDIAN_BASE ? CpuidH.XEN_MSR_VIRIDIAN_BASE : CpuidH.XEN_MSR_BASE;
    }

    /** Xen's leaves at a base: base..base+0xFF (xen-abi.md §2). */
    private static boolean inLeaves(int leaf, int base) {
        return Integer.compareUnsigned(leaf, base) >= 0 && Integer.compareUnsigned(leaf, base + 0xFF) <= 0;
    }
}
