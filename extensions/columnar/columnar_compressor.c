/*-------------------------------------------------------------------------
 *
 * columnar_compressor.c
 *	  Building chunks on a helper thread while the backend reads rows.
 *
 * A bulk load spends most of its time in PostgreSQL's input functions.
 * Closing a chunk group (choosing each column's encoding, dictionary
 * attempts, compression: columnar_chunk.c) was a tenth of its time more,
 * paid on the backend's thread.  The writer now hands each column of a
 * closed group to one helper thread and goes on reading rows; it collects
 * the results when it closes the next chunk group or flushes the stripe,
 * by when they are long done.  PostgreSQL's own server-side zstd
 * compression of base backups runs libzstd's worker threads inside a
 * backend the same way.
 *
 * The thread runs columnar_chunk_build only: plain computation over the
 * job's input, which the writer leaves untouched until it frees the job,
 * and memory the build mallocs.  No palloc, no ereport, nothing of
 * PostgreSQL's state.  It blocks every signal, so PostgreSQL's handlers run
 * on the backend's own thread.  A job the backend gives up (an error, an
 * aborted subtransaction) is waited for if running and freed.  Without a
 * thread (it could not be started, or
 * strata_columnar.background_compression is off) a job is built in line
 * when submitted, by the same function, so into the same bytes.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include <pthread.h>
#include <signal.h>

#include "utils/guc.h"

struct ColumnarChunkJob
{
	ColumnarChunkInput in;		/* the backend's memory, read-only here */
	ColumnarChunkOutput out;	/* the thread's, until done */
	bool		done;

	ColumnarChunkJob *next;		/* in the queue */
	ColumnarChunkJob *live_prev;	/* every job not yet freed */
	ColumnarChunkJob *live_next;
};

static bool background_compression = true;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static ColumnarChunkJob *queue_head;
static ColumnarChunkJob *queue_tail;
static bool thread_started;
static bool thread_failed;

/* only the backend's thread touches this list */
static ColumnarChunkJob *live_jobs;

void
columnar_compressor_init(void)
{
	DefineCustomBoolVariable("strata_columnar.background_compression",
							 "Encodes and compresses the chunks of a load on a helper thread.",
							 "The backend goes on reading rows meanwhile; off builds them in line.",
							 &background_compression,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

static void *
compressor_main(void *arg)
{
	pthread_mutex_lock(&lock);
	for (;;)
	{
		ColumnarChunkJob *job;

		while (queue_head == NULL)
			pthread_cond_wait(&work_cv, &lock);
		job = queue_head;
		queue_head = job->next;
		if (queue_head == NULL)
			queue_tail = NULL;
		pthread_mutex_unlock(&lock);

		columnar_chunk_build(&job->in, &job->out);

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
				(errmsg_internal("strata_columnar: no helper thread (%d), building chunks in line", rc)));
		return false;
	}
	pthread_detach(thread);
	thread_started = true;
	return true;
}

/*
 * Build a chunk from in, on the helper thread if there is one, else now.
 * The memory in points to must stay as it is until the job is freed.
 */
ColumnarChunkJob *
columnar_chunk_submit(const ColumnarChunkInput *in)
{
	ColumnarChunkJob *job = calloc(1, sizeof(ColumnarChunkJob));

	if (job == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	job->in = *in;
	job->live_next = live_jobs;
	if (live_jobs != NULL)
		live_jobs->live_prev = job;
	live_jobs = job;

	if (!background_compression || !start_thread())
	{
		columnar_chunk_build(&job->in, &job->out);
		job->done = true;
		return job;
	}
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

/* Wait for a job and return what it built; errors if that failed. */
const ColumnarChunkOutput *
columnar_chunk_result(ColumnarChunkJob *job)
{
	pthread_mutex_lock(&lock);
	while (!job->done)
		pthread_cond_wait(&done_cv, &lock);
	pthread_mutex_unlock(&lock);
	if (job->out.out_of_memory)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed while encoding a chunk of %zu bytes.", job->in.values_len)));
	if (job->out.invalid)
		elog(ERROR, "strata_columnar built an invalid chunk: %s", job->out.err.message);
	return &job->out;
}

/* Free a job, taking it off the queue or waiting for it if it is running. */
void
columnar_chunk_free(ColumnarChunkJob *job)
{
	pthread_mutex_lock(&lock);
	if (!job->done)
	{
		ColumnarChunkJob **p;

		for (p = &queue_head; *p != NULL && *p != job; p = &(*p)->next)
			;
		if (*p == job)
		{
			*p = job->next;
			if (queue_tail == job)
			{
				ColumnarChunkJob *t;

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
	columnar_chunk_output_free(&job->out);
	free(job);
}

/*
 * At the end of a transaction, before its memory goes: the jobs of states
 * that went with it.
 */
void
columnar_chunk_free_all(void)
{
	while (live_jobs != NULL)
		columnar_chunk_free(live_jobs);
}
