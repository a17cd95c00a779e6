/*
 * Guest kit, Hyper-V side: discovery, synthetic MSRs and the hypercall page as a TLFS guest uses
 * them (MicrosoftDocs/Virtualization-Documentation, virtualization/hyper-v-on-windows/tlfs/:
 * "Feature and Interface Discovery", "Hypercall Interface", "Inter-Partition Communication",
 * "Timers"; Linux include/hyperv/hvgdk_mini.h for the numbers). x64 only.
 */
#ifndef HCDIFF_HV_H
#define HCDIFF_HV_H

/* CPUID leaves (TLFS "Feature and Interface Discovery"). */
#define HV_CPUID_VENDOR_AND_MAX     0x40000000u
#define HV_CPUID_INTERFACE          0x40000001u
#define HV_CPUID_FEATURES           0x40000003u
#define HV_CPUID_RECOMMENDATIONS    0x40000004u
#define HV_CPUID_MIN_MAX_LEAF       0x40000005u   /* a guest needs at least this max leaf */
#define HV_SIGNATURE_EBX            0x7263694Du   /* "Micr" */
#define HV_SIGNATURE_ECX            0x666F736Fu   /* "osof" */
#define HV_SIGNATURE_EDX            0x76482074u   /* "t Hv" */
#define HV_INTERFACE_HV1            0x31237648u   /* "Hv#1" */
/* CPUID.1:ECX bit 31, "hypervisor present" (Intel SDM vol. 2A CPUID; TLFS "Hypervisor Discovery"). */
#define CPUID1_ECX_HYPERVISOR       (1u << 31)

/* Partition privileges, 0x40000003 EAX (low) / EBX (high) (TLFS datatype hv_partition_privilege_mask). */
#define HV_PRIV_TIME_REF_COUNT      (1u << 1)     /* EAX: AccessPartitionReferenceCounter */
#define HV_PRIV_SYNIC               (1u << 2)     /* EAX: AccessSynicRegs */
#define HV_PRIV_STIMER              (1u << 3)     /* EAX: AccessSyntheticTimerRegs */
#define HV_PRIV_HYPERCALL_MSRS      (1u << 5)     /* EAX: AccessHypercallMsrs */
#define HV_PRIV_VP_INDEX            (1u << 6)     /* EAX: AccessVpIndex */
#define HV_PRIV_SIGNAL_EVENTS       (1u << 5)     /* EBX: SignalEvents */
#define HV_PRIV_DEBUGGING           (1u << 11)    /* EBX: Debugging */
/* 0x40000003 EDX bit 10: guest crash MSRs available. */
#define HV_FEATURE_CRASH_MSRS       (1u << 10)

/* Synthetic MSRs (TLFS App. C "Hypervisor Synthetic MSRs"). */
#define HV_X64_MSR_GUEST_OS_ID      0x40000000u
#define HV_X64_MSR_HYPERCALL        0x40000001u
#define HV_X64_MSR_VP_INDEX         0x40000002u
#define HV_X64_MSR_TIME_REF_COUNT   0x40000020u
#define HV_X64_MSR_SCONTROL         0x40000080u
#define HV_X64_MSR_SIEFP            0x40000082u
#define HV_X64_MSR_SIMP             0x40000083u
#define HV_X64_MSR_EOM              0x40000084u
#define HV_X64_MSR_SINT0            0x40000090u
#define HV_X64_MSR_STIMER0_CONFIG   0x400000B0u
#define HV_X64_MSR_STIMER0_COUNT    0x400000B1u
#define HV_X64_MSR_CRASH_P0         0x40000100u
#define HV_X64_MSR_CRASH_CTL        0x40000105u

