package dev.hcdiff.oracle.hyperv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The hypervisor CPUID leaves 0x40000000–0x40000006 (TLFS "Feature and Interface Discovery";
 * hyperv-abi.md §1). Everything else in the hypervisor range reads zero.
 */
final class HvCpuid {

    private HvCpuid() {
    }

    /** First hypervisor leaf: max leaf and vendor signature. */
    static final int LEAF_VENDOR = 0x40000000;
    /** Interface signature. */
    static final int LEAF_INTERFACE = 0x40000001;
    /** System identity (build, version). */
    static final int LEAF_VERSION = 0x40000002;
    /** Privileges (EAX/EBX) and features (EDX). */
    static final int LEAF_FEATURES = 0x40000003;
    /** Implementation recommendations; EBX = spinlock retries. */
    static final int LEAF_RECOMMENDATIONS = 0x40000004;
    /** Implementation limits. */
    static final int LEAF_LIMITS = 0x40000005;
    /** Hardware features in use. */
    static final int LEAF_HW_FEATURES = 0x40000006;
    /**
     * Max leaf reported: 0x40000006, the last leaf modelled (Xen viridian reports the same,
     * {@code cpuid_viridian_leaves()}); the TLFS requires at least 0x40000005.
     */
    static final int MAX_LEAF = LEAF_HW_FEATURES;

    /** "Microsoft Hv" (TLFS: EBX 0x7263694D "Micr", ECX 0x666F736F "osof", EDX 0x76482074 "t Hv"). */
    static final String VENDOR_SIGNATURE = "Microsoft Hv";
    /** "Hv#1" = 0x31237648 (TLFS "Hypervisor Vendor-Neutral Interface Identification"). */
    static final int INTERFACE_HV1 = 0x31237648;

    /**
     * Build 14393, version 10.0 (Hyper-V 2016), as KVM reports "because we implement some Hyper-V
     * 2016 functions" ({@code kvm_get_hv_cpuid()}: eax 0x00003839, ebx 0x000A0000). The TLFS calls
     * this leaf informational only.
     */
    static final int BUILD_2016 = 0x00003839;
    static final int VERSION_10_0 = 0x000A0000;
    /** Xen viridian's leaf 2: build 0x1772, version 6.0 ("Windows Server 2008", {@code viridian.c}). */
    static final int XEN_BUILD = 0x1772;
    static final int XEN_VERSION_6_0 = 0x00060000;
    /** Xen's leaf 4 EAX bit 5 CPUID4A_RELAX_TIMER_INT, always set when the leaf is shown. */
    static final int XEN_RELAX_TIMER_INT = 1 << 5;
    /** Xen leaf 4 is empty unless GUEST_OS_ID's OS field (bits 47:40) is at least 4, Windows NT. */
    static final int XEN_OS_WINDOWS_NT = 4;
    /** Leaf-3 EAX bits Xen always grants: AccessIntrCtrlRegs, AccessHypercallMsrs, AccessVpIndex. */
    static final long XEN_ALWAYS = HvPrivilege.ACCESS_INTR_CTRL_REGS | HvPrivilege.ACCESS_HYPERCALL_MSRS
            | HvPrivilege.ACCESS_VP_INDEX;
    /** Leaf-3 EDX bit 8: the timer-frequency MSRs are available (TLFS "Feature and Interface Discovery"). */
    static final int FEATURE_FREQUENCY_MSRS = 1 << 8;
    /** Leaf-3 EDX bit 10: the guest crash MSRs CRASH_P0–P4 and CRASH_CTL are available (same page). */
    static final int FEATURE_GUEST_CRASH_MSRS = 1 << 10;

    /** Leaf-4 EAX bit 2: use the remote TLB flush hypercalls (TLFS "Implementation Recommendations"). */
    static final int REC_REMOTE_TLB_FLUSH = 1 << 2;
    /** Leaf-4 EAX bit 10: use HvCallSendSyntheticClusterIpi. */
    static final int REC_CLUSTER_IPI = 1 << 10;
    /** Leaf-4 EAX bit 11: use the Ex calls' sparse VP sets (UseExProcessorMasks). */
    static final int REC_EX_PROCESSOR_MASKS = 1 << 11;

    /**
     * Leaf-4 EAX under tlfs and kvm: the recommendations for the calls the model implements
     * (remote TLB flush, cluster IPI, Ex processor masks), the three KVM reports in
     * {@code kvm_get_hv_cpuid()} for them and checks in {@code hv_check_hypercall_access()}.
     */
    static int recommendations(HvPersonality who) {
        return who == HvPersonality.XEN_VIRIDIAN ? 0 : REC_REMOTE_TLB_FLUSH | REC_CLUSTER_IPI | REC_EX_PROCESSOR_MASKS;
    }

    static int[] leaf(HvPartition p, int leaf, int subleaf) {
        HvConfig c = p.config();
        boolean xen = c.personality() == HvPersonality.XEN_VIRIDIAN;
        return switch (leaf) {
            case LEAF_VENDOR -> {
                ByteBuffer b = ByteBuffer.wrap(VENDOR_SIGNATURE.getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN);
                yield new int[] {MAX_LEAF, b.getInt(0), b.getInt(4), b.getInt(8)};
            }
            case LEAF_INTERFACE -> new int[] {INTERFACE_HV1, 0, 0, 0};
            case LEAF_VERSION -> {
                if (!xen) {
                    yield new int[] {BUILD_2016, VERSION_10_0, 0, 0};
                }
                // Xen shows the identity only once the guest set its own (cpuid_viridian_leaves() case 2).
                yield p.guestOsId() == 0 ? new int[4] : new int[] {XEN_BUILD, XEN_VERSION_6_0, 0, 0};
            }
            case LEAF_FEATURES -> {
                long priv = xen ? c.privileges() | XEN_ALWAYS : c.privileges();
                // EDX: the crash MSRs are always offered (KVM with its crash MSRs enabled, Xen with
                // HVMPV_crash_ctl, libxl's viridian default); the frequency-MSR bit goes with the
                // AccessFrequencyRegs privilege as KVM reports it, Xen sets only bits 3, 10 and 17.
                // No XMM fast calls are modelled. Xen reports EBX = 0: its viridian grants no
                // partition-level hypercall privilege.
                int edx = FEATURE_GUEST_CRASH_MSRS
                        | (!xen && c.has(HvPrivilege.ACCESS_FREQUENCY_REGS) ? FEATURE_FREQUENCY_MSRS : 0);
                yield new int[] {(int) priv, xen ? 0 : (int) (priv >>> 32), 0, edx};
            }
            case LEAF_RECOMMENDATIONS -> {
                if (!xen) {
                    yield new int[] {recommendations(c.personality()), c.spinRetries(), 0, 0};
                }
                int os = (int) ((p.guestOsId() >>> 40) & 0xff);
                yield p.guestOsId() == 0 || os < XEN_OS_WINDOWS_NT
                        ? new int[4]
                        : new int[] {XEN_RELAX_TIMER_INT, c.spinRetries(), 0, 0};
            }
            // Max VPs: the partition's own count; Xen reports 0 unless HVMPV_no_vp_limit (not modelled).
            case LEAF_LIMITS -> new int[] {xen ? 0 : c.vcpus(), 0, 0, 0};
            // No hardware feature is "in use" in a model.
            case LEAF_HW_FEATURES -> new int[4];
            default -> new int[4];
        };
    }
}
