package dev.hcdiff.oracle.xen.platform;

import org.junit.jupiter.api.Test;

import static dev.hcdiff.oracle.xen.platform.Vlapic.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vLAPIC registers of xen/arch/x86/hvm/vlapic.c (Xen 4.17.7) through MMIO. */
class VlapicTest {

    final Vlapic lapic = new Vlapic(0);

    long read(int off) {
        return lapic.read(APIC_DEFAULT_PHYS_BASE + off, 4);
    }

    void write(int off, long v) {
        lapic.write(APIC_DEFAULT_PHYS_BASE + off, 4, v);
    }

    @Test
    void resetValuesAreVlapicResetsAndVlapicDoInits() {
        assertEquals(0, read(APIC_ID), "vcpu 0: (vcpu_id * 2) << 24");
        assertEquals(2L << 24, new Vlapic(1).read(APIC_DEFAULT_PHYS_BASE + APIC_ID, 4));
        assertEquals(0x00050014, read(APIC_LVR), "VLAPIC_VERSION");
        assertEquals(0xFF, read(APIC_SPIV), "software-disabled");
        assertFalse(lapic.enabled());
        assertEquals(0xFFFF_FFFFL, read(APIC_DFR));
        for (int lvt = APIC_LVTT; lvt <= APIC_LVTERR; lvt += 0x10) {
            assertEquals(APIC_LVT_MASKED, read(lvt), "LVT 0x" + Integer.toHexString(lvt) + " masked");
        }
        assertEquals(0, read(APIC_TASKPRI));
        assertEquals(0, read(APIC_ESR));
    }

    @Test
    void hvmloadersApicSetupValuesStick() {
        // apic_setup(): SPIV = 0x1FF, LVT0 = 0x10700 (ExtINT, masked), LVT1 = 0x400 (NMI).
        write(APIC_SPIV, 0x1FF);
        assertTrue(lapic.enabled());
        write(APIC_LVT0, 0x10700);
        write(APIC_LVT1, 0x400);
        assertEquals(0x1FF, read(APIC_SPIV));
        assertEquals(0x10700, read(APIC_LVT0));
        assertEquals(0x400, read(APIC_LVT1));
    }

    @Test
    void writesAreMaskedAsVlapicRegWriteMasksThem() {
        write(APIC_TASKPRI, 0x1FF);
        assertEquals(0xFF, read(APIC_TASKPRI));
        assertEquals(0xFF, read(APIC_PROCPRI), "no vector in service: PPR is TPR");
        write(APIC_LDR, 0xFFFF_FFFFL);
        assertEquals(0xFF00_0000L, read(APIC_LDR));
        write(APIC_DFR, 0);
        assertEquals(0x0FFF_FFFFL, read(APIC_DFR));
        write(APIC_SPIV, 0xFFFF);
        assertEquals(0x3FF, read(APIC_SPIV));
        write(APIC_ICR, 0x1FFF);
        assertEquals(0xFFF, read(APIC_ICR), "\"always clear the pending bit\"");
        write(APIC_ICR2, 0x12345678);
        assertEquals(0x12000000, read(APIC_ICR2));
        write(APIC_TDCR, 0xFF);
        assertEquals(0xB, read(APIC_TDCR));
        write(APIC_ESR, 5);
        assertEquals(0, read(APIC_ESR), "ESR writes are not taken in xAPIC mode");
        write(APIC_LVR, 0);
        assertEquals(0x00050014, read(APIC_LVR), "read-only");
    }

    @Test
    void whileSoftwareDisabledEveryLvtStaysMaskedAndDisablingMasksThemAll() {
        write(APIC_LVT1, 0x400);
        assertEquals(0x10400, read(APIC_LVT1));
        write(APIC_SPIV, 0x1FF);
        write(APIC_LVT1, 0x400);
        assertEquals(0x400, read(APIC_LVT1));
        write(APIC_SPIV, 0xFF);
        assertEquals(0x10400, read(APIC_LVT1));
    }

    @Test
    void lvtMasksKeepOnlyTheDefinedBits() {
        write(APIC_SPIV, 0x1FF);
        write(APIC_LVTERR, 0xFFFF_FFFFL);
        assertEquals(0x110FF, read(APIC_LVTERR), "LVT_MASK: masked, send pending, vector");
        write(APIC_LVT0, 0xFFFF_FFFFL);
        assertEquals(0x1F7FF, read(APIC_LVT0), "LINT_MASK");
        write(APIC_LVTT, 0xFFFF_FFFFL);
        assertEquals(0x710FF, read(APIC_LVTT), "timer mode bits too");
    }

    @Test
    void narrowAccessesAndOffsetsBeyondTdcr() {
        write(APIC_SPIV, 0x1FF);
        assertEquals(0x01, lapic.read(APIC_DEFAULT_PHYS_BASE + APIC_SPIV + 1, 1));
        assertEquals(0x1FF, lapic.read(APIC_DEFAULT_PHYS_BASE + APIC_SPIV, 2));
        lapic.write(APIC_DEFAULT_PHYS_BASE + APIC_TASKPRI, 1, 0x30);
        assertEquals(0x30, read(APIC_TASKPRI));
        assertEquals(0, lapic.read(APIC_DEFAULT_PHYS_BASE + APIC_SPIV + 2, 4), "does not fit one register: 0");
        assertEquals(0, lapic.read(APIC_DEFAULT_PHYS_BASE + 0x400, 4), "beyond TDCR: 0, not all ones");
        // vlapic_read_aligned() default: vlapic_get_reg() of a slot no register uses, which only
        // vlapic_reg_write() could fill and never does.
        lapic.write(APIC_DEFAULT_PHYS_BASE + 0x40, 4, 0x1234);
        assertEquals(0, lapic.read(APIC_DEFAULT_PHYS_BASE + 0x40, 4), "no register at 0x40: 0");
        assertEquals(0, lapic.read(APIC_DEFAULT_PHYS_BASE + APIC_TDCR + 4, 4), "past TDCR's register: 0");
    }

    @Test
    void tmictIsKeptOnlyInOneShotOrPeriodicMode() {
        write(APIC_SPIV, 0x1FF);
        write(APIC_LVTT, 0x2 << 17); // TSC-deadline
        write(APIC_TMICT, 1000);
        assertEquals(0, read(APIC_TMICT));
        write(APIC_LVTT, 0x1 << 17); // periodic: leaving TSC-deadline mode zeroes TMICT
        write(APIC_TMICT, 1000);
        assertEquals(1000, read(APIC_TMICT));
    }
}
