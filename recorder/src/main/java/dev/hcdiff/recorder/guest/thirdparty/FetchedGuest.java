package dev.hcdiff.recorder.guest.thirdparty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A third-party guest file in the cache, with where it came from.
 *
 * @param name        the guest's name, e.g. {@code hvmloader}
 * @param packageName the Debian package it came from, or {@code unknown} for an unrecognised bare file
 * @param version     the package version, or {@code unknown}
 * @param sha256      the file's SHA-256, lower-case hex
 * @param pinned      whether {@code version} is in the pinned table (and the hash matched it)
 * @param source      how it was obtained: {@code apt-get download xen-utils-4.17}, {@code deb:/path}, {@code file:/path}
 * @param file        the cached file
 */
public record FetchedGuest(String name, String packageName, String version, String sha256, boolean pinned,
                           String source, Path file) {

    /** Journal header keys a recording of a third-party guest carries (issue 3). */
    public static final String HEADER_PACKAGE = "guest.package";
    public static final String HEADER_VERSION = "guest.version";
    public static final String HEADER_SHA256 = "guest.sha256";
    public static final String HEADER_PINNED = "guest.pinned";
    /** The value of package and version when a bare file matches no pinned hash. */
    public static final String UNKNOWN = "unknown";

    /** The journal header entries for a recording of this guest. */
    public Map<String, String> headerFields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(HEADER_PACKAGE, packageName);
        m.put(HEADER_VERSION, version);
        m.put(HEADER_SHA256, sha256);
        m.put(HEADER_PINNED, Boolean.toString(pinned));
        return m;
    }

    /** The file's bytes. */
    public byte[] read() throws IOException {
        return Files.readAllBytes(file);
    }
}
