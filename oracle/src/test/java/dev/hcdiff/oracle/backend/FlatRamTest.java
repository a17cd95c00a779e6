package dev.hcdiff.oracle.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FlatRamTest {

    @Test
    void readsBackWhatWasWrittenLinearlyAndPhysically() throws GuestFault {
        FlatRam ram = new FlatRam(8192);
        ram.writeLinear(4090, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, ram.readPhysical(4090, 8));
        assertEquals(4095, ram.translate(4095));
    }

    @Test
    void anAccessLeavingRamFaultsAndAPhysicalOneChangesNothing() throws GuestFault {
        FlatRam ram = new FlatRam(4096);
        assertThrows(GuestFault.class, () -> ram.writePhysical(4090, new byte[8]));
        assertArrayEquals(new byte[8], ram.readPhysical(4088, 8));
        assertThrows(GuestFault.class, () -> ram.readPhysical(-1, 1));
        assertThrows(GuestFault.class, () -> ram.readPhysical(Long.MAX_VALUE, 2));
        assertThrows(GuestFault.class, () -> ram.translate(4096));
    }

    @Test
    void aLinearWriteRunningOffRamHasWrittenThePagesBeforeTheFault() throws GuestFault {
        FlatRam ram = new FlatRam(4096);
        assertThrows(GuestFault.class, () -> ram.writeLinear(4094, new byte[] {9, 9, 9, 9}));
        assertArrayEquals(new byte[] {9, 9}, ram.readPhysical(4094, 2));
    }

    @Test
    void sizeMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new FlatRam(0));
    }
}
