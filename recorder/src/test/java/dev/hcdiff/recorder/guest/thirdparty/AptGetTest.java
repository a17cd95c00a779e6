package dev.hcdiff.recorder.guest.thirdparty;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code apt-get download} failures become one line with what to do instead. The stand-in scripts
 * print apt's own messages: "E: Unable to locate package %s" (apt-private/private-cacheset.cc,
 * what a machine without package lists says) and the "Err:"/"E: Failed to fetch ... Temporary failure
 * resolving" pair of apt-pkg/acquire-worker.cc without a network.
 */
class AptGetTest {

    @TempDir
    Path dir;

    Path script(String body) throws Exception {
        Path s = dir.resolve("fake-apt-get");
        Files.writeString(s, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    GuestUnavailable failure(String body) throws Exception {
        AptGet apt = new AptGet(script(body).toString(), Duration.ofSeconds(30));
        Path into = Files.createDirectories(dir.resolve("into"));
        return assertThrows(GuestUnavailable.class, () -> apt.download("xen-utils-4.17", into));
    }

    static void assertOneLineWithTheAlternative(GuestUnavailable e) {
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains("--from FILE"), e.getMessage());
    }

    @Test
    void missingPackageListsTellTheUserToRunAptGetUpdate() throws Exception {
        GuestUnavailable e = failure("echo 'Reading package lists...'; echo 'E: Unable to locate package xen-utils-4.17' >&2; exit 100");
        assertTrue(e.getMessage().startsWith("apt-get cannot find package xen-utils-4.17"), e.getMessage());
        assertTrue(e.getMessage().contains("run apt-get update first"), e.getMessage());
        assertOneLineWithTheAlternative(e);
    }

    @Test
    void noNetworkSaysSoWithAptsError() throws Exception {
        GuestUnavailable e = failure("""
                echo "Err:1 http://deb.debian.org/debian-security bookworm-security/main amd64 xen-utils-4.17 amd64 4.17.7+13-g2445b30a44-0+deb12u1"
                echo "  Temporary failure resolving 'deb.debian.org'"
                echo "E: Failed to fetch http://deb.debian.org/x.deb  Temporary failure resolving 'deb.debian.org'" >&2
                exit 100""");
        assertTrue(e.getMessage().startsWith("apt-get could not download xen-utils-4.17 (no network?): E: Failed to fetch"),
                e.getMessage());
        assertOneLineWithTheAlternative(e);
    }

    @Test
    void anyOtherFailureQuotesAptsFirstError() throws Exception {
        GuestUnavailable e = failure("echo 'W: something'; echo 'E: Could not open lock file' >&2; exit 100");
        assertTrue(e.getMessage().startsWith("apt-get download xen-utils-4.17 failed (exit 100): E: Could not open lock file"),
                e.getMessage());
        assertOneLineWithTheAlternative(e);
    }

    @Test
    void aMissingAptGetSaysSo() {
        AptGet apt = new AptGet(dir.resolve("no-such-apt-get").toString(), Duration.ofSeconds(5));
        GuestUnavailable e = assertThrows(GuestUnavailable.class, () -> apt.download("xen-utils-4.17", dir));
        assertTrue(e.getMessage().contains("not found (is this a Debian-based system?)"), e.getMessage());
        assertOneLineWithTheAlternative(e);
    }

    @Test
    void aHangingDownloadIsStoppedAtTheTimeout() throws Exception {
        AptGet apt = new AptGet(script("exec sleep 60").toString(), Duration.ofMillis(300));
        Path into = Files.createDirectories(dir.resolve("into"));
        long t0 = System.nanoTime();
        GuestUnavailable e = assertThrows(GuestUnavailable.class, () -> apt.download("xen-utils-4.17", into));
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "stopped long before the stand-in's 60 s");
        assertTrue(e.getMessage().contains("(no network?)"), e.getMessage());
    }

    @Test
    void aSuccessfulDownloadReturnsTheOneDebInTheDirectory() throws Exception {
        AptGet apt = new AptGet(script("[ \"$2\" = download ] && [ \"$3\" = xen-utils-4.17 ] || exit 9; "
                + "echo 'Get:1 ...'; printf '!<arch>\\n' > xen-utils-4.17_1_amd64.deb").toString(), Duration.ofSeconds(30));
        Path into = Files.createDirectories(dir.resolve("into"));
        assertEquals(into.resolve("xen-utils-4.17_1_amd64.deb"), apt.download("xen-utils-4.17", into));
    }
}
