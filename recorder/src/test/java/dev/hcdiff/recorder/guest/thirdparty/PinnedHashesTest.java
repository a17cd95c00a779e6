package dev.hcdiff.recorder.guest.thirdparty;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pinned table shipped in the repository, and its format. */
class PinnedHashesTest {

    /**
     * The two hvmloader builds Debian 12 served when issue 3 was written, measured with
     * {@code apt-get download xen-utils-4.17; dpkg-deb -x; sha256sum} (issue 3 brief, xen-abi.md §8).
     */
    @Test
    void theShippedTablePinsBothDebian12BuildsOfHvmloader() {
        PinnedHashes p = PinnedHashes.shipped();
        assertEquals(Optional.of("f32f77bd04af03bce520dddf52e7a47c3271e1bd60580e272ef001c70b3662a1"),
                p.sha256("hvmloader", "xen-utils-4.17", "4.17.7+13-g2445b30a44-0+deb12u1"));
        assertEquals(Optional.of("f59d7f1317837dfcca93eb774e0cc132996bb4a7ce006f87bfe4fae8121d648a"),
                p.sha256("hvmloader", "xen-utils-4.17", "4.17.5+72-g01140da4e8-1"));
        assertEquals(Optional.empty(), p.sha256("hvmloader", "xen-utils-4.17", "4.17.8-1"));
        assertEquals("4.17.5+72-g01140da4e8-1",
                p.bySha256("hvmloader", "F59D7F1317837DFCCA93EB774E0CC132996BB4A7CE006F87BFE4FAE8121D648A").orElseThrow().version());
    }

    @Test
    void aMalformedLineIsNamedByNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinnedHashes.parse("t.txt", "# c\n\nhvmloader xen-utils-4.17 1 abc\n"));
        assertTrue(e.getMessage().startsWith("t.txt:3: "), e.getMessage());
    }
}
