package dev.hcdiff.recorder.guest.thirdparty;

import dev.hcdiff.recorder.guest.BadGuestImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fetching, pinning and caching third-party guests, with stand-in packages and downloader. */
class ThirdPartyGuestsTest {

    static final ThirdPartyGuest G = ThirdPartyGuest.HVMLOADER;
    static final String PKG = G.packageName();
    static final String PINNED_VERSION = "4.17.7+13-g2445b30a44-0+deb12u1";
    static final byte[] GOOD = Debs.fakeElf("the pinned build");
    static final byte[] OTHER = Debs.fakeElf("a different build");

    @TempDir
    Path dir;

    final List<String> warnings = new ArrayList<>();

    /** A table pinning {@link #GOOD} for {@link #PINNED_VERSION}: SHA-256 computed independently of the code under test. */
    PinnedHashes pins() throws Exception {
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(GOOD));
        return PinnedHashes.parse("test", "# comment\nhvmloader " + PKG + " " + PINNED_VERSION + " " + sha + "\n");
    }

    ThirdPartyGuests guests(PackageDownloader d) throws Exception {
        return new ThirdPartyGuests(new GuestCache(dir.resolve("cache")), d, pins(), warnings::add);
    }

    /** A downloader that serves a package assembled from {@code file} at {@code version}, counting calls. */
    PackageDownloader serving(String version, byte[] file, AtomicInteger calls) {
        return (name, into) -> {
            calls.incrementAndGet();
            assertEquals(PKG, name);
            try {
                return Debs.assemble(into, name, version, Map.of(G.memberPath(), file), Map.of(), ".xz");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    static final PackageDownloader NO_DOWNLOAD = (name, into) -> {
        throw new AssertionError("must not download");
    };

    @Test
    void aPinnedVersionWithItsHashIsCachedAsPinnedWithoutWarning() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FetchedGuest f = guests(serving(PINNED_VERSION, GOOD, calls)).fetch("hvmloader", Optional.empty());
        assertTrue(f.pinned());
        assertEquals(PINNED_VERSION, f.version());
        assertEquals(PKG, f.packageName());
        assertEquals("apt-get download " + PKG, f.source());
        assertArrayEquals(GOOD, Files.readAllBytes(f.file()));
        assertEquals(List.of(), warnings);
        assertEquals(1, calls.get());
    }

    @Test
    void aPinnedVersionWithAnotherHashIsCorruptInputAndNothingIsCached() throws Exception {
        ThirdPartyGuests g = guests(serving(PINNED_VERSION, OTHER, new AtomicInteger()));
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> g.fetch("hvmloader", Optional.empty()));
        assertTrue(e.getMessage().contains("does not match the pinned"), e.getMessage());
        assertTrue(e.getMessage().contains(PINNED_VERSION), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals(List.of(), g.list());
        assertTrue(g.cached("hvmloader").isEmpty());
    }

    @Test
    void anUnknownVersionIsAcceptedWithOneWarningNamingItsHash() throws Exception {
        FetchedGuest f = guests(serving("4.17.8-1", OTHER, new AtomicInteger())).fetch("hvmloader", Optional.empty());
        assertFalse(f.pinned());
        assertEquals("4.17.8-1", f.version());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("4.17.8-1 is not a pinned version"), warnings.getFirst());
        assertTrue(warnings.getFirst().contains(f.sha256()), warnings.getFirst());
        assertEquals(Map.of("guest.package", PKG, "guest.version", "4.17.8-1", "guest.sha256", f.sha256(),
                "guest.pinned", "false"), f.headerFields());
    }

    @Test
    void theCacheHoldsTheFileItsMetadataAndTheCurrentVersion() throws Exception {
        FetchedGuest f = guests(serving(PINNED_VERSION, GOOD, new AtomicInteger())).fetch("hvmloader", Optional.empty());
        Path versionDir = dir.resolve("cache").resolve("hvmloader").resolve(PINNED_VERSION);
        assertEquals(versionDir.resolve("hvmloader"), f.file());
        String meta = Files.readString(versionDir.resolve("hvmloader.meta"));
        assertTrue(meta.contains("\nversion=" + PINNED_VERSION + "\n"), meta);
        assertTrue(meta.contains("\nsha256=" + f.sha256() + "\n"), meta);
        assertTrue(meta.contains("\nsource=apt-get download " + PKG + "\n"), meta);
        assertTrue(meta.contains("\npinned=true\n"), meta);
        assertEquals(PINNED_VERSION, Files.readString(dir.resolve("cache/hvmloader/current")).strip());
        try (var s = Files.list(versionDir)) {
            assertEquals(List.of("hvmloader", "hvmloader.meta"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left behind");
        }
    }

    @Test
    void aBareFileFromTheUserIsRecognisedByItsPinnedHash() throws Exception {
        Path bare = Files.write(dir.resolve("hvmloader"), GOOD);
        FetchedGuest f = guests(NO_DOWNLOAD).fetch("hvmloader", Optional.of(bare));
        assertTrue(f.pinned());
        assertEquals(PINNED_VERSION, f.version());
        assertEquals(PKG, f.packageName());
        assertEquals("file:" + bare.toAbsolutePath(), f.source());
        assertEquals(List.of(), warnings);
    }

    @Test
    void aBareFileMatchingNoPinIsCachedUnderItsHashWithAWarning() throws Exception {
        Path bare = Files.write(dir.resolve("my-hvmloader"), OTHER);
        FetchedGuest f = guests(NO_DOWNLOAD).fetch("hvmloader", Optional.of(bare));
        assertFalse(f.pinned());
        assertEquals("unknown", f.version());
        assertEquals(dir.resolve("cache/hvmloader/unknown-" + f.sha256().substring(0, 12) + "/hvmloader"), f.file());
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().contains("matches no pinned hash"), warnings.getFirst());
    }

    @Test
    void aDebFromTheUserIsReadLikeADownloadedOne() throws Exception {
        Path deb = Debs.assemble(dir, PKG, PINNED_VERSION, Map.of(G.memberPath(), GOOD), Map.of(), ".xz");
        FetchedGuest f = guests(NO_DOWNLOAD).fetch("hvmloader", Optional.of(deb));
        assertTrue(f.pinned());
        assertEquals("deb:" + deb.toAbsolutePath(), f.source());
    }

    @Test
    void aFileThatIsNeitherADebNorAnElfIsBadInput() throws Exception {
        Path txt = Files.writeString(dir.resolve("notes.txt"), "hello");
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> guests(NO_DOWNLOAD).fetch("hvmloader", Optional.of(txt)));
        assertTrue(e.getMessage().startsWith("notes.txt: neither a Debian package nor an ELF file"), e.getMessage());
    }

    @Test
    void aPackagedFileThatIsNotAnElfIsBadInput() throws Exception {
        byte[] text = "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8);
        ThirdPartyGuests g = guests(serving("4.17.8-1", text, new AtomicInteger()));
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> g.fetch("hvmloader", Optional.empty()));
        assertTrue(e.getMessage().contains("is not an ELF file"), e.getMessage());
    }

    @Test
    void aMissingFromFileIsNoSuchFile() throws Exception {
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> guests(NO_DOWNLOAD).fetch("hvmloader", Optional.of(dir.resolve("nope.deb"))));
    }

    @Test
    void obtainUsesTheCachedFileWithoutDownloadingAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ThirdPartyGuests g = guests(serving(PINNED_VERSION, GOOD, calls));
        FetchedGuest first = g.obtain("hvmloader");
        FetchedGuest second = g.obtain("hvmloader");
        assertEquals(1, calls.get(), "the first use fetches, the second reads the cache");
        assertEquals(first, second);
    }

    @Test
    void obtainFindsAFileCachedByAnEarlierRun() throws Exception {
        guests(serving(PINNED_VERSION, GOOD, new AtomicInteger())).fetch("hvmloader", Optional.empty());
        FetchedGuest f = guests(NO_DOWNLOAD).obtain("hvmloader");
        assertTrue(f.pinned());
        assertArrayEquals(GOOD, f.read());
    }

    @Test
    void theLastFetchedVersionIsTheOneUsedAndEveryVersionIsListed() throws Exception {
        guests(serving(PINNED_VERSION, GOOD, new AtomicInteger())).fetch("hvmloader", Optional.empty());
        guests(serving("4.17.8-1", OTHER, new AtomicInteger())).fetch("hvmloader", Optional.empty());
        ThirdPartyGuests g = guests(NO_DOWNLOAD);
        assertEquals("4.17.8-1", g.obtain("hvmloader").version());
        assertEquals(List.of("4.17.7+13-g2445b30a44-0+deb12u1", "4.17.8-1"),
                g.list().stream().map(FetchedGuest::version).toList());
    }

    @Test
    void aCachedFileChangedAfterItsFetchIsCorruptInput() throws Exception {
        FetchedGuest f = guests(serving(PINNED_VERSION, GOOD, new AtomicInteger())).fetch("hvmloader", Optional.empty());
        Files.write(f.file(), OTHER);
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> guests(NO_DOWNLOAD).obtain("hvmloader"));
        assertTrue(e.getMessage().contains("changed since it was fetched"), e.getMessage());
        assertTrue(e.getMessage().contains("hcdiff guests fetch hvmloader"), e.getMessage());
    }

    @Test
    void anUnpinnedCachedFileWarnsAgainAtEachUse() throws Exception {
        guests(serving("4.17.8-1", OTHER, new AtomicInteger())).fetch("hvmloader", Optional.empty());
        warnings.clear();
        guests(NO_DOWNLOAD).obtain("hvmloader");
        assertEquals(1, warnings.size(), warnings.toString());
    }

    @Test
    void aVersionThatCannotNameADirectoryIsRefused() throws Exception {
        ThirdPartyGuests g = guests(serving("../../etc", OTHER, new AtomicInteger()));
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> g.fetch("hvmloader", Optional.empty()));
        assertTrue(e.getMessage().contains("not a Debian version string"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("etc")));
    }

    @Test
    void anUnknownGuestNameNamesTheKnownOnes() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> guests(NO_DOWNLOAD).fetch("seabios", Optional.empty()));
        assertEquals("no third-party guest 'seabios' (third-party guests: hvmloader)", e.getMessage());
    }

    @Test
    void theDownloadersFailureReachesTheCallerAndTheTemporaryDirectoryIsRemoved() throws Exception {
        List<Path> seen = new ArrayList<>();
        PackageDownloader failing = (name, into) -> {
            seen.add(into);
            throw new GuestUnavailable("apt-get not found");
        };
        assertThrows(GuestUnavailable.class, () -> guests(failing).fetch("hvmloader", Optional.empty()));
        assertFalse(Files.exists(seen.getFirst()));
    }

    @Test
    void theDefaultCacheFollowsXdgCacheHomeWhenItIsAbsolute() {
        assertEquals(Path.of("/x/cache/hcdiff/guests"), GuestCache.defaultRoot("/x/cache", "/home/u"));
        // XDG Base Directory spec: a relative path in $XDG_CACHE_HOME is invalid and ignored.
        assertEquals(Path.of("/home/u/.cache/hcdiff/guests"), GuestCache.defaultRoot("rel/cache", "/home/u"));
        assertEquals(Path.of("/home/u/.cache/hcdiff/guests"), GuestCache.defaultRoot(null, "/home/u"));
        assertEquals(Path.of("/home/u/.cache/hcdiff/guests"), GuestCache.defaultRoot("", "/home/u"));
    }
}
