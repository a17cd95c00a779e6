package dev.hcdiff.oracle.xen;

import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Observation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EACCES;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The HVM hypercall table (xen-abi.md §3; xen/include/hypercall-defs.c, xen/arch/x86/hvm/hypercall.c). */
class HvmHypercallsTest {

    private final TestGuest g = new TestGuest();

    private Observation call(long nr, long... args) {
        return g.call(0, Abi.XEN64, nr, args);
    }

    @Test
    void pvOnlyAndObsoleteHypercallsAreEnosysWithoutTheUnmodelledMark() {
        int[] pvOnly = {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 14, 16, 19, 22, 23, 25, 28, 30, 31, 37, 38, 39,
                43, 44, 45, 46, 47, 48, 50, 63};
        for (int nr : pvOnly) {
            Observation o = call(nr);
            assertEquals(-ENOSYS, o.result(), "hypercall " + nr);
            assertFalse(o.trail().contains(Current.UNMODELLED), "hypercall " + nr);
        }
    }

    @Test
    void numbersOf64AndAboveAreEnosys() {
        assertEquals(-ENOSYS, call(64).result());
        assertEquals(-ENOSYS, call(0x100000020L).result()); // rax is used whole in 64-bit mode
        assertEquals(-ENOSYS, call(-1L).result());
    }

    @Test
    void hypercallsInTheTableButNotModelledAreEnosysWithTrailUnmodelled() {
        for (int nr : new int[] {13, 20, 33, 41, 49}) {
            Observation o = call(nr, 0, 0);
            assertEquals(-ENOSYS, o.result(), "hypercall " + nr);
            assertEquals(List.of(Current.UNMODELLED), o.trail(), "hypercall " + nr);
        }
    }

    @Test
    void a32BitCallerUsesEaxOnlyAndSeesTheResultZeroExtended() {
        Observation o = g.call(0, Abi.XEN32, 0x1_0000_0011L, 0x1_0000_0000L, 0);
        assertEquals(0x40011, o.result());
        assertEquals(0xffffffdaL, g.call(0, Abi.XEN32, 6).result()); // -ENOSYS in eax
    }

    @Test
    void a64BitResultIsSignExtended() {
        assertEquals(0xffffffffffffffdaL, call(6).result());
    }

    @Test
    void anHv64HypercallIsACallerError() {
        assertThrows(IllegalArgumentException.class, () -> g.call(0, Abi.HV64, 0x5d));
    }

    @Test
    void aRequestFromAMissingVcpuIsACallerError() {
        assertThrows(IllegalArgumentException.class, () -> g.call(1, Abi.XEN64, 17));
    }

    @Test
    void vmAssistAcceptsOnlyRunstateUpdateFlagThenChecksTheCmd() {
        XenHypercall va = XenHypercall.VM_ASSIST;
        assertEquals(0, g.call(va, 0, 5).result());
        assertEquals(0, g.call(va, 1, 5).result());
        assertEquals(-ENOSYS, g.call(va, 2, 5).result());
        assertEquals(-EINVAL, g.call(va, 2, 3).result());
        assertEquals(-EINVAL, g.call(va, 0, 64).result());
    }

    @Test
    void fixedAnswersOfXsmXenpmuAndHypfs() {
        assertEquals(-ENOSYS, g.call(XenHypercall.XSM_OP, 0).result());
        assertEquals(-EOPNOTSUPP, g.call(XenHypercall.XENPMU_OP, 0, 0).result());
        assertEquals(-EPERM, g.call(XenHypercall.HYPFS_OP, 0).result());
    }

    @Test
    void mmuextOpAnswersByPageOwner() {
        XenHypercall op = XenHypercall.MMUEXT_OP;
        assertEquals(-EINVAL, g.call(op, TestGuest.ARG, 1, 0, 0x7ff0).result()); // DOMID_SELF is HVM
        assertEquals(-ESRCH, g.call(op, TestGuest.ARG, 1, 0, 1).result());      // itself by id
        assertEquals(-EPERM, g.call(op, TestGuest.ARG, 1, 0, 0).result());      // dom0 (PV)
        assertEquals(-EPERM, g.call(op, TestGuest.ARG, 1, 0, 0x7ff1).result()); // DOMID_IO
        assertEquals(-ESRCH, g.call(op, TestGuest.ARG, 1, 0, 42).result());
        // The preemption marker with a NULL list returns (int)foreigndom.
        assertEquals(-2, g.call(op, 0, 0x80000000L, 0, 0xfffffffeL).result());
    }

    @Test
    void platformOpAndSysctlCheckCopyThenInterfaceVersionThenPrivilege() {
        byte[] op = new byte[136];
        g.put(TestGuest.ARG, op);
        assertEquals(-EACCES, g.call(XenHypercall.PLATFORM_OP, TestGuest.ARG).result());
        assertEquals(-EACCES, g.call(XenHypercall.SYSCTL, TestGuest.ARG).result());
        g.put(TestGuest.ARG + 4, new byte[] {1, 0, 0, 3});
        assertEquals(-EPERM, g.call(XenHypercall.PLATFORM_OP, TestGuest.ARG).result());
        g.put(TestGuest.ARG + 4, new byte[] {0x15, 0, 0, 0});
        assertEquals(-EPERM, g.call(XenHypercall.SYSCTL, TestGuest.ARG).result());
        assertEquals(-EFAULT, g.call(XenHypercall.PLATFORM_OP, TestGuest.RAM - 100).result());
    }

    @Test
    void domctlIsModelledUpToItsInterfaceVersion() {
        g.put(TestGuest.ARG, new byte[144]);
        assertEquals(-EACCES, g.call(XenHypercall.DOMCTL, TestGuest.ARG).result());
        assertEquals(-EFAULT, g.call(XenHypercall.DOMCTL, TestGuest.RAM - 100).result());
        g.put(TestGuest.ARG + 4, new byte[] {0x15, 0, 0, 0});
        Observation o = g.call(XenHypercall.DOMCTL, TestGuest.ARG);
        assertEquals(-ENOSYS, o.result());
        assertEquals(List.of(Current.UNMODELLED), o.trail());
    }
}
