/* spin: `arg` calls of xen_version(XENVER_version), then poweroff. The recorder benchmark's guest. */
#include "console.h"
#include "xen.h"

void guest_main(unsigned long arg)
{
	if (!xen_init()) {
		printf("no Xen signature\n");
		return;
	}
	for (unsigned long i = 0; i < arg; i++)
		HYPERVISOR_xen_version(XENVER_version, 0);
	struct sched_shutdown off = { .reason = SHUTDOWN_poweroff };
	HYPERVISOR_sched_op(SCHEDOP_shutdown, &off);
	printf("sched_op(SCHEDOP_shutdown) returned\n");
}
