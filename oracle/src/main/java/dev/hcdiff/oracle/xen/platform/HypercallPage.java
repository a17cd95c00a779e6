package dev.hcdiff.oracle.xen.platform;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.trace.abi.XenHypercall;

/**
 * The 4 KiB page Xen writes when an HVM guest writes the hypercall-page MSR
 * ({@code xen/arch/x86/domain.c init_hypercall_page()}: {@code memset(ptr, 0xcc, PAGE_SIZE)}, then
 * {@code vmx_init_hypercall_page()} / {@code svm_init_hypercall_page()}): 128 stubs at a 32-byte
 * stride, stub {@code i} = {@code B8 <i le32>} (mov $i,%eax), {@code 0F 01 C1} (vmcall) or
 * {@code 0F 01 D9} (vmmcall), {@code C3} (ret); stub 23 ({@code __HYPERVISOR_iret}) is
 * {@code 0F 0B} (ud2); every other byte stays 0xCC (int3). xen-abi.md §1.2.
 */
public final class HypercallPage {

    private HypercallPage() {
    }

    /** x86 PAGE_SIZE. */
    public static final int SIZE = 4096;
    /** Stub stride: {@code vmx_init_hypercall_page()} advances {@code p += 32}. */
    public static final int STUB_STRIDE = 32;
    /** {@code PAGE_SIZE / 32} stubs. */
    public static final int STUBS = SIZE / STUB_STRIDE;
    /** The fill byte: int3, {@code memset(ptr, 0xcc, PAGE_SIZE)}. */
    public static final byte FILL = (byte) 0xCC;
    /** The stub that is ud2: "HYPERVISOR_iret isn't supported" for HVM. */
    public static final int IRET_STUB = XenHypercall.IRET.number();

    /** The page Xen 4.17 writes for an HVM guest on a {@code vendor} host. */
    public static byte[] build(CpuVendor vendor) {
        byte[] p = new byte[SIZE];
        java.util.Arrays.fill(p, FILL);
        for (int i = 0; i < STUBS; i++) {
            int o = i * STUB_STRIDE;
            if (i == IRET_STUB) {
                p[o] = 0x0F; // ud2
                p[o + 1] = 0x0B;
                continue;
            }
            p[o] = (byte) 0xB8; // mov imm32, %eax
            p[o + 1] = (byte) i;
            p[o + 2] = (byte) (i >>> 8);
            p[o + 3] = (byte) (i >>> 16);
            p[o + 4] = (byte) (i >>> 24);
            p[o + 5] = 0x0F;
            p[o + 6] = 0x01;
            p[o + 7] = vendor == CpuVendor.AMD ? (byte) 0xD9 : (byte) 0xC1; // vmmcall : vmcall
            p[o + 8] = (byte) 0xC3; // ret
        }
        return p;
    }
}
