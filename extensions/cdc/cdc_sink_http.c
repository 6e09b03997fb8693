/*-------------------------------------------------------------------------
 *
 * cdc_sink_http.c
 *	  Delivering a stream's events over HTTP, in batches, with libcurl.
 *
 * http.format json (the default) POSTs each batch to the URL as a JSON
 * array of events, each the plugin's {"topic", "key", "value"} with an
 * "id" first: "<stream>:<lsn>:<n>", the same every time the event is
 * delivered again, so a receiver can drop duplicates.  http.format
 * kafka-rest-v2 POSTs a batch's events of each topic to
 * <URL>/topics/<topic> as a Kafka REST Proxy v2 produce request
 * ({"records": [{"key", "value"}]}), topics in the order of their first
 * event; a record error in a 200 answer counts as a failure.
 *
 * A batch is acknowledged by a 2xx answer.  Timeouts, connection errors,
 * 408, 429 and 5xx raise ERRCODE_CONNECTION_FAILURE (retried); any other
 * answer raises ERRCODE_DATA_EXCEPTION, which stops the stream.
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/memutils.h"

#define RESPONSE_KEEP 4096

typedef struct TopicBatch
{
	char	   *topic;
	StringInfoData records;
	int			count;
} TopicBatch;

struct CdcHttpSink
{
	CURL	   *curl;
	struct curl_slist *headers;
	char	   *url;
	char	   *stream;
	CdcStreamOptions opts;
	StringInfoData body;		/* json: the array so far */
	List	   *topics;			/* kafka-rest-v2: TopicBatch per topic */
	int			events;
	int64		bytes;
	StringInfoData response;
	char		errbuf[CURL_ERROR_SIZE];
};

/* libcurl's handle is not palloc'd: free it with the sink's context */
static void
release_curl(void *arg)
{
	CdcHttpSink *sink = arg;

	if (sink->curl)
		curl_easy_cleanup(sink->curl);
	if (sink->headers)
		curl_slist_free_all(sink->headers);
	sink->curl = NULL;
	sink->headers = NULL;
}

static size_t
collect_response(char *data, size_t size, size_t nmemb, void *arg)
{
	CdcHttpSink *sink = arg;
	size_t		len = size * nmemb;

	if (sink->response.len < RESPONSE_KEEP)
		appendBinaryStringInfo(&sink->response, data,
							   Min(len, (size_t) (RESPONSE_KEEP - sink->response.len)));
	return len;
}

/* a termination request ends a transfer at once */
static int
transfer_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	return (ProcDiePending || QueryCancelPending) ? 1 : 0;
}

CdcHttpSink *
cdc_http_sink_create(const char *url, const char *stream, const CdcStreamOptions *opts)
{
	CdcHttpSink *sink = palloc0(sizeof(CdcHttpSink));
	MemoryContextCallback *cb = palloc0(sizeof(MemoryContextCallback));

	sink->url = pstrdup(url);
	sink->stream = pstrdup(stream);
	sink->opts = *opts;
	initStringInfo(&sink->body);
	initStringInfo(&sink->response);
	sink->curl = curl_easy_init();
	if (sink->curl == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create an HTTP client for stream \"%s\"", stream)));
	cb->func = release_curl;
	cb->arg = sink;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	sink->headers = curl_slist_append(NULL, opts->kafka_rest ?
									  "Content-Type: application/vnd.kafka.json.v2+json" :
									  "Content-Type: application/json");
	sink->headers = curl_slist_append(sink->headers, "Accept: application/json");
	sink->headers = curl_slist_append(sink->headers, "User-Agent: strata_cdc/0.1");
	sink->headers = curl_slist_append(sink->headers, "Expect:");
	if (sink->headers == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return sink;
}

/*
 * One attempt.  Returns 0 when acknowledged, else the error code to raise
 * (message in *error).
 */
static int
post_once(CdcHttpSink *sink, const char *url, StringInfo body, char **error, char **detail)
{
	CURL	   *c = sink->curl;
	CURLcode	rc;
	long		status = 0;

	resetStringInfo(&sink->response);
	sink->errbuf[0] = '\0';
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body->len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, sink->headers);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long) sink->opts.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long) Min(sink->opts.timeout_ms, 10000));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_response);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, transfer_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, sink->errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(c);
	CHECK_FOR_INTERRUPTS();
	*detail = NULL;
	if (rc != CURLE_OK)
	{
		*error = psprintf("stream \"%s\" could not deliver to \"%s\": %s", sink->stream, url,
						  sink->errbuf[0] ? sink->errbuf : curl_easy_strerror(rc));
		return ERRCODE_CONNECTION_FAILURE;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300)
		return 0;
	*error = psprintf("sink \"%s\" of stream \"%s\" answered HTTP %ld", url, sink->stream, status);
	if (sink->response.len > 0)
		*detail = psprintf("The answer began: %.200s", sink->response.data);
	return status == 408 || status == 429 || status >= 500 ?
		ERRCODE_CONNECTION_FAILURE : ERRCODE_DATA_EXCEPTION;
}

/*
 * A request, tried again in place a few times when a retry may help, so
 * that a short hiccup does not make the whole step start over (and send
 * its earlier batches again).  Then the error is raised.
 */
#define ATTEMPTS_IN_PLACE 4

