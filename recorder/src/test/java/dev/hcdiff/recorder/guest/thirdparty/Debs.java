package dev.hcdiff.recorder.guest.thirdparty;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.lzma.LZMACompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds small Debian packages for the tests: with dpkg-deb itself, or assembled as deb(5) describes. */
final class Debs {

    private Debs() {
    }

    /** A fake guest file: the ELF magic, then filler (enough to be an ELF for {@link ThirdPartyGuests}). */
    static byte[] fakeElf(String filler) {
        byte[] f = filler.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[4 + f.length];
        b[0] = 0x7f;
        b[1] = 'E';
        b[2] = 'L';
        b[3] = 'F';
        System.arraycopy(f, 0, b, 4, f.length);
        return b;
    }

    static String control(String pkg, String version) {
        return "Package: " + pkg + "\nVersion: " + version + "\nArchitecture: amd64\n"
                + "Maintainer: hcdiff tests <tests@hcdiff.invalid>\nDescription: test package\n multi-line description\n";
    }

    /** True when this machine has dpkg-deb. */
    static boolean haveDpkgDeb() {
        try {
            Process p = new ProcessBuilder("dpkg-deb", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * A package built by {@code dpkg-deb --build -Z<compression>} from a tree holding {@code files}
     * (absolute paths in the package → contents).
     */
    static Path dpkgDeb(Path dir, String pkg, String version, Map<String, byte[]> files, String compression)
            throws IOException, InterruptedException {
        Path root = Files.createTempDirectory(dir, "root");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(root.resolve("DEBIAN/control"), control(pkg, version));
        for (var e : files.entrySet()) {
            Path f = root.resolve(e.getKey().substring(1));
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
        Path out = dir.resolve(pkg + "_" + version + "_" + compression + ".deb");
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "-Z" + compression, "--build",
                root.toString(), out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("dpkg-deb failed: " + log);
        }
        return out;
    }

    /**
     * A package assembled with Commons Compress as deb(5) lays it out: {@code debian-binary},
     * {@code control.tar.gz}, {@code data.tar<ext>}; {@code ext} is "", ".gz", ".xz", ".zst", ".bz2" or ".lzma".
     * {@code symlinks} maps package paths to link targets.
     */
    static Path assemble(Path dir, String pkg, String version, Map<String, byte[]> files, Map<String, String> symlinks,
                         String ext) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
        members.put("control.tar.gz", tar(Map.of("./control", control(pkg, version).getBytes(StandardCharsets.UTF_8)),
                Map.of(), ".gz"));
        Map<String, byte[]> data = new LinkedHashMap<>();
        files.forEach((k, v) -> data.put("." + k, v));
        Map<String, String> links = new LinkedHashMap<>();
        symlinks.forEach((k, v) -> links.put("." + k, v));
        members.put("data.tar" + ext, tar(data, links, ext));
        return ar(dir.resolve((pkg + "_" + version + ext.replace('.', '_')).replace('/', '_') + ".deb"), members);
    }

    /** An ar archive of {@code members}, in order. */
    static Path ar(Path out, Map<String, byte[]> members) throws IOException {
        try (ArArchiveOutputStream ar = new ArArchiveOutputStream(Files.newOutputStream(out))) {
            for (var e : members.entrySet()) {
                ar.putArchiveEntry(new ArArchiveEntry(e.getKey(), e.getValue().length));
                ar.write(e.getValue());
                ar.closeArchiveEntry();
            }
        }
        return out;
    }

    static byte[] tar(Map<String, byte[]> files, Map<String, String> symlinks, String ext) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (OutputStream c = compressor(buf, ext); TarArchiveOutputStream tar = new TarArchiveOutputStream(c)) {
            for (var e : files.entrySet()) {
                TarArchiveEntry t = new TarArchiveEntry(e.getKey());
                t.setSize(e.getValue().length);
                tar.putArchiveEntry(t);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
            for (var e : symlinks.entrySet()) {
                TarArchiveEntry t = new TarArchiveEntry(e.getKey(), TarArchiveEntry.LF_SYMLINK);
                t.setLinkName(e.getValue());
                tar.putArchiveEntry(t);
                tar.closeArchiveEntry();
            }
        }
        return buf.toByteArray();
    }

    private static OutputStream compressor(OutputStream out, String ext) throws IOException {
        return switch (ext) {
            case "" -> out;
            case ".gz" -> new GzipCompressorOutputStream(out);
            case ".xz" -> new XZCompressorOutputStream(out);
            case ".zst" -> new ZstdCompressorOutputStream(out);
            case ".bz2" -> new BZip2CompressorOutputStream(out);
            case ".lzma" -> new LZMACompressorOutputStream(out);
            default -> throw new IllegalArgumentException(ext);
        };
    }
}
