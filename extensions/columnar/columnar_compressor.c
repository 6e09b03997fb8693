/*-------------------------------------------------------------------------
 *
 * columnar_compressor.c
 *	  Compressing chunks on a helper thread while the backend reads rows.
 *
 * A bulk load spends most of its time in PostgreSQL's input functions and
 * about a tenth compressing the long chunks of each chunk group (text,
 * json).  The writer hands those chunks to one helper thread and goes on
 * reading rows; it collects the results when it closes the next chunk
 * group or flushes the stripe, by when they are long done.  PostgreSQL's
 * own server-side zstd compression of base backups runs libzstd's worker
 * threads inside a backend the same way.
 *
 * The thread runs codec code only, over memory its job owns (malloc'd):
 * no palloc, no ereport, nothing of PostgreSQL's state.  It blocks every
 * signal, so PostgreSQL's handlers run on the backend's own thread.  A job
 * the backend gives up (an error, an aborted subtransaction) is waited for
 * if running and freed.  Without a thread (it could not be started, or
 * strata_columnar.background_compression is off) the writer compresses
 * in line, with the same function and so the same bytes.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include <pthread.h>
#include <signal.h>

#include "utils/guc.h"

struct ColumnarCompressJob
{
	/* the backend's, until submitted */
	StrataCodec codec;
	int			level;
	char	   *src;
	size_t		src_len;
	char	   *dst;
	size_t		dst_cap;

	/* the thread's result */
	size_t		stored_len;
	bool		compressed;
	bool		done;

	ColumnarCompressJob *next;	/* in the queue */
	ColumnarCompressJob *live_prev; /* every job not yet freed */
	ColumnarCompressJob *live_next;
};

static bool background_compression = true;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static ColumnarCompressJob *queue_head;
static ColumnarCompressJob *queue_tail;
static bool thread_started;
static bool thread_failed;

/* only the backend's thread touches this list */
static ColumnarCompressJob *live_jobs;

void
columnar_compressor_init(void)
{
	DefineCustomBoolVariable("strata_columnar.background_compression",
							 "Compresses the long chunks of a load on a helper thread.",
							 "The backend goes on reading rows meanwhile; off compresses them in line.",
							 &background_compression,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

/*
 * Compress raw into dst (of strata_compress_bound bytes); false when the
 * stored form is better left raw.  Compression that saves less than an
 * eighth (random keys, hashes) is not kept: every read would pay for
 * decompressing it.  A long chunk whose last 4 kB do not compress by a
 * sixteenth is not tried whole.  Safe on any thread.
 */
bool
columnar_compress_chunk(StrataCodec codec, int level, const char *raw, size_t raw_len,
						char *dst, size_t dst_cap, size_t *stored_len)
{
	const char *detail;

	if (raw_len >= 32 * 1024 &&
		(strata_compress(codec, level, raw + raw_len - 4096, 4096,
						 dst, dst_cap, stored_len, &detail) != STRATA_CODEC_OK ||
		 *stored_len >= 4096 - 4096 / 16))
		return false;
	return strata_compress(codec, level, raw, raw_len, dst, dst_cap, stored_len,
						   &detail) == STRATA_CODEC_OK &&
		*stored_len < raw_len - raw_len / 8;
}

static void *
compressor_main(void *arg)
{
	pthread_mutex_lock(&lock);
	for (;;)
	{
		ColumnarCompressJob *job;

		while (queue_head == NULL)
			pthread_cond_wait(&work_cv, &lock);
		job = queue_head;
		queue_head = job->next;
		if (queue_head == NULL)
			queue_tail = NULL;
		pthread_mutex_unlock(&lock);

		job->compressed = columnar_compress_chunk(job->codec, job->level, job->src, job->src_len,
												  job->dst, job->dst_cap, &job->stored_len);

		pthread_mutex_lock(&lock);
		job->done = true;
		pthread_cond_broadcast(&done_cv);
	}
	return NULL;
}

static bool
start_thread(void)
{
	pthread_t	thread;
	sigset_t	all,
				old;
	int			rc;

	if (thread_started || thread_failed)
		return thread_started;
	/* the thread inherits this mask: no signal is ever delivered to it */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&thread, NULL, compressor_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
	{
		thread_failed = true;
		ereport(DEBUG1,
				(errmsg_internal("strata_columnar: no compression thread (%d), compressing in line", rc)));
		return false;
	}
	pthread_detach(thread);
	thread_started = true;
	return true;
}

/*
 * Queue raw for compression on the helper thread; NULL when there is none
 * (or the allocation failed): the caller compresses in line.
 */
ColumnarCompressJob *
columnar_compress_submit(StrataCodec codec, int level, const char *raw, size_t raw_len)
{
	ColumnarCompressJob *job;
	size_t		bound = strata_compress_bound(codec, raw_len);

	if (!background_compression || codec == STRATA_CODEC_NONE || bound == 0 || !start_thread())
		return NULL;
	job = calloc(1, sizeof(ColumnarCompressJob));
	if (job == NULL)
		return NULL;
	job->src = malloc(raw_len);
	job->dst = malloc(bound);
	if (job->src == NULL || job->dst == NULL)
	{
		free(job->src);
		free(job->dst);
		free(job);
		return NULL;
	}
	memcpy(job->src, raw, raw_len);
	job->codec = codec;
	job->level = level;
	job->src_len = raw_len;
	job->dst_cap = bound;

	job->live_next = live_jobs;
	if (live_jobs != NULL)
		live_jobs->live_prev = job;
	live_jobs = job;

	pthread_mutex_lock(&lock);
	if (queue_tail != NULL)
		queue_tail->next = job;
	else
		queue_head = job;
	queue_tail = job;
	pthread_cond_signal(&work_cv);
	pthread_mutex_unlock(&lock);
	return job;
}

/* Wait for a job; its stored form (compressed, or the raw copy) and codec. */
const char *
columnar_compress_result(ColumnarCompressJob *job, size_t *stored_len, StrataCodec *codec)
{
	pthread_mutex_lock(&lock);
	while (!job->done)
		pthread_cond_wait(&done_cv, &lock);
	pthread_mutex_unlock(&lock);
	if (job->compressed)
	{
		*stored_len = job->stored_len;
		*codec = job->codec;
		return job->dst;
	}
	*stored_len = job->src_len;
	*codec = STRATA_CODEC_NONE;
	return job->src;
}

/* Free a job, taking it off the queue or waiting for it if it is running. */
void
columnar_compress_free(ColumnarCompressJob *job)
{
	pthread_mutex_lock(&lock);
	if (!job->done)
	{
		ColumnarCompressJob **p;

		for (p = &queue_head; *p != NULL && *p != job; p = &(*p)->next)
			;
		if (*p == job)
		{
			*p = job->next;
			if (queue_tail == job)
			{
				ColumnarCompressJob *t;

				queue_tail = NULL;
				for (t = queue_head; t != NULL; t = t->next)
					queue_tail = t;
			}
		}
		else
			while (!job->done)
				pthread_cond_wait(&done_cv, &lock);
	}
	pthread_mutex_unlock(&lock);

	if (job->live_prev != NULL)
		job->live_prev->live_next = job->live_next;
	else
		live_jobs = job->live_next;
	if (job->live_next != NULL)
		job->live_next->live_prev = job->live_prev;
	free(job->src);
	free(job->dst);
	free(job);
}

/* At the end of a transaction: the jobs of states that went with it. */
void
columnar_compress_free_all(void)
{
	while (live_jobs != NULL)
		columnar_compress_free(live_jobs);
}
