package dev.hcdiff.recorder;

import dev.hcdiff.recorder.guest.Boot;
import dev.hcdiff.recorder.guest.ElfImage;
import dev.hcdiff.recorder.guest.GuestImages;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop.StopReason;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.TraceRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FIRMWARE boot on the real /dev/kvm with the test guest {@code tests/firmware}
 * (recorder/guests/tests/firmware.c), served by {@link MiniXen}. Expected values come from libxc
 * and libxl (xg_dom_x86.c vcpu_hvm(), build_hvm_info(), bootlate_hvm(); libxl_dom.c
 * hvm_build_set_params(); libxl_x86.c domain_construct_memmap()), not from the recorder.
 */
class FirmwareBootTest {

    /** 16 MiB of low RAM: low_mem_pgend 0x1000, e820 RAM [1 MiB, 16 MiB). */
    private static final long MEMORY = 16L << 20;
    private static LiveKvm.Run run;
    private static MiniXen backend;
    private static long startInfo;

    @BeforeAll
    static void boot() {
        LiveKvm.assumeKvm();
        byte[] image = GuestImages.load("tests/firmware");
        // libxc puts hvm_start_info on the page after the loaded image (xc_dom_alloc_segment).
        long end = 0;
        for (ElfImage.Segment s : ElfImage.parse("firmware", image).segments()) {
            end = Math.max(end, s.paddr() + s.memSize());
        }
        startInfo = (end + 4095) & -4096L;
        backend = new MiniXen(false);
        run = LiveKvm.record(Recorder.RecordOptions.of("firmware", image, 0).withMemory(MEMORY)
                .withBoot(Boot.FIRMWARE).withWatchdog(Duration.ofMillis(500)).withBudget(Duration.ofSeconds(30)), backend);
    }

    @Test
    void guestSeesWhatLibxcGivesHvmloader() {
        assertEquals(List.of(
                "start_info 0x" + Long.toHexString(startInfo) + " magic 0x336ec578 version 1 modules 0 memmap 1",
                // libxl_x86.c: RAM from GUEST_LOW_MEM_START_DEFAULT (1 MiB) to lowmem_end, E820_RAM.
                "memmap[0] 0x100000+0xf00000 type 1",
                // hvm_info: 48 bytes summing to 0, apic_mode 1, 1 vCPU online, 0x1000 pages, ioreq_server_pfn(0).
                "hvm_info length 48 sum 0 apic 1 vcpus 1 low 0x1000 reserved 0xfeff0 high 0x0 online 0x1",
                // vcpu_hvm(): CR0 = PE|ET, RFLAGS without IF.
                "cr0 0x11 if 0",
                // alloc_magic_pages_hvm(): entry i = (i << 22) | 0xE7.
                "ident_pt[1] 0x4000e7",
                "xen leaves at 0x40000000",
                "xen_version 0x40011",
                "lapic version 0x50014",
                // Nothing claims 0xF0000000: all ones (Xen's null handler; MiniXen answers the same).
                "absent mmio 0xffffffff",
                "add_to_physmap 0 first byte 0x4d",
                "owned page written"), run.console());
        run.assertWellFormed();
        assertEquals(StopReason.SHUTDOWN, run.stop().reason());
        assertEquals("sched_op/SCHEDOP_shutdown(poweroff)", run.stop().detail());
    }

    @Test
    void callsUseTheThirtyTwoBitAbiAndTheMsrWriteCarriesItsMode() {
        List<Exchange> exchanges = exchanges();
        MsrWrite msr = exchanges.stream().map(Exchange::request).filter(MsrWrite.class::isInstance)
                .map(MsrWrite.class::cast).findFirst().orElseThrow();
        assertEquals(CpuMode.PROTECTED32, msr.mode());
        List<Hypercall> calls = exchanges.stream().map(Exchange::request).filter(Hypercall.class::isInstance)
                .map(Hypercall.class::cast).toList();
        assertEquals(List.of("xen_version/XENVER_version", "memory_op/XENMEM_add_to_physmap",
                "xen_version/XENVER_version", "sched_op/SCHEDOP_shutdown"), calls.stream().map(CallNames::of).toList());
        calls.forEach(c -> assertEquals(Abi.XEN32, c.abi()));
    }

    @Test
    void mmioInTheHoleReachesTheBackendWithAddressSizeAndValue() {
        List<Object> mmio = exchanges().stream().map(Exchange::request)
                .filter(r -> r instanceof MmioRead || r instanceof MmioWrite).map(r -> (Object) r).toList();
        assertEquals(List.of(new MmioRead(0, 0xFEE00030L, 4), new MmioWrite(0, 0xFEE000F0L, 4, 0x1FF),
                new MmioRead(0, 0xF0000000L, 4)), mmio);
    }

    @Test
    void guestChangesToAnOwnedPageAreServedAsGuestWritesBeforeTheNextCall() {
        List<MemChunk> expected = List.of(new MemChunk(0xFDFFF000L, new byte[] {0x6d}),
                new MemChunk(0xFDFFF800L, new byte[] {0x5a, (byte) 0xa5}));
        assertEquals(expected, backend.guestWrites);
        List<TraceRecord> rs = run.records();
        int map = indexOf(rs, "memory_op/XENMEM_add_to_physmap");
        int first = -1;
        for (int i = map; i < rs.size(); i++) {
            if (rs.get(i) instanceof Exchange e && e.request() instanceof GuestWrite) {
                first = i;
                break;
            }
        }
        assertTrue(first > map, "a GuestWrite follows the add_to_physmap");
        assertEquals(new GuestWrite(0, expected.get(0)), ((Exchange) rs.get(first)).request());
        assertEquals(new GuestWrite(0, expected.get(1)), ((Exchange) rs.get(first + 1)).request());
        Exchange next = (Exchange) rs.get(first + 2);
        assertEquals("xen_version/XENVER_version", CallNames.of(next.request()), "the call the writes preceded");
    }

    @Test
    void headerNamesTheBootAndTheLayout() {
        JournalHeader h = Recorder.header(Recorder.RecordOptions.of("firmware", GuestImages.load("tests/firmware"), 0)
                .withMemory(MEMORY).withBoot(Boot.FIRMWARE), backend);
        assertEquals("firmware", h.get("boot"));
        assertEquals("0x100000", h.get("boot.entry"));
        assertEquals("0x" + Long.toHexString(startInfo), h.get("boot.start-info"));
        assertEquals("0x0-0x1000000,0xfc000000-0xfe000000,0xfeff0000-0xff000000", h.get("memory.regions"));
    }

    private static List<Exchange> exchanges() {
        return run.records().stream().filter(Exchange.class::isInstance).map(Exchange.class::cast).toList();
    }

    private static int indexOf(List<TraceRecord> rs, String call) {
        for (int i = 0; i < rs.size(); i++) {
            if (rs.get(i) instanceof Exchange e && call.equals(CallNames.of(e.request()))) {
                return i;
            }
        }
        throw new AssertionError("no " + call);
    }
}
