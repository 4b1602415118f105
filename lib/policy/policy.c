/* SPDX-License-Identifier: MIT */
/*
 * Heap policy: what heaps are like, aliases, and the rules that map a
 * declared usage to heaps (what a gralloc does).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define KNOWN_PROPS                                                         \
	(DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UNCACHED |                       \
	 DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_PROTECTED |                  \
	 DMAHEAP_PROP_UDMABUF)
#define MAX_LIST 128

static const struct {
	const char *name;
	unsigned int props;
} builtin_props[] = {
	{ "system", DMAHEAP_PROP_CACHED },
	{ "system-uncached", DMAHEAP_PROP_UNCACHED },
	{ "system_cc_shared", DMAHEAP_PROP_CACHED },
	{ "default_cma_region", DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED },
	{ "linux,cma", DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED },
	{ "reserved", DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED },
	{ "default-pool", DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED },
	{ "protected,secure-video", DMAHEAP_PROP_PROTECTED },
	{ "protected,trusted-ui", DMAHEAP_PROP_PROTECTED },
	{ "protected,secure-video-record", DMAHEAP_PROP_PROTECTED },
	{ DMAHEAP_UDMABUF, DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UDMABUF },
};

/* The CMA heap's names over time, newest first. */
static const char *const cma_names[] = {
	"default_cma_region", "linux,cma", "reserved", "default-pool",
};

static const char *const protected_heaps[] = {
	"protected,secure-video", "protected,trusted-ui",
	"protected,secure-video-record",
};
static const char *const cma_alias[] = { "cma" };
static const char *const uncached_heaps[] = { "system-uncached" };
static const char *const device_heaps[] = { "system-uncached", "system",
					    DMAHEAP_UDMABUF };
static const char *const default_heaps[] = { "system", DMAHEAP_UDMABUF };
/* A display controller does not snoop the CPU's caches. */
static const char *const scanout_heaps[] = { "system-uncached", "system" };

#define LIST(a) a, sizeof(a) / sizeof(a[0])
static const struct {
	unsigned int usage;
	const char *const *heaps;
	size_t n;
} builtin_rules[] = {
	{ DMAHEAP_USAGE_PROTECTED, LIST(protected_heaps) },
	{ DMAHEAP_USAGE_CONTIGUOUS, LIST(cma_alias) },
	{ DMAHEAP_USAGE_UNCACHED, LIST(uncached_heaps) },
	/* Before the device rules: CPU reads of uncached memory are slow.
	 * Alone it meets the same heaps as "default", as it did in 0.1. */
	{ DMAHEAP_USAGE_CPU_READ_OFTEN, LIST(default_heaps) },
	{ DMAHEAP_USAGE_DISPLAY_SCANOUT, LIST(scanout_heaps) },
	{ DMAHEAP_USAGE_DEVICE_ONLY, LIST(device_heaps) },
	{ 0, LIST(default_heaps) },
};

int dmaheap_props_valid(unsigned int props)
{
	const unsigned int both = DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UNCACHED;

	return !(props & ~(unsigned int)KNOWN_PROPS) && (props & both) != both;
}

/* Naming conventions of vendor kernels, when nothing better is known. */
static unsigned int props_from_name(const char *name)
{
	unsigned int props = 0;

	if (strncmp(name, "protected,", 10) == 0 || strstr(name, "secure"))
		return DMAHEAP_PROP_PROTECTED;
	if (strstr(name, "uncached"))
		props |= DMAHEAP_PROP_UNCACHED;
	else if (strstr(name, "cached"))
		props |= DMAHEAP_PROP_CACHED;
	if (strstr(name, "cma"))
		props |= DMAHEAP_PROP_CONTIGUOUS;
	return props;
}

unsigned int dmaheap_props_lookup_locked(struct dmaheap_ctx *ctx,
					 const char *heap, int *source)
{
	const struct dmaheap_propdef *d =
		dmaheap_index_find(&ctx->policy.prop_index, heap);
	unsigned int props;

	if (d) {
		*source = d->source;
		return d->props;
	}
	for (size_t i = 0; i < sizeof(builtin_props) / sizeof(builtin_props[0]); i++) {
		if (strcmp(builtin_props[i].name, heap) == 0) {
			*source = DMAHEAP_PROPS_BUILTIN;
			return builtin_props[i].props;
		}
	}
	props = props_from_name(heap);
	*source = props ? DMAHEAP_PROPS_NAME : DMAHEAP_PROPS_UNKNOWN;
	return props;
}

