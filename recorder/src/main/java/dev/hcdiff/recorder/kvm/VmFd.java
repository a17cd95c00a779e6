package dev.hcdiff.recorder.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A KVM VM fd: one method per VM ioctl the recorder uses (style.md §1.1). Close its vCPUs first,
 * then the VM, then the guest RAM (style.md §4.4).
 */
public final class VmFd implements AutoCloseable {

    /** {@code KVM_MSR_EXIT_REASON_INVAL} ({@code <linux/kvm.h>}): exit on an MSR access KVM would #GP. */
    public static final long MSR_EXIT_REASON_INVAL = 1L;
    /** {@code KVM_MSR_EXIT_REASON_UNKNOWN} ({@code <linux/kvm.h>}): exit on an MSR KVM does not know. */
    public static final long MSR_EXIT_REASON_UNKNOWN = 1L << 1;

    private final Kvm kvm;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Sys.newErrnoSlot(arena);
    private boolean closed;

    VmFd(Kvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    public Kvm kvm() {
        return kvm;
    }

    /** KVM_SET_USER_MEMORY_REGION: maps {@code size} bytes at host {@code hostAddress} to guest-physical {@code gpa}. */
    public void setUserMemoryRegion(int slot, long gpa, long size, long hostAddress) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment region = KvmUserspaceMemoryRegion.of(scratch, slot, gpa, size, hostAddress);
            if (Sys.ioctl(errno, fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, region) < 0) {
                throw new KvmException(KvmOp.SET_USER_MEMORY_REGION, Sys.errno(errno));
            }
        }
    }

    /** KVM_SET_TSS_ADDR: three pages of guest-physical space KVM may use on Intel hosts. */
    public void setTssAddr(long gpa) {
        if (Sys.ioctl(errno, fd, KvmIoctls.KVM_SET_TSS_ADDR, gpa) < 0) {
            throw new KvmException(KvmOp.SET_TSS_ADDR, Sys.errno(errno));
        }
    }

    /** KVM_ENABLE_CAP on the VM with {@code args[0] = arg0}. */
    public void enableCap(KvmCap cap, long arg0) {
        try (Arena scratch = Arena.ofConfined()) {
            if (Sys.ioctl(errno, fd, KvmIoctls.KVM_ENABLE_CAP, KvmEnableCap.of(scratch, cap.number(), arg0)) < 0) {
                throw new KvmException(KvmOp.ENABLE_CAP, Sys.errno(errno));
            }
        }
    }

    /** KVM_CREATE_VCPU and the mmap of its kvm_run. */
    public VcpuFd createVcpu(int id) {
        int vcpu = Sys.ioctl(errno, fd, KvmIoctls.KVM_CREATE_VCPU, id);
        if (vcpu < 0) {
            throw new KvmException(KvmOp.CREATE_VCPU, Sys.errno(errno));
        }
        int runSize = kvm.vcpuMmapSize();
        long addr = Sys.mmap(errno, runSize, Sys.PROT_READ_WRITE, Sys.MAP_SHARED, vcpu, 0);
        if (addr == Sys.MAP_FAILED) {
            int e = Sys.errno(errno);
            Sys.close(errno, vcpu);
            throw new KvmException(KvmOp.MMAP_VCPU, e);
        }
        return new VcpuFd(id, vcpu, addr, runSize);
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
