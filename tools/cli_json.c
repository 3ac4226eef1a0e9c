/*
 * cli_json.c -- the command's JSON writer (--json): a streaming writer
 * that puts the commas and nesting right, and escapes strings byte by
 * byte, so the output is valid JSON whatever the guest's memory holds.
 *
 * Non-goals: reading JSON; pretty-printing (one document, one line: jq
 * formats it).  Nesting deeper than 32 levels is a programming error
 * (asserted): no subcommand's schema comes near it.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tools/porthole.h"

void
json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof (*j));
	j->j_f = f;
	j->j_first[0] = true;
}

/* Before a value (or a key): the comma, unless it follows a key. */
static void
json_sep(struct json *j)
{
	if (j->j_after_key) {
		j->j_after_key = false;
		return;
	}
	if (!j->j_first[j->j_depth])
		(void) fputc(',', j->j_f);
	j->j_first[j->j_depth] = false;
}

static void
json_open(struct json *j, int c)
{
	json_sep(j);
	(void) fputc(c, j->j_f);
	assert(j->j_depth + 1 < sizeof (j->j_first) / sizeof (j->j_first[0]));
	j->j_depth++;
	j->j_first[j->j_depth] = true;
}

static void
json_close(struct json *j, int c)
{
	assert(j->j_depth > 0 && !j->j_after_key);
	j->j_depth--;
	(void) fputc(c, j->j_f);
}

void
json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void
json_object_end(struct json *j)
{
	json_close(j, '}');
}

void
json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void
json_array_end(struct json *j)
{
	json_close(j, ']');
}

static void
json_quote(struct json *j, const unsigned char *s, size_t n)
{
	size_t i;

	(void) fputc('"', j->j_f);
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"':
			(void) fputs("\\\"", j->j_f);
			break;
		case '\\':
			(void) fputs("\\\\", j->j_f);
			break;
		case '\n':
			(void) fputs("\\n", j->j_f);
			break;
		case '\t':
			(void) fputs("\\t", j->j_f);
			break;
		case '\r':
			(void) fputs("\\r", j->j_f);
			break;
		default:
			if (c < 0x20 || c >= 0x7f)
				(void) fprintf(j->j_f, "\\u%04x", c);
			else
				(void) fputc(c, j->j_f);
		}
	}
	(void) fputc('"', j->j_f);
}

void
json_key(struct json *j, const char *key)
{
	assert(!j->j_after_key);
	json_sep(j);
	json_quote(j, (const unsigned char *)key, strlen(key));
	(void) fputc(':', j->j_f);
	j->j_after_key = true;
}

void
json_string(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_string_n(j, s, strlen(s));
}

void
json_string_n(struct json *j, const void *s, size_t n)
{
	json_sep(j);
	json_quote(j, s, n);
}

void
json_u64(struct json *j, uint64_t v)
{
	json_sep(j);
	(void) fprintf(j->j_f, "%" PRIu64, v);
}

void
json_int(struct json *j, long long v)
{
	json_sep(j);
	(void) fprintf(j->j_f, "%lld", v);
}

void
json_hex(struct json *j, uint64_t v)
{
	json_sep(j);
	(void) fprintf(j->j_f, "\"0x%" PRIx64 "\"", v);
}

void
json_bool(struct json *j, bool v)
{
	json_sep(j);
	(void) fputs(v ? "true" : "false", j->j_f);
}

void
json_null(struct json *j)
{
	json_sep(j);
	(void) fputs("null", j->j_f);
}

void
json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void
json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void
json_kv_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

void
json_kv_hex(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_hex(j, v);
}

void
json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void
json_end(struct json *j)
{
	assert(j->j_depth == 0);
	(void) fputc('\n', j->j_f);
}

void
json_list_end(struct json *j, int failed)
{
	json_array_end(j);
	json_kv_bool(j, "complete", failed == 0);
	if (failed != 0)
		json_kv_string(j, "error", strerror(failed));
	json_object_end(j);
	json_end(j);
}

void
json_fault(struct json *j, const char *key, const struct guest_fault *f)
{
	json_key(j, key);
	if (f == NULL || f->gf_errno == 0) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	json_kv_hex(j, "address", f->gf_addr);
	json_key(j, "physical");
	if (f->gf_pa == ~(uint64_t)0)
		json_null(j);
	else
		json_hex(j, f->gf_pa);
	json_kv_int(j, "errno", f->gf_errno);
	json_kv_string(j, "error", strerror(f->gf_errno));
	json_kv_u64(j, "level", f->gf_level);
	json_kv_string(j, "what", f->gf_what != NULL ? f->gf_what : "");
	json_object_end(j);
}
