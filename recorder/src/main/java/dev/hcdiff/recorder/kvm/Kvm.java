package dev.hcdiff.recorder.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The {@code /dev/kvm} system fd (style.md §1.1): {@link #open} checks the API version and every
 * required capability before anything else, and says which one is missing.
 *
 * <p>Not thread-safe: use from the thread that opened it.
 */
public final class Kvm implements AutoCloseable {

    /** The KVM device node. */
    public static final String DEV_KVM = "/dev/kvm";
    /** {@code KVM_API_VERSION} ({@code <linux/kvm.h>}): the only stable API version there is. */
    public static final int API_VERSION = 12;
    /** Entries asked of KVM_GET_SUPPORTED_CPUID first; doubled on E2BIG. */
    private static final int CPUID_CAPACITY = 256;

    private final Arena arena;
    private final MemorySegment errno;
    private final int fd;
    private boolean closed;

    private Kvm(Arena arena, MemorySegment errno, int fd) {
        this.arena = arena;
        this.errno = errno;
        this.fd = fd;
    }

    /** Opens /dev/kvm and checks the API version and {@code required}. */
    public static Kvm open(Set<KvmCap> required) {
        return open(DEV_KVM, required);
    }

    /**
     * Opens a KVM device node.
     *
     * @throws KvmUnavailable when the node is missing, not accessible, of another API version, or
     *                        lacks a required capability
     */
    public static Kvm open(String devicePath, Set<KvmCap> required) {
        if (!Files.exists(Path.of(devicePath))) {
            throw new KvmUnavailable(devicePath + " does not exist: this host has no KVM; run on a Linux host "
                    + "with virtualization enabled and the kvm module loaded");
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment errno = Sys.newErrnoSlot(arena);
            int fd = Sys.open(errno, arena.allocateFrom(devicePath), Sys.O_RDWR | Sys.O_CLOEXEC);
            if (fd < 0) {
                int e = Sys.errno(errno);
                String hint = e == Errno.EACCES || e == Errno.EPERM
                        ? "run as root or add the user to the group that owns " + devicePath + " (usually 'kvm')"
                        : "check that the kvm module is loaded";
                throw new KvmUnavailable("cannot open " + devicePath + ": " + Errno.describe(e) + ": " + hint);
            }
            Kvm kvm = new Kvm(arena, errno, fd);
            try {
                int version = Sys.ioctl(errno, fd, KvmIoctls.KVM_GET_API_VERSION, 0L);
                if (version < 0) {
                    throw new KvmUnavailable("KVM_GET_API_VERSION on " + devicePath + " failed: "
                            + Errno.describe(Sys.errno(errno)) + ": it is not a KVM device");
                }
                if (version != API_VERSION) {
                    throw new KvmUnavailable(devicePath + " speaks KVM API version " + version + ", the recorder needs "
                            + API_VERSION + ": use a mainline Linux KVM");
                }
                checkCapabilities(required, kvm::checkExtension);
                return kvm;
            } catch (RuntimeException ex) {
                kvm.close();
                throw ex;
            }
        } catch (RuntimeException ex) {
            if (arena.scope().isAlive()) {
                arena.close();
            }
            throw ex;
        }
    }

    /**
     * Checks each required capability with {@code probe} (KVM_CHECK_EXTENSION), in enum order.
     *
     * @throws KvmUnavailable naming the first missing capability, its number, what it is for and
     *                        the value KVM reported
     */
    public static void checkCapabilities(Set<KvmCap> required, ToIntFunction<KvmCap> probe) {
        for (KvmCap cap : KvmCap.values()) {
            if (!required.contains(cap)) {
                continue;
            }
            int value = probe.applyAsInt(cap);
            if (!cap.satisfiedBy(value)) {
                throw new KvmUnavailable("KVM capability " + cap.capName() + " (" + cap.number() + ") is missing"
                        + (cap.requiredMask() == 1 ? "" : " or incomplete (reported 0x" + Integer.toHexString(value)
                        + ", need bits 0x" + Integer.toHexString(cap.requiredMask()) + ")")
                        + ": the recorder needs it for " + cap.purpose() + "; use a newer Linux kernel (5.10 or later)");
            }
        }
    }

    /** KVM_CHECK_EXTENSION: 0 when absent, else a capability-specific positive value. */
    public int checkExtension(KvmCap cap) {
        int r = Sys.ioctl(errno, fd, KvmIoctls.KVM_CHECK_EXTENSION, cap.number());
        if (r < 0) {
            throw new KvmException(KvmOp.CHECK_EXTENSION, Sys.errno(errno));
        }
        return r;
    }

    /** Every capability the recorder knows, with KVM's answer, for the journal header. */
    public Map<KvmCap, Integer> capabilities() {
        Map<KvmCap, Integer> m = new EnumMap<>(KvmCap.class);
        for (KvmCap c : KvmCap.values()) {
            m.put(c, checkExtension(c));
        }
        return m;
    }

    /** KVM_GET_VCPU_MMAP_SIZE: the size of each vCPU's kvm_run mapping. */
    public int vcpuMmapSize() {
        int r = Sys.ioctl(errno, fd, KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0L);
        if (r < 0) {
            throw new KvmException(KvmOp.GET_VCPU_MMAP_SIZE, Sys.errno(errno));
        }
        return r;
    }

    /** KVM_GET_SUPPORTED_CPUID: the CPUID table KVM can offer a guest on this host. */
    public List<KvmCpuid2.Entry> supportedCpuid() {
        int capacity = CPUID_CAPACITY;
        try (Arena scratch = Arena.ofConfined()) {
            while (true) {
                MemorySegment table = KvmCpuid2.allocate(scratch, capacity);
                if (Sys.ioctl(errno, fd, KvmIoctls.KVM_GET_SUPPORTED_CPUID, table) == 0) {
                    List<KvmCpuid2.Entry> out = new ArrayList<>();
                    for (int i = 0; i < KvmCpuid2.nent(table); i++) {
                        out.add(KvmCpuid2.entry(table, i));
                    }
                    return out;
                }
                int e = Sys.errno(errno);
                if (e != Errno.E2BIG || capacity >= 1 << 16) {
                    throw new KvmException(KvmOp.GET_SUPPORTED_CPUID, e);
                }
                capacity *= 2;
            }
        }
    }

    /** KVM_CREATE_VM with the default machine type. */
    public VmFd createVm() {
        int vm = Sys.ioctl(errno, fd, KvmIoctls.KVM_CREATE_VM, 0L);
        if (vm < 0) {
            throw new KvmException(KvmOp.CREATE_VM, Sys.errno(errno));
        }
        return new VmFd(this, vm);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Sys.close(errno, fd);
        arena.close();
    }
}
