// SPDX-License-Identifier: GPL-2.0
/*
 * No reserve pages stranded on an offline CPU (TAP).
 *
 * Taking a CPU down hands its reserve back.  A refill queued just before
 * (here: by writing reserve_pages, which queues one on every online CPU)
 * must not fill the reserve again after that, or up to reserve_pages pages
 * stay with the CPU for as long as it is offline.  With one of two CPUs
 * down, reserve_pages_now (summed over all possible CPUs) must not exceed
 * what the online CPU's reserve aims to hold (reserve_target_now: 32, or
 * more if a wakeup found it short meanwhile and grew it).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define CPU1 "/sys/devices/system/cpu/cpu1/online"
#define ROUNDS 30

int main(void)
{
	long now, limit, worst = 0;
	int i, bad = 0, downs = 0;

	if (access(SYSFS, F_OK) || access(CPU1, W_OK)) {
		printf("1..1\nok 1 - offline # SKIP no stack reclaim or no CPU hotplug\n");
		return 0;
	}
	printf("TAP version 13\n1..1\n");
	for (i = 0; i < ROUNDS; i++) {
		put(SYSFS "reserve_pages", "0");
		put(SYSFS "reserve_pages", "32");
		if (put(CPU1, "0"))
			continue;
		downs++;
		usleep(20000);		/* let any late refill run */
		limit = stat_of("reserve_target_now");
		now = stat_of("reserve_pages_now");
		if (stat_of("reserve_target_now") > limit)
			limit = stat_of("reserve_target_now");
		if (limit < 0)		/* a reserve that cannot grow */
			limit = 32;
		if (now > worst)
			worst = now;
		/* No statistics is no proof: a failure, not a pass. */
		bad += now < 0 || now > limit;
		put(CPU1, "1");
	}
	printf("# %d of %d offlines: at most %ld reserve pages with one CPU online, %d rounds over the target\n",
	       downs, ROUNDS, worst, bad);
	printf("%sok 1 - no reserve pages stranded on an offline CPU\n",
	       downs && !bad ? "" : "not ");
	return 0;
}
