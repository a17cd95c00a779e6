package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.CpuVendor;
import java.util.Arrays;

/**
 * The bytes a hypervisor writes when the guest enables the hypercall page. The TLFS leaves them
 * to the implementation (the page "abstracts" the opcode, "Establishing the Hypercall
 * Interface"), so each personality writes what its source writes:
 * <ul>
 *   <li>tlfs: {@code vmcall; ret} (Intel) or {@code vmmcall; ret} (AMD) at offset 0 and the rest of
 *       the 4 KiB page filled with 0xCC (int3), as OpenVMM ({@code hv1_emulator/src/hv.rs}) and Xen
 *       do. What Microsoft's hypervisor writes is vendor code this project has not seen;</li>
 *   <li>kvm: only the 4 stub bytes, the rest of the page untouched
 *       ({@code arch/x86/kvm/hyperv.c: kvm_hv_set_msr_pw()}, HV_X64_MSR_HYPERCALL, Xen hypercalls off);</li>
 *   <li>xen-viridian: {@code orl $0x80000000,%eax} (0D 00 00 00 80) before the stub, so the call
 *       reaches viridian with EAX bit 31 set, rest 0xCC
 *       ({@code xen/arch/x86/hvm/viridian/viridian.c: enable_hypercall_page()}).</li>
 * </ul>
 */
public final class HypercallPage {

    private HypercallPage() {
    }

    /** Page size (TLFS: the HYPERCALL MSR holds a 4 KiB GPFN in bits 63:12). */
    public static final int SIZE = 4096;
    /** int3, the fill byte of Xen and OpenVMM. */
    public static final byte INT3 = (byte) 0xcc;
    /** ret (near return); the TLFS tells the guest to assume the page ends in one (0xC3). */
    public static final byte RET = (byte) 0xc3;
    /** {@code orl $0x80000000,%eax}: opcode 0D id (Intel SDM OR), Xen's viridian marker. */
    private static final byte[] XEN_ORL_EAX_BIT31 = {0x0d, 0x00, 0x00, 0x00, (byte) 0x80};

    /** The bytes written at the page's GPA (offset 0) for this personality and vendor. */
    public static byte[] contents(HvPersonality personality, CpuVendor vendor) {
        byte[] stub = stub(personality, vendor);
        if (personality == HvPersonality.KVM) {
            return stub;
        }
        byte[] page = new byte[SIZE];
        Arrays.fill(page, INT3);
        System.arraycopy(stub, 0, page, 0, stub.length);
        return page;
    }

    /** The call stub alone: [orl for Xen] + vmcall/vmmcall + ret. */
    public static byte[] stub(HvPersonality personality, CpuVendor vendor) {
        byte[] insn = vendor.hypercallInstruction();
        byte[] prefix = personality == HvPersonality.XEN_VIRIDIAN ? XEN_ORL_EAX_BIT31 : new byte[0];
        byte[] out = new byte[prefix.length + insn.length + 1];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(insn, 0, out, prefix.length, insn.length);
        out[out.length - 1] = RET;
        return out;
    }
}
