/*
 * xen-timer: waits for Xen's VIRQ_TIMER in `sti; hlt` with an upcall handler, as an HVM guest with
 * a real interrupt path (Linux's HYPERVISOR_CALLBACK_VECTOR) does (recorder tests:
 * XenTimerGuestTest). It maps shared_info, registers UPCALL_VECTOR with
 * HVMOP_set_evtchn_upcall_vector, binds VIRQ_TIMER on vCPU 0, arms the single-shot timer
 * TIMER_NS of Xen system time ahead (HVMOP_get_time) and halts with interrupts on. The handler
 * clears the upcall and the 2-level selector and pending bits, as Linux's xen_evtchn_do_upcall()
 * does (drivers/xen/events/events_2l.c evtchn_2l_handle_events), and counts one upcall when the
 * VIRQ_TIMER port was pending. After the wake the guest prints one line per check
 * ("MISMATCH: ..." when one fails), then "hcdiff-guest: done", and powers off with
 * SCHEDOP_shutdown.
 */
#include "console.h"
#include "hv.h"
#include "xen.h"

/* xen/include/public/xen.h */
#define __HYPERVISOR_vcpu_op            24
#define __HYPERVISOR_hvm_op             34
#define VIRQ_TIMER                      0

/* xen/include/public/event_channel.h */
#define EVTCHNOP_bind_virq              1
struct evtchn_bind_virq {
	unsigned int virq;              /* IN */
	unsigned int vcpu;              /* IN */
	evtchn_port_t port;             /* OUT */
};

/* xen/include/public/vcpu.h: VCPUOP_set_singleshot_timer, 16 bytes (u64 + u32 + tail padding). */
#define VCPUOP_set_singleshot_timer     8
struct vcpu_set_singleshot_timer {
	unsigned long long timeout_abs_ns;  /* absolute system time */
	unsigned int flags;                 /* VCPU_SSHOTTMR_*: 0, no -ETIME for a past deadline */
};

/* xen/include/public/hvm/hvm_op.h */
#define HVMOP_get_time                  10
struct xen_hvm_get_time {
	unsigned long long now;         /* OUT: NOW() in ns */
};
#define HVMOP_set_evtchn_upcall_vector  23
struct xen_hvm_evtchn_upcall_vector {
	unsigned int vcpu;
	unsigned char vector;
};

/*
 * xen/include/public/xen.h, x86_64 (xen_ulong_t is 64 bits; arch-x86/xen.h arch_vcpu_info is
 * cr2 + pad, 16 bytes; vcpu_time_info 32 bytes): vcpu_info is 64 bytes, 32 of them
 * (XEN_LEGACY_MAX_VCPUS) head shared_info, then evtchn_pending[64] and evtchn_mask[64].
 */
#define XEN_LEGACY_MAX_VCPUS            32
struct vcpu_time_info {
	unsigned int version;
	unsigned int pad0;
	unsigned long long tsc_timestamp;
	unsigned long long system_time;
	unsigned int tsc_to_system_mul;
	signed char tsc_shift;
	unsigned char flags;
	unsigned char pad1[2];
};
struct vcpu_info {
	unsigned char evtchn_upcall_pending;
	unsigned char evtchn_upcall_mask;
	unsigned long evtchn_pending_sel;
	unsigned long arch_cr2;
	unsigned long arch_pad;
	struct vcpu_time_info time;
};
struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	unsigned long evtchn_pending[sizeof(unsigned long) * 8];
	unsigned long evtchn_mask[sizeof(unsigned long) * 8];
	/* wc_version, wc_sec, wc_nsec, wc_sec_hi, arch: not read here */
};
_Static_assert(sizeof(struct vcpu_info) == 64, "xen.h struct vcpu_info is 64 bytes on x86_64");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_pending) == 2048, "shared_info.evtchn_pending");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_mask) == 2560, "shared_info.evtchn_mask");
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "vcpu.h vcpu_set_singleshot_timer");

/* Bits per 2-level selector word (xen/common/event_2l.c BITS_PER_EVTCHN_WORD, 64-bit guest). */
#define BITS_PER_EVTCHN_WORD            64

/* Linux arch/x86/include/asm/irq_vectors.h HYPERVISOR_CALLBACK_VECTOR. */
#define UPCALL_VECTOR                   0xf3
/*
 * The local APIC (Intel SDM vol. 3 §10.4.1, §10.9, §10.8.5): at 0xFEE00000 after reset, software-
 * disabled until SPIV bit 8 is set. Xen raises no upcall vector through a disabled vLAPIC
 * (xen/arch/x86/hvm/irq.c hvm_assert_evtchn_irq: vlapic_enabled() before vlapic_set_irq()), so the
 * guest turns it on, as Linux's setup_local_APIC() does, and EOIs each upcall (apic_eoi()).
 */