/* The definition of @heap's properties, made if need be. */
static struct dmaheap_propdef *propdef_locked(struct dmaheap_ctx *ctx,
					      const char *heap)
{
	struct dmaheap_policy *p = &ctx->policy;
	struct dmaheap_propdef *d = dmaheap_index_find(&p->prop_index, heap);
	size_t len = strlen(heap) + 1;

	if (d)
		return d;
	d = calloc(1, sizeof(*d) + len);
	if (!d)
		return NULL;
	memcpy(d->name, heap, len);
	if (dmaheap_index_put(&p->prop_index, d->name, d)) {
		free(d);
		return NULL;
	}
	d->next = p->props;
	p->props = d;
	return d;
}

/* Opened heaps cache their properties for the map and sync fast paths. */
static void refresh_heap_props_locked(struct dmaheap_ctx *ctx,
				      const char *heap, unsigned int props)
{
	struct dmaheap_heap *h = dmaheap_heap_find(ctx, heap);

	if (h)
		atomic_store(&h->props, props);
}

int dmaheap_policy_set_props(struct dmaheap_ctx *ctx, const char *heap,
			     unsigned int props, int source)
{
	struct dmaheap_propdef *d;
	int r = 0;

	pthread_mutex_lock(&ctx->lock);
	d = propdef_locked(ctx, heap);
	if (!d)
		r = -ENOMEM;
	if (r == 0) {
		d->props = props;
		d->source = source;
		refresh_heap_props_locked(ctx, heap, props);
		dmaheap_ctx_bump_gen_locked(ctx);
	}
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

static struct dmaheap_alias *find_alias_locked(struct dmaheap_ctx *ctx,
					       const char *name)
{
	return dmaheap_index_find(&ctx->policy.alias_index, name);
}

const struct dmaheap_alias *dmaheap_alias_find_locked(struct dmaheap_ctx *ctx,
						     const char *name)
{
	return find_alias_locked(ctx, name);
}

/* How many aliases list a name among their members. */
struct dmaheap_member {
	size_t aliases;
	char name[];
};

/* Whether v[i] appeared earlier in @m: a name counts once per alias. */
static bool listed_before(const struct dmaheap_names *m, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(m->v[j], m->v[i]) == 0)
			return true;
	return false;
}

static void members_unref(struct dmaheap_policy *p,
			  const struct dmaheap_names *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct dmaheap_member *e;

		if (listed_before(m, i))
			continue;
		e = dmaheap_index_find(&p->member_index, m->v[i]);
		if (e && --e->aliases == 0) {
			dmaheap_index_del(&p->member_index, e->name);
			free(e);
		}
	}
}

static int member_ref(struct dmaheap_policy *p, const char *name)
{
	struct dmaheap_member *e = dmaheap_index_find(&p->member_index, name);
	size_t len = strlen(name) + 1;

	if (e) {
		e->aliases++;
		return 0;
	}
	e = calloc(1, sizeof(*e) + len);
	if (!e)
		return -ENOMEM;
	memcpy(e->name, name, len);
	e->aliases = 1;
	if (dmaheap_index_put(&p->member_index, e->name, e)) {
		free(e);
		return -ENOMEM;
	}
	return 0;
}

/* Counts @m's names as members of one more alias; all or nothing. */
static int members_ref(struct dmaheap_policy *p, const struct dmaheap_names *m)
{
	for (size_t i = 0; i < m->n; i++) {
		if (listed_before(m, i))
			continue;
		if (member_ref(p, m->v[i])) {
			members_unref(p, m, i);
			return -ENOMEM;
		}
	}
	return 0;
}

static void alias_free(struct dmaheap_alias *a)
{
	dmaheap_names_clear(&a->members);
	free(a);
}

/*
 * Aliases do not nest: a member always names a heap, so the heap whose
 * properties the usage policy checked is the heap that serves. Refused
 * either way round: a member that is another alias, or @alias being a
 * member of another alias. An alias may name the heap it hides.
 */