static void
post(CdcHttpSink *sink, const char *url, StringInfo body)
{
	int			attempt;
	int			code = 0;
	char	   *error = NULL;
	char	   *detail = NULL;

	for (attempt = 0; attempt < ATTEMPTS_IN_PLACE; attempt++)
	{
		long		backoff;

		code = post_once(sink, url, body, &error, &detail);
		if (code == 0 || code != ERRCODE_CONNECTION_FAILURE)
			break;
		backoff = Min((long) sink->opts.backoff_ms << attempt, 2000L);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 backoff, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	if (code != 0)
		ereport(ERROR,
				(errcode(code),
				 errmsg_internal("%s", error),
				 detail ? errdetail_internal("%s", detail) : 0));
}

/* A REST Proxy answer: every record must have been written. */
static void
check_kafka_answer(CdcHttpSink *sink, const char *url)
{
	cJSON	   *root = cJSON_ParseWithLength(sink->response.data, sink->response.len);
	cJSON	   *offsets = root ? cJSON_GetObjectItemCaseSensitive(root, "offsets") : NULL;
	cJSON	   *o;

	if (!cJSON_IsArray(offsets))
	{
		cJSON_Delete(root);
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("sink \"%s\" of stream \"%s\" gave an answer that is not a Kafka REST Proxy produce response",
						url, sink->stream),
				 errdetail("The answer began: %.200s", sink->response.data)));
	}
	cJSON_ArrayForEach(o, offsets)
	{
		cJSON	   *code = cJSON_GetObjectItemCaseSensitive(o, "error_code");
		cJSON	   *msg = cJSON_GetObjectItemCaseSensitive(o, "error");

		if (cJSON_IsNumber(code))
		{
			/* REST Proxy: 1 is a record that will never be written, 2 one to retry */
			int			ec = code->valueint;
			char	   *text = pstrdup(cJSON_IsString(msg) ? msg->valuestring : "no message");

			cJSON_Delete(root);
			ereport(ERROR,
					(errcode(ec == 1 ? ERRCODE_DATA_EXCEPTION : ERRCODE_CONNECTION_FAILURE),
					 errmsg("sink \"%s\" of stream \"%s\" did not write a record (error code %d): %s",
							url, sink->stream, ec, text)));
		}
	}
	cJSON_Delete(root);
}

void
cdc_http_sink_flush(CdcHttpSink *sink)
{
	ListCell   *lc;

	if (sink->events == 0)
		return;
	if (!sink->opts.kafka_rest)
	{
		appendStringInfoChar(&sink->body, ']');
		post(sink, sink->url, &sink->body);
		resetStringInfo(&sink->body);
	}
	else
	{
		foreach(lc, sink->topics)
		{
			TopicBatch *t = lfirst(lc);
			char	   *escaped = curl_easy_escape(sink->curl, t->topic, 0);
			char	   *url = psprintf("%s/topics/%s", sink->url, escaped);

			curl_free(escaped);
			appendStringInfoString(&t->records, "]}");
			post(sink, url, &t->records);
			check_kafka_answer(sink, url);
		}
		list_free_deep(sink->topics);
		sink->topics = NIL;
	}
	sink->events = 0;
	sink->bytes = 0;
}

/*
 * An event, delivered with the batch it completes.  id_suffix makes the
 * event's id with the stream's name.
 */
void
cdc_http_sink_add(CdcHttpSink *sink, const char *id_suffix, const char *event, int len)
{
	if (sink->events > 0 &&
		(sink->events >= sink->opts.batch_events || sink->bytes + len > sink->opts.batch_bytes))
		cdc_http_sink_flush(sink);

	if (len < 10 || strncmp(event, "{\"topic\":", 9) != 0)
		elog(ERROR, "unexpected event from the strata_cdc plugin: %.40s", event);
	if (!sink->opts.kafka_rest)
	{
		StringInfo	b = &sink->body;
		char	   *id = psprintf("%s:%s", sink->stream, id_suffix);

		appendStringInfoChar(b, sink->events == 0 ? '[' : ',');
		appendStringInfoString(b, "{\"id\":");
		cdc_append_json(b, id, strlen(id));
		appendStringInfoChar(b, ',');
		appendBinaryStringInfo(b, event + 1, len - 1);
		pfree(id);
	}
	else
	{
		/* {"topic":"<topic>","key":K,"value":V}: the record is {"key":K,"value":V} */
		const char *end = NULL;
		cJSON	   *topic = cJSON_ParseWithLengthOpts(event + 9, len - 9, &end, false);
		TopicBatch *batch = NULL;
		ListCell   *lc;

		if (!cJSON_IsString(topic) || end == NULL || *end != ',')
		{
			cJSON_Delete(topic);
			elog(ERROR, "unexpected event from the strata_cdc plugin: %.40s", event);
		}
		foreach(lc, sink->topics)
			if (strcmp(((TopicBatch *) lfirst(lc))->topic, topic->valuestring) == 0)
				batch = lfirst(lc);
		if (batch == NULL)
		{
			batch = palloc0(sizeof(TopicBatch));
			batch->topic = pstrdup(topic->valuestring);
			initStringInfo(&batch->records);
			appendStringInfoString(&batch->records, "{\"records\":[");
			sink->topics = lappend(sink->topics, batch);
		}
		cJSON_Delete(topic);
		if (batch->count > 0)
			appendStringInfoChar(&batch->records, ',');
		appendStringInfoChar(&batch->records, '{');
		appendBinaryStringInfo(&batch->records, end + 1, len - (end + 1 - event));
		batch->count++;
	}
	sink->events++;
	sink->bytes += len;
}

void
cdc_http_sink_destroy(CdcHttpSink *sink)
{
	release_curl(sink);
}
