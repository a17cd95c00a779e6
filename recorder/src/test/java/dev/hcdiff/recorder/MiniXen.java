package dev.hcdiff.recorder;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.VcpuState;

import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A throwaway backend for the recorder's mechanics tests (not a Xen model: the Xen answers are
 * XenBackend's job and the hello test uses it). It owns CPUID 0x40000000..2 with Xen's signature,
 * writes Xen's stub layout for the MSR (xen-abi.md §1.2), echoes 0xE9 bytes to the console,
 * answers every hypercall with {@link #RESULT} except sched_op(SCHEDOP_shutdown) (→ shutdown with
 * the reason the guest passed) and memory_op(XENMEM_add_to_physmap) (→ it owns the page at the
 * gpfn given and writes {@link #OWNED_MARKER} at its start); for the blocking tests xen_version
 * can block the vCPU ({@link Mode}). MMIO: {@link #LAPIC_VERSION} reads {@link #LAPIC_VERSION_VALUE},
 * everything else reads all ones. Guest writes to the owned page are kept in {@link #guestWrites}.
 */
final class MiniXen implements Backend {

    static final long RESULT = 0x40011;
    private static final int MSR = 0x40000000;
    /** How xen_version calls are answered, for the blocking tests. */
    enum Mode {
        /** Return {@link #RESULT}. */
        ANSWER,
        /** Block the vCPU with no deadline (like SCHEDOP_block with interrupts off). */
        BLOCK_FOREVER,
        /** Block the vCPU until {@link #BLOCK_NS} after the call. */
        BLOCK_ONE_SECOND
    }

    static final long BLOCK_NS = 1_000_000_000L;
    /** The local APIC version register (Intel SDM vol. 3 table 11-1) and what this backend answers. */
    static final long LAPIC_VERSION = 0xFEE00030L;
    static final long LAPIC_VERSION_VALUE = 0x50014;
    /** What add_to_physmap puts at the start of the page it then owns. */
    static final byte[] OWNED_MARKER = "MINIXEN!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Guest writes served, in order. */
    final List<dev.hcdiff.trace.record.MemChunk> guestWrites = new java.util.ArrayList<>();
    private long owned = -1;
    private final boolean amd;
    private final Mode mode;

    MiniXen(boolean amd) {
        this(amd, Mode.ANSWER);
    }

    MiniXen(boolean amd, Mode mode) {
        this.amd = amd;
        this.mode = mode;
    }

    @Override
    public String name() {
        return "mini-xen";
    }

    @Override
    public SortedMap<String, String> configuration() {
        TreeMap<String, String> m = new TreeMap<>();
        m.put("mini-xen.vendor", amd ? "amd" : "intel");
        return m;
    }

    @Override
    public Observation serve(GuestRequest request, GuestMemory memory, long nowNs) {
        return switch (request) {
            case CpuidQuery q -> cpuid(q);
            case MsrWrite w when w.index() == MSR -> page(w, memory);
            case MsrWrite w -> Observation.builder().fault(Fault.GP).build();
            case MsrRead r -> Observation.builder().fault(Fault.GP).build();
            case PortWrite p when p.port() == 0xe9 -> Observation.builder().console(new byte[] {(byte) p.value()}).build();
            case PortWrite p -> Observation.builder().build();
            case PortRead p -> Observation.builder().returns(0xffL >>> (8 - 8 * Math.min(p.size(), 1))).build();
            case Hypercall h -> hypercall(h, memory, nowNs);
            case MmioRead m when m.gpa() == LAPIC_VERSION -> Observation.builder().returns(LAPIC_VERSION_VALUE).build();
            case MmioRead m -> Observation.builder().returns(-1L).build();
            case MmioWrite m -> Observation.builder().build();
            case GuestWrite g -> {
                guestWrites.add(g.chunk());
                yield Observation.builder().build();
            }
        };
    }

    private static Observation cpuid(CpuidQuery q) {
        return switch (q.leaf()) {
            case 0x40000000 -> Observation.builder().returns(0x40000002L, 0x566e6558L, 0x65584d4dL, 0x4d4d566eL).build();
            case 0x40000001 -> Observation.builder().returns(RESULT, 0, 0, 0).build();
            case 0x40000002 -> Observation.builder().returns(1, MSR, 0, 0).build();
            default -> Observation.builder().returns(0, 0, 0, 0).build();
        };
    }

    private Observation page(MsrWrite w, GuestMemory memory) {
        byte[] p = new byte[4096];
        Arrays.fill(p, (byte) 0xCC);
        for (int i = 0; i < 128; i++) {
            int o = i * 32;
            p[o] = (byte) 0xB8;
            p[o + 1] = (byte) i; // mov $i,%eax: imm32 little-endian, i < 128
            p[o + 2] = 0;
            p[o + 3] = 0;
            p[o + 4] = 0;
            p[o + 5] = 0x0F;
            p[o + 6] = 0x01;
            p[o + 7] = amd ? (byte) 0xD9 : (byte) 0xC1;
            p[o + 8] = (byte) 0xC3;
        }
        try {
            memory.writePhysical(w.value() & ~0xFFFL, p);
        } catch (GuestFault e) {
            return Observation.builder().fault(Fault.GP).build();
        }
        return Observation.builder().build();
    }

    @Override
    public java.util.SortedSet<Long> ownedPages() {
        return owned < 0 ? java.util.Collections.emptySortedSet() : new java.util.TreeSet<>(List.of(owned));
    }

    private Observation hypercall(Hypercall h, GuestMemory memory, long nowNs) {
        if (h.call() == 12 && h.arg(0) == 7) { // memory_op(XENMEM_add_to_physmap, &xatp)
            try {
                // xen_add_to_physmap: gpfn @12 (32-bit, 4 bytes) or @16 (64-bit, 8 bytes); memory.h.
                boolean is32 = h.abi() == dev.hcdiff.trace.record.Abi.XEN32;
                byte[] x = memory.readLinear(h.arg(1), is32 ? 16 : 24);
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(x).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                long gpfn = is32 ? Integer.toUnsignedLong(b.getInt(12)) : b.getLong(16);
                memory.writePhysical(gpfn << 12, OWNED_MARKER);
                owned = gpfn << 12;
                return Observation.builder().returns(0).build();
            } catch (GuestFault e) {
                return Observation.builder().returns(-14).build();
            }
        }
        if (h.call() == 29 && h.arg(0) == 2) { // sched_op(SCHEDOP_shutdown, &reason)
            try {
                byte[] r = memory.readLinear(h.arg(1), 4);
                return Observation.builder().returns(0).shutdown(r[0]).build();
            } catch (GuestFault e) {
                return Observation.builder().returns(-14).build();
            }
        }
        if (h.call() == 17 && mode == Mode.BLOCK_FOREVER) {
            return Observation.builder().returns(0).vcpu(new VcpuState(VcpuState.Run.BLOCKED, -1, List.of())).build();
        }
        if (h.call() == 17 && mode == Mode.BLOCK_ONE_SECOND) {
            return Observation.builder().returns(RESULT)
                    .vcpu(new VcpuState(VcpuState.Run.BLOCKED, nowNs + BLOCK_NS, List.of())).build();
        }
        return Observation.builder().returns(RESULT).build();
    }
}
