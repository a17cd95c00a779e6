package dev.hcdiff.recorder.guest.thirdparty;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real thing: {@code apt-get download xen-utils-4.17} from Debian's registry, extracted in Java.
 * Skips with the reason printed when the package cannot be downloaded here, except where
 * {@code HCDIFF_REQUIRE_NETWORK=1} (CI), where that fails.
 */
class AptDownloadLiveTest {

    @Test
    void theDownloadedHvmloaderIsAPinnedElf32LoadedAt1MiB(@TempDir Path dir) throws Exception {
        List<String> warnings = new ArrayList<>();
        ThirdPartyGuests guests = new ThirdPartyGuests(new GuestCache(dir), AptGet.system(), PinnedHashes.shipped(),
                warnings::add);
        FetchedGuest f;
        try {
            f = guests.fetch("hvmloader", Optional.empty());
        } catch (GuestUnavailable e) {
            if ("1".equals(System.getenv("HCDIFF_REQUIRE_NETWORK"))) {
                throw new AssertionError("HCDIFF_REQUIRE_NETWORK=1 but: " + e.getMessage(), e);
            }
            System.out.println("AptDownloadLiveTest skipped: " + e.getMessage());
            Assumptions.abort(e.getMessage());
            return;
        }
        // A version Debian serves today may be newer than the table: then the warning, not a pin.
        assertEquals(f.pinned() ? 0 : 1, warnings.size(), warnings.toString());
        if (f.pinned()) {
            assertEquals(PinnedHashes.shipped().sha256("hvmloader", "xen-utils-4.17", f.version()).orElseThrow(), f.sha256());
        } else {
            System.out.println("AptDownloadLiveTest: Debian serves an unpinned version: " + warnings.getFirst());
        }
        ByteBuffer elf = ByteBuffer.wrap(f.read()).order(ByteOrder.LITTLE_ENDIAN);
        // xen-abi.md §8.1: hvmloader is ELF32 (EI_CLASS=1) i386 (e_machine=3) with e_entry 0x100000.
        assertEquals(1, elf.get(4), "ELFCLASS32");
        assertEquals(3, elf.getShort(18), "EM_386");
        assertEquals(0x100000, elf.getInt(24), "e_entry");
        assertTrue(f.file().startsWith(dir));
    }
}
