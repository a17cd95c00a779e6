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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Xen call the reference implements, asked once of a fresh domain on each side (both ABIs,
 * argument bytes 0x00, 0xFF and 0x01), is answered by the adapter as its coverage row promises: a
 * row declared MAPPED or EMULATED without a gap id shows no differing field at all; a row with gap
 * ids differs only as those catalog entries explain; an uncovered row differs only as some catalog
 * entry explains.
 */
class ProbeAgreementTest {

    private static final long ARG = 0x2000;
    private static final List<Abi> ABIS = List.of(Abi.XEN64, Abi.XEN32);
    private static final int[] FILLS = {0x00, 0xFF, 0x01};

    @Test
    void aFreshAdapterAnswersEveryReferenceCallAsItsCoverageRowPromises() throws GuestFault {
        List<XenCall> calls = ReferenceXenCalls.implemented();
        assertFalse(calls.isEmpty(), "the reference implements no Xen call: nothing would be probed");
        Map<String, AbiCoverage.Row> rows = new HashMap<>();
        for (AbiCoverage.Row r : AbiCoverage.read().xenOnHyperV().rows()) {
            rows.put(r.call(), r);
        }
        List<String> broken = new ArrayList<>();
        int probes = 0;
        int strictProbes = 0;
        for (XenCall c : calls) {
            AbiCoverage.Row row = rows.get(c.name());
            assertTrue(row != null, c.name() + " has no Xen-on-Hyper-V coverage row");
            boolean strict = (row.status() == AbiCoverage.Status.MAPPED || row.status() == AbiCoverage.Status.EMULATED)
                    && row.gap().isEmpty();
            List<String> allowed = AbiCoverage.gapIds(row.gap());
            for (Abi abi : ABIS) {
                for (int fill : FILLS) {
                    long[] args = new long[Hypercall.ARG_COUNT];
                    Arrays.fill(args, ARG);
                    if (c.subOp() != XenCall.NO_SUB_OP) {
                        args[0] = c.subOp();
                    }
                    Hypercall h = new Hypercall(0, abi, c.hypercall().number(), args);
                    Observation ref = new XenBackend(XenConfig.defaults()).serve(h, ram(fill), 0);
                    Observation adapter = XenOnHyperV.of(XenConfig.defaults()).serve(h, ram(fill), 0);
                    probes++;
                    strictProbes += strict ? 1 : 0;
                    Set<Field> fields = Comparator.differingFields(ref, adapter);
                    if (fields.isEmpty()) {
                        continue;
                    }
                    List<String> ids = KnownDivergences.matchAll(XenOnHyperV.NAME, h, fields, ref, adapter).stream()
                            .map(KnownDivergence::id).toList();
                    String why;
                    if (strict) {
                        why = "declared " + row.status() + " without a gap id, yet differs";
                    } else if (ids.isEmpty()) {
                        why = "no catalog entry explains it";
                    } else if (!allowed.isEmpty() && !allowed.containsAll(ids)) {
                        why = "explained by " + ids + ", but the row declares only " + allowed;
                    } else {
                        continue;
                    }
                    broken.add(c.fullName() + " " + abi + " fill 0x" + Integer.toHexString(fill) + ": " + fields + ": " + why
                            + "\n    xen:           " + Arrays.toString(ref.returns()) + " " + ref.trail()
                            + "\n    xen-on-hyperv: " + Arrays.toString(adapter.returns()) + " " + adapter.trail());
                }
            }
        }
        // Every call was probed under both ABIs and all fills, and some rows were held to "no difference".
        assertEquals(calls.size() * ABIS.size() * FILLS.length, probes);
        assertTrue(strictProbes > 0, "no MAPPED/EMULATED row without a gap id was probed");
        assertTrue(broken.isEmpty(), broken.size() + " probes break their coverage row:\n  " + String.join("\n  ", broken));
    }

    private static FlatRam ram(int fill) throws GuestFault {
        FlatRam ram = new FlatRam(64 * 1024);
        byte[] page = new byte[4096];
        Arrays.fill(page, (byte) fill);
        ram.writePhysical(ARG, page);
        return ram;
    }
}
