package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.XenFeatureInfo;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SortedMap;
import java.util.TreeMap;

import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_build_id;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_capabilities;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_changeset;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_commandline;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_compile_info;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_extraversion;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_get_features;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_guest_handle;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_pagesize;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_platform_parameters;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_version;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** xen_version from xen-abi.md §5.1 and xen/common/kernel.c do_xen_version(). */
class XenVersionTest {

    private static final long A = TestGuest.ARG;
    private final TestGuest g = new TestGuest();

    private long ver(int cmd, long arg) {
        return g.call(XenHypercall.XEN_VERSION, cmd, arg).result();
    }

    private static byte[] padded(String s, int len) {
        return Arrays.copyOf(s.getBytes(StandardCharsets.ISO_8859_1), len);
    }

    @Test
    void versionIs4Point17InRaxAndIgnoresTheArgument() {
        assertEquals(0x40011, ver(XENVER_version, TestGuest.RAM * 2L));
    }

    @Test
    void extraversionIsDot7In16ZeroPaddedBytes() {
        g.put(A, "XXXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, ver(XENVER_extraversion, A));
        assertArrayEquals(padded(".7", 16), g.get(A, 16));
        assertEquals('X', g.get(A + 16, 1)[0]);
    }

    @Test
    void capabilitiesListDebiansPvAndHvmGuestTypesWithATrailingSpace() {
        assertEquals(0, ver(XENVER_capabilities, A));
        assertArrayEquals(padded("xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ", 1024), g.get(A, 1024));
    }

    @Test
    void compileInfoAndChangesetAreTheDebianBuilds() {
        assertEquals(0, ver(XENVER_compile_info, A));
        byte[] info = g.get(A, 144);
        assertArrayEquals(padded("x86_64-linux-gnu-gcc (Debian 12.2.0-14+deb12u1) 12.2.0", 64), Arrays.copyOfRange(info, 0, 64));
        assertArrayEquals(padded("pkg-xen-devel", 16), Arrays.copyOfRange(info, 64, 80));
        assertArrayEquals(padded("lists.alioth.debian.org", 32), Arrays.copyOfRange(info, 80, 112));
        g.put(A, new byte[] {1, 1, 1});
        assertEquals(0, ver(XENVER_changeset, A));
        assertArrayEquals(new byte[64], g.get(A, 64));
    }

    @Test
    void platformParametersAre8BytesOfVirtStartIn64BitAnd4BytesOfZeroIn32Bit() {
        assertEquals(0, ver(XENVER_platform_parameters, A));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, (byte) 0x80, (byte) 0xff, (byte) 0xff}, g.get(A, 8));
        g.put(A, new byte[] {9, 9, 9, 9, 9});
        g.call(0, Abi.XEN32, 17, XENVER_platform_parameters, A);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 9}, g.get(A, 5));
    }

    @Test
    void getFeaturesSubmapZeroIs0x12705ForXlHvm() {
        g.put(A, new XenFeatureInfo(0, 0xdead).encode(Abi.XEN64));
        assertEquals(0, ver(XENVER_get_features, A));
        assertEquals(new XenFeatureInfo(0, 0x12705), XenFeatureInfo.decode(g.get(A, 8), Abi.XEN64));
    }

    @Test
    void getFeaturesOtherSubmapIsEinvalAndWritesNothing() {
        g.put(A, new XenFeatureInfo(1, 0xdead).encode(Abi.XEN64));
        assertEquals(-EINVAL, ver(XENVER_get_features, A));
        assertEquals(new XenFeatureInfo(1, 0xdead), XenFeatureInfo.decode(g.get(A, 8), Abi.XEN64));
    }

    @Test
    void pagesizeIs4096WithANullArgumentAndEinvalOtherwise() {
        assertEquals(4096, ver(XENVER_pagesize, 0));
        assertEquals(-EINVAL, ver(XENVER_pagesize, A));
    }

    @Test
    void guestHandleIsTheConfiguredUuid() {
        SortedMap<String, String> m = new TreeMap<>();
        m.put("xen.uuid", "01234567-89ab-cdef-0011-223344556677");
        TestGuest h = new TestGuest(XenConfig.fromMap(m));
        assertEquals(0, h.call(XenHypercall.XEN_VERSION, XENVER_guest_handle, A).result());
        assertArrayEquals(new byte[] {0x01, 0x23, 0x45, 0x67, (byte) 0x89, (byte) 0xab, (byte) 0xcd, (byte) 0xef,
                0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}, h.get(A, 16));
        assertEquals(0, ver(XENVER_guest_handle, A));
        assertArrayEquals(new byte[16], g.get(A, 16));
    }

    @Test
    void commandlineIsDeniedAndCopiesOnlyTheNineBytesOfDenied() {
        g.put(A, "ZZZZZZZZZZZZ".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, ver(XENVER_commandline, A));
        assertArrayEquals("<denied>\0ZZZ".getBytes(StandardCharsets.US_ASCII), g.get(A, 12));
    }

    @Test
    void buildIdIsEpermAndUnknownCmdsEnosys() {
        assertEquals(-EPERM, ver(XENVER_build_id, 0));
        assertEquals(-ENOSYS, ver(11, A));
        assertEquals(-ENOSYS, ver(-1, A));
    }

    @Test
    void aCopyToAnUnmappedAddressIsEfault() {
        assertEquals(-EFAULT, ver(XENVER_extraversion, TestGuest.RAM - 8));
        assertEquals(-EFAULT, ver(XENVER_get_features, TestGuest.RAM));
    }
}
