/*-------------------------------------------------------------------------
 *
 * columnar_crc.c
 *	  CRC-32C of chunks, three streams at a time.
 *
 * Every chunk read is checked against its CRC-32C, and a raw chunk of 80 kB
 * spent a fifth of a point lookup in PostgreSQL's pg_comp_crc32c_sse42,
 * whose one chain of crc32 instructions waits on each one's three cycles
 * of latency.  Here a long buffer goes in blocks of three parts whose CRCs
 * run interleaved, then are joined: the CRC register is linear over GF(2),
 * so the state after A||B is the state after A moved over |B| zero bytes
 * (a multiplication by x^(8|B|) modulo the polynomial) xor the CRC of B
 * from a zero state.  The result is the same CRC-32C (Castagnoli, reflected,
 * initial and final xor 0xFFFFFFFF) as PostgreSQL's, bit for bit.
 *
 * Portable: no postgres.h; the bytewise path serves machines without
 * SSE 4.2 and the unit tests' reference.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar_crc.h"

#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC_X86 1
#include <nmmintrin.h>
#endif

#define POLY 0x82F63B78u		/* CRC-32C, reflected */

uint32_t
columnar_crc32c_bytewise(uint32_t state, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t		i;
	int			k;

	for (i = 0; i < len; i++)
	{
		state ^= p[i];
		for (k = 0; k < 8; k++)
			state = (state >> 1) ^ (POLY & (0u - (state & 1)));
	}
	return state;
}

#ifdef CRC_X86

/*
 * a(x) * b(x) modulo the polynomial, both reflected: bit 31 is the
 * coefficient of x^0, bit 0 that of x^31.
 */
static uint32_t
mul_mod(uint32_t a, uint32_t b)
{
	uint32_t	product = 0;
	int			i;

	for (i = 31; i >= 0; i--)
	{
		if (a & ((uint32_t) 1 << i))
			product ^= b;
		b = (b >> 1) ^ (POLY & (0u - (b & 1)));		/* b *= x */
	}
	return product;
}

/*
 * Long buffers go in blocks of three streams of BLOCK bytes each; joining
 * a block multiplies by x^(8 BLOCK) twice, by tables: the product is
 * linear in the register's four bytes.
 */
#define BLOCK 8192

static uint32_t shift_table[4][256];
static bool shift_table_ready = false;

static void
make_shift_table(void)
{
	uint32_t	power = (uint32_t) 1 << 23;		/* x^8 */
	uint32_t	k = (uint32_t) 1 << 31;			/* x^0 */
	uint64_t	n;
	int			byte;
	int			v;

	for (n = BLOCK; n != 0; n >>= 1)
	{
		if (n & 1)
			k = mul_mod(power, k);
		power = mul_mod(power, power);
	}
	for (byte = 0; byte < 4; byte++)
		for (v = 0; v < 256; v++)
			shift_table[byte][v] = mul_mod(k, (uint32_t) v << (8 * byte));
	shift_table_ready = true;
}

/* The register after BLOCK more zero bytes. */
static inline uint32_t
shift_block(uint32_t state)
{
	return shift_table[0][state & 0xff] ^ shift_table[1][(state >> 8) & 0xff] ^
		shift_table[2][(state >> 16) & 0xff] ^ shift_table[3][state >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t
crc_sse42(uint32_t state, const uint8_t *p, size_t len)
{
	uint64_t	s0 = state;

	if (len >= 3 * BLOCK && !shift_table_ready)
		make_shift_table();
	for (; len >= 3 * BLOCK; p += 3 * BLOCK, len -= 3 * BLOCK)
	{
		uint64_t	s1 = 0;
		uint64_t	s2 = 0;
		size_t		i;

		for (i = 0; i < BLOCK; i += 8)
		{
			uint64_t	x,
						y,
						z;

			memcpy(&x, p + i, 8);
			memcpy(&y, p + BLOCK + i, 8);
			memcpy(&z, p + 2 * BLOCK + i, 8);
			s0 = _mm_crc32_u64(s0, x);
			s1 = _mm_crc32_u64(s1, y);
			s2 = _mm_crc32_u64(s2, z);
		}
		s0 = shift_block((uint32_t) s0) ^ (uint32_t) s1;
		s0 = shift_block((uint32_t) s0) ^ (uint32_t) s2;
	}
	for (; len >= 8; p += 8, len -= 8)
	{
		uint64_t	x;

		memcpy(&x, p, 8);
		s0 = _mm_crc32_u64(s0, x);
	}
	for (; len > 0; p++, len--)
		s0 = _mm_crc32_u8((uint32_t) s0, *p);
	return (uint32_t) s0;
}
#endif

uint32_t
columnar_crc32c(const void *data, size_t len)
{
	uint32_t	state = 0xFFFFFFFFu;

#ifdef CRC_X86
	if (__builtin_cpu_supports("sse4.2"))
		return crc_sse42(state, data, len) ^ 0xFFFFFFFFu;
#endif
	return columnar_crc32c_bytewise(state, data, len) ^ 0xFFFFFFFFu;
}
