package dev.hcdiff.oracle.coverage;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;

import java.util.Arrays;
import java.util.List;

/**
 * Which Xen calls the reference model ({@code xen}) implements, found by asking it: every call
 * hcdiff can name ({@link XenCall#all()}) is served by a fresh reference backend, and a call is
 * implemented unless every probe's trail says {@link Observation#UNMODELLED}. Asking the model
 * (rather than keeping a list, or reading its switch statements) cannot drift from it: a sub-op
 * the model starts to serve joins the list, and the coverage test then asks the adapter for it.
 *
 * <p>The probes: both ABIs ({@code xen64}, {@code xen32}), with every argument register pointing
 * at an argument page filled with zeros, then with 0xFF bytes; a sub-op's command is its number
 * (start_extent 0). Two fillings reach past the checks that answer one of them (a zero struct names
 * vCPU 0, which exists; all-ones names none), so a call whose model checks its arguments before an
 * unmodelled core ({@code EVTCHNOP_init_control}) counts as implemented; a call that is unmodelled
 * whatever its arguments ({@code vcpu_op}, {@code XENMEM_exchange}) does not.
 */
public final class ReferenceXenCalls {

    /** Guest RAM for a probe: the argument page and what a struct may point to inside 64 KiB. */
    private static final int RAM_BYTES = 64 * 1024;
    /** The argument page every argument register points at. */
    private static final long ARG = 0x2000;
    /** One page of argument bytes (x86 PAGE_SIZE). */
    private static final int PAGE = 4096;
    /** The byte values the argument page is filled with. */
    private static final byte[] FILLS = {0x00, (byte) 0xFF};

    private ReferenceXenCalls() {
    }

    /** The calls the reference implements, in {@link XenCall} order. */
    public static List<XenCall> implemented() {
        return XenCall.all().stream().filter(ReferenceXenCalls::isImplemented).toList();
    }

    /** True when some probe of {@code call} is answered by the model, not as {@code unmodelled}. */
    public static boolean isImplemented(XenCall call) {
        for (Abi abi : List.of(Abi.XEN64, Abi.XEN32)) {
            for (byte fill : FILLS) {
                if (!probe(call, abi, fill).trail().contains(Observation.UNMODELLED)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One probe on a fresh default reference (Debian's Xen 4.17, one HVM domU). */
    private static Observation probe(XenCall call, Abi abi, byte fill) {
        XenBackend xen = new XenBackend(XenConfig.defaults());
        FlatRam ram = new FlatRam(RAM_BYTES);
        byte[] page = new byte[PAGE];
        Arrays.fill(page, fill);
        try {
            ram.writePhysical(ARG, page);
        } catch (GuestFault f) {
            throw new IllegalStateException("the argument page lies inside the probe RAM", f);
        }
        long[] args = new long[Hypercall.ARG_COUNT];
        Arrays.fill(args, ARG);
        if (call.subOp() != XenCall.NO_SUB_OP) {
            args[0] = call.subOp();
        }
        return xen.serve(new Hypercall(0, abi, call.hypercall().number(), args), ram, 0);
    }
}
