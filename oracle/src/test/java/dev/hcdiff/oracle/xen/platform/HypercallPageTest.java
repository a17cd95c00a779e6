package dev.hcdiff.oracle.xen.platform;

import dev.hcdiff.oracle.backend.CpuVendor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** xen-abi.md §1.2; xen/arch/x86/hvm/vmx/vmx.c vmx_init_hypercall_page(), svm.c svm_init_hypercall_page(). */
class HypercallPageTest {

    @Test
    void stubIAtIx32IsMovImm32ThenVmcallThenRetOnIntel() {
        byte[] p = HypercallPage.build(CpuVendor.INTEL);
        assertEquals(4096, p.length);
        for (int i = 0; i < 128; i++) {
            if (i == 23) {
                continue;
            }
            int o = i * 32;
            assertEquals((byte) 0xB8, p[o], "mov at stub " + i);
            assertEquals((byte) i, p[o + 1]);
            assertEquals(0, p[o + 2]);
            assertEquals(0, p[o + 3]);
            assertEquals(0, p[o + 4]);
            assertEquals((byte) 0x0F, p[o + 5]);
            assertEquals((byte) 0x01, p[o + 6]);
            assertEquals((byte) 0xC1, p[o + 7], "vmcall at stub " + i);
            assertEquals((byte) 0xC3, p[o + 8], "ret at stub " + i);
            for (int k = 9; k < 32; k++) {
                assertEquals((byte) 0xCC, p[o + k], "int3 fill in stub " + i + " byte " + k);
            }
        }
    }

    @Test
    void amdStubsUseVmmcall() {
        byte[] p = HypercallPage.build(CpuVendor.AMD);
        assertEquals((byte) 0xD9, p[32 * 17 + 7]);
        assertEquals((byte) 0x11, p[32 * 17 + 1]);
    }

    @Test
    void stub23IsUd2FollowedByInt3() {
        byte[] p = HypercallPage.build(CpuVendor.INTEL);
        int o = 23 * 32;
        assertEquals((byte) 0x0F, p[o]);
        assertEquals((byte) 0x0B, p[o + 1]);
        for (int k = 2; k < 32; k++) {
            assertEquals((byte) 0xCC, p[o + k]);
        }
    }
}
