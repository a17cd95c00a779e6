package dev.hcdiff.oracle.viridian;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@code cpuid_viridian_leaves()} ({@code xen/arch/x86/hvm/viridian/viridian.c}, Xen 4.17.7):
 * CPUID 0x40000000–0x400000FF of a viridian domain; Xen's own leaves move to 0x40000100. Leaves
 * above 0x40000006 read zero ({@code guest_cpuid()} zeroes the result first).
 *
 * <p>Host facts fixed as the Xen model's {@code CpuidLeaves} fixes them: no VMX APIC-register or
 * APIC-access virtualisation; MSR bitmaps (every VMX host since Nehalem, and SVM with EFER.SVME)
 * and HAP in use.
 */
final class ViridianCpuid {

    /** Leaf 0 EAX, the maximum leaf ({@code res->a = 0x40000006}). */
    static final int MAX_LEAF = 0x40000006;
    /** "Microsoft Hv" in EBX/ECX/EDX of leaf 0. */
    static final String VENDOR = "Microsoft Hv";
    /** "Hv#1" in EAX of leaf 1. */
    static final String INTERFACE = "Hv#1";
    /** {@code viridian_build} 0x1772 and {@code viridian_major}.{@code viridian_minor} 6.0 ("Windows Server 2008"). */
    static final int BUILD = 0x1772, MAJOR = 6, MINOR = 0;
    /** {@code viridian_spinlock_retry_count} default (Xen command line {@code viridian-spinlock-retry-count}). */
    static final int SPINLOCK_RETRY_COUNT = 2047;

    /** HV_PARTITION_PRIVILEGE_MASK bits (TLFS; the bitfield in viridian.c). */
    static final int ACCESS_PARTITION_REFERENCE_COUNTER = 1 << 1, ACCESS_SYNIC_REGS = 1 << 2,
            ACCESS_SYNTHETIC_TIMER_REGS = 1 << 3, ACCESS_INTR_CTRL_REGS = 1 << 4, ACCESS_HYPERCALL_MSRS = 1 << 5,
            ACCESS_VP_INDEX = 1 << 6, ACCESS_PARTITION_REFERENCE_TSC = 1 << 9, ACCESS_FREQUENCY_REGS = 1 << 11;
    /** Leaf 3 EDX: CPUID3D_CPU_DYNAMIC_PARTITIONING, CPUID3D_CRASH_MSRS, CPUID3D_SINT_POLLING. */
    static final int CPUID3D_CPU_DYNAMIC_PARTITIONING = 1 << 3, CPUID3D_CRASH_MSRS = 1 << 10,
            CPUID3D_SINT_POLLING = 1 << 17;
    /** Leaf 4 EAX: CPUID4A_HCALL_REMOTE_TLB_FLUSH, _MSR_BASED_APIC, _RELAX_TIMER_INT, _SYNTHETIC_CLUSTER_IPI, _EX_PROCESSOR_MASKS. */
    static final int CPUID4A_HCALL_REMOTE_TLB_FLUSH = 1 << 2, CPUID4A_MSR_BASED_APIC = 1 << 3,
            CPUID4A_RELAX_TIMER_INT = 1 << 5, CPUID4A_SYNTHETIC_CLUSTER_IPI = 1 << 10,
            CPUID4A_EX_PROCESSOR_MASKS = 1 << 11;
    /** Leaf 6 EAX: CPUID6A_MSR_BITMAPS, CPUID6A_NESTED_PAGING (CPUID6A_APIC_OVERLAY needs APIC-access virtualisation). */
    static final int CPUID6A_MSR_BITMAPS = 1 << 1, CPUID6A_NESTED_PAGING = 1 << 3;
    /** {@code hv_guest_os_id.os}, bits 47:40; leaf 4 needs it at least 4 (Windows NT). */
    static final int OS_SHIFT = 40, OS_WINDOWS_NT = 4;

    private final ViridianDomain d;

