package dev.hcdiff.recorder.guest;

import dev.hcdiff.recorder.vmm.GuestRam;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which protocol an image boots by, and the layout each protocol implies. */
class BootPlanTest {

    private static final long MEMORY = 64L << 20;

    private static BootPlan plan(String guest, Boot boot, String cmdline) {
        byte[] file = GuestImages.load(guest);
        return BootPlan.of(ElfImage.parse(guest, file), file, boot, MEMORY, cmdline);
    }

    @Test
    void autoPicksPvhForTheNoteFirmwareForElf32AndKitForElf64() {
        assertEquals(Boot.PVH, plan("tests/pvh", Boot.AUTO, null).boot());
        assertEquals(Boot.FIRMWARE, plan("tests/firmware", Boot.AUTO, null).boot());
        assertEquals(Boot.FIRMWARE, plan("tests/pm32", Boot.AUTO, null).boot());
        assertEquals(Boot.KIT, plan("hello", Boot.AUTO, null).boot());
    }

    @Test
    void firmwareAndPvhGetTheTwoHighRegionsKitOnlyLowRam() {
        List<GuestRam.Region> hvm = List.of(new GuestRam.Region(0, MEMORY), new GuestRam.Region(0xFC000000L, 32L << 20),
                new GuestRam.Region(0xFEFF0000L, 0x10000));
        assertEquals(hvm, plan("tests/firmware", Boot.FIRMWARE, null).regions());
        assertEquals(hvm, plan("tests/pvh", Boot.PVH, null).regions());
        assertEquals(List.of(new GuestRam.Region(0, MEMORY)), plan("hello", Boot.KIT, null).regions());
        assertEquals("0x0-0x4000000,0xfc000000-0xfe000000,0xfeff0000-0xff000000",
                plan("tests/firmware", Boot.FIRMWARE, null).regionsText());
    }

    @Test
    void startInfoGoesOnThePageAfterTheImage() {
        byte[] file = GuestImages.load("tests/firmware");
        long end = 0;
        for (ElfImage.Segment s : ElfImage.parse("f", file).segments()) {
            end = Math.max(end, s.paddr() + s.memSize());
        }
        BootPlan p = plan("tests/firmware", Boot.FIRMWARE, null);
        assertEquals((end + 4095) & -4096L, p.startInfo());
        assertEquals(0, p.startInfo() % 4096);
        assertEquals(-1, plan("hello", Boot.KIT, null).startInfo());
    }

    @Test
    void e820IsLibxlsForEachProtocol() {
        // libxl_x86.c domain_construct_memmap(): HVM (device model) RAM from 1 MiB; PVH RAM from 0
        // plus the special pages (0xFEFF8, 8 pages) reserved.
        assertEquals(List.of(new HvmStartInfo.MemmapEntry(0x100000, MEMORY - 0x100000, 1)),
                plan("tests/firmware", Boot.FIRMWARE, null).e820());
        assertEquals(List.of(new HvmStartInfo.MemmapEntry(0, MEMORY, 1), new HvmStartInfo.MemmapEntry(0xFEFF8000L, 0x8000, 2)),
                plan("tests/pvh", Boot.PVH, null).e820());
    }

    @Test
    void pvhWithoutTheNoteIsABadImage() {
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> plan("tests/firmware", Boot.PVH, null));
        assertEquals("tests/firmware: no XEN_ELFNOTE_PHYS32_ENTRY note, so it cannot boot as PVH; boot it as firmware or kit",
                e.getMessage());
    }

    @Test
    void firmwareFromElf64IsABadImage() {
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> plan("hello", Boot.FIRMWARE, null));
        assertEquals("hello: firmware boot needs an ELF32 image (as libxc's HVM firmware loader does); boot it as kit or pvh",
                e.getMessage());
    }

    @Test
    void aCommandLineIsForPvhOnly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan("tests/firmware", Boot.AUTO, "quiet"));
        assertEquals("a command line is passed only to PVH guests, but 'tests/firmware' boots as firmware", e.getMessage());
        assertEquals("quiet", plan("tests/pvh", Boot.AUTO, "quiet").cmdline());
    }

    @Test
    void prepareWritesHvmInfoStartInfoAndTheIdentityPageTable() throws Exception {
        byte[] file = GuestImages.load("tests/firmware");
        ElfImage image = ElfImage.parse("f", file);
        BootPlan p = BootPlan.of(image, file, Boot.FIRMWARE, MEMORY, null);
        try (GuestRam ram = GuestRam.allocate(p.regions())) {
            p.prepare(ram, image, file);
            assertEquals(0, HvmInfoTable.byteSum(ram.read(0x9F800, 48), 48));
            assertEquals("HVM INFO", new String(ram.read(0x9F800, 8)));
            assertEquals(0x336ec578L, ram.readInt(p.startInfo()));
            // xg_dom_x86.c alloc_magic_pages_hvm(): ident_pt[i] = (i << 22) | 0xE7, at 0xFEFFE000.
            assertEquals(0xE7L, ram.readInt(0xFEFFE000L));
            assertEquals((1023L << 22) | 0xE7, ram.readInt(0xFEFFE000L + 4 * 1023));
        }
    }
}
