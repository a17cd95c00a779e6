package dev.hcdiff.oracle.coverage;

import dev.hcdiff.oracle.adapter.XenOnHyperV;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.compare.Comparator;
import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.oracle.compare.KnownDivergence;
import dev.hcdiff.oracle.compare.KnownDivergences;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Xen call the reference implements, asked once of a fresh domain on each side (both ABIs,
 * argument bytes 0x00, 0xFF and 0x01), is answered by the adapter as by the reference, or differs
 * only as a catalogued gap: a coverage row that says MAPPED or EMULATED must not hide a new divergence.
 */
class ProbeAgreementTest {

    private static final long ARG = 0x2000;

    @Test
    void aFreshAdapterAnswersEveryReferenceCallAsTheReferenceOrAsACatalogedGap() throws GuestFault {
        List<String> fresh = new ArrayList<>();
        for (XenCall c : ReferenceXenCalls.implemented()) {
            for (Abi abi : List.of(Abi.XEN64, Abi.XEN32)) {
                for (int fill : new int[] {0x00, 0xFF, 0x01}) {
                    long[] args = new long[Hypercall.ARG_COUNT];
                    Arrays.fill(args, ARG);
                    if (c.subOp() != XenCall.NO_SUB_OP) {
                        args[0] = c.subOp();
                    }
                    Hypercall h = new Hypercall(0, abi, c.hypercall().number(), args);
                    Observation ref = new XenBackend(XenConfig.defaults()).serve(h, ram(fill), 0);
                    Observation adapter = XenOnHyperV.of(XenConfig.defaults()).serve(h, ram(fill), 0);
                    Set<Field> fields = Comparator.differingFields(ref, adapter);
                    if (!fields.isEmpty() && KnownDivergences.match(h, fields, ref, adapter).map(KnownDivergence::id).isEmpty()) {
                        fresh.add(c.fullName() + " " + abi + " fill 0x" + Integer.toHexString(fill) + ": " + fields
                                + "\n    xen:           " + Arrays.toString(ref.returns()) + " " + ref.trail()
                                + "\n    xen-on-hyperv: " + Arrays.toString(adapter.returns()) + " " + adapter.trail());
                    }
                }
            }
        }
        assertTrue(fresh.isEmpty(), "new divergences:\n  " + String.join("\n  ", fresh));
    }

    private static FlatRam ram(int fill) throws GuestFault {
        FlatRam ram = new FlatRam(64 * 1024);
        byte[] page = new byte[4096];
        Arrays.fill(page, (byte) fill);
        ram.writePhysical(ARG, page);
        return ram;
    }
}
