/*
 * Guest kit: find Xen as a real HVM guest does and call it through its hypercall page.
 * Numbers and structures from xen/include/public (Xen 4.17): xen.h, version.h, event_channel.h,
 * sched.h; the calling convention from xen/arch/x86/hvm/hypercall.c (64-bit: nr in rax, args in
 * rdi rsi rdx r10 r8, result in rax) and the page layout from init_hypercall_page (stub i at i*32).
 */
#ifndef HCDIFF_XEN_H
#define HCDIFF_XEN_H

typedef unsigned short domid_t;
typedef unsigned int evtchn_port_t;

/* xen/include/public/xen.h */
#define __HYPERVISOR_memory_op         12
#define __HYPERVISOR_xen_version        17
#define __HYPERVISOR_console_io         18
#define __HYPERVISOR_sched_op           29
#define __HYPERVISOR_event_channel_op   32
#define DOMID_SELF                      ((domid_t)0x7FF0)
#define CONSOLEIO_write                 0

/* xen/include/public/memory.h: xen_ulong_t and xen_pfn_t are unsigned long (24 bytes 64-bit, 16 bytes 32-bit). */
#define XENMEM_add_to_physmap           7
#define XENMAPSPACE_shared_info         0
struct xen_add_to_physmap {
	domid_t domid;
	unsigned short size;
	unsigned int space;
	unsigned long idx;
	unsigned long gpfn;
};

/* xen/include/public/version.h */
#define XENVER_version                  0
#define XENVER_extraversion             1
typedef char xen_extraversion_t[16];

/* xen/include/public/event_channel.h */
#define EVTCHNOP_close                  3
#define EVTCHNOP_send                   4
#define EVTCHNOP_status                 5
#define EVTCHNOP_alloc_unbound          6
#define EVTCHNSTAT_closed               0
#define EVTCHNSTAT_unbound              1

struct evtchn_alloc_unbound {
	domid_t dom, remote_dom;        /* IN */
	evtchn_port_t port;             /* OUT */
};
struct evtchn_close {
	evtchn_port_t port;
};
struct evtchn_send {
	evtchn_port_t port;
};
struct evtchn_status {
	domid_t dom;                    /* IN */
	evtchn_port_t port;             /* IN */
	unsigned int status;            /* OUT: EVTCHNSTAT_* */
	unsigned int vcpu;              /* OUT */
	union {
		struct { domid_t dom; } unbound;
		struct { domid_t dom; evtchn_port_t port; } interdomain;
		unsigned int pirq;
		unsigned int virq;
	} u;
};

/* xen/include/public/sched.h */
#define SCHEDOP_yield                   0
#define SCHEDOP_shutdown                2
#define SHUTDOWN_poweroff               0
struct sched_shutdown {
	unsigned int reason;
};

/* The hypercall page (xen.c): one 32-byte stub per hypercall number. */
extern char hypercall_page[4096];
#define HYPERCALL_STUB_SIZE 32

/*
 * Call stub `nr` of the page. The stub clobbers the result register only (a release Xen preserves
 * every other register); the argument registers are declared in/out anyway, as a debug Xen
 * overwrites them. The registers follow hvm_hypercall(): 64-bit code passes args in rdi rsi rdx
 * r10 r8, 32-bit code (the kit built with -m32) in ebx ecx edx esi edi.
 */
#if defined(__x86_64__)
#define HC_A1 "rdi"
#define HC_A2 "rsi"
#define HC_A3 "rdx"
#define HC_A4 "r10"
#define HC_A5 "r8"
#else
#define HC_A1 "ebx"
#define HC_A2 "ecx"
#define HC_A3 "edx"
#define HC_A4 "esi"
#define HC_A5 "edi"
#endif

#define _hypercall1(nr, a1) ({                                                     \
	register unsigned long __a1 asm(HC_A1) = (unsigned long)(a1);             \
	long __res;                                                                \
	asm volatile("call hypercall_page+%c[off]"                                 \
		     : "=a"(__res), "+r"(__a1)                                      \
		     : [off] "i"((nr) * HYPERCALL_STUB_SIZE)                        \
		     : "memory", "cc");                                             \
	__res; })

#define _hypercall2(nr, a1, a2) ({                                                 \
	register unsigned long __a1 asm(HC_A1) = (unsigned long)(a1);             \
	register unsigned long __a2 asm(HC_A2) = (unsigned long)(a2);             \
	long __res;                                                                \
	asm volatile("call hypercall_page+%c[off]"                                 \
		     : "=a"(__res), "+r"(__a1), "+r"(__a2)                          \
		     : [off] "i"((nr) * HYPERCALL_STUB_SIZE)                        \
		     : "memory", "cc");                                             \
	__res; })

#define _hypercall3(nr, a1, a2, a3) ({                                             \
	register unsigned long __a1 asm(HC_A1) = (unsigned long)(a1);             \
	register unsigned long __a2 asm(HC_A2) = (unsigned long)(a2);             \
	register unsigned long __a3 asm(HC_A3) = (unsigned long)(a3);             \
	long __res;                                                                \
	asm volatile("call hypercall_page+%c[off]"                                 \
		     : "=a"(__res), "+r"(__a1), "+r"(__a2), "+r"(__a3)              \
		     : [off] "i"((nr) * HYPERCALL_STUB_SIZE)                        \
		     : "memory", "cc");                                             \
	__res; })

#define _hypercall4(nr, a1, a2, a3, a4) ({                                         \
	register unsigned long __a1 asm(HC_A1) = (unsigned long)(a1);             \
	register unsigned long __a2 asm(HC_A2) = (unsigned long)(a2);             \
	register unsigned long __a3 asm(HC_A3) = (unsigned long)(a3);             \
	register unsigned long __a4 asm(HC_A4) = (unsigned long)(a4);             \
	long __res;                                                                \
	asm volatile("call hypercall_page+%c[off]"                                 \
		     : "=a"(__res), "+r"(__a1), "+r"(__a2), "+r"(__a3), "+r"(__a4)  \
		     : [off] "i"((nr) * HYPERCALL_STUB_SIZE)                        \
		     : "memory", "cc");                                             \
	__res; })

#define _hypercall5(nr, a1, a2, a3, a4, a5) ({                                     \
	register unsigned long __a1 asm(HC_A1) = (unsigned long)(a1);             \
	register unsigned long __a2 asm(HC_A2) = (unsigned long)(a2);             \
	register unsigned long __a3 asm(HC_A3) = (unsigned long)(a3);             \
	register unsigned long __a4 asm(HC_A4) = (unsigned long)(a4);             \
	register unsigned long __a5 asm(HC_A5) = (unsigned long)(a5);             \
	long __res;                                                                \
	asm volatile("call hypercall_page+%c[off]"                                 \
		     : "=a"(__res), "+r"(__a1), "+r"(__a2), "+r"(__a3), "+r"(__a4), \
		       "+r"(__a5)                                                   \
		     : [off] "i"((nr) * HYPERCALL_STUB_SIZE)                        \
		     : "memory", "cc");                                             \
	__res; })

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long HYPERVISOR_console_io(int cmd, int count, const char *buf)
{
	return _hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

/*
 * Finds Xen's CPUID leaves and installs the hypercall page. Returns the CPUID base
 * (0x40000000 or 0x40000100 …), or 0 when no Xen signature was found.
 */
unsigned int xen_init(void);

#endif
