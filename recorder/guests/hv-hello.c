/*
 * hv-hello: a short tour of the Hyper-V (TLFS) guest ABI, one line per step on the 0xE9 console.
 * It finds Hyper-V by CPUID, reports its identity, enables the hypercall page, reads VP_INDEX and
 * the reference counter, turns the SynIC on, makes five hypercalls, arms synthetic timer 0 and
 * polls its message slot. Every answer is checked against the TLFS; each mismatch is a console
 * line "MISMATCH: ...". It stops with `cli; hlt`: after the line "hcdiff-guest: done" when every
 * check held, after writing the guest crash MSRs (when offered) otherwise. The calls, in order,
 * are what recorder/src/test/.../HvHelloGuestTest expects.
 */
#include "console.h"
#include "hv.h"

/* The connection `hcdiff record` preconfigures for Hyper-V guests: an event port on VP 0, SINT 2. */
#define HELLO_CONNECTION    0x1u
#define EVENT_SINT          2
#define TIMER_SINT          3
#define EVENT_VECTOR        0x40
#define TIMER_VECTOR        0x41
/* An input value whose code (0xFFFF) no TLFS call has (TLFS App. A): INVALID_HYPERCALL_CODE. */
#define UNKNOWN_CALL_CODE   0xFFFFu
/* The timer's distance: 10 ms in 100 ns reference ticks (TLFS "Reference Counter"). */
#define TIMER_TICKS         100000ull
/* Give up on the timer 100 ms of reference time after its expiry, or after this many polls. */
#define TIMER_GRACE_TICKS   1000000ull
#define TIMER_POLLS         200000

static const char greeting[] = "hello from hcdiff hv-hello\n";

static struct hv_message sim[HV_SINT_COUNT] __attribute__((aligned(4096)));
static unsigned char sief[HV_SINT_COUNT * HV_EVENT_FLAGS_BYTES] __attribute__((aligned(4096)));
static unsigned char input_page[4096] __attribute__((aligned(4096)));
static unsigned char output_page[4096] __attribute__((aligned(4096)));

static unsigned int mismatches;
static unsigned int last_failed_step;

static void mismatch(unsigned int step, const char *what, unsigned long long got, unsigned long long want)
{
	mismatches++;
	last_failed_step = step;
	printf("MISMATCH: %s: got 0x%lx, expected 0x%lx\n", what, (unsigned long)got, (unsigned long)want);
}

static void expect_status(unsigned int step, const char *call, unsigned long long result, unsigned int want)
{
	unsigned int status = (unsigned int)(result & 0xffff);
	printf("%s = 0x%lx (status 0x%x)\n", call, (unsigned long)result, status);
	if (status != want)
		mismatch(step, call, status, want);
}

/* An MSR the partition's privileges grant must not fault (TLFS App. C; #GP only without the privilege). */
static void write_granted(unsigned int step, const char *name, unsigned int msr, unsigned long long value)
{
	int faulted = hv_wrmsr(msr, value);
	printf("wrmsr %s (0x%x) = 0x%lx%s\n", name, msr, (unsigned long)value, faulted ? ": #GP" : "");
	if (faulted)
		mismatch(step, name, 1, 0);
}

static unsigned long long read_granted(unsigned int step, const char *name, unsigned int msr)
{
	unsigned long long v;
	int faulted = hv_rdmsr(msr, &v);
	printf("rdmsr %s (0x%x) = 0x%lx%s\n", name, msr, (unsigned long)v, faulted ? ": #GP" : "");
	if (faulted)
		mismatch(step, name, 1, 0);
	return v;
}

