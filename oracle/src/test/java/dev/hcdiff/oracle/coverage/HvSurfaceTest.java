package dev.hcdiff.oracle.coverage;

import dev.hcdiff.oracle.hyperv.HvMsr;
import dev.hcdiff.trace.abi.HvCallCode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HvSurfaceTest {

    @Test
    void msrIndicesAgreeWithTheHyperVModelsTlfsConstants() {
        assertEquals(HvMsr.GUEST_OS_ID, index("HV_X64_MSR_GUEST_OS_ID"));
        assertEquals(HvMsr.HYPERCALL, index("HV_X64_MSR_HYPERCALL"));
        assertEquals(HvMsr.VP_INDEX, index("HV_X64_MSR_VP_INDEX"));
        assertEquals(HvMsr.TIME_REF_COUNT, index("HV_X64_MSR_TIME_REF_COUNT"));
        assertEquals(HvMsr.REFERENCE_TSC, index("HV_X64_MSR_REFERENCE_TSC"));
        assertEquals(HvMsr.TSC_FREQUENCY, index("HV_X64_MSR_TSC_FREQUENCY"));
        assertEquals(HvMsr.SCONTROL, index("HV_X64_MSR_SCONTROL"));
        assertEquals(HvMsr.SIEFP, index("HV_X64_MSR_SIEFP"));
        assertEquals(HvMsr.SIMP, index("HV_X64_MSR_SIMP"));
        assertEquals(HvMsr.EOM, index("HV_X64_MSR_EOM"));
        assertEquals(HvMsr.SINT0, index("HV_X64_MSR_SINT0"));
        assertEquals(HvMsr.SINT15, index("HV_X64_MSR_SINT15"));
        assertEquals(HvMsr.CRASH_P0, index("HV_X64_MSR_CRASH_P0"));
        assertEquals(HvMsr.CRASH_P4, index("HV_X64_MSR_CRASH_P4"));
        assertEquals(HvMsr.CRASH_CTL, index("HV_X64_MSR_CRASH_CTL"));
    }

    @Test
    void stimerMsrsPairConfigAndCountFrom0x400000B0() {
        // TLFS App. C: STIMER0_CONFIG 0x400000B0, STIMER0_COUNT 0x400000B1 … STIMER3_COUNT 0x400000B7.
        assertEquals(0x400000B0, index("HV_X64_MSR_STIMER0_CONFIG"));
        assertEquals(0x400000B7, index("HV_X64_MSR_STIMER3_COUNT"));
    }

    @Test
    void everyMsrIsInTheSyntheticWindowAndListedOnceInIndexOrder() {
        int last = -1;
        for (HvSurface.SyntheticMsr m : HvSurface.msrs()) {
            assertTrue(HvMsr.inWindow(m.index()), m.name());
            assertTrue(m.index() > last, m.name() + " out of order or duplicated");
            last = m.index();
        }
    }

    @Test
    void theCallsAreHvCallCodesInCodeOrder() {
        assertEquals(HvCallCode.values().length, HvSurface.calls().size());
        assertEquals("HvCallSignalEvent", HvSurface.calls().stream().filter(c -> c.code() == 0x5D).findFirst().orElseThrow().name());
    }

    private static int index(String name) {
        return HvSurface.msr(name).orElseThrow().index();
    }
}
