package dev.hcdiff.recorder.guest.thirdparty;

import dev.hcdiff.recorder.guest.BadGuestImage;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.lzma.LZMACompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads one file out of a Debian binary package, in Java, the way {@code dpkg-deb} would: the
 * package is an ar archive whose members are {@code debian-binary} ("2.0"), {@code control.tar[.ext]}
 * and {@code data.tar[.ext]}, each tar compressed with gzip, xz, zstd, bzip2 or lzma or not at all
 * (deb(5)). The control file gives the package name and version.
 *
 * <p>Any defect (not an ar archive, no data member, the file absent or not a regular file, an
 * unsupported compression) is a {@link BadGuestImage} naming the package and the problem.
 */
public final class DebArchive {

    private DebArchive() {
    }

    /** The global ar header, {@code "!<arch>\n"} (ar(5)); a .deb starts with it. */
    static final byte[] AR_MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);
    /** The deb format major version dpkg reads (deb(5): debian-binary holds "2.0\n"). */
    static final String FORMAT_MAJOR = "2.";
    /** No guest or control file we want is near this size: a larger one is a bad or hostile package. */
    static final long MAX_MEMBER_BYTES = 256L << 20;

    /**
     * A package's identity and the one file taken out of it.
     *
     * @param packageName  the control file's {@code Package}
     * @param version      its {@code Version}
     * @param architecture its {@code Architecture}
     * @param file         the member's bytes
     */
    public record Extracted(String packageName, String version, String architecture, byte[] file) {
        public Extracted {
            file = file.clone();
        }

        @Override
        public byte[] file() {
            return file.clone();
        }
    }

    /** True when the file starts with the ar magic, i.e. it is meant as a .deb. */
    public static boolean looksLikeDeb(byte[] head) {
        return head.length >= AR_MAGIC.length && Arrays.equals(head, 0, AR_MAGIC.length, AR_MAGIC, 0, AR_MAGIC.length);
    }

    /**
     * Extracts {@code memberPath} (absolute, as {@code dpkg -L} lists it) from the package.
     *
     * @throws BadGuestImage for a malformed package or a missing member
     * @throws IOException   when the file cannot be read
     */
    public static Extracted extract(Path deb, String memberPath) throws IOException {
        String label = deb.getFileName().toString();
        String wanted = normalise(memberPath);
        Map<String, String> control = null;
        byte[] file = null;
        boolean sawVersion = false;
        boolean sawData = false;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(deb))) {
            raw.mark(AR_MAGIC.length);
            byte[] head = raw.readNBytes(AR_MAGIC.length);
            raw.reset();
            if (!looksLikeDeb(head)) {
                throw new BadGuestImage(label, "not a Debian package (no ar archive header)");
            }
            ArArchiveInputStream ar = new ArArchiveInputStream(raw);
            ArArchiveEntry e;
            while ((e = ar.getNextEntry()) != null) {
                String name = stripSlash(e.getName());
                if (!sawVersion) {
                    // deb(5): debian-binary must come first.
                    if (!name.equals("debian-binary")) {
                        throw new BadGuestImage(label, "not a Debian package (first member is '" + name + "', not debian-binary)");
                    }
                    String v = new String(ar.readNBytes(16), StandardCharsets.US_ASCII).strip();
                    if (!v.startsWith(FORMAT_MAJOR)) {
                        throw new BadGuestImage(label, "unsupported Debian package format '" + v + "' (dpkg reads 2.x)");
                    }
                    sawVersion = true;
                } else if (name.startsWith("control.tar")) {
                    byte[] c;
                    try (TarArchiveInputStream tar = tarStream(label, name, new Unclosable(ar))) {
                        c = member(label, tar, "control");
                    }
                    if (c == null) {
                        throw new BadGuestImage(label, "control.tar has no control file");
                    }
                    control = parseControl(new String(c, StandardCharsets.UTF_8));
                } else if (name.startsWith("data.tar")) {
                    sawData = true;
                    try (TarArchiveInputStream tar = tarStream(label, name, new Unclosable(ar))) {
                        file = member(label, tar, wanted);
                    }
                }
            }
        } catch (IOException | RuntimeException ex) {
            if (ex instanceof BadGuestImage || ex instanceof GuestUnavailable || ex instanceof java.nio.file.NoSuchFileException
                    || ex instanceof java.nio.file.AccessDeniedException) {
                throw ex;
            }
            // Commons Compress reports truncation and garbage as IOException or IllegalArgumentException.
            throw new BadGuestImage(label, "corrupt Debian package: " + oneLine(ex.getMessage()));
        }
        if (!sawVersion) {
            throw new BadGuestImage(label, "not a Debian package (empty ar archive)");
        }
        if (control == null) {
            throw new BadGuestImage(label, "no control.tar member");
        }
        if (!sawData) {
            throw new BadGuestImage(label, "no data.tar member");
        }
        String pkg = control.get("Package");
        String version = control.get("Version");
        if (pkg == null || version == null) {
            throw new BadGuestImage(label, "control file lacks Package or Version");
        }
        if (file == null) {
            throw new BadGuestImage(label, "package " + pkg + " " + version + " does not contain " + memberPath);
        }
        return new Extracted(pkg, version, control.getOrDefault("Architecture", ""), file);
    }

    /** The tar inside an ar member, decompressed by the member name's suffix (deb(5)). */
    private static TarArchiveInputStream tarStream(String label, String member, InputStream in) throws IOException {
        String ext = member.substring(member.indexOf(".tar") + 4);
        InputStream plain = switch (ext) {
            case "" -> in;
            case ".gz" -> new GzipCompressorInputStream(in);
            case ".xz" -> new XZCompressorInputStream(in);
            case ".zst" -> zstd(in);
            case ".bz2" -> new BZip2CompressorInputStream(in);
            case ".lzma" -> new LZMACompressorInputStream(in);
            default -> throw new BadGuestImage(label, "member " + member + " has an unsupported compression");
        };
        return new TarArchiveInputStream(plain);
    }

    /** zstd goes through zstd-jni, whose native library can fail to load (a noexec temporary directory). */
    private static InputStream zstd(InputStream in) throws IOException {
        try {
            return new ZstdCompressorInputStream(in);
        } catch (LinkageError e) {
            throw new GuestUnavailable("cannot decompress data.tar.zst here (zstd-jni: " + oneLine(e.getMessage())
                    + "); extract the file with dpkg-deb -x and pass it with --from FILE");
        }
    }

    /** The bytes of the regular file {@code wanted} in the tar, or null when it is absent. */
    private static byte[] member(String label, TarArchiveInputStream tar, String wanted) throws IOException {
        TarArchiveEntry t;
        while ((t = tar.getNextEntry()) != null) {
            if (!normalise(t.getName()).equals(wanted)) {
                continue;
            }
            // Commons Compress counts any non-directory as a file: a link must be excluded first.
            if (t.isSymbolicLink() || t.isLink() || !t.isFile()) {
                throw new BadGuestImage(label, "/" + wanted + " is not a regular file in the package"
                        + (t.isSymbolicLink() ? " (a symbolic link to " + t.getLinkName() + ")" : ""));
            }
            if (t.getSize() > MAX_MEMBER_BYTES) {
                throw new BadGuestImage(label, "/" + wanted + " is " + t.getSize() + " bytes, more than any guest file");
            }
            byte[] b = tar.readNBytes((int) t.getSize());
            if (b.length != t.getSize()) {
                throw new BadGuestImage(label, "/" + wanted + " is truncated");
            }
            return b;
        }
        return null;
    }

    /**
     * The ar archive as one member's decompressor sees it: closing the decompressor must not close
     * the archive. It matters beyond tidiness: zstd-jni's {@code ZstdInputStream} closes its source
     * from a finalizer, so an abandoned zstd member closed the archive under the next read whenever
     * a garbage collection ran in between ("Stream closed" on a real data.tar.zst). Each member's
     * streams are now closed at once, and the archive is shielded from that close.
     */
    private static final class Unclosable extends FilterInputStream {
        Unclosable(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // the archive stays open for the next member
        }
    }

    /** deb-control(5) fields of the first paragraph; continuation lines are skipped. */
    static Map<String, String> parseControl(String text) {
        Map<String, String> m = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                break;
            }
            if (line.startsWith(" ") || line.startsWith("\t")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                m.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return m;
    }

    /** {@code ./usr/lib/x} and {@code /usr/lib/x} both name {@code usr/lib/x}. */
    static String normalise(String path) {
        String p = path;
        if (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }

    /** GNU ar ends member names with '/'. */
    private static String stripSlash(String name) {
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    private static String oneLine(String s) {
        return s == null ? "truncated or unreadable" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
