package dev.hcdiff.recorder.vmm;

import dev.hcdiff.recorder.kvm.Sys;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The kick signal must interrupt a syscall without harming the JVM. HotSpot ignores SIGPIPE
 * (signals_posix.cpp); if it did not, the default action would kill this test JVM.
 */
class WatchdogTest {

    @Test
    void kickSignalIsHarmlessToTheJvm() throws Exception {
        long self = Sys.pthreadSelf();
        for (int i = 0; i < 100; i++) {
            assertEquals(0, Sys.pthreadKill(self, Watchdog.KICK_SIGNAL));
        }
        Thread.sleep(10);
        // Still alive, and a blocking call on this thread still works afterwards.
        assertEquals(4, Math.addExact(2, 2));
    }

    @Test
    void watchdogThatIsClosedBeforeItsPeriodNeverKicks() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fakeRun = arena.allocate(2352);
            Watchdog w = new Watchdog(fakeRun, Sys.pthreadSelf(), Duration.ofSeconds(10), Duration.ofSeconds(10));
            w.start();
            w.entering(System.nanoTime());
            w.exited();
            w.close();
            assertNull(w.kick());
            assertEquals(0, fakeRun.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 1), "immediate_exit untouched");
        }
    }

    @Test
    void watchdogKicksAVcpuThatStaysInTheGuest() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment fakeRun = arena.allocate(2352);
            Watchdog w = new Watchdog(fakeRun, Sys.pthreadSelf(), Duration.ofMillis(50), Duration.ofSeconds(10));
            w.start();
            w.entering(System.nanoTime()); // "in the guest" and never leaving
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (w.kick() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            w.close();
            assertEquals(Watchdog.Kick.NO_EXIT, w.kick());
            assertEquals(1, fakeRun.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 1), "immediate_exit set");
        }
    }
}
