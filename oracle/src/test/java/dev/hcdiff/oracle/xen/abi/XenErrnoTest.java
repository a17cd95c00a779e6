package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Values from xen/include/public/errno.h (xen-abi.md §4). */
class XenErrnoTest {

    @Test
    void valuesAreXens() {
        assertEquals(1, XenErrno.EPERM);
        assertEquals(2, XenErrno.ENOENT);
        assertEquals(3, XenErrno.ESRCH);
        assertEquals(14, XenErrno.EFAULT);
        assertEquals(16, XenErrno.EBUSY);
        assertEquals(17, XenErrno.EEXIST);
        assertEquals(22, XenErrno.EINVAL);
        assertEquals(28, XenErrno.ENOSPC);
        assertEquals(38, XenErrno.ENOSYS);
        assertEquals(95, XenErrno.EOPNOTSUPP);
        assertEquals(105, XenErrno.ENOBUFS);
    }

    @Test
    void namesNegatedErrnosAndLeavesOtherValuesDecimal() {
        assertEquals("-EINVAL", XenErrno.name(-22));
        assertEquals("-ENOSYS", XenErrno.name(-38));
        assertEquals("0", XenErrno.name(0));
        assertEquals("4096", XenErrno.name(4096));
        assertEquals("-4", XenErrno.name(-4));
        assertEquals("-999", XenErrno.name(-999));
    }

    @Test
    void names32BitResultsAsTheGuestSeesThemInEax() {
        assertEquals("-EINVAL", XenErrno.name(0xffffffeaL, Abi.XEN32));
        assertEquals("4294967274", XenErrno.name(0xffffffeaL, Abi.XEN64));
    }
}
