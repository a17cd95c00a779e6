package dev.hcdiff.oracle.xen.platform;

import org.junit.jupiter.api.Test;

import static dev.hcdiff.oracle.xen.platform.Vioapic.VIOAPIC_DEFAULT_BASE_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vIOAPIC window of xen/arch/x86/hvm/vioapic.c (Xen 4.17.7). */
class VioapicTest {

    final Vioapic io = new Vioapic();

    long reg(int index) {
        io.write(VIOAPIC_DEFAULT_BASE_ADDRESS, 4, index);
        return io.read(VIOAPIC_DEFAULT_BASE_ADDRESS + 0x10, 4);
    }

    void setReg(int index, long v) {
        io.write(VIOAPIC_DEFAULT_BASE_ADDRESS, 4, index);
        io.write(VIOAPIC_DEFAULT_BASE_ADDRESS + 0x10, 4, v);
    }

    @Test
    void versionIs0x11With48Pins() {
        assertEquals(0x002F0011, reg(1), "union IO_APIC_reg_01: version 0x11, entries 47");
    }

    @Test
    void idIsFourBitsReadFromIdAndArbitrationRegisters() {
        assertEquals(0, reg(0));
        // hvmloader's apic_setup(): ioapic_write(0x00, IOAPIC_ID) with config.h IOAPIC_ID 0x01: the
        // value has nothing in bits 27:24 (.arbitration), so the id stays 0.
        setReg(0, 0x01);
        assertEquals(0, reg(0));
        assertEquals(0, io.id());
        setReg(0, 0x01000000);
        assertEquals(0x01000000, reg(0));
        assertEquals(0x01000000, reg(2), "arbitration reads the same id");
        setReg(0, 0xFF000000L);
        assertEquals(0x0F000000, reg(0), "union IO_APIC_reg_02: 4 bits");
        setReg(1, 0);
        assertEquals(0x002F0011, reg(1), "writes to the version are ignored");
    }

    @Test
    void redirectionEntriesResetMaskedAndKeepReadOnlyBits() {
        assertEquals(0x10000, reg(0x10));
        assertEquals(0, reg(0x11));
        setReg(0x10, 0x700); // ExtINT, unmasked
        assertEquals(0x700, reg(0x10));
        setReg(0x11, 0xFF000000L);
        assertEquals(0xFF000000L, reg(0x11));
        assertEquals(0x700, reg(0x10), "a top-word write leaves the low word");
        setReg(0x12, 0x1000 | 0x4000 | 0x30); // delivery status and remote IRR are read-only
        assertEquals(0x30, reg(0x12));
        assertEquals(0x10000, reg(0x10 + 2 * 47), "pin 47 exists");
        assertEquals(0, reg(0x10 + 2 * 48), "pin 48 does not: 0");
    }

    @Test
    void selectReadsBackAndOtherOffsetsReadZero() {
        io.write(VIOAPIC_DEFAULT_BASE_ADDRESS, 4, 0x12345678);
        assertEquals(0x12345678, io.read(VIOAPIC_DEFAULT_BASE_ADDRESS, 4));
        assertEquals(0x78, io.read(VIOAPIC_DEFAULT_BASE_ADDRESS, 1));
        assertEquals(0, io.read(VIOAPIC_DEFAULT_BASE_ADDRESS + 0x20, 4));
        assertEquals(0, io.read(VIOAPIC_DEFAULT_BASE_ADDRESS + 0x40, 4), "no EOI register below version 0x20");
    }
}
