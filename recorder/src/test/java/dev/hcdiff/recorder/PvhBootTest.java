package dev.hcdiff.recorder;

import dev.hcdiff.recorder.guest.Boot;
import dev.hcdiff.recorder.guest.ElfImage;
import dev.hcdiff.recorder.guest.GuestImages;
import dev.hcdiff.trace.record.GuestStop.StopReason;
import dev.hcdiff.trace.record.JournalHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The PVH boot on the real /dev/kvm with {@code tests/pvh} (recorder/guests/tests/pvh.c): entered
 * at its XEN_ELFNOTE_PHYS32_ENTRY note, not at e_entry, with the state of docs/misc/pvh.pandoc
 * and what libxc's bootlate_hvm() writes for a domain without a device model.
 */
class PvhBootTest {

    private static final long MEMORY = 16L << 20;
    /** kit/pvh32.ld puts kit/start32.S's _start, the note's target, first at 0x100000. */
    private static final long NOTE_ENTRY = 0x100000;
    private static final String CMDLINE = "console=hvc0 hcdiff-test";

    @BeforeEach
    void needsKvm() {
        LiveKvm.assumeKvm();
    }

    private static Recorder.RecordOptions options(Boot boot, String cmdline) {
        return Recorder.RecordOptions.of("pvh", GuestImages.load("tests/pvh"), 0).withMemory(MEMORY).withBoot(boot)
                .withCmdline(cmdline).withWatchdog(Duration.ofMillis(500)).withBudget(Duration.ofSeconds(30));
    }

    @Test
    void autoBootEntersAtTheNoteWithStartInfoCommandLineAndE820() {
        LiveKvm.Run run = LiveKvm.record(options(Boot.AUTO, CMDLINE), new MiniXen(true));
        assertEquals(List.of(
                "pvh start_info magic 0x336ec578 version 1 modules 0 memmap 2",
                "cmdline '" + CMDLINE + "'",
                // libxl_x86.c domain_construct_memmap() for PVH: RAM from 0, the 8 special pages reserved.
                "memmap[0] 0x0+0x1000000 type 1",
                "memmap[1] 0xfeff8000+0x8000 type 2",
                // bootlate_hvm() builds hvm_info only for a domain with a device model.
                "hvm_info absent",
                // pvh.pandoc: CR0.PE set, other writable bits clear (ET reads as 1); IF clear.
                "cr0 0x11 if 0",
                "xen leaves at 0x40000000",
                "xen_version 0x40011"), run.console());
        run.assertWellFormed();
        assertEquals(StopReason.SHUTDOWN, run.stop().reason());
    }

    @Test
    void withoutACommandLineCmdlinePaddrIsZero() {
        LiveKvm.Run run = LiveKvm.record(options(Boot.PVH, ""), new MiniXen(false));
        assertEquals("no cmdline", run.console().get(1));
    }

    @Test
    void firmwareBootOfTheSameImageEntersAtEEntryInstead() {
        LiveKvm.Run run = LiveKvm.record(options(Boot.FIRMWARE, ""), new MiniXen(false));
        assertEquals(List.of("entered at e_entry, not at XEN_ELFNOTE_PHYS32_ENTRY"), run.console());
        assertEquals(StopReason.HALTED, run.stop().reason());
    }

    @Test
    void headerNamesTheNoteEntryAndTheCommandLine() {
        ElfImage image = ElfImage.parse("pvh", GuestImages.load("tests/pvh"));
        assertNotEquals(NOTE_ENTRY, image.entry(), "e_entry is pvh_wrong_entry");
        JournalHeader h = Recorder.header(options(Boot.AUTO, CMDLINE), new MiniXen(false));
        assertEquals("pvh", h.get("boot"));
        assertEquals("0x" + Long.toHexString(NOTE_ENTRY), h.get("boot.entry"));
        assertEquals(CMDLINE, h.get("boot.cmdline"));
    }
}
