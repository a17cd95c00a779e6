package dev.hcdiff.replayer.lockstep;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.UnrecordedMemory;
import dev.hcdiff.trace.record.MemChunk;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReplayMemoryTest {

    private static final MemChunk ARG = new MemChunk(0x1000, new byte[]{1, 2, 3, 4});

    @Test
    void servesExactlyTheRecordedBytes() throws GuestFault {
        ReplayMemory m = new ReplayMemory(List.of(ARG), List.of());
        assertArrayEquals(new byte[]{2, 3}, m.readLinear(0x1001, 2));
    }

    @Test
    void aReadOutsideTheRecordingIsAReplayErrorNotAFault() {
        ReplayMemory m = new ReplayMemory(List.of(ARG), List.of());
        assertThrows(UnrecordedMemory.class, () -> m.readPhysical(0x1002, 4));
        assertThrows(UnrecordedMemory.class, () -> m.readPhysical(0x2000, 1));
    }

    @Test
    void aReadThatFaultedWhenRecordedFaultsAgain() {
        ReplayMemory m = new ReplayMemory(List.of(new MemChunk(0xdead000, new byte[0])), List.of());
        assertThrows(GuestFault.class, () -> m.readLinear(0xdead000, 8));
    }

    @Test
    void aWriteThatFaultedWhenRecordedFaultsAgain() {
        ReplayMemory m = new ReplayMemory(List.of(), List.of(new MemChunk(0x3000, new byte[0])));
        assertThrows(GuestFault.class, () -> m.writePhysical(0x3000, new byte[]{9}));
    }

    @Test
    void laterReadsOfTheSameExchangeSeeItsWrites() throws GuestFault {
        ReplayMemory m = new ReplayMemory(List.of(ARG), List.of());
        m.writePhysical(0x1001, new byte[]{9});
        assertArrayEquals(new byte[]{1, 9, 3}, m.readPhysical(0x1000, 3));
    }
}