static void stop(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/* CRASH_P0 = mismatches, P1 = the last failing step, then CrashNotify (TLFS "Partitions", crash MSRs). */
static void report_crash(unsigned int features_edx)
{
	if (!(features_edx & HV_FEATURE_CRASH_MSRS))
		return;
	hv_wrmsr(HV_X64_MSR_CRASH_P0, mismatches);
	hv_wrmsr(HV_X64_MSR_CRASH_P0 + 1, last_failed_step);
	hv_wrmsr(HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_NOTIFY);
}

void guest_main(unsigned long arg)
{
	(void)arg;
	unsigned int a, b, c, d;
	printf("hv-hello: a short tour of the Hyper-V guest ABI\n");
	hv_install_fault_handler();

	/* 1. Discovery (TLFS "Hypervisor Discovery"): CPUID.1:ECX[31], vendor, then "Hv#1". */
	cpuid(1, &a, &b, &c, &d);
	if (!(c & CPUID1_ECX_HYPERVISOR))
		printf("CPUID.1:ECX bit 31 clear: no hypervisor announced\n");
	unsigned int max;
	cpuid(HV_CPUID_VENDOR_AND_MAX, &max, &b, &c, &d);
	int microsoft = b == HV_SIGNATURE_EBX && c == HV_SIGNATURE_ECX && d == HV_SIGNATURE_EDX;
	char vendor[13];
	for (int i = 0; i < 4; i++) {
		vendor[i] = (char)(b >> (8 * i));
		vendor[4 + i] = (char)(c >> (8 * i));
		vendor[8 + i] = (char)(d >> (8 * i));
	}
	vendor[12] = '\0';
	printf("CPUID 0x40000000: max leaf 0x%x vendor \"%s\"%s\n", max, vendor,
	       microsoft ? "" : " (not Microsoft Hv: the interface decides)");
	cpuid(HV_CPUID_INTERFACE, &a, &b, &c, &d);
	if (a != HV_INTERFACE_HV1 || max < HV_CPUID_MIN_MAX_LEAF) {
		/* The TLFS tells a guest to decide on the interface signature, never the vendor. */
		printf("no Hyper-V interface (CPUID 0x40000001 EAX 0x%x, not \"Hv#1\"): hv-hello stops\n", a);
		stop();
	}
	printf("CPUID 0x40000001: interface \"Hv#1\"\n");
	unsigned int priv_lo, priv_hi, misc, features;
	cpuid(HV_CPUID_FEATURES, &priv_lo, &priv_hi, &misc, &features);
	printf("CPUID 0x40000003: privileges 0x%x%x features 0x%x\n", priv_hi, priv_lo, features);
	unsigned int rec_a, spin;
	cpuid(HV_CPUID_RECOMMENDATIONS, &rec_a, &spin, &c, &d);
	printf("CPUID 0x40000004: recommendations 0x%x spin retries 0x%x\n", rec_a, spin);

	/* 2. Identity and the hypercall page (TLFS "Establishing the Hypercall Interface"). */
	write_granted(1, "GUEST_OS_ID", HV_X64_MSR_GUEST_OS_ID, HCDIFF_GUEST_OS_ID);
	write_granted(2, "HYPERCALL", HV_X64_MSR_HYPERCALL, (unsigned long)hv_hypercall_page | HV_HYPERCALL_ENABLE);
	unsigned long long hc = read_granted(2, "HYPERCALL", HV_X64_MSR_HYPERCALL);
	if (!(hc & HV_HYPERCALL_ENABLE)) {
		mismatch(2, "HYPERCALL enable bit", hc & HV_HYPERCALL_ENABLE, HV_HYPERCALL_ENABLE);
		printf("the hypercall page is off: hv-hello stops\n");
		report_crash(features);
		stop();
	}

	/* 3. VP index and the reference counter (TLFS "Virtual Processors", "Reference Counter"). */
	unsigned long long vp = read_granted(3, "VP_INDEX", HV_X64_MSR_VP_INDEX);
	if (vp != 0) /* the boot VP is VP 0 (KVM: vcpu index; Xen viridian: vcpu_id) */
		mismatch(3, "VP_INDEX", vp, 0);
	unsigned long long t0 = read_granted(3, "TIME_REF_COUNT", HV_X64_MSR_TIME_REF_COUNT);

	/* 4. SynIC on, in Linux's order (hv_synic_enable_regs()): SIMP, SIEFP, the SINTs, SCONTROL. */
	write_granted(4, "SIMP", HV_X64_MSR_SIMP, (unsigned long)sim | HV_PAGE_ENABLE);
	write_granted(4, "SIEFP", HV_X64_MSR_SIEFP, (unsigned long)sief | HV_PAGE_ENABLE);
	int sint_faulted = hv_wrmsr(HV_X64_MSR_SINT0 + EVENT_SINT, EVENT_VECTOR);
	printf("wrmsr SINT%d = 0x%x%s\n", EVENT_SINT, EVENT_VECTOR, sint_faulted ? ": #GP" : "");
	if (sint_faulted)
		mismatch(4, "SINT2", 1, 0);
	write_granted(4, "SINT3", HV_X64_MSR_SINT0 + TIMER_SINT, TIMER_VECTOR);
	write_granted(4, "SCONTROL", HV_X64_MSR_SCONTROL, HV_SCONTROL_ENABLE);

	/* 5. Hypercalls. */
	/* PostDebugData (0x0069): needs the Debugging privilege, else ACCESS_DENIED (TLFS App. A, "Ordering of Error Conditions"). */
	unsigned int *pd = (unsigned int *)input_page;
	pd[0] = sizeof greeting - 1;     /* Count */
	pd[1] = 0;                       /* Options */
	for (unsigned int i = 0; i < sizeof greeting - 1; i++)
		input_page[8 + i] = (unsigned char)greeting[i];
	unsigned long long r = hv_hypercall(HVCALL_POST_DEBUG_DATA, (unsigned long)input_page, (unsigned long)output_page);
	expect_status(5, "HvCallPostDebugData", r,
		      priv_hi & HV_PRIV_DEBUGGING ? HV_STATUS_SUCCESS : HV_STATUS_ACCESS_DENIED);
	if ((r & 0xffff) != HV_STATUS_SUCCESS)
		console_write(greeting, sizeof greeting - 1); /* no debugger took it: say it ourselves */

	/* SignalEvent (0x005D), fast: RDX = ConnectionId | FlagNumber << 32. With the SINT unmasked the
	 * port's flag is set in the SIEF page; with it masked the call is INVALID_SYNIC_STATE (TLFS
	 * "HvCallSignalEvent"). */
	r = hv_hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, HELLO_CONNECTION, 0);
	expect_status(6, "HvCallSignalEvent(0x1, flag 0)", r,
		      sint_faulted ? HV_STATUS_INVALID_SYNIC_STATE : HV_STATUS_SUCCESS);
	if (!sint_faulted) {
		unsigned char flags = *(volatile unsigned char *)&sief[EVENT_SINT * HV_EVENT_FLAGS_BYTES];
		printf("SIEF SINT%d flag 0 = %u\n", EVENT_SINT, flags & 1u);
		if (!(flags & 1u))
			mismatch(6, "SIEF flag", flags & 1u, 1);
	}

	/* NotifyLongSpinWait (0x0008), fast: RDX = SpinCount. Always SUCCESS (TLFS "HvCallNotifyLongSpinWait"). */
	r = hv_hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, spin, 0);
	expect_status(7, "HvCallNotifyLongSpinWait", r, HV_STATUS_SUCCESS);

	/* An unknown code: INVALID_HYPERCALL_CODE (TLFS "Common Hypercall Status Codes"). */
	r = hv_hypercall(UNKNOWN_CALL_CODE, 0, 0);
	expect_status(8, "hypercall 0xffff", r, HV_STATUS_INVALID_HYPERCALL_CODE);

	/* SignalEvent, slow, input GPA not 8-byte aligned: INVALID_ALIGNMENT (TLFS "Alignment Requirements"). */
	r = hv_hypercall(HVCALL_SIGNAL_EVENT, (unsigned long)input_page + 4, 0);
	expect_status(9, "HvCallSignalEvent(misaligned input)", r, HV_STATUS_INVALID_ALIGNMENT);

	/* 6. Synthetic timer 0, one-shot on SINT 3 (TLFS "Synthetic Timers"): COUNT is the absolute
	 * expiry in reference ticks; expiry puts an HvMessageTimerExpired in SINT 3's SIM slot. The
	 * recorder injects no interrupts, so the slot is polled, reading the reference counter each
	 * time (an exit, when the hypervisor gets to run). */
	unsigned long long now = read_granted(10, "TIME_REF_COUNT", HV_X64_MSR_TIME_REF_COUNT);
	unsigned long long count = now + TIMER_TICKS;
	/* COUNT, CONFIG and the polls back to back, printed after: the console's exits would eat the 10 ms. */
	int count_faulted = hv_wrmsr(HV_X64_MSR_STIMER0_COUNT, count);
	unsigned long long config = HV_STIMER_ENABLE | (unsigned long long)TIMER_SINT << HV_STIMER_SINT_SHIFT;
	int config_faulted = hv_wrmsr(HV_X64_MSR_STIMER0_CONFIG, config);
	volatile struct hv_message *slot = &sim[TIMER_SINT];
	unsigned long long t = now, expiration = 0;
	int polls = 0, expired = 0;
	while (slot->type != HV_MESSAGE_TIMER_EXPIRED && polls < TIMER_POLLS && t < count + TIMER_GRACE_TICKS) {
		hv_rdmsr(HV_X64_MSR_TIME_REF_COUNT, &t);
		polls++;
	}
	printf("wrmsr STIMER0_COUNT (0x%x) = 0x%lx%s\n", HV_X64_MSR_STIMER0_COUNT, (unsigned long)count,
	       count_faulted ? ": #GP" : "");
	printf("wrmsr STIMER0_CONFIG (0x%x) = 0x%lx%s\n", HV_X64_MSR_STIMER0_CONFIG, (unsigned long)config,
	       config_faulted ? ": #GP" : "");
	if (count_faulted)
		mismatch(10, "STIMER0_COUNT", 1, 0);
	if (config_faulted)
		mismatch(10, "STIMER0_CONFIG", 1, 0);
	if (slot->type != HV_MESSAGE_TIMER_EXPIRED) {
		mismatch(10, "stimer0 message", slot->type, HV_MESSAGE_TIMER_EXPIRED);
	} else {
		/* hv_timer_message_payload: TimerIndex u32, Rsvd u32, ExpirationTime u64, DeliveryTime u64. */
		unsigned int index = (unsigned int)slot->payload[0];
		unsigned long long delivery = slot->payload[2];
		expired = 1;
		expiration = slot->payload[1];
		printf("stimer0 expired after %d polls: size %u index %u expiration %s count, delivery %s expiration\n",
		       polls, slot->payload_size, index, expiration >= count ? ">=" : "<",
		       delivery >= expiration ? ">=" : "<");
		if (slot->payload_size != 24)
			mismatch(10, "timer message size", slot->payload_size, 24);
		if (index != 0)
			mismatch(10, "timer index", index, 0);
		if (expiration < count) /* a timer never fires early */
			mismatch(10, "expiration time", expiration, count);
		if (delivery < expiration)
			mismatch(10, "delivery time", delivery, expiration);
	}
	/* A one-shot clears Enable when it expires (TLFS "Synthetic Timers"). */
	config = read_granted(11, "STIMER0_CONFIG", HV_X64_MSR_STIMER0_CONFIG);
	if (config & HV_STIMER_ENABLE)
		mismatch(11, "STIMER0_CONFIG.Enable after expiry", config & HV_STIMER_ENABLE, 0);
	slot->type = 0; /* empty the slot, then EOM (TLFS "SIM": the guest's half of the protocol) */
	write_granted(11, "EOM", HV_X64_MSR_EOM, 0);
	unsigned long long t1 = read_granted(12, "TIME_REF_COUNT", HV_X64_MSR_TIME_REF_COUNT);
	if (t1 < t0) /* strictly monotonic (TLFS "Reference Counter") */
		mismatch(12, "TIME_REF_COUNT monotonic", t1, t0);
	if (expired && t1 < expiration) /* the message came no earlier than its expiration time */
		mismatch(12, "reference time after expiry", t1, expiration);

	if (mismatches == 0) {
		printf("hv-hello: all checks passed\n");
		printf("hcdiff-guest: done\n");
	} else {
		printf("hv-hello: %u mismatches, last in step %u\n", mismatches, last_failed_step);
		report_crash(features);
	}
	stop();
}
