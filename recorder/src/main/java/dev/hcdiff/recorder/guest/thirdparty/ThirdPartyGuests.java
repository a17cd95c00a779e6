package dev.hcdiff.recorder.guest.thirdparty;

import dev.hcdiff.recorder.guest.BadGuestImage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Obtains third-party guests (issue 3): takes the one file out of the Debian package that ships
 * it, checks its SHA-256 against the hash pinned for that package version, and keeps it in a
 * {@link GuestCache} outside the repository. Nothing obtained here is ever committed.
 *
 * <ul>
 *   <li>{@link #fetch}: from {@code apt-get download PACKAGE}, or from a {@code .deb} or the bare
 *       file the user names ({@code --from FILE});</li>
 *   <li>{@link #obtain}: what {@code record --guest NAME} calls: the cached file, fetched on first use;</li>
 *   <li>{@link #list}: what is cached.</li>
 * </ul>
 *
 * <p>A pinned version whose hash differs is a {@link BadGuestImage} (exit 3: corrupt input) and
 * nothing is cached; a version not in the table is accepted with a one-line warning, and its hash
 * goes in the journal header ({@link FetchedGuest#headerFields()}). A machine that cannot download
 * the package gets a {@link GuestUnavailable} (exit 4) naming what to do instead.
 *
 * <p>Not thread-safe; two processes fetching at once each leave a whole file (writes are atomic moves).
 */
public final class ThirdPartyGuests {

    /** The ELF magic (ELF spec, e_ident[EI_MAG0..3]); every third-party guest is an ELF image. */
    static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

    private final GuestCache cache;
    private final PackageDownloader downloader;
    private final PinnedHashes pinned;
    private final Consumer<String> warnings;

    /**
     * @param warnings receives each one-line warning (an unpinned version), without a trailing newline
     */
    public ThirdPartyGuests(GuestCache cache, PackageDownloader downloader, PinnedHashes pinned, Consumer<String> warnings) {
        this.cache = cache;
        this.downloader = downloader;
        this.pinned = pinned;
        this.warnings = warnings;
    }

    /** The machine's set-up: {@code apt-get}, the shipped pinned table, the cache at {@code root} or the default one. */
    public static ThirdPartyGuests standard(Optional<Path> root, Consumer<String> warnings) {
        return new ThirdPartyGuests(new GuestCache(root.orElseGet(GuestCache::defaultRoot)), AptGet.system(),
                PinnedHashes.shipped(), warnings);
    }

    /** The third-party guests' names, e.g. {@code hvmloader}. */
    public static List<String> names() {
        return ThirdPartyGuest.all().stream().map(ThirdPartyGuest::name).toList();
    }

    /** True when {@code name} is a third-party guest. */
    public static boolean isThirdParty(String name) {
        return ThirdPartyGuest.byName(name).isPresent();
    }

    public GuestCache cache() {
        return cache;
    }

    /**
     * Obtains {@code name} afresh and makes it the version {@link #obtain} uses.
     *
     * @param from a {@code .deb} or the bare file; empty to download the package with apt-get
     * @throws IllegalArgumentException naming the known guests when {@code name} is not one
     * @throws BadGuestImage            for a file that is not the guest, or a pinned version with another hash
     * @throws GuestUnavailable         when the package cannot be downloaded
     * @throws java.nio.file.NoSuchFileException when {@code from} does not exist
     */
    public FetchedGuest fetch(String name, Optional<Path> from) throws IOException {
        ThirdPartyGuest g = require(name);
        if (from.isPresent()) {
            return fetchFrom(g, from.get());
        }
        Path tmp = Files.createTempDirectory("hcdiff-apt-");
        try {
            Path deb = downloader.download(g.packageName(), tmp);
            DebArchive.Extracted x = DebArchive.extract(deb, g.memberPath());
            return accept(g, x.packageName(), x.version(), x.file(), "apt-get download " + g.packageName());
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * The cached file of {@code name}, checked again (its hash against its metadata and the pinned
     * table); fetched with apt-get when nothing is cached.
     */
    public FetchedGuest obtain(String name) throws IOException {
        ThirdPartyGuest g = require(name);
        Optional<FetchedGuest> cur = cache.current(g);
        if (cur.isEmpty()) {
            return fetch(name, Optional.empty());
        }
        return check(cur.get());
    }

    /** The current cached entry of {@code name}, unchecked, if there is one. */
    public Optional<FetchedGuest> cached(String name) throws IOException {
        return cache.current(require(name));
    }

    /** Every cached entry of every third-party guest. */
    public List<FetchedGuest> list() throws IOException {
        List<FetchedGuest> out = new ArrayList<>();
        for (ThirdPartyGuest g : ThirdPartyGuest.all()) {
            out.addAll(cache.list(g));
        }
        return out;
    }

    private FetchedGuest fetchFrom(ThirdPartyGuest g, Path from) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(from)) {
            head = in.readNBytes(8);
        }
        Path abs = from.toAbsolutePath().normalize();
        if (DebArchive.looksLikeDeb(head)) {
            DebArchive.Extracted x = DebArchive.extract(from, g.memberPath());
            return accept(g, x.packageName(), x.version(), x.file(), "deb:" + abs);
        }
        if (!isElf(head)) {
            throw new BadGuestImage(from.getFileName().toString(),
                    "neither a Debian package nor an ELF file (expected " + g.packageName() + "'s .deb or the bare " + g.name() + ")");
        }
        byte[] bytes = Files.readAllBytes(from);
        // A bare file has no version of its own: the pinned table recognises it by its hash.
        Optional<PinnedHashes.Entry> known = pinned.bySha256(g.name(), sha256(bytes));
        return known.isPresent()
                ? accept(g, known.get().packageName(), known.get().version(), bytes, "file:" + abs)
                : accept(g, FetchedGuest.UNKNOWN, FetchedGuest.UNKNOWN, bytes, "file:" + abs);
    }

    /** Checks a file against the pinned table, warns when it is unpinned, and caches it. */
    private FetchedGuest accept(ThirdPartyGuest g, String packageName, String version, byte[] bytes, String source)
            throws IOException {
        if (!isElf(bytes)) {
            throw new BadGuestImage(g.name() + " " + version, g.memberPath() + " in " + packageName + " is not an ELF file");
        }
        if (!version.equals(FetchedGuest.UNKNOWN) && !GuestCache.isDebianVersion(version)) {
            throw new BadGuestImage(g.name(), "package version '" + version + "' is not a Debian version string");
        }
        String sha = sha256(bytes);
        boolean isPinned = checkPinned(g, packageName, version, sha, "nothing was cached");
        FetchedGuest f = cache.store(g, packageName, version, sha, isPinned, source, bytes);
        if (!isPinned) {
            warnUnpinned(f);
        }
        return f;
    }

    /** Re-checks a cached entry: the file is still what was fetched, and its version's pin (if any) still holds. */
    private FetchedGuest check(FetchedGuest f) throws IOException {
        String sha = sha256(f.read());
        if (!sha.equals(f.sha256())) {
            throw new BadGuestImage(f.file().toString(), "changed since it was fetched (SHA-256 " + sha + ", fetched as "
                    + f.sha256() + "); run 'hcdiff guests fetch " + f.name() + "' again");
        }
        boolean isPinned = checkPinned(require(f.name()), f.packageName(), f.version(), sha,
                "run 'hcdiff guests fetch " + f.name() + "' again");
        FetchedGuest checked = new FetchedGuest(f.name(), f.packageName(), f.version(), sha, isPinned, f.source(), f.file());
        if (!isPinned) {
            warnUnpinned(checked);
        }
        return checked;
    }

    /**
     * True when the version is pinned and the hash matches it; false when it is not pinned.
     *
     * @throws BadGuestImage when the version is pinned to another hash
     */
    private boolean checkPinned(ThirdPartyGuest g, String packageName, String version, String sha, String consequence) {
        Optional<String> pin = pinned.sha256(g.name(), packageName, version);
        if (pin.isPresent() && !pin.get().equals(sha)) {
            throw new BadGuestImage(g.name() + " " + version, "SHA-256 " + sha + " does not match the pinned "
                    + pin.get() + " for " + packageName + " " + version + " (a corrupt or altered package; " + consequence + ")");
        }
        return pin.isPresent();
    }

    private void warnUnpinned(FetchedGuest f) {
        String what = f.version().equals(FetchedGuest.UNKNOWN)
                ? f.name() + " from " + f.source() + " matches no pinned hash"
                : f.name() + " from " + f.packageName() + " " + f.version() + " is not a pinned version";
        warnings.accept("warning: " + what + " (sha256 " + f.sha256()
                + "); accepted, and its hash goes in the journal header");
    }

    private static ThirdPartyGuest require(String name) {
        return ThirdPartyGuest.byName(name).orElseThrow(() -> new IllegalArgumentException(
                "no third-party guest '" + name + "' (third-party guests: " + String.join(", ", names()) + ")"));
    }

    static boolean isElf(byte[] b) {
        return b.length >= ELF_MAGIC.length && Arrays.equals(b, 0, ELF_MAGIC.length, ELF_MAGIC, 0, ELF_MAGIC.length);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the temporary directory " + dir, e);
        }
    }
}
