package dev.hcdiff.recorder.guest.thirdparty;

import java.nio.file.Path;

/** Obtains a Debian package file by name: {@link AptGet} on a real machine, a stand-in in tests. */
@FunctionalInterface
public interface PackageDownloader {

    /**
     * Downloads the candidate version of {@code packageName} into the empty directory {@code dir}.
     *
     * @return the downloaded {@code .deb}
     * @throws GuestUnavailable in one line saying what to do instead, when it cannot
     */
    Path download(String packageName, Path dir);
}
