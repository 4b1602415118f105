/* SPDX-License-Identifier: MIT */
/* The policy file as a file: which one is read, and what is refused. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

/* Every ERR line the library logged, one per line. */
struct errors {
	char text[2048];
};

static void capture(void *userdata, int priority, const char *msg)
{
	struct errors *e = userdata;
	size_t used = strlen(e->text);

	if (priority == DMAHEAP_LOG_ERR)
		snprintf(e->text + used, sizeof(e->text) - used, "%s\n", msg);
}

/* A temporary file holding @len bytes of @text; returns its path. */
static const char *temp_file(const char *text, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/dmaheap-config-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static int ctx_with_file(struct fixture *f, const char *path,
			 unsigned int flags, struct errors *e,
			 struct dmaheap_ctx **ctx)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;

	dmaheap_mock_options(f->mock, &o);
	o.policy_file = path;
	o.flags = flags;
	o.log_fn = capture;
	o.log_userdata = e;
	o.log_priority = DMAHEAP_LOG_DEBUG;
	*ctx = NULL;
	return dmaheap_ctx_new_with(&o, ctx);
}

/* Creating a context with @len bytes of @text as the policy file. */
static int ctx_with_text(struct fixture *f, const char *text, size_t len,
			 struct errors *e)
{
	const char *path = temp_file(text, len);
	struct dmaheap_ctx *ctx;
	int r = ctx_with_file(f, path, 0, e, &ctx);

	unlink(path);
	dmaheap_ctx_free(ctx);
	return r;
}

static void test_no_policy_file_ignores_env(void **state)
{
	struct fixture *f = *state;
	struct errors e = { "" };
	struct dmaheap_ctx *ctx;
	const char *path = temp_file("heap system = uncached\n", 23);
	unsigned int props = 0;

	/* Neither a missing file named there... */
	setenv("DMAHEAP_POLICY", "/nonexistent/policy.conf", 1);
	assert_int_equal(ctx_with_file(f, NULL, DMAHEAP_CTX_NO_POLICY_FILE,
				       &e, &ctx), 0);
	dmaheap_ctx_free(ctx);
	/* ...nor an existing one is read. */
	setenv("DMAHEAP_POLICY", path, 1);
	assert_int_equal(ctx_with_file(f, NULL, DMAHEAP_CTX_NO_POLICY_FILE,
				       &e, &ctx), 0);
	assert_int_equal(dmaheap_heap_props(ctx, "system", &props),
			 DMAHEAP_PROPS_BUILTIN);
	assert_int_equal(props, DMAHEAP_PROP_CACHED);
	dmaheap_ctx_free(ctx);
	/* Without the flag the environment's file counts. */
	assert_int_equal(ctx_with_file(f, NULL, 0, &e, &ctx), 0);
	assert_int_equal(dmaheap_heap_props(ctx, "system", &props),
			 DMAHEAP_PROPS_CONFIG);
	dmaheap_ctx_free(ctx);
	/* The caller's own file is still read with the flag. */
	unsetenv("DMAHEAP_POLICY");
	assert_int_equal(ctx_with_file(f, path, DMAHEAP_CTX_NO_POLICY_FILE,
				       &e, &ctx), 0);
	assert_int_equal(dmaheap_heap_props(ctx, "system", &props),
			 DMAHEAP_PROPS_CONFIG);
	dmaheap_ctx_free(ctx);
	unlink(path);
	assert_string_equal(e.text, "");
}

static void test_nul_byte_refused(void **state)
{
	static const char text[] = "heap x = cached\n"
				   "rule default = system\0 ignored\n"
				   "frobnicate = everything\n";
	struct fixture *f = *state;
	struct errors e = { "" };

	assert_int_equal(ctx_with_text(f, text, sizeof(text) - 1, &e),
			 -EINVAL);
	assert_non_null(strstr(e.text, ":2: NUL byte"));
	/* A NUL as the very first byte is line 1. */
	e.text[0] = '\0';
	assert_int_equal(ctx_with_text(f, "\0", 1, &e), -EINVAL);
	assert_non_null(strstr(e.text, ":1: NUL byte"));
}

static void test_fifo_refused_without_hanging(void **state)
{
	struct fixture *f = *state;
	struct errors e = { "" };
	struct dmaheap_ctx *ctx;
	char dir[] = "/tmp/dmaheap-config-XXXXXX", fifo[64];

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* Today's hang would end the test here, as a failure. */
	alarm(10);
	assert_int_equal(ctx_with_file(f, fifo, 0, &e, &ctx), -EINVAL);
	alarm(0);
	assert_null(ctx);
	assert_non_null(strstr(e.text, "not a regular file"));
	unlink(fifo);
	/* A directory and a character device are no policy files either. */
	assert_int_equal(ctx_with_file(f, dir, 0, &e, &ctx), -EISDIR);
	assert_int_equal(ctx_with_file(f, "/dev/null", 0, &e, &ctx), -EINVAL);
	rmdir(dir);
}

static void test_too_large(void **state)
{
	struct fixture *f = *state;
	struct errors e = { "" };
	size_t len = 64 * 1024 + 1;
	char *text = malloc(len);

	assert_non_null(text);
	memset(text, '#', len);
	assert_int_equal(ctx_with_text(f, text, len, &e), -EFBIG);
	assert_non_null(strstr(e.text, "64 KiB"));
	assert_null(strstr(e.text, "this heap"));
	/* Exactly the limit is fine. */
	e.text[0] = '\0';
	assert_int_equal(ctx_with_text(f, text, len - 1, &e), 0);
	free(text);
}

/* What is wrong, at FILE:LINE, naming the word at fault. */
static void test_messages_name_the_word(void **state)
{
	static const struct {
		const char *text, *says;
	} cases[] = {
		{ "rule cpu-often = system\n", ":1: unknown usage word: 'cpu-often'" },
		{ "\nheap x = shiny\n", ":2: unknown property: 'shiny'" },
		{ "frobnicate x = y\n", ":1: unknown statement (rule, heap, alias or device): 'frobnicate'" },
		{ "alias cma = ../x\n", ":1: invalid heap name: '../x'" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errors e = { "" };

		assert_int_equal(ctx_with_text(f, cases[i].text,
					       strlen(cases[i].text), &e),
				 -EINVAL);
		if (!strstr(e.text, cases[i].says))
			fail_msg("log '%s' lacks '%s'", e.text, cases[i].says);
	}
}

static void test_named_file_must_exist(void **state)
{
	struct fixture *f = *state;
	struct errors e = { "" };
	struct dmaheap_ctx *ctx;

	/* A named file must exist, and its absence is logged. */
	assert_int_equal(ctx_with_file(f, "/nonexistent/policy.conf", 0, &e,
				       &ctx), -ENOENT);
	assert_non_null(strstr(e.text, "/nonexistent/policy.conf"));
}

/* A failed assertion must not leave DMAHEAP_POLICY to the next test. */
static int teardown(void **state)
{
	unsetenv("DMAHEAP_POLICY");
	return fixture_teardown(state);
}

#define CONFIG_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CONFIG_TEST(test_no_policy_file_ignores_env),
		CONFIG_TEST(test_nul_byte_refused),
		CONFIG_TEST(test_fifo_refused_without_hanging),
		CONFIG_TEST(test_too_large),
		CONFIG_TEST(test_messages_name_the_word),
		CONFIG_TEST(test_named_file_must_exist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
