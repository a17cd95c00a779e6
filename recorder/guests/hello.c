/*
 * hello: a short tour of the Xen ABI, one line per step on the 0xE9 console. The calls, in order,
 * are what hcdiff's recorder tests expect (recorder/src/test/.../HelloGuestTest).
 */
#include "console.h"
#include "xen.h"

static const char greeting[] = "hello from hcdiff guest\n";

void guest_main(unsigned long arg)
{
	(void)arg;
	unsigned int base = xen_init();
	if (!base) {
		printf("no Xen signature in CPUID 0x40000000-0x4000ff00\n");
		return;
	}
	printf("Xen CPUID leaves at 0x%x\n", base);

	long version = HYPERVISOR_xen_version(XENVER_version, 0);
	printf("xen_version(XENVER_version) = 0x%lx\n", version);

	xen_extraversion_t extra = { 0 };
	long rc = HYPERVISOR_xen_version(XENVER_extraversion, extra);
	extra[sizeof extra - 1] = '\0';
	printf("xen_version(XENVER_extraversion) = %ld \"%s\"\n", rc, extra);

	rc = HYPERVISOR_console_io(CONSOLEIO_write, sizeof greeting - 1, greeting);
	printf("console_io(CONSOLEIO_write) = %ld\n", rc);
	if (rc != 0) /* a release Xen refuses a domU's console_io: say it ourselves */
		console_write(greeting, sizeof greeting - 1);
	printf("Xen %ld.%ld%s\n", version >> 16, version & 0xffff, extra);

	struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	printf("event_channel_op(EVTCHNOP_alloc_unbound) = %ld port %u\n", rc, alloc.port);

	struct evtchn_send send = { .port = alloc.port };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
	printf("event_channel_op(EVTCHNOP_send, %u) = %ld\n", send.port, rc);

	struct evtchn_status status = { .dom = DOMID_SELF, .port = alloc.port };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &status);
	printf("event_channel_op(EVTCHNOP_status, %u) = %ld status %u\n", status.port, rc, status.status);

	struct evtchn_close close = { .port = alloc.port };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
	printf("event_channel_op(EVTCHNOP_close, %u) = %ld\n", close.port, rc);

	rc = HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
	printf("event_channel_op(EVTCHNOP_send, %u) after close = %ld\n", send.port, rc);

	rc = HYPERVISOR_sched_op(SCHEDOP_yield, 0);
	printf("sched_op(SCHEDOP_yield) = %ld\n", rc);

	printf("sched_op(SCHEDOP_shutdown, poweroff)\n");
	struct sched_shutdown off = { .reason = SHUTDOWN_poweroff };
	rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, &off);
	printf("sched_op(SCHEDOP_shutdown) returned %ld\n", rc);
}
