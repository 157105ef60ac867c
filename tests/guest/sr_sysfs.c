// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/stack_reclaim/ ABI test (TAP): every malformed or
 * out-of-range write fails with EINVAL and leaves the value unchanged;
 * good values are taken and read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIR "/sys/kernel/mm/stack_reclaim/"

struct knob {
	const char *name;
	const char *good;	/* a valid value other than the default */
	const char *out_of_range[3];
};

static const struct knob knobs[] = {
	{ "enabled",		"0",     { "2", "100" } },
	{ "min_sleep_ms",	"250",   { "3600001", "4294967295" } },
	{ "scan_interval_ms",	"0",     { "1", "9", "3600001" } },
	{ "switch_hook",	"1",     { "2", "11" } },
	{ "reserve_pages",	"8",     { "257", "100000" } },
	{ "tlb_flush",		"1",     { "2", "-0" } },
	{ "reage_ms",		"5000",  { "3600001", "4294967295" } },
};

static const char *malformed[] = {
	"", "\n", " ", "-1", "abc", "1abc", "0x10", " 1", "1 2", "+", "1.5",
	"18446744073709551616", "4294967296", "99999999999999999999999",
	"\x01", "1\n2",
};

static int n;

static int rd(const char *name, char *buf, size_t len)
{
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), DIR "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = 0;
	return 0;
}

static int wr(const char *name, const char *s, size_t len)
{
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	r = write(fd, s, len);
	r = r < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int expect_einval(const char *name, const char *s, size_t len)
{
	char before[64], after[64];
	int r;

	if (rd(name, before, sizeof(before)))
		return 0;
	r = wr(name, s, len);
	if (rd(name, after, sizeof(after)))
		return 0;
	if (r != -EINVAL || strcmp(before, after)) {
		printf("# %s <- \"%.*s\": ret %d, \"%s\" -> \"%s\"\n", name, (int)len, s, r,
		       strtok(before, "\n"), strtok(after, "\n"));
		return 0;
	}
	return 1;
}

int main(void)
{
	char saved[64], buf[64];
	size_t k, i;
	int ok, bad;

	if (access(DIR, F_OK)) {
		printf("1..1\nok 1 - sysfs ABI # SKIP stack reclaim absent\n");
		return 0;
	}
	printf("TAP version 13\n1..%zu\n", 3 * (sizeof(knobs) / sizeof(knobs[0])) + 2);
	/* Have holes around, so that enabled=0 has pages to give back. */
	rd("min_sleep_ms", saved, sizeof(saved));
	wr("min_sleep_ms", "0", 1);
	wr("reclaim", "1", 1);
	wr("min_sleep_ms", saved, strlen(saved));
	for (k = 0; k < sizeof(knobs) / sizeof(knobs[0]); k++) {
		const struct knob *kb = &knobs[k];

		if (rd(kb->name, saved, sizeof(saved))) {
			printf("not ok %d - %s: cannot read\n", ++n, kb->name);
			continue;
		}
		bad = 0;
		for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
			size_t len = strlen(malformed[i]);

			/* A zero-length write never reaches ->store(); skip it. */
			if (len)
				bad += !expect_einval(kb->name, malformed[i], len);
		}
		printf("%sok %d - %s: %zu malformed writes get EINVAL, value unchanged\n",
		       bad ? "not " : "", ++n, kb->name,
		       sizeof(malformed) / sizeof(malformed[0]) - 1);

		bad = 0;
		for (i = 0; i < 3 && kb->out_of_range[i]; i++)
			bad += !expect_einval(kb->name, kb->out_of_range[i],
					      strlen(kb->out_of_range[i]));
		printf("%sok %d - %s: out-of-range writes get EINVAL, value unchanged\n",
		       bad ? "not " : "", ++n, kb->name);

		ok = !wr(kb->name, kb->good, strlen(kb->good)) &&
		     !rd(kb->name, buf, sizeof(buf)) && atol(buf) == atol(kb->good);
		printf("%sok %d - %s: accepts %s and reads it back\n", ok ? "" : "not ",
		       ++n, kb->name, kb->good);
		wr(kb->name, saved, strlen(saved));
	}
	ok = wr("reclaim", "1", 1) == 0;
	printf("%sok %d - reclaim: \"1\" triggers a pass\n", ok ? "" : "not ", ++n);
	bad = !expect_einval("enabled", "x", 1);	/* readable neighbour */
	ok = wr("reclaim", "2", 1) == -EINVAL && wr("reclaim", "x", 1) == -EINVAL &&
	     wr("reclaim", "0", 1) == -EINVAL && rd("reclaim", buf, sizeof(buf)) == -EACCES;
	printf("%sok %d - reclaim: write-only, anything but 1 gets EINVAL\n",
	       ok && !bad ? "" : "not ", ++n);
	return 0;
}
