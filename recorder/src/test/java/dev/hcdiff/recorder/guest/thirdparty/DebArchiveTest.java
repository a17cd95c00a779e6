package dev.hcdiff.recorder.guest.thirdparty;

import dev.hcdiff.recorder.guest.BadGuestImage;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Taking one file out of a .deb in Java, as dpkg-deb -x would (deb(5)). */
class DebArchiveTest {

    static final String MEMBER = ThirdPartyGuest.HVMLOADER.memberPath();
    static final byte[] GUEST = Debs.fakeElf("the guest file\0with a NUL and more bytes");

    static Map<String, byte[]> files() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("/usr/lib/xen-4.17/boot/other", "not this one".getBytes(StandardCharsets.UTF_8));
        m.put(MEMBER, GUEST);
        m.put("/usr/share/doc/xen-utils-4.17/copyright", "text".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    /** The compressions dpkg-deb can write (dpkg-deb(1) -Z): xz is Debian's default, zstd Ubuntu's. */
    @ParameterizedTest
    @ValueSource(strings = {"xz", "zstd", "gzip", "none"})
    void extractsTheFileAndTheControlFieldsFromAPackageBuiltByDpkgDeb(String compression, @TempDir Path dir)
            throws Exception {
        Assumptions.assumeTrue(Debs.haveDpkgDeb(), "dpkg-deb is not installed: the dpkg-built packages are skipped");
        Path deb = Debs.dpkgDeb(dir, "xen-utils-4.17", "4.17.7+13-g2445b30a44-0+deb12u1", files(), compression);
        DebArchive.Extracted x = DebArchive.extract(deb, MEMBER);
        assertArrayEquals(GUEST, x.file());
        assertEquals("xen-utils-4.17", x.packageName());
        assertEquals("4.17.7+13-g2445b30a44-0+deb12u1", x.version());
        assertEquals("amd64", x.architecture());
    }

    /** deb(5) also allows bzip2 and lzma data members (dpkg reads them, no longer writes them) and a plain tar. */
    @ParameterizedTest
    @ValueSource(strings = {"", ".gz", ".xz", ".zst", ".bz2", ".lzma"})
    void extractsFromEveryDataCompressionDebAllows(String ext, @TempDir Path dir) throws Exception {
        Path deb = Debs.assemble(dir, "xen-utils-4.17", "4.17.5+72-g01140da4e8-1", files(), Map.of(), ext);
        DebArchive.Extracted x = DebArchive.extract(deb, MEMBER);
        assertArrayEquals(GUEST, x.file());
        assertEquals("4.17.5+72-g01140da4e8-1", x.version());
    }

    @Test
    void aMissingFileIsBadInputNamingThePackageAndThePath(@TempDir Path dir) throws Exception {
        Path deb = Debs.assemble(dir, "xen-utils-4.19", "4.19.1-1", Map.of("/usr/lib/xen-4.19/boot/hvmloader", GUEST),
                Map.of(), ".xz");
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> DebArchive.extract(deb, MEMBER));
        assertTrue(e.getMessage().contains("xen-utils-4.19 4.19.1-1 does not contain " + MEMBER), e.getMessage());
    }

    @Test
    void aSymbolicLinkIsNotTakenForTheFile(@TempDir Path dir) throws Exception {
        Path deb = Debs.assemble(dir, "xen-utils-4.17", "1", Map.of(), Map.of(MEMBER, "/etc/passwd"), ".xz");
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> DebArchive.extract(deb, MEMBER));
        assertTrue(e.getMessage().contains("symbolic link to /etc/passwd"), e.getMessage());
    }

    @Test
    void aFileThatIsNotAnArArchiveIsNotADebianPackage(@TempDir Path dir) throws Exception {
        Path f = Files.write(dir.resolve("x.deb"), GUEST);
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> DebArchive.extract(f, MEMBER));
        assertEquals("x.deb: not a Debian package (no ar archive header)", e.getMessage());
    }

    @Test
    void anArArchiveWhoseFirstMemberIsNotDebianBinaryIsNotADebianPackage(@TempDir Path dir) throws Exception {
        Path f = Debs.ar(dir.resolve("lib.a"), Map.of("foo.o", new byte[]{1, 2, 3}));
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> DebArchive.extract(f, MEMBER));
        assertTrue(e.getMessage().contains("first member is 'foo.o'"), e.getMessage());
    }

    @Test
    void aFutureFormatVersionIsRefused(@TempDir Path dir) throws Exception {
        Path f = Debs.ar(dir.resolve("v3.deb"), Map.of("debian-binary", "3.0\n".getBytes(StandardCharsets.US_ASCII)));
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> DebArchive.extract(f, MEMBER));
        assertTrue(e.getMessage().contains("unsupported Debian package format '3.0'"), e.getMessage());
    }

    @Test
    void aPackageWithoutADataMemberSaysSo(@TempDir Path dir) throws Exception {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
        m.put("control.tar", Debs.tar(Map.of("./control", Debs.control("p", "1").getBytes(StandardCharsets.UTF_8)), Map.of(), ""));
        Path f = Debs.ar(dir.resolve("nodata.deb"), m);
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> DebArchive.extract(f, MEMBER));
        assertEquals("nodata.deb: no data.tar member", e.getMessage());
    }

    @Test
    void controlFieldsComeFromTheFirstParagraphAndSkipContinuationLines() {
        var m = DebArchive.parseControl("Package: a\nVersion: 1:2.3-4\nDescription: x\n Version: bogus\n\nPackage: b\n");
        assertEquals("a", m.get("Package"));
        assertEquals("1:2.3-4", m.get("Version"));
    }

    /** A download cut short anywhere yields the file intact or a one-line BadGuestImage, never another exception. */
    @Property(tries = 60, seed = "3")
    void aTruncatedPackageIsBadInputWhereverItIsCut(@ForAll @IntRange(min = 0, max = 999) int permille) throws Exception {
        Path dir = Files.createTempDirectory("deb-trunc");
        try {
            Path deb = Debs.assemble(dir, "xen-utils-4.17", "1", files(), Map.of(), ".xz");
            byte[] whole = Files.readAllBytes(deb);
            Path cut = Files.write(dir.resolve("cut.deb"), Arrays.copyOf(whole, (int) ((long) whole.length * permille / 1000)));
            try {
                assertArrayEquals(GUEST, DebArchive.extract(cut, MEMBER).file());
            } catch (BadGuestImage e) {
                assertTrue(e.getMessage().startsWith("cut.deb: "), e.getMessage());
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
