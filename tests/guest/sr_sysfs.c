// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/stack_reclaim/ ABI test (TAP): every malformed or
 * out-of-range write fails with EINVAL and leaves the value unchanged;
 * good values are taken and read back.  Then SR_SYSFS_FUZZ (default 500)
 * random bad writes per file: random bytes, negative, huge, overlong,
 * NUL-carrying and junk-suffixed numbers, each checked against a model of
 * what the ABI accepts (Documentation/ABI/testing/sysfs-kernel-mm-stack_reclaim).
 * The trigger "reclaim" is refused with EBUSY while the feature is off.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_util.h"

#define DIR "/sys/kernel/mm/stack_reclaim/"

struct knob {
	const char *name;
	const char *good;	/* a valid value other than the default */
	const char *out_of_range[3];
	unsigned long max;
};

static const struct knob knobs[] = {
	{ "enabled",		"0",     { "2", "100" },		1 },
	{ "min_sleep_ms",	"250",   { "3600001", "4294967295" },	3600000 },
	{ "scan_interval_ms",	"0",     { "1", "9", "3600001" },	3600000 },
	{ "switch_hook",	"1",     { "2", "11" },			1 },
	{ "reserve_pages",	"8",     { "257", "100000" },		256 },
	{ "tlb_flush",		"1",     { "2", "-0" },			1 },
	{ "reage_ms",		"5000",  { "3600001", "4294967295" },	3600000 },
};

/*
 * What the ABI takes: at most 16 bytes, no NUL, an optional '+', decimal
 * digits, an optional final newline, a value from 0 to @kb->max (and for
 * scan_interval_ms not 1 to 9).
 */
static int abi_accepts(const struct knob *kb, const char *s, size_t len)
{
	unsigned long long v = 0;
	size_t i = 0, digits = 0;

	if (len > 16 || memchr(s, 0, len))
		return 0;
	if (i < len && s[i] == '+')
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		if ((v = v * 10 + (s[i] - '0')) > 0xffffffffULL)
			return 0;
	if (i < len && s[i] == '\n')
		i++;
	if (!digits || i != len || v > kb->max)
		return 0;
	return strcmp(kb->name, "scan_interval_ms") || v == 0 || v >= 10;
}

/* One random write the ABI must refuse, in @buf; returns its length. */
static size_t bad_write(const struct knob *kb, char *buf, size_t size)
{
	static const char junk[] = " \t\n-+xX.,;:/\\'\"eE%#@!~`?*&^$()[]{}<>|=_abcz\x7f\x80\xff";
	size_t len, i;

	do {
		switch (rand() % 7) {
		case 0:		/* random bytes, NUL included */
			len = 1 + rand() % 40;
			for (i = 0; i < len; i++)
				buf[i] = rand();
			break;
		case 1:		/* negative */
			len = snprintf(buf, size, "-%u", (unsigned int)rand());
			break;
		case 2:		/* above the maximum, up to far beyond 64 bits */
			len = snprintf(buf, size, "%llu", kb->max + 1ULL +
				       (unsigned long long)rand() * (rand() % 3 ? 1 : 1000000007ULL));
			for (i = rand() % 12; i && len < 30; i--)
				buf[len++] = '0' + rand() % 10;
			break;
		case 3:		/* overlong: digits, spaces, past a page */
			len = 17 + rand() % (rand() % 4 ? 64 : size - 17);
			for (i = 0; i < len; i++)
				buf[i] = rand() % 8 ? '0' : ' ';
			buf[len - 1] = '1';
			break;
		case 4:		/* a good number with junk before, inside or after */
			len = snprintf(buf, size, "%lu", (unsigned long)rand() % (kb->max + 1));
			i = rand() % (len + 1);
			memmove(buf + i + 1, buf + i, len - i);
			buf[i] = junk[rand() % (sizeof(junk) - 1)];
			len++;
			break;
		case 5:		/* a good number with a NUL and more after it */
			len = snprintf(buf, size, "%lu", (unsigned long)rand() % (kb->max + 1));
			buf[len++] = 0;
			buf[len++] = '0' + rand() % 10;
			break;
		default:	/* whitespace and signs only */
			len = 1 + rand() % 6;
			for (i = 0; i < len; i++)
				buf[i] = " \t\n+-"[rand() % 5];
			break;
		}
	} while (abi_accepts(kb, buf, len));
	return len;
}

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
	char before[64], after[64], shown[64];
	int r;

	if (rd(name, before, sizeof(before)))
		return 0;
	r = wr(name, s, len);
	if (rd(name, after, sizeof(after)))
		return 0;
	if (r != -EINVAL || strcmp(before, after)) {
		size_t i;

		/* Show the write with anything unprintable as '?'. */
		for (i = 0; i < len && i < sizeof(shown) - 1; i++)
			shown[i] = s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?';
		shown[i] = 0;
		printf("# %s <- \"%s\" (%zu bytes): ret %d, \"%s\" -> \"%s\"\n", name, shown,
		       len, r, strtok(before, "\n"), strtok(after, "\n"));
		return 0;
	}
	return 1;
}