#define HV_HYPERCALL_ENABLE         1ull          /* HYPERCALL MSR bit 0 */
#define HV_PAGE_ENABLE              1ull          /* SIMP / SIEFP bit 0 */
#define HV_SCONTROL_ENABLE          1ull
#define HV_SINT_MASKED              (1ull << 16)
#define HV_STIMER_ENABLE            1ull          /* STIMERn_CONFIG bit 0 */
#define HV_STIMER_SINT_SHIFT        16            /* STIMERn_CONFIG bits 19:16 SINTx */
#define HV_CRASH_CTL_NOTIFY         (1ull << 63)

/*
 * Guest OS identity, open-source form (TLFS "Reporting the Guest OS Identity"): bit 63 = 1,
 * OS type 62:56, version 47:16, build 15:0. hcdiff is none of the listed OS types (Linux 1,
 * FreeBSD 2, Xen 3, Illumos 4), so OS type 0 with version 1, build 1.
 */
#define HCDIFF_GUEST_OS_ID          ((1ull << 63) | (1ull << 16) | 1ull)

/* Hypercall input value (TLFS "Hypercall Inputs"): code 15:0, fast bit 16. */
#define HV_HYPERCALL_FAST           (1ull << 16)
/* Call codes (TLFS App. A). */
#define HVCALL_NOTIFY_LONG_SPIN_WAIT 0x0008u
#define HVCALL_SIGNAL_EVENT          0x005Du
#define HVCALL_POST_DEBUG_DATA       0x0069u
/* HV_STATUS (TLFS App. B "Hypercall Status Code Reference"). */
#define HV_STATUS_SUCCESS                 0x0
#define HV_STATUS_INVALID_HYPERCALL_CODE  0x2
#define HV_STATUS_INVALID_ALIGNMENT       0x4
#define HV_STATUS_ACCESS_DENIED           0x6
#define HV_STATUS_INVALID_SYNIC_STATE     0x18

/* SynIC pages (TLFS "SynIC Message Page", "SynIC Event Flags Page"; datatypes hv_message). */
struct hv_message {
	unsigned int type;
	unsigned char payload_size;
	unsigned char flags;               /* bit 0 MessagePending */
	unsigned short reserved;
	unsigned long long origin;
	unsigned long long payload[30];
};
#define HV_MESSAGE_TIMER_EXPIRED    0x80000010u
#define HV_SINT_COUNT               16
#define HV_EVENT_FLAGS_BYTES        256      /* 2048 flags per SINT */

static inline void cpuid(unsigned int leaf, unsigned int *a, unsigned int *b, unsigned int *c, unsigned int *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/*
 * MSR access that survives a #GP: the kit's #GP handler (hv.c) skips a faulting rdmsr/wrmsr,
 * makes a faulting rdmsr read 0 and counts the fault. Each returns 1 when the access faulted.
 */
int hv_rdmsr(unsigned int msr, unsigned long long *value);
int hv_wrmsr(unsigned int msr, unsigned long long value);

/* Loads an IDT whose #GP vector is the handler above; other vectors stay absent. */
void hv_install_fault_handler(void);
/* Points IDT vector `vector` at `entry` (a 64-bit interrupt gate, DPL 0) and loads the kit's IDT. */
void hv_set_interrupt_gate(unsigned int vector, void (*entry)(void));

/* The hypercall page, 4 KiB aligned, enabled through HV_X64_MSR_HYPERCALL. */
extern char hv_hypercall_page[4096];

/*
 * A hypercall in the x64 convention (TLFS "Hypercall Inputs"): input value in RCX, input GPA or
 * fast parameter 1 in RDX, output GPA or fast parameter 2 in R8; the result value in RAX. The page
 * stub may clobber the caller-saved registers, as Linux's hv_do_hypercall() assumes.
 */
static inline unsigned long long hv_hypercall(unsigned long long input, unsigned long long rdx, unsigned long long r8)
{
	unsigned long long result;
	register unsigned long long r8_ asm("r8") = r8;
	asm volatile("call hv_hypercall_page"
		     : "=a"(result), "+c"(input), "+d"(rdx), "+r"(r8_)
		     :
		     : "memory", "cc", "rsi", "rdi", "r9", "r10", "r11");
	return result;
}

#endif
