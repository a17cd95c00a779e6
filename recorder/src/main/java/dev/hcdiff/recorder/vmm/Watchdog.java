package dev.hcdiff.recorder.vmm;

import dev.hcdiff.recorder.kvm.KvmRun;
import dev.hcdiff.recorder.kvm.Sys;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Kicks a vCPU out of {@code KVM_RUN} when it makes no exit for too long, or when the run exceeds
 * its time budget. On these hosts {@code vmcall} never returns (kvm.md), so without this a guest
 * can hang the recorder for ever.
 *
 * <p>A kick sets {@code immediate_exit} (so a vCPU between two KVM_RUNs stops at the next one) and
 * sends {@link #KICK_SIGNAL} to the vCPU thread (so a vCPU inside the guest leaves KVM_RUN with
 * {@code EINTR}). SIGPIPE is the signal because HotSpot installs a handler for it that ignores it
 * ({@code hotspot/os/posix/signals_posix.cpp}: "Ignoring SIGPIPE/SIGXFSZ - see bugs 4229104 or
 * 6499219"), so it interrupts the ioctl without killing the JVM or disturbing its own signals
 * (SIGUSR2 is HotSpot's suspend/resume signal; SIGINT/SIGTERM run shutdown hooks);
 * WatchdogTest checks this by experiment. HotSpot installs its handlers with SA_RESTART, but
 * KVM_RUN returns EINTR, which the kernel does not restart.
 *
 * <p>Threading: the vCPU thread calls {@link #entering}/{@link #exited} around each KVM_RUN and
 * reads {@link #kick()}; the watchdog thread only reads those stamps, writes one byte of kvm_run
 * and signals. {@link #close} returns only when no further signal can be sent, so the vCPU
 * thread is never signalled after the run.
 */
public final class Watchdog implements AutoCloseable {

    /** {@code SIGPIPE} on Linux x86-64 ({@code <asm/signal.h>}). */
    public static final int KICK_SIGNAL = 13;

    /** Why the watchdog kicked. */
    public enum Kick { NO_EXIT, BUDGET }

    private final MemorySegment kvmRun;
    private final long vcpuThread;
    private final long noExitNs;
    private final long budgetNs;
    private final long budgetDeadlineNs;
    private final Thread thread;
    private final Object lock = new Object();
    private volatile long runningSince;  // host ns of the current KVM_RUN entry, 0 outside
    private volatile Kick kick;
    private boolean closed;              // guarded by lock

    /**
     * @param kvmRun     the vCPU's kvm_run page
     * @param vcpuThread pthread_self() of the thread that calls KVM_RUN
     * @param noExit     longest time inside one KVM_RUN
     * @param budget     longest time for the whole run, from now
     */
    public Watchdog(MemorySegment kvmRun, long vcpuThread, Duration noExit, Duration budget) {
        this.kvmRun = kvmRun;
        this.vcpuThread = vcpuThread;
        this.noExitNs = noExit.toNanos();
        this.budgetNs = budget.toNanos();
        this.budgetDeadlineNs = System.nanoTime() + budgetNs;
        // Poll often enough that a kick comes within a quarter of the watchdog period (≥ 1 ms).
        long pollNs = Math.max(1_000_000L, Math.min(noExitNs / 4, 50_000_000L));
        this.thread = Thread.ofPlatform().daemon().name("hcdiff-watchdog").unstarted(() -> watch(pollNs));
    }

    public void start() {
        thread.start();
    }

    /** The vCPU thread is about to call KVM_RUN. */
    public void entering(long hostNs) {
        runningSince = hostNs;
    }

    /** KVM_RUN returned. */
    public void exited() {
        runningSince = 0;
    }

    /** Why the watchdog kicked, or null. */
    public Kick kick() {
        return kick;
    }

    /** How long one KVM_RUN may last, in ms (for messages). */
    public long noExitMillis() {
        return noExitNs / 1_000_000;
    }

    /** The whole run's time budget, in ms (for messages). */
    public long budgetMillis() {
        return budgetNs / 1_000_000;
    }

    private void watch(long pollNs) {
        while (true) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            long now = System.nanoTime();
            long since = runningSince;
            if (now - budgetDeadlineNs >= 0) {
                kick(Kick.BUDGET);
                return;
            }
            if (since != 0 && now - since >= noExitNs) {
                kick(Kick.NO_EXIT);
                return;
            }
            LockSupport.parkNanos(pollNs);
        }
    }

    private void kick(Kick why) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            kick = why;
            KvmRun.immediateExit(kvmRun, true);
            Sys.pthreadKill(vcpuThread, KICK_SIGNAL);
        }
    }

    /** Stops watching; after this returns no signal is sent any more. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