int main(void)
{
	static char fuzz[8192];
	int rounds = getenv("SR_SYSFS_FUZZ") ? atoi(getenv("SR_SYSFS_FUZZ")) : 500;
	unsigned int seed = getenv("SR_SYSFS_SEED") ? atoi(getenv("SR_SYSFS_SEED")) : 12345;
	char saved[64], buf[64];
	size_t k, i;
	int ok, bad, r;

	if (access(DIR, F_OK)) {
		printf("1..1\nok 1 - sysfs ABI # SKIP stack reclaim absent\n");
		return 0;
	}
	printf("TAP version 13\n1..%zu\n", 4 * (sizeof(knobs) / sizeof(knobs[0])) + 5);
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

		srand(seed + k);
		bad = 0;
		for (r = 0; r < rounds; r++) {
			size_t len = bad_write(kb, fuzz, sizeof(fuzz));

			bad += !expect_einval(kb->name, fuzz, len);
		}
		printf("%sok %d - %s: %d random bad writes get EINVAL, value unchanged (seed %u)\n",
		       bad ? "not " : "", ++n, kb->name, rounds, (unsigned int)(seed + k));
	}
	ok = wr("reclaim", "1", 1) == 0;
	printf("%sok %d - reclaim: \"1\" triggers a pass\n", ok ? "" : "not ", ++n);
	bad = !expect_einval("enabled", "x", 1);	/* readable neighbour */
	ok = wr("reclaim", "2", 1) == -EINVAL && wr("reclaim", "x", 1) == -EINVAL &&
	     wr("reclaim", "0", 1) == -EINVAL && rd("reclaim", buf, sizeof(buf)) == -EACCES;
	printf("%sok %d - reclaim: write-only, anything but 1 gets EINVAL\n",
	       ok && !bad ? "" : "not ", ++n);
	{
		static const struct knob trigger = { "reclaim", "1", { 0 }, 1 };

		srand(seed);
		bad = 0;
		/* Refused for a 0-1 knob, so refused by the trigger (1 only). */
		for (r = 0; r < rounds; r++) {
			size_t len = bad_write(&trigger, fuzz, sizeof(fuzz));

			bad += wr("reclaim", fuzz, len) != -EINVAL;
		}
		printf("%sok %d - reclaim: %d random bad writes get EINVAL\n",
		       bad ? "not " : "", ++n, rounds);
	}
	/*
	 * Off: the trigger is refused, and no pass runs; the reserves are
	 * emptied (by their refill works, so allow them a moment).
	 */
	{
		long passes = stat_of("full_passes"), before, left = 0;
		int i;

		rd("enabled", saved, sizeof(saved));
		before = stat_of("reserve_pages_now");
		ok = !wr("enabled", "0", 1) && wr("reclaim", "1", 1) == -EBUSY &&
		     stat_of("full_passes") == passes;
		for (i = 0; i < 100 && (left = stat_of("reserve_pages_now")) > 0; i++)
			usleep(20000);
		wr("enabled", saved, strlen(saved));
		printf("%sok %d - reclaim: EBUSY while enabled is 0, no pass run (full_passes %ld)\n",
		       ok ? "" : "not ", ++n, passes);
		printf("%sok %d - enabled=0 empties the reserves: %ld pages before, %ld after\n",
		       left <= 0 ? "" : "not ", ++n, before, left);
	}
	return 0;
}
