package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.ConsoleIo;
import dev.hcdiff.oracle.xen.Current;
import dev.hcdiff.oracle.xen.MiscHypercalls;
import dev.hcdiff.oracle.xen.XenVersion;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Hypercall;

import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;

/**
 * {@code hvm_hypercall()} (xen/arch/x86/hvm/hypercall.c) and the HVM columns of the table in
 * {@code xen/include/hypercall-defs.c} for Debian's 4.17.7 build (CONFIG_HYPFS and CONFIG_KEXEC
 * on, CONFIG_ARGO off): the number selects the handler, anything not in the table is -ENOSYS.
 *
 * <p>64-bit: number in rax (all 64 bits), arguments rdi, rsi, rdx, r10, r8. 32-bit (also 16-bit and
 * real mode): eax, arguments ebx, ecx, edx, esi, edi, each 32 bits. The CPL check (CPL ≠ 0 →
 * -EPERM) and vm86 mode need the guest's CPU state, which a request does not carry; the recorder
 * only forwards hypercalls from ring 0.
 */
public final class HvmHypercalls {

    private final EventChannelOpDispatcher eventChannelOp;
    private final SchedOpDispatcher schedOp;
    private final MemoryOpDispatcher memoryOp;
    private final HvmOpDispatcher hvmOp;
    private final XenVersion xenVersion;
    private final ConsoleIo consoleIo;
    private final MiscHypercalls misc;
    private final VcpuOpDispatcher vcpuOp;
    private final boolean viridian;

    public HvmHypercalls(EventChannelOpDispatcher eventChannelOp, SchedOpDispatcher schedOp,
                         MemoryOpDispatcher memoryOp, HvmOpDispatcher hvmOp, XenVersion xenVersion,
                         ConsoleIo consoleIo, MiscHypercalls misc, VcpuOpDispatcher vcpuOp, boolean viridian) {
        this.eventChannelOp = eventChannelOp;
        this.schedOp = schedOp;
        this.memoryOp = memoryOp;
        this.hvmOp = hvmOp;
        this.xenVersion = xenVersion;
        this.consoleIo = consoleIo;
        this.misc = misc;
        this.vcpuOp = vcpuOp;
        this.viridian = viridian;
    }

    /**
     * Serves one hypercall.
     *
     * @return the handler's result, or {@link SchedOpDispatcher#NO_RETURN} (= {@code HvmOp.NO_RETURN})
     * @see xen/arch/x86/hvm/hypercall.c hvm_hypercall
     */
    public long hvmHypercall(Current current, Hypercall call, GuestMemory memory) {
        boolean compat = call.abi() == Abi.XEN32;
        long eax = compat ? call.call() & 0xffffffffL : call.call();
        long[] a = new long[5];
        for (int i = 0; i < a.length; i++) {
            a[i] = compat ? call.arg(i) & 0xffffffffL : call.arg(i);
        }
        if ((eax & 0x80000000L) != 0 && viridian) {
            return current.unmodelled(); // viridian_hypercall(): Hyper-V's ABI, not this model's
        }
        String name = XenHypercall.byNumber(eax).map(XenHypercall::xenName).orElse("hypercall " + eax);
        if (eax > Integer.MAX_VALUE) {
            return current.error(ENOSYS, "hypercall " + Long.toUnsignedString(eax) + " not in the HVM table");
        }
        return switch ((int) eax) {
            case 7 -> misc.platformOp(current, memory, a[0]);
            case 12 -> memoryOp.hvmMemoryOp(current, a[0], a[1], memory);
            case 17 -> xenVersion.doXenVersion(current, memory, (int) a[0], a[1]);
            case 18 -> consoleIo.doConsoleIo(current, memory, (int) a[0], (int) a[1], a[2]);
            case 21 -> misc.vmAssist(current, (int) a[0], (int) a[1]);
            case 26 -> misc.mmuextOp(current, memory, a[0], (int) a[1], a[2], (int) a[3]);
            case 27 -> misc.xsmOp(current);
            case 29 -> schedOp.dispatch(current, (int) a[0], a[1], memory);
            case 32 -> eventChannelOp.dispatch(current, (int) a[0], a[1], memory);
            case 34 -> hvmOp.doHvmOp(current, a[0], a[1], memory);
            case 35 -> misc.sysctl(current, memory, a[0]);
            case 36 -> misc.domctl(current, memory, a[0]);
            case 40 -> misc.xenpmuOp(current);
            case 42 -> misc.hypfsOp(current);
            case 15 -> vcpuOp.setTimerOp(current, a[0], a[1]);
            case 24 -> vcpuOp.dispatch(current, (int) a[0], (int) a[1], a[2], memory);
            // In the HVM table but not modelled yet: multicall, grant_table_op, physdev_op, dm_op,
            // arch_1 (paging_domctl_cont).
            case 13, 20, 33, 41, 49 -> current.unmodelled();
            // PV-only or obsolete (0-6, 8-11, 14, 16, 19, 22, 23, 25, 28, 30, 31, 37, 38), argo_op
            // without CONFIG_ARGO (39), 43-48, and everything from 50 on.
            default -> current.error(ENOSYS, name + " not in the HVM table");
        };
    }
}
