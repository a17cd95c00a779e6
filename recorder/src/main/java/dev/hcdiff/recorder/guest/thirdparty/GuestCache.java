package dev.hcdiff.recorder.guest.thirdparty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where fetched third-party guests live, outside the repository:
 * <pre>
 * ROOT/                           $XDG_CACHE_HOME/hcdiff/guests, else ~/.cache/hcdiff/guests
 *   hvmloader/
 *     current                     the version directory used by --guest hvmloader (the last fetched)
 *     4.17.7+13-g2445b30a44-0+deb12u1/
 *       hvmloader                 the file, byte for byte as the package ships it
 *       hvmloader.meta            name, package, version, sha256, pinned, source (key=value lines)
 *     unknown-0123456789ab/       a bare file matching no pinned hash (first 12 hex digits of its SHA-256)
 * </pre>
 * Every file is written to a temporary name and moved into place, so a reader never sees half a
 * file; an entry exists once its metadata does (written after the file).
 */
public final class GuestCache {

    static final String CURRENT = "current";
    static final String META_SUFFIX = ".meta";
    /** Debian policy §5.6.12: version strings use only these characters (with an epoch's colon). */
    static final String VERSION_CHARS = "[A-Za-z0-9][A-Za-z0-9.+~:_-]*";

    private final Path root;

    public GuestCache(Path root) {
        this.root = root.toAbsolutePath();
    }

    /** {@code $XDG_CACHE_HOME/hcdiff/guests} when that is an absolute path (XDG Base Directory spec), else {@code ~/.cache/hcdiff/guests}. */
    public static Path defaultRoot() {
        return defaultRoot(System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home"));
    }

    static Path defaultRoot(String xdgCacheHome, String home) {
        // XDG Base Directory spec: "If an implementation encounters a relative path in any of these
        // variables it should consider the path invalid and ignore it."
        Path base = xdgCacheHome != null && !xdgCacheHome.isEmpty() && Path.of(xdgCacheHome).isAbsolute()
                ? Path.of(xdgCacheHome)
                : Path.of(home, ".cache");
        return base.resolve("hcdiff").resolve("guests");
    }

    public Path root() {
        return root;
    }

    /**
     * Stores a file and makes it the current version of its guest.
     *
     * @throws IllegalArgumentException when the version cannot name a directory
     */
    FetchedGuest store(ThirdPartyGuest g, String packageName, String version, String sha256, boolean pinned,
                       String source, byte[] bytes) throws IOException {
        String dirName = dirName(version, sha256);
        Path dir = root.resolve(g.name()).resolve(dirName);
        Files.createDirectories(dir);
        Path file = dir.resolve(g.fileName());
        writeAtomically(file, bytes);
        FetchedGuest f = new FetchedGuest(g.name(), packageName, version, sha256, pinned, source, file);
        writeAtomically(meta(file), formatMeta(f).getBytes(StandardCharsets.UTF_8));
        writeAtomically(root.resolve(g.name()).resolve(CURRENT), (dirName + "\n").getBytes(StandardCharsets.UTF_8));
        return f;
    }

    /** The entry {@code --guest NAME} uses: the last one fetched, if it is still there. */
    Optional<FetchedGuest> current(ThirdPartyGuest g) throws IOException {
        Path cur = root.resolve(g.name()).resolve(CURRENT);
        if (!Files.isRegularFile(cur)) {
            return Optional.empty();
        }
        String dirName = Files.readString(cur, StandardCharsets.UTF_8).strip();
        if (!validDirName(dirName)) {
            return Optional.empty();
        }
        return load(g, root.resolve(g.name()).resolve(dirName));
    }

    /** Every cached entry of {@code g}, by directory name. */
    List<FetchedGuest> list(ThirdPartyGuest g) throws IOException {
        Path dir = root.resolve(g.name());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<FetchedGuest> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path d : s.filter(Files::isDirectory).sorted().toList()) {
                load(g, d).ifPresent(out::add);
            }
        }
        return out;
    }

    /** The entry in {@code dir}, or empty when its file or metadata is missing or unreadable. */
    private Optional<FetchedGuest> load(ThirdPartyGuest g, Path dir) throws IOException {
        Path file = dir.resolve(g.fileName());
        Path meta = meta(file);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Map<String, String> m = parseMeta(Files.readString(meta, StandardCharsets.UTF_8));
        String version = m.get("version");
        String sha = m.get("sha256");
        if (version == null || sha == null || !sha.matches("[0-9a-f]{64}")) {
            return Optional.empty();
        }
        return Optional.of(new FetchedGuest(g.name(), m.getOrDefault("package", FetchedGuest.UNKNOWN), version, sha,
                Boolean.parseBoolean(m.get("pinned")), m.getOrDefault("source", ""), file));
    }

    /** The directory of a version: the version itself, or {@code unknown-<12 hex>} for an unknown one. */
    static String dirName(String version, String sha256) {
        if (version.equals(FetchedGuest.UNKNOWN)) {
            return FetchedGuest.UNKNOWN + "-" + sha256.substring(0, 12);
        }
        if (!validDirName(version)) {
            throw new IllegalArgumentException("version '" + version + "' is not a Debian version string");
        }
        return version;
    }

    /** True for a string that can be a Debian version (and so a directory name). */
    static boolean isDebianVersion(String s) {
        return validDirName(s);
    }

    private static boolean validDirName(String s) {
        return s.matches(VERSION_CHARS) && !s.equals(".") && !s.equals("..");
    }

    static Path meta(Path file) {
        return file.resolveSibling(file.getFileName() + META_SUFFIX);
    }

    static String formatMeta(FetchedGuest f) {
        return "# hcdiff third-party guest cache entry\n"
                + "name=" + f.name() + "\n"
                + "package=" + f.packageName() + "\n"
                + "version=" + f.version() + "\n"
                + "sha256=" + f.sha256() + "\n"
                + "pinned=" + f.pinned() + "\n"
                + "source=" + f.source().replace('\n', ' ') + "\n";
    }

    static Map<String, String> parseMeta(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (NoSuchFileException ignored) {
                // moved
            }
        }
    }
}
