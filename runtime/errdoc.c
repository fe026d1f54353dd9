/* errdoc.c: error documents (ErrorDocument, what a failed call leaves) and
 * the results of task calls that hold them. */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "internal.h"

int rt_error_doc(const char *code, const char *message, bool recoverable,
		  enum rt_origin origin, uint8_t **out, size_t *len)
{
	Flyteidl__Core__ErrorDocument doc = FLYTEIDL__CORE__ERROR_DOCUMENT__INIT;
	Flyteidl__Core__ContainerError ce = FLYTEIDL__CORE__CONTAINER_ERROR__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	ts.seconds = now.tv_sec;
	ts.nanos = (int32_t)now.tv_nsec;
	ce.code = (char *)code;
	ce.message = (char *)(message != NULL ? message : "");
	ce.kind = recoverable ? FLYTEIDL__CORE__CONTAINER_ERROR__KIND__RECOVERABLE
			      : FLYTEIDL__CORE__CONTAINER_ERROR__KIND__NON_RECOVERABLE;
	ce.origin = (Flyteidl__Core__ExecutionError__ErrorKind)origin;
	ce.timestamp = &ts;
	doc.error = &ce;
	struct rt_msg err;
	return rt_pack(&doc.base, out, len, &err);
}

void rt_result_error(struct rt_result *r, const char *code, bool recoverable, enum rt_origin origin,
		     const char *message)
{
	rt_result_free(r);
	if (rt_error_doc(code, message, recoverable, origin, &r->data, &r->len) < 0) {
		r->data = NULL;
		r->len = 0;
	}
	r->cap = r->len;
}

void rt_result_system(struct rt_result *r, bool recoverable, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rt_result_error(r, RT_CODE_SYSTEM, recoverable, RT_ORIGIN_SYSTEM, msg);
}

void rt_result_free(struct rt_result *r)
{
	free(r->data);
	r->data = NULL;
	r->len = r->cap = 0;
	r->ok = false;
}

void rt_result_reset(struct rt_result *r)
{
	r->ok = false;
	r->len = 0;
}

void rt_result_failure(struct rt_arena *a, const struct rt_result *r, struct rt_failure *f)
{
	struct rt_msg err;
	f->code = RT_CODE_SYSTEM;
	f->message = "the task failed, and its error could not be recorded (out of memory)";
	f->recoverable = true;
	f->origin = RT_ORIGIN_SYSTEM;
	if (r->data == NULL)
		return;
	Flyteidl__Core__ErrorDocument *d =
		rt_unpack(a, &flyteidl__core__error_document__descriptor, r->data, r->len, &err);
	if (d == NULL || d->error == NULL) {
		f->message = "the task failed with an unreadable error document";
		return;
	}
	f->code = d->error->code;
	f->message = d->error->message;
	f->recoverable = d->error->kind == FLYTEIDL__CORE__CONTAINER_ERROR__KIND__RECOVERABLE;
	f->origin = d->error->origin == FLYTEIDL__CORE__EXECUTION_ERROR__ERROR_KIND__USER
			    ? RT_ORIGIN_USER : RT_ORIGIN_SYSTEM;
}

