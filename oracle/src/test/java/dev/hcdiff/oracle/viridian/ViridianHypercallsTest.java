package dev.hcdiff.oracle.viridian;

import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.Observation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code viridian_hypercall()} and its handlers, expectations from
 * {@code xen/arch/x86/hvm/viridian/viridian.c} (RELEASE-4.17.7), function named per test.
 */
class ViridianHypercallsTest {

    /** Call codes (TLFS App. A; Xen hyperv-tlfs.h HVCALL_*). */
    static final long FLUSH_SPACE = 0x0002, FLUSH_LIST = 0x0003, SPIN_WAIT = 0x0008, SEND_IPI = 0x000B,
            FLUSH_SPACE_EX = 0x0013, FLUSH_LIST_EX = 0x0014, SEND_IPI_EX = 0x0015, POST_MESSAGE = 0x005C,
            SIGNAL_EVENT = 0x005D, EXT_QUERY = 0x8001;
    /** Input value bit 16, fast; rep count at 43:32. */
    static final long FAST = 1L << 16;
    /** HV_STATUS (TLFS App. B). */
    static final long SUCCESS = 0, INVALID_HYPERCALL_CODE = 2, INVALID_PARAMETER = 5;
    static final long IN = 0x10000;

    final Guest g = Guest.viridian(ViridianConfig.defaults().withVcpus(4));

    static long reps(long n) {
        return n << 32;
    }

    @Test
    void unknownAndUnimplementedCodesAreInvalidHypercallCode() {
        // default: "unimplemented hypercall" and HVCALL_EXT_CALL_QUERY_CAPABILITIES -> -EOPNOTSUPP.
        for (long code : new long[] {0x0001, POST_MESSAGE, SIGNAL_EVENT, 0x0069, 0x0099, EXT_QUERY, 0x7777}) {
            assertEquals(INVALID_HYPERCALL_CODE, g.status(0, code, IN, 0), "code 0x" + Long.toHexString(code));
        }
    }

    @Test
    void reservedBitsAndRepCountsAreNotChecked() {
        // union hypercall_input has no reserved-field check: bits 31:17 and 63:60 are ignored.
        assertEquals(SUCCESS, g.status(0, SPIN_WAIT | 0xf000_0000_8000_0000L | reps(5), 0, 0));
    }

    @Test
    void notifyLongSpinWaitYieldsAndSucceeds() {
        Observation o = g.hv(0, SPIN_WAIT, 0, 0);
        assertEquals(SUCCESS, o.result());
        assertTrue(o.writes().isEmpty());
    }

    @Test
    void fastFlushIsInvalidParameter() {
        // hvcall_flush(): "These hypercalls should never use the fast-call convention."
        assertEquals(INVALID_PARAMETER, g.status(0, FLUSH_SPACE | FAST, 0, 0));
        assertEquals(INVALID_PARAMETER, g.status(0, FLUSH_SPACE_EX | FAST, 0, 0));
    }

    @Test
    void flushFromUnreadableInputIsInvalidParameter() {
        // hvm_copy_from_guest_phys() != HVMTRANS_okay -> -EINVAL.
        assertEquals(INVALID_PARAMETER, g.status(0, FLUSH_SPACE, 0x4000_0000L, 0));
    }

    @Test
    void flushReportsRepCountCompletedEvenForTheSimpleCallAndAnEmptyMask() {
        g.put(IN, 0, 0, 0); // address space, flags, mask 0: flushes nobody, still success
        assertEquals(SUCCESS, g.status(0, FLUSH_SPACE, IN, 0));
        // output->rep_complete = input->rep_count, for 0x2 and 0x3 alike.
        assertEquals(SUCCESS | reps(7), g.status(0, FLUSH_LIST | reps(7), IN, 0));
        assertEquals(SUCCESS | reps(3), g.status(0, FLUSH_SPACE | reps(3), IN, 0));
    }

    @Test
    void flushExWithBadVpSetFormatIsInvalidParameter() {
        // hv_vpset_to_vpmask(): a format other than SPARSE_4K (0) or ALL (1) -> -EINVAL.
        g.put(IN, 0, 0, 2, 0);
        assertEquals(INVALID_PARAMETER, g.status(0, FLUSH_LIST_EX | reps(1), IN, 0));
    }