#define APIC_BASE                       0xFEE00000ul
#define APIC_EOI                        0xB0
#define APIC_SPIV                       0xF0
#define APIC_SPIV_APIC_ENABLED          (1u << 8)
#define SPURIOUS_APIC_VECTOR            0xff    /* Linux arch/x86/include/asm/irq_vectors.h */
/* Paging-entry bits (SDM vol. 3 §4.5, table 4-17/4-18): P, R/W, PWT, PCD, PS. */
#define PTE_PRESENT_RW                  0x3ul
#define PTE_PWT_PCD                     0x18ul
#define PTE_PS                          0x80ul
#define PTE_ADDR_MASK                   0x000ffffffffff000ul
#define GIB                             (1ul << 30)
#define PAGE_2M                         (2ul << 20)

/* 10 ms of Xen system time: beyond the arming's own exits; the recorder skips it in virtual time. */
#define TIMER_NS                        10000000ull

/* The page Xen maps shared_info onto (XENMEM_add_to_physmap replaces the whole 4 KiB frame). */
static union {
	struct shared_info s;
	char page[4096];
} shinfo_page __attribute__((aligned(4096)));
#define shinfo shinfo_page.s

/* A page directory for the GiB holding the LAPIC, which the boot's identity map (low RAM only) lacks. */
static unsigned long apic_pd[512] __attribute__((aligned(4096)));

static void apic_write(unsigned int reg, unsigned int value)
{
	*(volatile unsigned int *)(APIC_BASE + reg) = value;
}

