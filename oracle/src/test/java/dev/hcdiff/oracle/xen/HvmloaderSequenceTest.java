package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.toolstack.SparseRam;
import dev.hcdiff.oracle.toolstack.XsClient;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.oracle.xen.abi.XenMemoryMap;
import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.VcpuState;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The requests Debian's hvmloader makes before it stops (xen-abi.md §8.2 steps 3-11, 16, 17;
 * tools/firmware/hvmloader/hvmloader.c main(), hypercall.h, xenbus.c, e820.c, util.c), served
 * one by one through {@link Serving#serve} by an {@code xen.domain=xl-hvm} model on issue 3's
 * memory layout, with the 32-bit ABI: every answer hvmloader needs to reach its no-BIOS stop.
 */
class HvmloaderSequenceTest {

    /** The recorded host's TSC (corpora/cases/hello), so the MHz is not a round number. */
    static final int TSC_KHZ = 2_596_138;
    static final long MEMORY = 64L << 20;
    /** hvmloader's hypercall page (hypercall.h: HYPERCALL_PHYSICAL_ADDRESS). */
    static final long PAGE = 0x80000;
    /** Scratch buffers hvmloader keeps in its .bss (any RAM below the image will do here). */
    static final long ARG = 0x12000;
    static final long BUF = 0x13000;
    static final long STORE = 0xFEFFCL << 12;

    final SparseRam ram = SparseRam.hvm(MEMORY);
    final XenBackend xen = new XenBackend(XenConfig.fromMap(new TreeMap<>(java.util.Map.of(
            "xen.domain", "xl-hvm", "xen.memory-bytes", Long.toString(MEMORY), "xen.tsc-khz", Integer.toString(TSC_KHZ)))));
    long now;
    boolean firstRead = true;

    Observation serve(GuestRequest r) {
        now += 10_000;
        return Serving.serve(xen, r, ram, now).observation();
    }

    Observation hypercall(int nr, long... args) {
        long[] six = new long[6];
        System.arraycopy(args, 0, six, 0, args.length);
        return serve(new Hypercall(0, Abi.XEN32, nr, six));
    }

    static int rc(Observation o) {
        return (int) o.result();
    }

    String print(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : s.getBytes(StandardCharsets.ISO_8859_1)) {
            out.writeBytes(serve(new PortWrite(0, 0xE9, 1, b)).console());
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** xenbus.c xenstore_read(): XS_READ with the path and its NUL, notify, read the reply. */
    String[] xenstoreRead(String path) {
        byte[] p = (path + "\0").getBytes(StandardCharsets.ISO_8859_1);
        int prod = ram.u32(STORE + 2052);
        byte[] msg = new byte[16 + p.length];
        msg[0] = 2; // XS_READ
        msg[12] = (byte) p.length;
        System.arraycopy(p, 0, msg, 16, p.length);
        for (int i = 0; i < msg.length; i++) {
            ram.put(STORE + ((prod + i) & 1023), new byte[] {msg[i]});
        }
        ram.putU32(STORE + 2052, prod + msg.length);
        ram.putU32(ARG, 1); // evtchn_send_t { .port = event }
        Observation sent = hypercall(32, 4, ARG);
        assertEquals(0, rc(sent));
        // xenstored's notify makes the store port pending; nothing clears it before hvmloader maps
        // shared_info, so only the first reply is a 0→1 change (evtchn_2l_set_pending()).
        assertTrue(xen.domain().sharedInfo().testPending(1), "the store port is pending");
        if (firstRead) {
            assertEquals(List.of(1), sent.eventsPending());
            firstRead = false;
        } else {
            assertEquals(List.of(), sent.eventsPending());
        }
        XsClient ring = new XsClient(ram, STORE);
        assertTrue(ring.available() >= 16, "the reply is in the ring before EVTCHNOP_send returns");
        XsClient.Reply reply = ring.next();
        return new String[] {Integer.toString(reply.type()), reply.text()};
    }

    @Test
    void hvmloaderGetsEveryAnswerItNeedsAndStopsWithACrashShutdown() {
        assertEquals("HVM Loader\n", print("HVM Loader\n"));
        // xs_introduce_domain() preceded the first instruction: oxenstored's Xb.open_mmap wrote
        // server_features, which xenbus_shutdown() tests before resetting the ring.
        assertEquals(1, ram.u32(STORE + 2064), "XENSTORE_SERVER_FEATURE_RECONNECTION");

        // Step 5, init_hypercalls(): the Xen leaves at 0x40000000, one hypercall page at MSR 0x40000000.
        long[] leaf0 = serve(new CpuidQuery(0, 0x40000000, 0)).returns();
        byte[] sig = new byte[12];
        for (int i = 0; i < 3; i++) {
            for (int b = 0; b < 4; b++) {
                sig[i * 4 + b] = (byte) (leaf0[1 + i] >>> (8 * b));
            }
        }
        assertEquals("XenVMMXenVMM", new String(sig, StandardCharsets.ISO_8859_1));
        assertTrue(leaf0[0] - 0x40000000L >= 2, "BUG_ON(eax - base < 2)");
        long[] leaf2 = serve(new CpuidQuery(0, 0x40000002, 0)).returns();
        assertEquals(1, leaf2[0]);
        assertEquals(0x40000000L, leaf2[1]);
        Observation msr = serve(new MsrWrite(0, 0x40000000, PAGE, CpuMode.PROTECTED32));
        assertEquals(Fault.NONE, msr.fault(), "no #GP: hvmloader has no IDT");
        assertArrayEquals(new byte[] {(byte) 0xB8, 29, 0, 0, 0, 0x0F, 0x01, (byte) 0xC1, (byte) 0xC3},
                ram.get(PAGE + 29 * 32, 9), "stub 29: mov $29,%eax; vmcall; ret");
        assertEquals(0x40011L, serve(new CpuidQuery(0, 0x40000001, 0)).returns()[0]);
        assertEquals(0, rc(hypercall(17, 1, BUF)));
        assertEquals(".7", new String(ram.get(BUF, 2), StandardCharsets.ISO_8859_1));
        assertEquals(0, ram.get(BUF + 2, 1)[0]);

        // Step 6, memory_map_setup(): at least one entry and nothing reserved in [0xFC100000, 0xFE000000).
        ram.put(ARG, new XenMemoryMap(128, BUF, 0).encode(Abi.XEN32));
        assertEquals(0, rc(hypercall(12, 9, ARG)));
        int n = XenMemoryMap.decode(ram.get(ARG, 8), Abi.XEN32).nrEntries();
        assertEquals(1, n);
        E820Entry ram0 = E820Entry.decode(ram.get(BUF, 20), 0);
        // libxl_x86.c domain_construct_memmap(): an HVM domain's RAM starts at GUEST_LOW_MEM_START_DEFAULT.
        assertEquals(new E820Entry(0x100000, MEMORY - 0x100000, 1), ram0);

        // Step 7, xenbus_setup(): the store ring and its port.
        ram.put(ARG, new XenHvmParam(0x7FF0, 0, 1, 0).encode(Abi.XEN32));
        assertEquals(0, rc(hypercall(34, 1, ARG)));
        assertEquals(0xFEFFCL, XenHvmParam.decode(ram.get(ARG, 16), Abi.XEN32).value());
        ram.put(ARG, new XenHvmParam(0x7FF0, 0, 2, 0).encode(Abi.XEN32));
        assertEquals(0, rc(hypercall(34, 1, ARG)));
        assertEquals(1L, XenHvmParam.decode(ram.get(ARG, 16), Abi.XEN32).value());

        // Step 8, detect_bios(): "seabios", answered inside the send; absent keys are XS_ERROR ENOENT.
        assertArrayEquals(new String[] {"2", "seabios"}, xenstoreRead("hvmloader/bios"));
        assertArrayEquals(new String[] {"2", "0"}, xenstoreRead("hvmloader/allow-memory-relocate"));
        assertArrayEquals(new String[] {"16", "ENOENT\0"}, xenstoreRead("platform/mmio_hole_size"));

        // Step 10, get_cpu_mhz(): shared_info at mem_hole_alloc(1) = 0xFDFFF, with a sane clock.
        ram.put(ARG, new XenAddToPhysmap(0x7FF0, 0, 0, 0, 0xFDFFF).encode(Abi.XEN32));
        assertEquals(0, rc(hypercall(12, 7, ARG)));
        assertEquals(java.util.Set.of(0xFDFFF000L), xen.ownedPages());
        long time = 0xFDFFF000L + SharedInfo.TIME;
        int version = ram.u32(time);
        long mul = ram.u32(time + 24) & 0xFFFF_FFFFL;
        int shift = ram.get(time + 28, 1)[0];
        assertEquals(0, version & 1, "an even version: no update in progress");
        assertTrue(mul != 0, "mul 0 is a #DE in hvmloader");
        long khz = Long.divideUnsigned(1_000_000L << 32, mul);
        khz = shift < 0 ? khz << -shift : khz >>> shift;
        assertEquals(2596, (khz + 500) / 1000, "hvmloader prints \"CPU speed is 2596 MHz\"");
        // The store port's pending bit, in the 32-bit layout hvmloader latched (bit 1 of word 0).
        assertEquals(0b10, ram.get(0xFDFFF000L + SharedInfo.EVTCHN_PENDING, 1)[0] & 0b10);
        // ring_wait()'s test_and_clear_bit() happens in guest memory; the recorder serves it as a GuestWrite.
        ram.put(0xFDFFF000L + SharedInfo.EVTCHN_PENDING, new byte[] {0});
        serve(new GuestWrite(0, new MemChunk(0xFDFFF000L + SharedInfo.EVTCHN_PENDING, new byte[] {0})));
        assertTrue(!xen.domain().sharedInfo().testPending(1));

        // Step 11, apic_setup(): IOAPIC version through the window, its ID, ExtINT on pin 0; LAPIC SPIV, LVT0/1.
        serve(new MmioWrite(0, 0xFEC00000L, 4, 0x01));
        assertEquals(0x002F0011L, serve(new MmioRead(0, 0xFEC00010L, 4)).result());
        // ioapic_write(0x00, IOAPIC_ID): config.h IOAPIC_ID is 0x01, the value itself, so bits 27:24
        // (vioapic_write_indirect(): union IO_APIC_reg_02 .arbitration) are 0: the id stays 0.
        serve(new MmioWrite(0, 0xFEC00000L, 4, 0x00));
        serve(new MmioWrite(0, 0xFEC00010L, 4, 0x01));
        assertEquals(0L, serve(new MmioRead(0, 0xFEC00010L, 4)).result());
        assertEquals(0, xen.domain().vioapic().id());
        serve(new MmioWrite(0, 0xFEC00000L, 4, 0x10));
        serve(new MmioWrite(0, 0xFEC00010L, 4, 0x700));
        assertEquals(0x700, serve(new MmioRead(0, 0xFEC00010L, 4)).result());
        serve(new MmioWrite(0, 0xFEE000F0L, 4, 0x1FF));
        serve(new MmioWrite(0, 0xFEE00350L, 4, 0x10700));
        serve(new MmioWrite(0, 0xFEE00360L, 4, 0x400));
        assertEquals(0x1FFL, serve(new MmioRead(0, 0xFEE000F0L, 4)).result());

        // Step 16, create_smbios_tables(): the domain handle, the version, the extraversion.
        assertEquals(0, rc(hypercall(17, 8, BUF)));
        assertArrayEquals(new byte[16], ram.get(BUF, 16), "the nil UUID");
        assertEquals(0x40011, rc(hypercall(17, 0, 0)));

        // Step 17: no BIOS module → BUG() → crash() → SCHEDOP_shutdown(SHUTDOWN_crash).
        assertEquals("*** HVMLoader bug at hvmloader.c:388\n", print("*** HVMLoader bug at hvmloader.c:388\n"));
        ram.putU32(ARG, 3);
        Observation shutdown = hypercall(29, 2, ARG);
        assertEquals(0, shutdown.returns().length, "SCHEDOP_shutdown never returns");
        assertEquals(3, shutdown.shutdown());
        assertEquals(VcpuState.Run.DOWN, shutdown.vcpu().run());
    }

    @Test
    void theWholeSequenceReplaysToTheSameObservationsOnAFreshModel() {
        // Determinism (design.md): the same requests on the same memory give the same answers.
        Observation a = firstSend(new HvmloaderSequenceTest());
        Observation b = firstSend(new HvmloaderSequenceTest());
        assertEquals(a, b);
        assertTrue(Arrays.stream(new int[] {1}).allMatch(p -> a.eventsPending().contains(p)));
    }

    private static Observation firstSend(HvmloaderSequenceTest t) {
        t.serve(new MsrWrite(0, 0x40000000, PAGE, CpuMode.PROTECTED32));
        byte[] p = "hvmloader/bios\0".getBytes(StandardCharsets.ISO_8859_1);
        byte[] msg = new byte[16 + p.length];
        msg[0] = 2;
        msg[12] = (byte) p.length;
        System.arraycopy(p, 0, msg, 16, p.length);
        t.ram.put(STORE, msg);
        t.ram.putU32(STORE + 2052, msg.length);
        t.ram.putU32(ARG, 1);
        return t.hypercall(32, 4, ARG);
    }
}
