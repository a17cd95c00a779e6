package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.kvm.KvmException;
import dev.hcdiff.recorder.kvm.KvmOp;
import dev.hcdiff.recorder.kvm.Sys;
import dev.hcdiff.recorder.kvm.VmFd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The guest's RAM: one anonymous mapping of {@code size} bytes that KVM sees at guest-physical
 * 0 (one memory slot). Every access is bounds-checked with {@link Math#addExact} and throws
 * {@link GuestFault} outside {@code [0, size)}, so no guest-controlled address ever reaches host
 * memory outside the mapping (style.md §1.4).
 *
 * <p>Lives as long as the VM; close it after the VM (style.md §4.4).
 */
public final class GuestRam implements AutoCloseable {

    /** Guest RAM is handed out in 2 MiB units, the page size of LongModeBoot's identity map. */
    public static final long GRANULE = 2L << 20;

    private final Arena arena;
    private final long hostAddress;
    private final long size;
    private final MemorySegment bytes;
    private boolean closed;

    @SuppressWarnings("restricted") // sizing the raw mmap address to exactly the mapping
    private GuestRam(Arena arena, long hostAddress, long size) {
        this.arena = arena;
        this.hostAddress = hostAddress;
        this.size = size;
        this.bytes = MemorySegment.ofAddress(hostAddress).reinterpret(size, arena, null);
    }

    /**
     * Maps {@code size} bytes of zeroed anonymous memory (MAP_NORESERVE: pages are taken when the
     * guest touches them).
     *
     * @throws IllegalArgumentException when size is not a positive multiple of {@link #GRANULE}
     */
    public static GuestRam allocate(long size) {
        if (size <= 0 || size % GRANULE != 0) {
            throw new IllegalArgumentException("guest memory must be a positive multiple of 2 MiB, got " + size + " bytes");
        }
        Arena arena = Arena.ofShared();
        MemorySegment errno = Sys.newErrnoSlot(arena);
        long addr = Sys.mmap(errno, size, Sys.PROT_READ_WRITE,
                Sys.MAP_PRIVATE | Sys.MAP_ANONYMOUS | Sys.MAP_NORESERVE, -1, 0);
        if (addr == Sys.MAP_FAILED) {
            int e = Sys.errno(errno);
            arena.close();
            throw new KvmException(KvmOp.MMAP_RAM, e);
        }
        return new GuestRam(arena, addr, size);
    }

    /** Registers the mapping as KVM memory slot {@code slot} at guest-physical 0. */
    public void registerWith(VmFd vm, int slot) {
        vm.setUserMemoryRegion(slot, 0, size, hostAddress);
    }

    public long size() {
        return size;
    }

    /** True when {@code [gpa, gpa+len)} lies inside RAM (no overflow). */
    public boolean contains(long gpa, long len) {
        if (gpa < 0 || len < 0) {
            return false;
        }
        try {
            return Math.addExact(gpa, len) <= size;
        } catch (ArithmeticException overflow) {
            return false;
        }
    }

    private void check(long gpa, long len) throws GuestFault {
        if (!contains(gpa, len)) {
            throw new GuestFault(gpa, (int) Math.min(len, Integer.MAX_VALUE),
                    "outside guest RAM [0, 0x" + Long.toHexString(size) + ")");
        }
    }

    public byte[] read(long gpa, int len) throws GuestFault {
        check(gpa, len);
        byte[] out = new byte[len];
        MemorySegment.copy(bytes, JAVA_BYTE, gpa, out, 0, len);
        return out;
    }

    public void read(long gpa, byte[] dst, int off, int len) throws GuestFault {
        check(gpa, len);
        MemorySegment.copy(bytes, JAVA_BYTE, gpa, dst, off, len);
    }

    public void write(long gpa, byte[] data) throws GuestFault {
        write(gpa, data, 0, data.length);
    }

    public void write(long gpa, byte[] data, int off, int len) throws GuestFault {
        check(gpa, len);
        MemorySegment.copy(data, off, bytes, JAVA_BYTE, gpa, len);
    }

    /** A little-endian 64-bit value (page-table entries). */
    public long readLong(long gpa) throws GuestFault {
        check(gpa, Long.BYTES);
        return bytes.get(JAVA_LONG_UNALIGNED, gpa);
    }

    public void writeLong(long gpa, long value) throws GuestFault {
        check(gpa, Long.BYTES);
        bytes.set(JAVA_LONG_UNALIGNED, gpa, value);
    }

    /** A little-endian 32-bit value, zero-extended. */
    public long readInt(long gpa) throws GuestFault {
        check(gpa, Integer.BYTES);
        return Integer.toUnsignedLong(bytes.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, gpa));
    }

    /** Zeroes {@code [gpa, gpa+len)}. */
    public void fill(long gpa, long len, byte value) throws GuestFault {
        check(gpa, len);
        bytes.asSlice(gpa, len).fill(value);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        MemorySegment errno = Sys.newErrnoSlot(arena);
        Sys.munmap(errno, hostAddress, size);
        arena.close();
    }
}
