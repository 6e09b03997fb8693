/*-------------------------------------------------------------------------
 *
 * events_gen.c
 *	  Deterministic generator of the benchmark "events" table, as CSV.
 *
 * The table is the seed's ClickHouse example (event_date, event_time,
 * user_id, event_type, country, revenue_cents) plus a high-cardinality url
 * and a JSON payload.  PostgreSQL loads the CSV with COPY and DuckDB with
 * read_csv, so every system in a benchmark sees the same rows.
 *
 * Row i depends only on (seed, rows, i): it is drawn from a SplitMix64 hash
 * of the seed and the row number, never from a running random state, so a
 * range of rows (--first, --count) can be generated on its own and comes out
 * byte-identical to the same rows of a full run.  Only integer arithmetic is
 * used, so the output is the same on every machine.
 *
 * Shape, chosen to look like real clickstream data:
 *	- event_time runs forward over 90 days from 2026-01-01 with up to a minute
 *	  of jitter, so the table is roughly time-ordered, as appended data is;
 *	- user_id is skewed (a few heavy users) over rows/20 users, scrambled
 *	  into large 63-bit ids;
 *	- event_type and country are low-cardinality with skewed frequencies;
 *	- revenue_cents is non-zero only for purchases;
 *	- url has about 100 thousand products times 4096 query strings.
 *
 * usage: events_gen [--rows N] [--seed S] [--first I] [--count C] [--header]
 *
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPAN_SECONDS (90 * 86400)
/* 2026-01-01 00:00:00 UTC, as days and seconds since 1970-01-01 */
#define START_DAYS 20454

static const struct
{
	const char *name;
	int			weight;			/* per mille */
}			event_types[] = {
	{"view", 600}, {"click", 240}, {"add_to_cart", 70}, {"purchase", 40},
	{"signup", 30}, {"refund", 10}, {"logout", 10}
};

static const char *const countries[] = {
	"US", "CN", "IN", "DE", "GB", "JP", "FR", "BR", "CA", "KR", "IT", "ES",
	"MX", "AU", "NL", "RU", "ID", "TR", "SE", "PL", "CH", "AR", "BE", "NO",
	"ZA", "NG", "EG", "VN", "TH", "PH"
};

static const char *const devices[] = {"mobile", "desktop", "tablet"};
static const char *const sources[] = {"google", "direct", "newsletter", "ads", "social"};

static uint64_t
splitmix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/* Skewed index in [0, n): the cube of a uniform fraction favours low ones. */
static uint64_t
skewed(uint64_t h, uint64_t n)
{
	uint64_t	u = h >> 43;		/* 21 bits */
	unsigned __int128 cube = (unsigned __int128) u * u * u;	/* < 2^63 */

	return (uint64_t) (((unsigned __int128) n * cube) >> 63);
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t		era,
				doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = (int) (yoe + era * 400 + (*m <= 2));
}

static uint64_t
parse_u64(const char *s, const char *opt)
{
	char	   *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*s == '\0' || *end != '\0')
	{
		fprintf(stderr, "events_gen: invalid value \"%s\" for %s\n", s, opt);
		exit(2);
	}
	return (uint64_t) v;
}

int
main(int argc, char **argv)
{
	uint64_t	rows = 10000;
	uint64_t	seed = 42;
	uint64_t	first = 0;
	uint64_t	count = UINT64_MAX;
	uint64_t	users;
	uint64_t	i;
	int			header = 0;
	int			a;
	static char outbuf[1 << 20];

	for (a = 1; a < argc; a++)
	{
		if (strcmp(argv[a], "--header") == 0)
			header = 1;
		else if (a + 1 < argc && strcmp(argv[a], "--rows") == 0)
			rows = parse_u64(argv[++a], "--rows");
		else if (a + 1 < argc && strcmp(argv[a], "--seed") == 0)
			seed = parse_u64(argv[++a], "--seed");
		else if (a + 1 < argc && strcmp(argv[a], "--first") == 0)
			first = parse_u64(argv[++a], "--first");
		else if (a + 1 < argc && strcmp(argv[a], "--count") == 0)
			count = parse_u64(argv[++a], "--count");
		else
		{
			fprintf(stderr, "usage: events_gen [--rows N] [--seed S] [--first I] [--count C] [--header]\n");
			return 2;
		}
	}
	if (rows == 0 || first > rows)
	{
		fprintf(stderr, "events_gen: --rows must be positive and --first at most --rows\n");
		return 2;
	}
	if (count > rows - first)
		count = rows - first;
	users = rows / 20 > 1000 ? rows / 20 : 1000;
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	if (header)
		fputs("event_date,event_time,user_id,event_type,country,revenue_cents,url,payload\n", stdout);

	for (i = first; i < first + count; i++)
	{
		uint64_t	h0 = splitmix(seed * 0x100000001B3ULL ^ i);
		uint64_t	h1 = splitmix(h0);
		uint64_t	h2 = splitmix(h1);
		uint64_t	h3 = splitmix(h2);
		int64_t		secs;
		int64_t		days;
		int			sod,
					y,
					m,
					d,
					pick,
					t;
		uint64_t	user;
		uint64_t	revenue = 0;
		const char *type;

		/* time: linear in i, jittered by up to +-59 s, kept inside the span */
		secs = (int64_t) ((unsigned __int128) i * SPAN_SECONDS / rows) + (int64_t) (h0 % 119) - 59;
		if (secs < 0)
			secs = 0;
		if (secs >= SPAN_SECONDS)
			secs = SPAN_SECONDS - 1;
		days = START_DAYS + secs / 86400;
		sod = (int) (secs % 86400);
		civil_from_days(days, &y, &m, &d);

		user = (skewed(h1, users) + 1) * 0x9E3779B97F4A7C15ULL & INT64_MAX;

		pick = (int) ((h2 >> 10) % 1000);
		for (t = 0; pick >= event_types[t].weight; t++)
			pick -= event_types[t].weight;
		type = event_types[t].name;
		if (strcmp(type, "purchase") == 0)
			revenue = 199 + (h3 >> 20) % 99800;

		printf("%04d-%02d-%02d,%04d-%02d-%02d %02d:%02d:%02d,%" PRIu64 ",%s,%s,%" PRIu64 ","
			   "https://shop.example.com/p/%" PRIu64 "?utm_source=%s&v=%03" PRIx64 ","
			   "\"{\"\"device\"\": \"\"%s\"\", \"\"session\"\": \"\"%08" PRIx64 "\"\", "
			   "\"\"items\"\": %d, \"\"ab\"\": \"\"%c\"\"}\"\n",
			   y, m, d, y, m, d, sod / 3600, sod / 60 % 60, sod % 60,
			   user, type, countries[skewed(h2, 30)], revenue,
			   skewed(h3, 100000) + 1, sources[(h0 >> 40) % 5], (h1 >> 7) % 4096,
			   devices[(h3 >> 3) % 3], (uint64_t) ((h2 >> 24) & 0xffffffffU),
			   (int) ((h0 >> 50) % 5) + (revenue > 0), (h1 & 1) ? 'A' : 'B');
	}
	if (fflush(stdout) != 0)
	{
		perror("events_gen");
		return 1;
	}
	return 0;
}
