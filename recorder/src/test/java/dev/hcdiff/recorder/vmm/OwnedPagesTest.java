package dev.hcdiff.recorder.vmm;

import dev.hcdiff.trace.record.MemChunk;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guest writes to owned pages (design.md): found by comparing RAM with the backend's last copy,
 * reported as maximal runs of changed bytes in address order, each reported once.
 */
class OwnedPagesTest {

    private static final long PAGE = 0xFDFFF000L;
    private static final List<GuestRam.Region> HVM = List.of(new GuestRam.Region(0, 2L << 20),
            new GuestRam.Region(0xFD000000L, 16L << 20));

    @Test
    void nothingOwnedNothingReported() throws Exception {
        try (GuestRam ram = GuestRam.allocate(HVM)) {
            OwnedPages owned = new OwnedPages(ram);
            ram.write(PAGE, new byte[] {1});
            assertEquals(List.of(), owned.guestChanges());
        }
    }

    @Test
    void separateRunsComeOutSeparatelyAndOnlyOnce() throws Exception {
        try (GuestRam ram = GuestRam.allocate(HVM)) {
            OwnedPages owned = new OwnedPages(ram);
            owned.afterServed(new TreeSet<>(List.of(PAGE)), List.of());
            ram.write(PAGE, new byte[] {0x6d});
            ram.write(PAGE + 0x800, new byte[] {0x5a, (byte) 0xa5});
            ram.write(PAGE + 0xFFF, new byte[] {7});
            assertEquals(List.of(new MemChunk(PAGE, new byte[] {0x6d}), new MemChunk(PAGE + 0x800, new byte[] {0x5a, (byte) 0xa5}),
                    new MemChunk(PAGE + 0xFFF, new byte[] {7})), owned.guestChanges());
            assertEquals(List.of(), owned.guestChanges(), "reported once");
        }
    }

    @Test
    void theBackendsOwnWritesAreNotGuestChanges() throws Exception {
        try (GuestRam ram = GuestRam.allocate(HVM)) {
            OwnedPages owned = new OwnedPages(ram);
            owned.afterServed(new TreeSet<>(List.of(PAGE)), List.of());
            // The backend writes while serving; afterServed sees its writes and re-reads the page.
            ram.write(PAGE + 0x10, new byte[] {1, 2, 3});
            owned.afterServed(new TreeSet<>(List.of(PAGE)), List.of(new MemChunk(PAGE + 0x10, new byte[] {1, 2, 3})));
            assertEquals(List.of(), owned.guestChanges());
            // A page no longer owned is forgotten.
            owned.afterServed(new TreeSet<>(), List.of());
            ram.write(PAGE, new byte[] {9});
            assertEquals(List.of(), owned.guestChanges());
            assertEquals(List.of(), owned.pages());
        }
    }

    @Property(tries = 200, seed = "20261125")
    void applyingTheChangesToTheOldPageGivesTheNewOne(
            @ForAll @Size(max = 40) Map<@IntRange(min = 0, max = 4095) Integer, Byte> writes) throws Exception {
        try (GuestRam ram = GuestRam.allocate(HVM)) {
            byte[] before = new byte[4096];
            for (int i = 0; i < before.length; i++) {
                before[i] = (byte) (i * 7);
            }
            ram.write(PAGE, before);
            OwnedPages owned = new OwnedPages(ram);
            owned.afterServed(new TreeSet<>(List.of(PAGE)), List.of());
            writes.forEach((off, b) -> {
                try {
                    ram.write(PAGE + off, new byte[] {b});
                } catch (dev.hcdiff.oracle.backend.GuestFault e) {
                    throw new AssertionError(e);
                }
            });
            byte[] after = ram.read(PAGE, 4096);
            List<MemChunk> changes = owned.guestChanges();
            byte[] rebuilt = before.clone();
            long lastEnd = -1;
            for (MemChunk c : changes) {
                assertTrue(c.gpa() > lastEnd, "sorted, disjoint and not adjacent (maximal runs)");
                int off = (int) (c.gpa() - PAGE);
                for (int i = 0; i < c.length(); i++) {
                    assertTrue(before[off + i] != c.byteAt(i), "every reported byte changed");
                    rebuilt[off + i] = c.byteAt(i);
                }
                lastEnd = c.gpa() + c.length();
            }
            assertArrayEquals(after, rebuilt);
            assertEquals(List.of(), owned.guestChanges());
            assertTrue(Arrays.equals(after, ram.read(PAGE, 4096)));
        }
    }
}
