package dev.hcdiff.recorder;

import dev.hcdiff.recorder.guest.thirdparty.ThirdPartyGuests;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.recorder.guest.Boot;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's unmodified hvmloader (xen-utils-4.17) booted on the real /dev/kvm as libxc boots it
 * (FIRMWARE) up to its natural stop without a BIOS image: {@code BUG()} after "no BIOS ROM image
 * found", then {@code SCHEDOP_shutdown(crash)}. Every expectation comes from hvmloader's source
 * at RELEASE-4.17.7 ({@code tools/firmware/hvmloader/}: hvmloader.c main(), xenbus.c, pci.c,
 * smp.c, smbios.c, util.c crash()) and xen-abi.md §8.2, never from a recording. Subclasses say
 * which backend serves it.
 *
 * <p>The image is {@code -Dhcdiff.hvmloader=PATH} or {@code HCDIFF_HVMLOADER=PATH} when set
 * (scripts/test and .ci/run set it), else obtained as {@code record --guest hvmloader} obtains it
 * (the guest cache, or {@code apt-get download}: {@link ThirdPartyGuests#obtain}). Only where it
 * cannot be obtained (no apt-get, no registry) are the tests skipped, with the reason printed; with
 * {@code HCDIFF_REQUIRE_NETWORK=1} (CI) that is a failure instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HvmloaderBoot {

    /** SHA-256 of /usr/lib/xen-4.17/boot/hvmloader in xen-utils-4.17 4.17.7+13-g2445b30a44-0+deb12u1. */
    static final String SHA256_4_17_7 = "f32f77bd04af03bce520dddf52e7a47c3271e1bd60580e272ef001c70b3662a1";
    static final long MEMORY = 64L << 20;
    private static final String SEND = "event_channel_op/EVTCHNOP_send";

    private LiveKvm.Run run;
    private String sha256;

    /** The backend that serves hvmloader, for these options. */
    abstract Backend backend(Recorder.RecordOptions options);

    /**
     * What pci_setup() prints after reading {@code hvmloader/allow-memory-relocate}: "enabled"
     * when the key is absent (pci.c's default), "disabled" when libxl wrote 0.
     */
    abstract String memoryRelocation();

    @BeforeAll
    void boot() throws Exception {
        LiveKvm.assumeKvm();
        Path image = locate();
        sha256 = Recorder.sha256(Files.readAllBytes(image));
        Recorder.RecordOptions o = Recorder.RecordOptions.fromFile(image, Boot.AUTO).withMemory(MEMORY)
                .withWatchdog(Duration.ofSeconds(2)).withBudget(Duration.ofSeconds(60));
        Backend backend = backend(o);
        run = LiveKvm.record(o, backend);
        System.out.println(getClass().getSimpleName() + ": hvmloader (" + image + ", sha256 " + sha256
                + ") served by " + backend.name() + " printed:");
        run.console().forEach(l -> System.out.println("  | " + l));
        System.out.println("stop: " + run.stop().reason() + " " + run.stop().detail());
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        exchanges().forEach(e -> counts.merge(e.request() instanceof Hypercall ? CallNames.of(e.request())
                : e.request().getClass().getSimpleName(), 1L, Long::sum));
        System.out.println(run.records().size() + " records; exchanges by call: " + counts);
    }

    /** The image: -Dhcdiff.hvmloader or HCDIFF_HVMLOADER, else the guest cache or apt-get as the CLI does. */
    static Path locate() {
        String p = System.getProperty("hcdiff.hvmloader");
        if (p == null || p.isBlank()) {
            p = System.getenv("HCDIFF_HVMLOADER");
        }
        if (p != null && !p.isBlank()) {
            Path path = Path.of(p);
            assertTrue(Files.isRegularFile(path), "hvmloader image " + p + " is not a readable file");
            return path;
        }
        try {
            return ThirdPartyGuests.standard(java.util.Optional.empty(), System.err::println).obtain("hvmloader").file();
        } catch (java.io.IOException | RuntimeException e) {
            if ("1".equals(System.getenv("HCDIFF_REQUIRE_NETWORK"))) {
                throw new AssertionError("HCDIFF_REQUIRE_NETWORK=1 but hvmloader could not be obtained: " + e.getMessage(), e);
            }
            String why = "hvmloader live test skipped: hvmloader could not be obtained (" + e.getMessage()
                    + "); run 'hcdiff guests fetch hvmloader' or set HCDIFF_HVMLOADER=PATH";
            System.err.println(why);
            assumeTrue(false, why);
            throw new AssertionError(why); // not reached
        }
    }

    @Test
    void consoleShowsTheBannerAndEveryLineUpToTheCrash() {
        List<String> console = run.console();
        // hvmloader.c main() up to "no BIOS ROM image found" and BUG(); util.c crash().
        // Regular expressions; "\\d+" where the value is the host's (CPU speed, the line number
        // of another build), cacheattr.c's report of the host's physical-address bits and MTRRs.
        List<String> expected = List.of(
                q("HVM Loader"),
                q("Detected Xen v4.17.7"),
                q("Xenbus rings @0xfeffc000, event channel 1"),
                q("System requested SeaBIOS"),
                q("CPU speed is ") + "\\d+" + q(" MHz"),
                q("Relocating guest memory for lowmem MMIO space " + memoryRelocation()),
                q("PCI-ISA link 0 routed to IRQ5"),
                q("PCI-ISA link 1 routed to IRQ10"),
                q("PCI-ISA link 2 routed to IRQ11"),
                q("PCI-ISA link 3 routed to IRQ5"),
                q("No RAM in high memory; setting high_mem resource base to 100000000"),
                q("Multiprocessor initialisation:"),
                q(" - CPU0 ... ") + "\\d+" + q("-bit phys ... fixed MTRRs ... var MTRRs [") + "\\d+/\\d+"
                        + q("] ... done."),
                q("Writing SMBIOS tables ..."),
                q("Loading SeaBIOS ..."),
                q("no BIOS ROM image found"),
                q("*** HVMLoader bug at hvmloader.c:") + "\\d+",
                q("*** HVMLoader crashed."));
        assertEquals(expected.size(), console.size(), "lines: " + console);
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(console.get(i).matches(expected.get(i)), "line " + i + ": expected /" + expected.get(i)
                    + "/, got '" + console.get(i) + "'");
        }
        if (SHA256_4_17_7.equals(sha256)) {
            assertEquals("*** HVMLoader bug at hvmloader.c:388", console.get(16), "the BUG() after \"no BIOS ROM image found\"");
        }
    }

    @Test
    void itStopsWithACrashShutdown() {
        run.assertWellFormed();
        GuestStop stop = run.stop();
        assertEquals(GuestStop.StopReason.SHUTDOWN, stop.reason());
        assertEquals("sched_op/SCHEDOP_shutdown(crash)", stop.detail());
    }

    @Test
    void hypercallsAndSubOpsComeInHvmloadersOrder() {
        List<String> calls = new ArrayList<>();
        List<Integer> sendRuns = new ArrayList<>();
        for (Exchange e : exchanges()) {
            if (!(e.request() instanceof Hypercall h)) {
                continue;
            }
            assertEquals(Abi.XEN32, h.abi(), "hvmloader is 32-bit code");
            String name = CallNames.of(h);
            // Runs of xenstore notifications and of page populations collapse to one entry:
            // their number depends on the xenstore's answers and the tables' size.
            boolean repeats = name.equals(SEND) || name.equals("memory_op/XENMEM_populate_physmap");
            if (repeats && !calls.isEmpty() && calls.getLast().equals(name)) {
                if (name.equals(SEND)) {
                    sendRuns.set(sendRuns.size() - 1, sendRuns.getLast() + 1);
                }
                continue;
            }
            calls.add(name);
            if (name.equals(SEND)) {
                sendRuns.add(1);
            }
        }
        assertEquals(List.of(
                "xen_version/XENVER_extraversion",          // init_hypercalls()
                "memory_op/XENMEM_memory_map",              // memory_map_setup()
                "hvm_op/HVMOP_get_param",                   // xenbus_setup(): STORE_PFN
                "hvm_op/HVMOP_get_param",                   //                 STORE_EVTCHN
                "event_channel_op/EVTCHNOP_send",           // detect_bios(): hvmloader/bios
                "memory_op/XENMEM_add_to_physmap",          // get_cpu_mhz(): shared_info at 0xFDFFF
                "event_channel_op/EVTCHNOP_send",           // pci_setup(): two xenstore reads
                "xen_version/XENVER_guest_handle",          // hvm_write_smbios_tables()
                "xen_version/XENVER_version",
                "xen_version/XENVER_extraversion",
                "event_channel_op/EVTCHNOP_send",           // the SMBIOS xenstore reads
                "memory_op/XENMEM_populate_physmap",        // mem_alloc() for the SMBIOS tables at 0xFC100000
                "sched_op/SCHEDOP_shutdown"), calls);       // crash()
        assertEquals(1, sendRuns.get(0), "one xenstore read in detect_bios(): the reply is in the ring at once, no poll");
        assertEquals(2, sendRuns.get(1), "pci_setup() reads hvmloader/allow-memory-relocate and platform/mmio_hole_size");
        assertTrue(sendRuns.get(2) >= 1);
    }

    @Test
    void getParamAsksForTheStorePfnThenTheStoreEventChannel() {
        List<Exchange> params = exchanges().stream()
                .filter(e -> CallNames.of(e.request()).equals("hvm_op/HVMOP_get_param")).toList();
        // struct xen_hvm_param {domid_t domid; u16 pad; u32 index; u64 value}: index @4.
        // HVM_PARAM_STORE_PFN 1, HVM_PARAM_STORE_EVTCHN 2 (xen/include/public/hvm/params.h).
        assertEquals(List.of(1, 2), params.stream().map(e -> ByteBuffer.wrap(e.reads().getFirst().data())
                .order(ByteOrder.LITTLE_ENDIAN).getInt(4)).toList());
        params.forEach(e -> assertEquals(0, e.observation().result(), "get_param returns 0"));
    }

    @Test
    void theHypercallPageMsrIsWrittenFromThirtyTwoBitCodeAndGetsTheTransport() {
        List<TraceRecord> rs = run.records();
        int at = -1;
        for (int i = 0; i < rs.size(); i++) {
            if (rs.get(i) instanceof Exchange e && e.request() instanceof MsrWrite) {
                at = i;
                break;
            }
        }
        assertTrue(at >= 0, "an MSR write");
        // init_hypercalls(): wrmsr(ebx of CPUID base+2, HYPERCALL_PHYSICAL_ADDRESS 0x80000 + 0).
        assertEquals(new MsrWrite(0, 0x40000000, 0x80000, CpuMode.PROTECTED32), ((Exchange) rs.get(at)).request());
        assertEquals(0x80000, assertInstanceOf(TransportPage.class, rs.get(at + 1)).gpa());
    }

    @Test
    void apicSetupReachesTheBackendAsMmio() {
        List<GuestRequest> mmio = exchanges().stream().map(Exchange::request)
                .filter(r -> r instanceof MmioRead || r instanceof MmioWrite).limit(11).toList();
        // hvmloader.c apic_setup() with util.c ioapic_read/ioapic_write and apic_regs.h values.
        assertEquals(List.of(
                new MmioWrite(0, 0xFEC00000L, 4, 0x01),          // ioapic_read(0x01): IOREGSEL
                new MmioRead(0, 0xFEC00010L, 4),                 //                    IOWIN
                new MmioWrite(0, 0xFEC00000L, 4, 0x00),          // ioapic_write(0x00, IOAPIC_ID 1)
                new MmioWrite(0, 0xFEC00010L, 4, 0x01),
                new MmioWrite(0, 0xFEE000F0L, 4, 0x1FF),         // SPIV = APIC_SPIV_APIC_ENABLED | 0xFF
                new MmioWrite(0, 0xFEE00350L, 4, 0x10700),       // LVT0 = ExtINT << 8 | masked
                new MmioWrite(0, 0xFEE00360L, 4, 0x400),         // LVT1 = NMI << 8
                new MmioWrite(0, 0xFEC00000L, 4, 0x10),          // ioapic_write(0x10, APIC_DM_EXTINT)
                new MmioWrite(0, 0xFEC00010L, 4, 0x700),
                new MmioWrite(0, 0xFEC00000L, 4, 0x11),          // ioapic_write(0x11, SET_APIC_ID(0))
                new MmioWrite(0, 0xFEC00010L, 4, 0x0)), mmio);
    }

    @Test
    void headerRecordsTheFirmwareBoot() {
        var h = Recorder.header(Recorder.RecordOptions.fromFile(Path.of(locate().toString()), Boot.AUTO)
                .withMemory(MEMORY), new XenBackend(XenConfig.fromMap(new TreeMap<>(HostFacts.xenHostConfig()))));
        assertEquals("firmware", h.get("boot"));
        assertEquals("0x100000", h.get("boot.entry"));
        // hvmloader's one PT_LOAD ends at 0x100000 + 0x33f40: start_info on the next page.
        if (SHA256_4_17_7.equals(sha256)) {
            assertEquals("0x134000", h.get("boot.start-info"));
        }
        assertEquals(HexFormat.of().formatHex(HexFormat.of().parseHex(sha256)), h.get("guest.sha256"));
    }

    private static String q(String literal) {
        return java.util.regex.Pattern.quote(literal);
    }

    private List<Exchange> exchanges() {
        return run.records().stream().filter(Exchange.class::isInstance).map(Exchange.class::cast).toList();
    }
}
