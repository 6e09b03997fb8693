/*-------------------------------------------------------------------------
 *
 * tap.h
 *	  Test Anything Protocol output for the portable unit tests.
 *
 * The unit tests link the portable objects of extensions/common without a
 * backend; prove runs them and the test command counts their assertions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_TAP_H
#define STRATA_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int	tap_count;
static int	tap_failed;

/* Report one assertion; returns cond so a test can stop early on failure. */
static int	tap_ok(int cond, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static int
tap_ok(int cond, const char *fmt,...)
{
	va_list		ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

/* Print the plan after the tests and return the process exit status. */
static int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed == 0 ? 0 : 1;
}

#endif							/* STRATA_TAP_H */
