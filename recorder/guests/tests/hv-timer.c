/*
 * hv-timer: waits for a Hyper-V synthetic timer in `sti; hlt` with an interrupt handler, as a
 * guest with a real interrupt path does (recorder tests: HvTimerGuestTest). It turns the SynIC on
 * with SINT 3 on TIMER_VECTOR, arms STIMER0 one-shot TIMER_TICKS ahead on SINT 3 (TLFS "Synthetic
 * Timers": COUNT is an absolute reference time in 100 ns ticks), and halts with interrupts on.
 * The handler counts the interrupt; after the wake the guest checks the count, the SIM slot's
 * HvMessageTimerExpired and the reference counter, prints one line per check ("MISMATCH: ..." when
 * one fails), then "hcdiff-guest: done" and stops with `cli; hlt`.
 */
#include "console.h"
#include "hv.h"

#define TIMER_SINT          3
#define TIMER_VECTOR        0x41
/* 1 s of reference time: far beyond the arming's own exits, and the recorder skips it in virtual time. */
#define TIMER_TICKS         10000000ull

static struct hv_message sim[HV_SINT_COUNT] __attribute__((aligned(4096)));


/* Interrupts taken on TIMER_VECTOR. No EOI: the recorder injects without a local APIC. */
volatile unsigned int timer_irqs;
void timer_entry(void);
asm(".text\n"
    ".globl timer_entry\n"
    "timer_entry:\n"
    "	lock incl timer_irqs(%rip)\n"
    "	iretq\n");

static void install_timer_gate(void)
{
	hv_set_interrupt_gate(TIMER_VECTOR, timer_entry);
}

static unsigned int mismatches;

static void check(const char *what, unsigned long long got, unsigned long long want)
{
	if (got != want) {
		mismatches++;
		printf("MISMATCH: %s: got 0x%lx, expected 0x%lx\n", what, (unsigned long)got, (unsigned long)want);
	}
}

static void wrmsr_checked(const char *name, unsigned int msr, unsigned long long value)
{
	check(name, hv_wrmsr(msr, value), 0);
}

void guest_main(unsigned long arg)
{
	(void)arg;
	printf("hv-timer: STIMER0 on SINT %d, vector 0x%x, waited for in sti; hlt\n", TIMER_SINT, TIMER_VECTOR);
	install_timer_gate();
	wrmsr_checked("GUEST_OS_ID", HV_X64_MSR_GUEST_OS_ID, HCDIFF_GUEST_OS_ID);
	/* SynIC on, in Linux's order (hv_synic_enable_regs()): SIMP, the SINT, SCONTROL. */
	wrmsr_checked("SIMP", HV_X64_MSR_SIMP, (unsigned long)sim | HV_PAGE_ENABLE);
	wrmsr_checked("SINT3", HV_X64_MSR_SINT0 + TIMER_SINT, TIMER_VECTOR);
	wrmsr_checked("SCONTROL", HV_X64_MSR_SCONTROL, HV_SCONTROL_ENABLE);

	unsigned long long now;
	check("TIME_REF_COUNT", hv_rdmsr(HV_X64_MSR_TIME_REF_COUNT, &now), 0);
	unsigned long long count = now + TIMER_TICKS;
	wrmsr_checked("STIMER0_COUNT", HV_X64_MSR_STIMER0_COUNT, count);
	wrmsr_checked("STIMER0_CONFIG", HV_X64_MSR_STIMER0_CONFIG,
		      HV_STIMER_ENABLE | (unsigned long long)TIMER_SINT << HV_STIMER_SINT_SHIFT);

	/* sti's interrupt shadow covers hlt, so the interrupt cannot slip in between (SDM vol. 2B, STI). */
	while (timer_irqs == 0)
		asm volatile("sti; hlt; cli" : : : "memory");

	unsigned long long woke;
	hv_rdmsr(HV_X64_MSR_TIME_REF_COUNT, &woke);
	printf("woke by vector 0x%x after %lu ticks\n", TIMER_VECTOR, (unsigned long)(woke - now));
	check("timer interrupts", timer_irqs, 1);
	check("stimer0 message", sim[TIMER_SINT].type, HV_MESSAGE_TIMER_EXPIRED);
	check("woke no earlier than COUNT", woke >= count, 1);
	printf(mismatches ? "hv-timer: %u checks failed\n" : "hv-timer: all checks passed\n", mismatches);
	printf("hcdiff-guest: done\n");
	for (;;)
		asm volatile("cli; hlt");
}
