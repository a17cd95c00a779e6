package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.kvm.KvmException;
import dev.hcdiff.recorder.kvm.KvmOp;
import dev.hcdiff.recorder.kvm.Sys;
import dev.hcdiff.recorder.kvm.VmFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The guest's RAM: one or more regions of guest-physical space, each one anonymous mapping and
 * one KVM memory slot (slot i for region i, in ascending address order). Low RAM starts at
 * guest-physical 0; a firmware or PVH boot adds the high regions of {@code guest.HvmLayout}.
 * Everything else below 4 GiB is the MMIO hole.
 *
 * <p>Every access is bounds-checked with {@link Math#addExact} and must lie inside one region;
 * anything else throws {@link GuestFault}, so no guest-controlled address ever reaches host memory
 * outside a mapping (style.md §1.4). Regions never touch, so an access cannot straddle two.
 *
 * <p>Lives as long as the VM; close it after the VM (style.md §4.4).
 */
public final class GuestRam implements AutoCloseable {

    /** Low RAM is handed out in 2 MiB units, the page size of LongModeBoot's identity map. */
    public static final long GRANULE = 2L << 20;
    /** x86 page size: high regions are whole pages (Intel SDM vol. 3 §4.3). */
    public static final long PAGE = 4096;

    /**
     * A range of guest-physical RAM: {@code [gpa, gpa+size)}.
     *
     * @param gpa  first byte, page-aligned
     * @param size bytes, a positive multiple of {@link #PAGE}
     */
    public record Region(long gpa, long size) {

        /** @throws IllegalArgumentException for an unaligned, empty or overflowing range */
        public Region {
            if (gpa < 0 || size <= 0 || gpa % PAGE != 0 || size % PAGE != 0) {
                throw new IllegalArgumentException("a RAM region must be whole 4 KiB pages at a non-negative address, got 0x"
                        + Long.toHexString(gpa) + "+0x" + Long.toHexString(size));
            }
            if (gpa + size < gpa) {
                throw new IllegalArgumentException("RAM region 0x" + Long.toHexString(gpa) + "+0x"
                        + Long.toHexString(size) + " runs past the end of the address space");
            }
        }

        /** One past the last byte. */
        public long end() {
            return gpa + size;
        }

        /** {@code [0x0, 0x4000000)} form, end exclusive. */
        @Override
        public String toString() {
            return "[0x" + Long.toHexString(gpa) + ", 0x" + Long.toHexString(end()) + ")";
        }
    }

    /** One mapping: where it sits in the guest and in this process. */
    private record Mapping(Region region, long hostAddress, MemorySegment bytes) {
    }

    private final Arena arena;
    private final Mapping[] mappings;
    private final String describe;
    private boolean closed;

    private GuestRam(Arena arena, Mapping[] mappings) {
        this.arena = arena;
        this.mappings = mappings;
        StringJoiner j = new StringJoiner(" ");
        for (Mapping m : mappings) {
            j.add(m.region().gpa() == 0 ? "[0, 0x" + Long.toHexString(m.region().end()) + ")" : m.region().toString());
        }
        this.describe = j.toString();
    }

    /**
     * One region of {@code size} bytes at guest-physical 0.
     *
     * @throws IllegalArgumentException when size is not a positive multiple of {@link #GRANULE}
     */
    public static GuestRam allocate(long size) {
        if (size <= 0 || size % GRANULE != 0) {
            throw new IllegalArgumentException("guest memory must be a positive multiple of 2 MiB, got " + size + " bytes");
        }
        return allocate(List.of(new Region(0, size)));
    }

    /**
     * Maps zeroed anonymous memory for each region (MAP_NORESERVE: pages are taken when the guest
     * touches them).
     *
     * @throws IllegalArgumentException when regions overlap or touch, or the list is empty
     */
    @SuppressWarnings("restricted") // sizing each raw mmap address to exactly its mapping
    public static GuestRam allocate(List<Region> regions) {
        List<Region> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(Region::gpa));
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("guest RAM needs at least one region");
        }
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).gpa() <= sorted.get(i - 1).end()) {
                throw new IllegalArgumentException("RAM regions " + sorted.get(i - 1) + " and " + sorted.get(i)
                        + " overlap or touch");
            }
        }
        Arena arena = Arena.ofShared();
        MemorySegment errno = Sys.newErrnoSlot(arena);
        Mapping[] mappings = new Mapping[sorted.size()];
        for (int i = 0; i < mappings.length; i++) {
            Region r = sorted.get(i);
            long addr = Sys.mmap(errno, r.size(), Sys.PROT_READ_WRITE,
                    Sys.MAP_PRIVATE | Sys.MAP_ANONYMOUS | Sys.MAP_NORESERVE, -1, 0);
            if (addr == Sys.MAP_FAILED) {
                int e = Sys.errno(errno);
                for (int j = 0; j < i; j++) {
                    Sys.munmap(errno, mappings[j].hostAddress(), mappings[j].region().size());
                }
                arena.close();
                throw new KvmException(KvmOp.MMAP_RAM, e);
            }
            mappings[i] = new Mapping(r, addr, MemorySegment.ofAddress(addr).reinterpret(r.size(), arena, null));
        }
        return new GuestRam(arena, mappings);
    }

    /** Registers region i as KVM memory slot i. */
    public void registerWith(VmFd vm) {
        for (int i = 0; i < mappings.length; i++) {
            Mapping m = mappings[i];
            vm.setUserMemoryRegion(i, m.region().gpa(), m.region().size(), m.hostAddress());
        }
    }

    /** The regions, ascending. */
    public List<Region> regions() {
        List<Region> out = new ArrayList<>(mappings.length);
        for (Mapping m : mappings) {
            out.add(m.region());
        }
        return List.copyOf(out);
    }

    /** The end of low RAM (the region at guest-physical 0), or 0 when there is none. */
    public long lowRamEnd() {
        Mapping first = mappings[0];
        return first.region().gpa() == 0 ? first.region().end() : 0;
    }

    /** True when {@code [gpa, gpa+len)} lies inside one region (no overflow). */
    public boolean contains(long gpa, long len) {
        return find(gpa, len) != null;
    }

    /** True when any byte of {@code [gpa, gpa+len)} is RAM. */
    public boolean overlaps(long gpa, long len) {
        if (gpa < 0 || len <= 0) {
            return false;
        }
        long end = gpa + len < gpa ? Long.MAX_VALUE : gpa + len;
        for (Mapping m : mappings) {
            if (gpa < m.region().end() && m.region().gpa() < end) {
                return true;
            }
        }
        return false;
    }

    private Mapping find(long gpa, long len) {
        if (gpa < 0 || len < 0) {
            return null;
        }
        long end;
        try {
            end = Math.addExact(gpa, len);
        } catch (ArithmeticException overflow) {
            return null;
        }
        for (Mapping m : mappings) {
            if (gpa >= m.region().gpa() && end <= m.region().end()) {
                return m;
            }
        }
        return null;
    }

    private Mapping check(long gpa, long len) throws GuestFault {
        Mapping m = find(gpa, len);
        if (m == null) {
            throw new GuestFault(gpa, (int) Math.min(len, Integer.MAX_VALUE), "outside guest RAM " + describe);
        }
        return m;
    }

    public byte[] read(long gpa, int len) throws GuestFault {
        Mapping m = check(gpa, len);
        byte[] out = new byte[len];
        MemorySegment.copy(m.bytes(), JAVA_BYTE, gpa - m.region().gpa(), out, 0, len);
        return out;
    }

    public void read(long gpa, byte[] dst, int off, int len) throws GuestFault {
        Mapping m = check(gpa, len);
        MemorySegment.copy(m.bytes(), JAVA_BYTE, gpa - m.region().gpa(), dst, off, len);
    }

    public void write(long gpa, byte[] data) throws GuestFault {
        write(gpa, data, 0, data.length);
    }

    public void write(long gpa, byte[] data, int off, int len) throws GuestFault {
        Mapping m = check(gpa, len);
        MemorySegment.copy(data, off, m.bytes(), JAVA_BYTE, gpa - m.region().gpa(), len);
    }

    /** A little-endian 64-bit value (page-table entries). */
    public long readLong(long gpa) throws GuestFault {
        Mapping m = check(gpa, Long.BYTES);
        return m.bytes().get(JAVA_LONG_UNALIGNED, gpa - m.region().gpa());
    }

    public void writeLong(long gpa, long value) throws GuestFault {
        Mapping m = check(gpa, Long.BYTES);
        m.bytes().set(JAVA_LONG_UNALIGNED, gpa - m.region().gpa(), value);
    }

    /** A little-endian 32-bit value, zero-extended. */
    public long readInt(long gpa) throws GuestFault {
        Mapping m = check(gpa, Integer.BYTES);
        return Integer.toUnsignedLong(m.bytes().get(JAVA_INT_UNALIGNED, gpa - m.region().gpa()));
    }

    /** Sets {@code [gpa, gpa+len)} to {@code value}. */
    public void fill(long gpa, long len, byte value) throws GuestFault {
        Mapping m = check(gpa, len);
        m.bytes().asSlice(gpa - m.region().gpa(), len).fill(value);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        MemorySegment errno = Sys.newErrnoSlot(arena);
        for (Mapping m : mappings) {
            Sys.munmap(errno, m.hostAddress(), m.region().size());
        }
        arena.close();
    }
}
