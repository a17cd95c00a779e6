package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.kvm.Errno;
import dev.hcdiff.recorder.kvm.KvmException;
import dev.hcdiff.recorder.kvm.KvmOp;
import dev.hcdiff.recorder.kvm.KvmRegs;
import dev.hcdiff.recorder.kvm.KvmRun;
import dev.hcdiff.recorder.kvm.KvmSegment;
import dev.hcdiff.recorder.kvm.KvmSregs;
import dev.hcdiff.recorder.kvm.VcpuFd;
import dev.hcdiff.recorder.transport.InterruptDelivery;
import dev.hcdiff.recorder.transport.StubPatcher;
import dev.hcdiff.recorder.transport.TransportPages;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Observation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One vCPU's run loop (style.md §1.3): enter the guest, classify the exit with an exhaustive
 * switch over {@link ExitReason}, let one handler serve it, and repeat until a handler returns
 * {@link Step#STOPPED}. Registers travel through kvm_run's sync regs, so an exit costs no
 * GET_REGS ioctl; the loop reuses its segments and allocates nothing of its own per exit (the
 * backend's observation and the journal record are the only per-exit objects). Before each exit
 * is handled, guest changes to pages the backend owns are served as GuestWrites
 * ({@link ExitServices#syncOwnedPages}). Before each entry the {@link InterruptDelivery} injects a
 * pending interrupt the vCPU can take; a vCPU waiting for one with none pending lets virtual time
 * jump to the backend's next timer deadline ({@link #awaitInterrupt}).
 *
 * <p>Single-threaded: {@link #runUntilStop} runs on the thread that will receive the watchdog's
 * signal.
 */
public final class Vcpu {

    final VcpuFd fd;
    final MemorySegment run;
    /** kvm_run's sync {@code struct kvm_regs}. */
    final MemorySegment regs;
    /** kvm_run's sync {@code struct kvm_sregs}. */
    final MemorySegment sregs;
    final GuestRam ram;
    final VirtualClock clock;
    final ExitServices services;
    final InterruptDelivery delivery;
    /** The installed hypercall pages and the ABI each speaks. */
    final TransportPages transport = new TransportPages();
    /** The paging state in the sync sregs, to find the page a stub sits in. */
    private final ControlRegisters syncCr;
    private final long maxExits;
    private final Arena arena = Arena.ofConfined();
    /** Scratch for the rare paths that need KVM_GET_REGS/SREGS (a kicked vCPU). */
    private final MemorySegment scratchRegs = arena.allocate(KvmRegs.LAYOUT);
    private final MemorySegment scratchSregs = arena.allocate(KvmSregs.LAYOUT);
    private long exits;
    private VcpuStop stop;

    /**
     * @param maxExits exits after which the vCPU stops as BUDGET; negative for no limit
     */
    public Vcpu(VcpuFd fd, GuestRam ram, VirtualClock clock, ExitServices services, InterruptDelivery delivery,
                long maxExits) {
        this.fd = fd;
        this.run = fd.kvmRun();
        this.regs = run.asSlice(KvmRun.SYNC_REGS, KvmRegs.SIZE);
        this.sregs = run.asSlice(KvmRun.SYNC_SREGS, KvmSregs.SIZE);
        this.ram = ram;
        this.clock = clock;
        this.services = services;
        this.delivery = delivery;
        this.syncCr = new SyncControlRegisters(run);
        this.maxExits = maxExits;
    }

    public int id() {
        return fd.id();
    }

    /** Runs the guest until it stops; never throws for guest behaviour. */
    public VcpuStop runUntilStop(Watchdog watchdog) {
        KvmRun.validRegs(run, KvmRun.SYNC_X86_REGS | KvmRun.SYNC_X86_SREGS);
        while (true) {
            if (maxExits >= 0 && exits >= maxExits) {
                return new VcpuStop.Budget(rip(), "exit budget of " + maxExits + " exits reached");
            }
            delivery.beforeEntry();
            watchdog.entering(System.nanoTime());
            int err = fd.run();
            long exitNs = System.nanoTime();
            watchdog.exited();
            Step step;
            if (err == 0) {
                exits++;
                // What the guest wrote into pages the backend owns since the last exit comes first.
                services.syncOwnedPages(fd.id(), exitNs);
                step = dispatch(exitNs);
            } else if (err == Errno.EINTR) {
                step = interrupted(watchdog);
            } else {
                step = stop(new VcpuStop.KvmFailure(rip(), new KvmException(KvmOp.RUN, err).getMessage()));
            }
            if (step == Step.STOPPED) {
                return stop;
            }
        }
    }

    private Step dispatch(long exitNs) {
        return switch (ExitReason.of(KvmRun.exitReason(run))) {
            case IO -> IoExits.handle(this, exitNs);
            case X86_RDMSR -> MsrExits.read(this, exitNs);
            case X86_WRMSR -> MsrExits.write(this, exitNs);
            case HLT -> HltExits.handle(this);
            case MMIO -> MmioExits.handle(this, exitNs);
            // The window PendingInterrupts asked for: the next entry injects (beforeEntry).
            case IRQ_WINDOW_OPEN -> Step.HANDLED;
            case SHUTDOWN -> stop(new VcpuStop.TripleFault(rip()));
            case FAIL_ENTRY -> stop(new VcpuStop.FailEntry(rip(), KvmRun.failEntryReason(run)));
            case INTERNAL_ERROR -> stop(new VcpuStop.InternalError(rip(), KvmRun.internalSuberror(run)));
            case INTR -> Step.INTERRUPTED;
            case DEBUG -> stop(new VcpuStop.Unhandled(rip(), "KVM_EXIT_DEBUG, but no guest debugging was enabled"));
            case SYSTEM_EVENT -> stop(new VcpuStop.Unhandled(rip(),
                    "KVM_EXIT_SYSTEM_EVENT type " + KvmRun.systemEventType(run)));
            case OTHER -> stop(new VcpuStop.Unhandled(rip(), "unhandled KVM exit reason " + KvmRun.exitReason(run)));
        };
    }

    /**
     * KVM_RUN returned EINTR. Without a kick it was a stray signal: re-enter. With one, look at
     * the instruction the vCPU sits on: a vmcall/vmmcall there never returns (kvm.md).
     */
    private Step interrupted(Watchdog watchdog) {
        Watchdog.Kick kick = watchdog.kick();
        if (kick == null) {
            return Step.INTERRUPTED;
        }
        fd.getRegs(scratchRegs);
        fd.getSregs(scratchSregs);
        long rip = KvmRegs.rip(scratchRegs);
        String trap = trapAt(rip);
        if (trap != null) {
            return stop(new VcpuStop.Vmcall(rip, trap));
        }
        return stop(switch (kick) {
            case NO_EXIT -> new VcpuStop.Watchdog(rip, watchdog.noExitMillis());
            case BUDGET -> new VcpuStop.Budget(rip, "time budget of " + watchdog.budgetMillis() + " ms exceeded");
        });
    }

    /** "vmcall"/"vmmcall" when those bytes are at {@code rip} (read with the fetched sregs), else null. */
    private String trapAt(long rip) {
        ControlRegisters now = new ControlRegisters.Fixed(KvmSregs.cr0(scratchSregs), KvmSregs.cr3(scratchSregs),
                KvmSregs.cr4(scratchSregs), KvmSregs.efer(scratchSregs));
        long linear = rip + KvmSegment.base(scratchSregs, KvmSregs.CS);
        try {
            byte[] code = new byte[3];
            for (int i = 0; i < code.length; i++) {
                code[i] = ram.read(PageWalker.translate(ram, now, linear + i), 1)[0];
            }
            return StubPatcher.trapName(code, 0);
        } catch (GuestFault unreadable) {
            return null;
        }
    }

    /**
     * What every served request may also ask for, in Xen's order of effects: raised interrupts,
     * a domain shutdown, the vCPU blocking or going down.
     */
    Step afterServed(GuestRequest request, Observation o) {
        if (!o.interrupts().isEmpty()) {
            delivery.raised(o.interrupts());
        }
        if (o.shutdown() >= 0) {
            return stop(new VcpuStop.Shutdown(rip(), o.shutdown(),
                    CallNames.of(request) + "(" + ShutdownReasons.name(o.shutdown()) + ")"));
        }
        return switch (o.vcpu().run()) {
            case RUNNING -> Step.HANDLED;
            case BLOCKED -> {
                if (o.vcpu().deadlineNs() >= 0) {
                    // Nothing else runs: the vCPU wakes at its deadline (see VirtualClock).
                    clock.advanceTo(o.vcpu().deadlineNs());
                    yield Step.HANDLED;
                }
                yield awaitInterrupt() ? Step.HANDLED
                        : stop(new VcpuStop.Halted(rip(), CallNames.of(request) + ": blocked with nothing to wake it"));
            }
            case DOWN -> stop(new VcpuStop.Halted(rip(), CallNames.of(request) + ": vCPU down"));
        };
    }

    /**
     * A vCPU that waits for an interrupt (hlt with IF=1, a block with no deadline) and has none
     * pending: while the backend has a timer deadline, virtual time jumps to it (no host sleep:
     * the models only see virtual time, {@link VirtualClock}) and a timer tick is served there
     * ({@link ExitServices#timerTick}), until a tick raises an interrupt for this vCPU.
     *
     * @return true when an interrupt is pending (the next entry injects it); false when nothing
     *         can wake the vCPU: no deadline, a deadline the tick did not consume, or
     *         {@link #MAX_SILENT_TICKS} ticks that raised nothing
     */
    boolean awaitInterrupt() {
        long last = Long.MIN_VALUE;
        for (int ticks = 0; !delivery.canWake(); ticks++) {
            java.util.OptionalLong deadline = services.nextDeadlineNs();
            if (deadline.isEmpty() || deadline.getAsLong() <= last || ticks == MAX_SILENT_TICKS) {
                return false;
            }
            last = deadline.getAsLong();
            clock.advanceTo(last);
            Observation o = services.timerTick(id());
            if (!o.interrupts().isEmpty()) {
                delivery.raised(o.interrupts());
            }
        }
        return true;
    }

    /**
     * Ticks one wait may serve without an interrupt: a periodic timer whose expiries raise nothing
     * (a masked SINT, an unbound VIRQ) would otherwise move virtual time forward for ever.
     */
    static final int MAX_SILENT_TICKS = 64;

    Step stop(VcpuStop why) {
        this.stop = why;
        return Step.STOPPED;
    }

    /**
     * The ABI of the transport stub that just exited: the family of the page holding its
     * {@code out} (RIP is past the 2-byte {@code out imm8}, kvm.md). Pages of one family need no
     * page walk; a stub in no installed page, or one the walk cannot reach, is Xen's.
     */
    TransportPages.Family stubFamily() {
        if (transport.uniform()) {
            return transport.uniformFamily();
        }
        long linear = rip() - OUT_IMM8_LENGTH + KvmSegment.base(sregs, KvmSregs.CS);
        try {
            return transport.familyAt(PageWalker.translate(ram, syncCr, linear));
        } catch (GuestFault unmapped) {
            return TransportPages.Family.XEN;
        }
    }

    /** {@code out imm8, %al} is E6 ib (Intel SDM vol. 2B, OUT). */
    private static final int OUT_IMM8_LENGTH = 2;

    /** The current privilege level: SS.DPL, as KVM reads it ({@code vmx_get_cpl()}, {@code svm_get_cpl()}). */
    int cpl() {
        return KvmSegment.dpl(sregs, KvmSregs.SS);
    }

    /** RIP from the sync regs (valid after an exit). */
    long rip() {
        return KvmRegs.rip(regs);
    }

    /** Sets rax for the next entry through the sync regs. */
    void setRax(long value) {
        KvmRegs.rax(regs, value);
        KvmRun.dirtyRegs(run, KvmRun.dirtyRegs(run) | KvmRun.SYNC_X86_REGS);
    }

    /** Releases the scratch segments; the VcpuFd is closed by its owner. */
    public void close() {
        arena.close();
    }
}
