/* unit.h - the smallest test harness: CHECK counts, main reports. */
#pragma once
#include <stdio.h>

static int unit_failed, unit_run;

#define CHECK(cond) do { \
	unit_run++; \
	if (!(cond)) { \
		unit_failed++; \
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define UNIT_REPORT() (printf("%d checks, %d failed\n", unit_run, unit_failed), unit_failed ? 1 : 0)