/* Maps the LAPIC page uncached, identity, as a 2 MiB page of a new PD, and reloads CR3. */
static void map_apic(void)
{
	unsigned long cr3;
	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	unsigned long *pml4 = (unsigned long *)(cr3 & PTE_ADDR_MASK);
	unsigned long *pdpt = (unsigned long *)(pml4[0] & PTE_ADDR_MASK);
	unsigned long gib = APIC_BASE / GIB;
	if (!(pdpt[gib] & 1))
		pdpt[gib] = (unsigned long)apic_pd | PTE_PRESENT_RW;
	unsigned long *pd = (unsigned long *)(pdpt[gib] & PTE_ADDR_MASK);
	pd[(APIC_BASE % GIB) / PAGE_2M] = (APIC_BASE & ~(PAGE_2M - 1)) | PTE_PS | PTE_PWT_PCD | PTE_PRESENT_RW;
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

static inline long HYPERVISOR_hvm_op(int op, void *arg)
{
	return _hypercall2(__HYPERVISOR_hvm_op, op, arg);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return _hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

/* Filled in by guest_main before interrupts go on; read by the handler. */
static evtchn_port_t timer_port;
/* What the handler saw: upcalls taken, those that found the VIRQ_TIMER port pending, and
 * evtchn_upcall_pending as the first of those found it. */
volatile unsigned int upcalls, timer_upcalls, upcall_pending_seen;

/* Linux xen_evtchn_do_upcall() → evtchn_2l_handle_events(), reduced to vCPU 0 and one port. */
void upcall_handler(void)
{
	struct vcpu_info *vi = &shinfo.vcpu_info[0];
	unsigned int pending = vi->evtchn_upcall_pending;
	vi->evtchn_upcall_pending = 0;
	unsigned long sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	unsigned int word = timer_port / BITS_PER_EVTCHN_WORD;
	unsigned long bit = 1ul << (timer_port % BITS_PER_EVTCHN_WORD);
	if ((sel >> word) & 1) {
		unsigned long active = shinfo.evtchn_pending[word] & ~shinfo.evtchn_mask[word];
		if (active & bit) {
			/* clear_evtchn(port): sync_clear_bit(port, evtchn_pending) */
			__atomic_fetch_and(&shinfo.evtchn_pending[word], ~bit, __ATOMIC_SEQ_CST);
			if (timer_upcalls++ == 0)
				upcall_pending_seen = pending;
		}
	}
	upcalls++;
	apic_write(APIC_EOI, 0);
}

/*
 * Upcall entry: saves the registers the C ABI lets upcall_handler clobber. The CPU pushed 5
 * quadwords on a 16-byte aligned stack (SDM vol. 3 §6.14.2), so 9 more keep the call aligned.
 * upcall_handler ends with the EOI, as Linux's sysvec_xen_hvm_callback does.
 */
void upcall_entry(void);
asm(".text\n"
    ".globl upcall_entry\n"
    "upcall_entry:\n"
    "	pushq %rax\n	pushq %rcx\n	pushq %rdx\n	pushq %rsi\n	pushq %rdi\n"
    "	pushq %r8\n	pushq %r9\n	pushq %r10\n	pushq %r11\n"
    "	cld\n"
    "	call upcall_handler\n"
    "	popq %r11\n	popq %r10\n	popq %r9\n	popq %r8\n"
    "	popq %rdi\n	popq %rsi\n	popq %rdx\n	popq %rcx\n	popq %rax\n"
    "	iretq\n");

static unsigned int mismatches;

static void check(const char *what, unsigned long long got, unsigned long long want)
{
	if (got != want) {
		mismatches++;
		printf("MISMATCH: %s: got 0x%lx, expected 0x%lx\n", what, (unsigned long)got, (unsigned long)want);
	}
}

static void power_off(void)
{
	printf("hcdiff-guest: done\n");
	struct sched_shutdown off = { .reason = SHUTDOWN_poweroff };
	HYPERVISOR_sched_op(SCHEDOP_shutdown, &off);
	for (;;)
		asm volatile("cli; hlt");
}

void guest_main(unsigned long arg)
{
	(void)arg;
	printf("xen-timer: VIRQ_TIMER upcall on vector 0x%x, waited for in sti; hlt\n", UPCALL_VECTOR);
	unsigned int base = xen_init();
	if (!base) {
		printf("MISMATCH: no Xen signature in CPUID 0x40000000-0x4000ff00\n");
		power_off();
	}
	/* No line names the CPUID base or a time, so the console of a run under
	 * xen and one under xen-on-hyperv (Xen at 0x40000100) stay byte-equal for `hcdiff diff`. */
	hv_set_interrupt_gate(UPCALL_VECTOR, upcall_entry);

	/* Identity paging (LongModeBoot): the page's linear address is its guest-physical one. */
	struct xen_add_to_physmap map = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
		.gpfn = (unsigned long)&shinfo_page >> 12,
	};
	long rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &map);
	printf("memory_op(XENMEM_add_to_physmap, shared_info) = %ld\n", rc);
	check("add_to_physmap(shared_info)", rc, 0);

	struct xen_hvm_evtchn_upcall_vector upv = { .vcpu = 0, .vector = UPCALL_VECTOR };
	rc = HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &upv);
	printf("hvm_op(HVMOP_set_evtchn_upcall_vector, 0x%x) = %ld\n", UPCALL_VECTOR, rc);
	check("set_evtchn_upcall_vector", rc, 0);
	/*
	 * The LAPIC goes on after the vector is registered: hvmop_set_evtchn_upcall_vector() asserts
	 * the vector at once (hvm_assert_evtchn_irq(), xen/arch/x86/hvm/hvm.c) with no event pending,
	 * but a software-disabled vLAPIC does not take it, and enabling re-raises it only while
	 * evtchn_upcall_pending is set (vlapic.c APIC_SPIV; Xen commit 4ad5975d, "x86/HVM: don't mark
	 * evtchn upcall vector as pending when vLAPIC is disabled", 4.17). Linux registers its APs'
	 * vector in this order too. So the timer's upcall is the only one; the handler would tolerate
	 * a spurious one all the same.
	 */
	map_apic();
	apic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | SPURIOUS_APIC_VECTOR);
	printf("LAPIC software-enabled (SPIV 0x%x)\n", APIC_SPIV_APIC_ENABLED | SPURIOUS_APIC_VECTOR);

	struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind);
	printf("event_channel_op(EVTCHNOP_bind_virq, VIRQ_TIMER) = %ld port %u\n", rc, bind.port);
	check("bind_virq(VIRQ_TIMER)", rc, 0);
	timer_port = bind.port;

	struct xen_hvm_get_time now = { 0 };
	rc = HYPERVISOR_hvm_op(HVMOP_get_time, &now);
	printf("hvm_op(HVMOP_get_time) = %ld\n", rc);
	check("get_time", rc, 0);

	/* No exit between the arming and hlt (its result is printed after the wake), so the timer
	 * cannot expire while the guest still runs with interrupts off. */
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = now.now + TIMER_NS, .flags = 0 };
	long armed = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);

	/* sti's interrupt shadow covers hlt, so the upcall cannot slip in between (SDM vol. 2B, STI). */
	while (timer_upcalls == 0)
		asm volatile("sti; hlt; cli" : : : "memory");

	printf("vcpu_op(VCPUOP_set_singleshot_timer, +%lu ns) = %ld\n", (unsigned long)TIMER_NS, armed);
	check("set_singleshot_timer", armed, 0);
	struct xen_hvm_get_time woke = { 0 };
	HYPERVISOR_hvm_op(HVMOP_get_time, &woke);
	printf("woke by vector 0x%x, %u upcall(s)\n", UPCALL_VECTOR, upcalls);
	check("upcalls with the VIRQ_TIMER port pending", timer_upcalls, 1);
	check("evtchn_upcall_pending in the handler", upcall_pending_seen, 1);
	check("woke no earlier than the deadline", woke.now >= t.timeout_abs_ns, 1);
	check("port pending after the handler", (shinfo.evtchn_pending[timer_port / BITS_PER_EVTCHN_WORD]
						 >> (timer_port % BITS_PER_EVTCHN_WORD)) & 1, 0);
	printf(mismatches ? "xen-timer: %u checks failed\n" : "xen-timer: all checks passed\n", mismatches);
	power_off();
}