    ViridianCpuid(ViridianDomain d) {
        this.d = d;
    }

    /** True for the leaves viridian answers: 0x40000000–0x400000FF. */
    static boolean owns(int leaf) {
        return (leaf & 0xffffff00) == 0x40000000;
    }

    /** {eax, ebx, ecx, edx} of {@code leaf} (one of {@link #owns}). */
    int[] leaf(int leaf) {
        int[] r = new int[4];
        switch (leaf - 0x40000000) {
            case 0 -> {
                ByteBuffer b = ByteBuffer.wrap(VENDOR.getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN);
                r[0] = MAX_LEAF;
                r[1] = b.getInt(0);
                r[2] = b.getInt(4);
                r[3] = b.getInt(8);
            }
            case 1 -> r[0] = ByteBuffer.wrap(INTERFACE.getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN).getInt();
            case 2 -> {
                // "Hypervisor information, but only if the guest has set its own version number."
                if (d.guestOsId != 0) {
                    r[0] = BUILD;
                    r[1] = MAJOR << 16 | MINOR;
                }
            }
            case 3 -> features(r);
            case 4 -> recommendations(r);
            case 5 -> r[0] = d.has(ViridianFeatures.NO_VP_LIMIT) ? -1 : 0;
            case 6 -> r[0] = CPUID6A_MSR_BITMAPS | CPUID6A_NESTED_PAGING;
            default -> {
            }
        }
        return r;
    }

    /** Leaf 3: privilege mask EAX (EBX = 0: no hypercall privilege), features EDX. */
    private void features(int[] r) {
        int a = ACCESS_INTR_CTRL_REGS | ACCESS_HYPERCALL_MSRS | ACCESS_VP_INDEX;
        if (!d.has(ViridianFeatures.NO_FREQ)) {
            a |= ACCESS_FREQUENCY_REGS;
        }
        if (d.has(ViridianFeatures.TIME_REF_COUNT)) {
            a |= ACCESS_PARTITION_REFERENCE_COUNTER;
        }
        if (d.has(ViridianFeatures.REFERENCE_TSC)) {
            a |= ACCESS_PARTITION_REFERENCE_TSC;
        }
        if (d.has(ViridianFeatures.SYNIC)) {
            a |= ACCESS_SYNIC_REGS;
        }
        if (d.has(ViridianFeatures.STIMER)) {
            a |= ACCESS_SYNTHETIC_TIMER_REGS;
        }
        r[0] = a;
        if (d.has(ViridianFeatures.CPU_HOTPLUG)) {
            r[3] = CPUID3D_CPU_DYNAMIC_PARTITIONING;
        }
        if (d.has(ViridianFeatures.CRASH_CTL)) {
            r[3] |= CPUID3D_CRASH_MSRS;
        }
        if (d.has(ViridianFeatures.SYNIC)) {
            r[3] |= CPUID3D_SINT_POLLING;
        }
    }

    /** Leaf 4: empty unless the guest set an OS id with os ≥ 4 (Windows NT). */
    private void recommendations(int[] r) {
        int os = (int) ((d.guestOsId >>> OS_SHIFT) & 0xff);
        if (d.guestOsId == 0 || os < OS_WINDOWS_NT) {
            return;
        }
        r[0] = CPUID4A_RELAX_TIMER_INT | CPUID4A_MSR_BASED_APIC;
        if (d.has(ViridianFeatures.HCALL_REMOTE_TLB_FLUSH)) {
            r[0] |= CPUID4A_HCALL_REMOTE_TLB_FLUSH;
        }
        if (d.has(ViridianFeatures.HCALL_IPI)) {
            r[0] |= CPUID4A_SYNTHETIC_CLUSTER_IPI;
        }
        if (d.has(ViridianFeatures.EX_PROCESSOR_MASKS)) {
            r[0] |= CPUID4A_EX_PROCESSOR_MASKS;
        }
        r[1] = SPINLOCK_RETRY_COUNT;
    }
}
