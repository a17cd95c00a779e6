package dev.hcdiff.recorder.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A KVM vCPU fd and its mmapped {@code kvm_run} page: one method per vCPU ioctl (style.md §1.1).
 *
 * <p>{@link #run} is the hot path: it allocates nothing and returns the errno instead of throwing,
 * because {@code EINTR} is the expected answer to a watchdog kick. The other methods throw
 * {@link KvmException}. One thread at a time calls its methods; another thread may only set {@code immediate_exit}.
 */
public final class VcpuFd implements AutoCloseable {

    private final int id;
    private final int fd;
    private final long runAddress;
    private final int runSize;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Sys.newErrnoSlot(arena);
    /** {@code struct kvm_interrupt { __u32 irq; }} for {@link #interrupt}. */
    private final MemorySegment interruptArg = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
    private final MemorySegment run;
    private boolean closed;

    @SuppressWarnings("restricted") // sizing the raw mmap address; the size is KVM's own
    VcpuFd(int id, int fd, long runAddress, int runSize) {
        this.id = id;
        this.fd = fd;
        this.runAddress = runAddress;
        this.runSize = runSize;
        // The mapping lives until close(); its size comes from KVM_GET_VCPU_MMAP_SIZE.
        this.run = MemorySegment.ofAddress(runAddress).reinterpret(runSize, arena, null);
    }

    public int id() {
        return id;
    }

    /** The shared kvm_run page; read it with {@link KvmRun}'s accessors. */
    public MemorySegment kvmRun() {
        return run;
    }

    /** KVM_RUN. @return 0, or the errno (EINTR after a kick or with immediate_exit set) */
    public int run() {
        return Sys.ioctl(errno, fd, KvmIoctls.KVM_RUN, 0L) < 0 ? Sys.errno(errno) : 0;
    }

    /** KVM_GET_REGS into a {@link KvmRegs} segment. */
    public void getRegs(MemorySegment regs) {
        check(KvmOp.GET_REGS, Sys.ioctl(errno, fd, KvmIoctls.KVM_GET_REGS, regs));
    }

    /** KVM_SET_REGS from a {@link KvmRegs} segment. */
    public void setRegs(MemorySegment regs) {
        check(KvmOp.SET_REGS, Sys.ioctl(errno, fd, KvmIoctls.KVM_SET_REGS, regs));
    }

    /** KVM_GET_SREGS into a {@link KvmSregs} segment. */
    public void getSregs(MemorySegment sregs) {
        check(KvmOp.GET_SREGS, Sys.ioctl(errno, fd, KvmIoctls.KVM_GET_SREGS, sregs));
    }

    /** KVM_SET_SREGS from a {@link KvmSregs} segment. */
    public void setSregs(MemorySegment sregs) {
        check(KvmOp.SET_SREGS, Sys.ioctl(errno, fd, KvmIoctls.KVM_SET_SREGS, sregs));
    }

    /** KVM_SET_CPUID2 from a {@link KvmCpuid2} segment. */
    public void setCpuid2(MemorySegment cpuid) {
        check(KvmOp.SET_CPUID2, Sys.ioctl(errno, fd, KvmIoctls.KVM_SET_CPUID2, cpuid));
    }

    /**
     * KVM_INTERRUPT: queues external interrupt {@code vector} for the next entry (no in-kernel
     * irqchip: the caller checks kvm_run's ready_for_interrupt_injection first, api.rst).
     */
    public void interrupt(int vector) {
        interruptArg.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, vector);
        check(KvmOp.INTERRUPT, Sys.ioctl(errno, fd, KvmIoctls.KVM_INTERRUPT, interruptArg));
    }

    /** KVM_GET_TSC_KHZ: the guest TSC frequency in kHz. */
    public int tscKhz() {
        int r = Sys.ioctl(errno, fd, KvmIoctls.KVM_GET_TSC_KHZ, 0L);
        check(KvmOp.GET_TSC_KHZ, r);
        return r;
    }

    private void check(KvmOp op, int r) {
        if (r < 0) {
            throw new KvmException(op, Sys.errno(errno));
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Sys.munmap(errno, runAddress, runSize);
        Sys.close(errno, fd);
        arena.close();
    }
}