static bool would_nest_locked(struct dmaheap_ctx *ctx, const char *alias,
			      const char *const heaps[], size_t n)
{
	const struct dmaheap_member *m;
	const struct dmaheap_alias *old;

	for (size_t i = 0; i < n; i++)
		if (strcmp(heaps[i], alias) != 0 &&
		    find_alias_locked(ctx, heaps[i]))
			return true;
	m = dmaheap_index_find(&ctx->policy.member_index, alias);
	if (!m)
		return false;
	/* The alias being replaced may list itself; others may not. */
	old = find_alias_locked(ctx, alias);
	return m->aliases >
	       (old && dmaheap_names_contain(&old->members, alias) ? 1u : 0u);
}

static void remove_alias_locked(struct dmaheap_ctx *ctx,
				struct dmaheap_alias *a)
{
	struct dmaheap_policy *p = &ctx->policy;

	dmaheap_index_del(&p->alias_index, a->name);
	members_unref(p, &a->members, a->members.n);
	if (a->prev)
		a->prev->next = a->next;
	else
		p->aliases = a->next;
	if (a->next)
		a->next->prev = a->prev;
	alias_free(a);
}

/* Gives @a the members @m (taken over: @m is left empty). */
static int swap_members_locked(struct dmaheap_ctx *ctx,
			       struct dmaheap_alias *a,
			       struct dmaheap_names *m)
{
	struct dmaheap_names old = a->members;
	int r = members_ref(&ctx->policy, m);

	if (r)
		return r;
	members_unref(&ctx->policy, &old, old.n);
	a->members = *m;
	memset(m, 0, sizeof(*m));
	dmaheap_names_clear(&old);
	return 0;
}

static int add_alias_locked(struct dmaheap_ctx *ctx, const char *alias,
			    struct dmaheap_names *m)
{
	struct dmaheap_policy *p = &ctx->policy;
	size_t len = strlen(alias) + 1;
	struct dmaheap_alias *a = calloc(1, sizeof(*a) + len);

	if (!a)
		return -ENOMEM;
	memcpy(a->name, alias, len);
	if (dmaheap_index_put(&p->alias_index, a->name, a)) {
		free(a);
		return -ENOMEM;
	}
	if (members_ref(p, m)) {
		dmaheap_index_del(&p->alias_index, a->name);
		free(a);
		return -ENOMEM;
	}
	a->members = *m;
	memset(m, 0, sizeof(*m));
	a->next = p->aliases;
	if (a->next)
		a->next->prev = a;
	p->aliases = a;
	return 0;
}

static int replace_alias_locked(struct dmaheap_ctx *ctx, const char *alias,
				const char *const heaps[], size_t n)
{
	struct dmaheap_alias *a = find_alias_locked(ctx, alias);
	struct dmaheap_names m = { 0 };
	int r;

	if (n && would_nest_locked(ctx, alias, heaps, n))
		return -EINVAL;
	if (n == 0) {
		if (!a)
			return -ENOENT;
		remove_alias_locked(ctx, a);
		return 0;
	}
	r = dmaheap_names_set(&m, heaps, n);
	if (r == 0)
		r = a ? swap_members_locked(ctx, a, &m)
		      : add_alias_locked(ctx, alias, &m);
	dmaheap_names_clear(&m);
	return r;
}

