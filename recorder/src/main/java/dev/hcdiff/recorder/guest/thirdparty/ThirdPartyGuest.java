package dev.hcdiff.recorder.guest.thirdparty;

import java.util.List;
import java.util.Optional;

/**
 * A guest nobody here wrote, shipped as one file of a Debian package and used unmodified.
 *
 * @param name        the name users type ({@code --guest hvmloader})
 * @param packageName the Debian package that ships it
 * @param memberPath  the file inside the package, absolute as {@code dpkg -L} lists it
 * @param description one line for {@code hcdiff guests list}
 */
public record ThirdPartyGuest(String name, String packageName, String memberPath, String description) {

    /**
     * Xen's HVM firmware, the first thing Xen runs in every HVM domain.
     * The file is the one {@code dpkg -L xen-utils-4.17} lists on Debian 12 (xen-abi.md §8).
     */
    public static final ThirdPartyGuest HVMLOADER = new ThirdPartyGuest("hvmloader", "xen-utils-4.17",
            "/usr/lib/xen-4.17/boot/hvmloader",
            "Xen's HVM firmware loader (ELF32 at 0x100000), unmodified from Debian 12");

    private static final List<ThirdPartyGuest> ALL = List.of(HVMLOADER);

    /** Every third-party guest hcdiff knows how to obtain. */
    public static List<ThirdPartyGuest> all() {
        return ALL;
    }

    /** The third-party guest called {@code name}, if there is one. */
    public static Optional<ThirdPartyGuest> byName(String name) {
        return ALL.stream().filter(g -> g.name.equals(name)).findFirst();
    }

    /** The member's name as it appears in the package's data tar, without the leading slash. */
    String tarName() {
        return memberPath.substring(1);
    }

    /** The member's file name, which is also its name in the cache. */
    String fileName() {
        return memberPath.substring(memberPath.lastIndexOf('/') + 1);
    }
}