    @Test
    void flushExAllProcessorsFlagSkipsTheVpSet() {
        // "if ( input_params.flags & HV_FLUSH_ALL_PROCESSORS || format == HV_GENERIC_SET_ALL )" comes first.
        g.put(IN, 0, 1, 7, 0);
        assertEquals(SUCCESS | reps(2), g.status(0, FLUSH_LIST_EX | reps(2), IN, 0));
    }

    @Test
    void flushExSparseSetWithUnreadableBanksIsInvalidParameter() {
        // Banks read from input_params_gpa + 32; one bank at the last 8 bytes of RAM... place the
        // header so that the bank lies beyond RAM.
        long at = (1 << 20) - 32;
        g.put(at, 0, 0, 0, 1);
        assertEquals(INVALID_PARAMETER, g.status(0, FLUSH_SPACE_EX, at, 0));
    }

    @Test
    void ipiReachesEveryEnabledVlapicInTheMaskOnly() {
        for (int vp = 0; vp < 4; vp++) {
            if (vp != 2) {
                g.enableLapic(vp);
            }
        }
        // Fast form: RDX = vector, R8 = mask {0,1,2,3,5}; vCPU 2's LAPIC is disabled, VP 5 does not exist.
        Observation o = g.hv(0, SEND_IPI | FAST, 0x40, 0b101111);
        assertEquals(SUCCESS, o.result());
        assertEquals(List.of(new Interrupt(0, 0x40, "ipi"), new Interrupt(1, 0x40, "ipi"), new Interrupt(3, 0x40, "ipi")),
                o.interrupts());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x0f, 0x100, 0xffff_ffffL})
    void ipiVectorOutOfRangeIsInvalidParameter(long vector) {
        g.enableLapic(0);
        // "if ( vector < 0x10 || vector > 0xff ) return -EINVAL;" in hvcall_ipi() and hvcall_ipi_ex().
        g.put(IN, vector, 1);
        Observation o = g.hv(0, SEND_IPI, IN, 0);
        assertEquals(INVALID_PARAMETER, o.result());
        assertTrue(o.interrupts().isEmpty());
        g.put(IN, vector, 0, 0); // vector, sparse format, no banks: the vector is checked first
        assertEquals(INVALID_PARAMETER, g.status(0, SEND_IPI_EX, IN, 0));
    }

    @Test
    void fastIpiWithHighRdxBitsIsInvalidParameter() {
        // "if ( input_params_gpa >> 32 ) return -EINVAL;"
        assertEquals(INVALID_PARAMETER, g.status(0, SEND_IPI | FAST, 0x1_0000_0040L, 1));
    }

    @Test
    void ipiWithTargetVtlOrReservedBytesIsInvalidParameter() {
        g.enableLapic(0);
        g.put(IN, 0x40 | (1L << 32), 1);
        assertEquals(INVALID_PARAMETER, g.status(0, SEND_IPI, IN, 0));
        g.put(IN, 0x40 | (1L << 56), 1);
        assertEquals(INVALID_PARAMETER, g.status(0, SEND_IPI, IN, 0));
    }

    @Test
    void fastIpiExIsInvalidParameter() {
        assertEquals(INVALID_PARAMETER, g.status(0, SEND_IPI_EX | FAST, 0x40, 0));
    }

    @Test
    void ipiExSparseSetSelectsBankBits() {
        g.enableLapic(1);
        g.enableLapic(3);
        // vector 0x50, format SPARSE_4K, valid banks {0}, bank 0 = {1, 3}.
        g.put(IN, 0x50, 0, 1, 0b1010);
        Observation o = g.hv(0, SEND_IPI_EX, IN, 0);
        assertEquals(SUCCESS, o.result());
        assertEquals(List.of(new Interrupt(1, 0x50, "ipi"), new Interrupt(3, 0x50, "ipi")), o.interrupts());
        // Format ALL: every enabled vLAPIC.
        g.put(IN, 0x51, 1, 0);
        assertEquals(List.of(new Interrupt(1, 0x51, "ipi"), new Interrupt(3, 0x51, "ipi")),
                g.hv(0, SEND_IPI_EX, IN, 0).interrupts());
    }

    @Test
    void ipiExWithBadFormatIsInvalidParameter() {
        g.put(IN, 0x50, 5, 0);
        assertEquals(INVALID_PARAMETER, g.status(0, SEND_IPI_EX, IN, 0));
    }
}