int dmaheap_policy_set_alias(struct dmaheap_ctx *ctx, const char *alias,
			     const char *const heaps[], size_t n)
{
	int r;

	pthread_mutex_lock(&ctx->lock);
	r = replace_alias_locked(ctx, alias, heaps, n);
	if (r == 0)
		dmaheap_ctx_bump_gen_locked(ctx);
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

static void rules_free(struct dmaheap_rule *rule)
{
	while (rule) {
		struct dmaheap_rule *next = rule->next;

		dmaheap_names_clear(&rule->heaps);
		free(rule);
		rule = next;
	}
}

static void append_rule_locked(struct dmaheap_ctx *ctx,
			       struct dmaheap_rule *rule, bool from_file)
{
	struct dmaheap_policy *p = &ctx->policy;

	if (!from_file) {
		rule->next = p->api_rules;
		p->api_rules = rule;
		return;
	}
	if (p->file_last)
		p->file_last->next = rule;
	else
		p->file_rules = rule;
	p->file_last = rule;
}

int dmaheap_policy_add_rule(struct dmaheap_ctx *ctx, unsigned int usage,
			    const char *const heaps[], size_t n, bool from_file)
{
	struct dmaheap_rule *rule = calloc(1, sizeof(*rule));
	int r;

	if (!rule)
		return -ENOMEM;
	rule->usage = usage;
	r = dmaheap_names_set(&rule->heaps, heaps, n);
	if (r) {
		free(rule);
		return r;
	}
	pthread_mutex_lock(&ctx->lock);
	append_rule_locked(ctx, rule, from_file);
	dmaheap_ctx_bump_gen_locked(ctx);
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

int dmaheap_policy_init(struct dmaheap_ctx *ctx)
{
	return replace_alias_locked(ctx, "cma", LIST(cma_names));
}

void dmaheap_policy_clear(struct dmaheap_policy *policy)
{
	while (policy->aliases) {
		struct dmaheap_alias *next = policy->aliases->next;

		alias_free(policy->aliases);
		policy->aliases = next;
	}
	rules_free(policy->api_rules);
	rules_free(policy->file_rules);
	while (policy->props) {
		struct dmaheap_propdef *next = policy->props->next;

		free(policy->props);
		policy->props = next;
	}
	for (size_t i = 0; i < policy->member_index.cap; i++)
		free(policy->member_index.slots[i].entry);
	dmaheap_index_clear(&policy->alias_index);
	dmaheap_index_clear(&policy->member_index);
	dmaheap_index_clear(&policy->prop_index);
	memset(policy, 0, sizeof(*policy));
}

static bool names_ok(const char *const heaps[], size_t n)
{
	if (!heaps || n == 0 || n > MAX_LIST)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!dmaheap_heap_name_valid(heaps[i]))
			return false;
	return true;
}

DMAHEAP_EXPORT int dmaheap_heap_props(struct dmaheap_ctx *ctx,
				      const char *heap, unsigned int *props)
{
	int source;

	if (!ctx || !props || !dmaheap_heap_name_valid(heap))
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	*props = dmaheap_props_lookup_locked(ctx, heap, &source);
	pthread_mutex_unlock(&ctx->lock);
	return source;
}

DMAHEAP_EXPORT int dmaheap_ctx_set_heap_props(struct dmaheap_ctx *ctx,
					      const char *heap,
					      unsigned int props)
{
	if (!ctx || !dmaheap_heap_name_valid(heap) || !dmaheap_props_valid(props))
		return -EINVAL;
	return dmaheap_policy_set_props(ctx, heap, props, DMAHEAP_PROPS_API);
}

DMAHEAP_EXPORT int dmaheap_ctx_set_alias(struct dmaheap_ctx *ctx,
					 const char *alias,
					 const char *const heaps[], size_t n)
{
	if (!ctx || !dmaheap_heap_name_valid(alias) ||
	    strcmp(alias, DMAHEAP_UDMABUF) == 0 || (n && !names_ok(heaps, n)))
		return -EINVAL;
	return dmaheap_policy_set_alias(ctx, alias, heaps, n);
}

DMAHEAP_EXPORT int dmaheap_ctx_add_rule(struct dmaheap_ctx *ctx,
					unsigned int usage,
					const char *const heaps[], size_t n)
{
	if (!ctx || !dmaheap_usage_valid(usage) || !names_ok(heaps, n))
		return -EINVAL;
	return dmaheap_policy_add_rule(ctx, usage, heaps, n, false);
}

static const struct dmaheap_rule *match_rule(const struct dmaheap_rule *rule,
					     unsigned int usage)
{
	for (; rule; rule = rule->next)
		if ((rule->usage & usage) == rule->usage)
			return rule;
	return NULL;
}

/* The heap list of the first rule that applies to @usage; the strings
 * stay valid while ctx->lock is held. */
size_t dmaheap_rule_heaps_locked(struct dmaheap_ctx *ctx, unsigned int usage,
				 const char *const **heaps)
{
	const struct dmaheap_rule *rule = match_rule(ctx->policy.api_rules,
						     usage);

	if (!rule)
		rule = match_rule(ctx->policy.file_rules, usage);
	if (rule) {
		*heaps = (const char *const *)rule->heaps.v;
		return rule->heaps.n;
	}
	for (size_t i = 0;; i++) {
		unsigned int u = builtin_rules[i].usage;

		/* The last built-in rule has no bits: the loop always ends. */
		if ((u & usage) == u) {
			*heaps = builtin_rules[i].heaps;
			return builtin_rules[i].n;
		}
	}
}
