/*-------------------------------------------------------------------------
 *
 * test_columnar_crc.c
 *	  The three-stream CRC-32C of strata_columnar against the bitwise one:
 *	  the check value, every length around the three-stream threshold and
 *	  its parts' alignment, unaligned starts, and long buffers.
 *
 *-------------------------------------------------------------------------
 */
#include "tap.h"
#include "columnar_crc.h"

#include <stdlib.h>
#include <string.h>

static uint32_t
reference(const void *data, size_t len)
{
	return columnar_crc32c_bytewise(0xFFFFFFFFu, data, len) ^ 0xFFFFFFFFu;
}

int
main(void)
{
	static uint8_t buf[300000];
	uint32_t	x = 12345;
	size_t		len;
	size_t		i;
	int			bad = 0;

	for (i = 0; i < sizeof(buf); i++)
	{
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t) (x >> 16);
	}

	tap_ok(columnar_crc32c("123456789", 9) == 0xE3069283u,
		   "the check value of \"123456789\" is e3069283");
	tap_ok(reference("123456789", 9) == 0xE3069283u, "and so is the bitwise one's");
	tap_ok(columnar_crc32c(buf, 0) == 0, "no bytes: 0");

	for (len = 0; len < 2200; len++)
		if (columnar_crc32c(buf, len) != reference(buf, len))
			bad++;
	tap_ok(bad == 0, "every length up to 2200 matches the bitwise CRC (%d differ)", bad);

	bad = 0;
	for (i = 1; i < 8; i++)
		for (len = 3 * 8192 - 20; len < 3 * 8192 + 20; len++)
			if (columnar_crc32c(buf + i, len) != reference(buf + i, len))
				bad++;
	tap_ok(bad == 0, "unaligned starts around one block of three streams match (%d differ)", bad);

	bad = 0;
	for (len = 80000 - 9; len < 80000 + 9; len++)
		if (columnar_crc32c(buf + 3, len) != reference(buf + 3, len))
			bad++;
	tap_ok(bad == 0, "80 kB chunks of every length nearby match (%d differ)", bad);
	tap_ok(columnar_crc32c(buf, sizeof(buf)) == reference(buf, sizeof(buf)),
		   "300 kB match");

	memset(buf, 0, 100000);
	x = columnar_crc32c(buf, 100000);
	tap_ok(x == reference(buf, 100000), "100 kB of zeros match");
	buf[50000] = 1;
	tap_ok(columnar_crc32c(buf, 100000) != x &&
		   columnar_crc32c(buf, 100000) == reference(buf, 100000), "one flipped bit is seen");
	return tap_done();
}
