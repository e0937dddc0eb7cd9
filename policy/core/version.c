/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict version parsing and ordering (see tollgate/version.h and
 * docs/versions.md).
 *
 * Every accepted version reduces to one sort key: four numbers (a semver
 * core has a fourth number of 0) and an optional list of pre-release
 * identifiers. Ordering compares the numbers, then the pre-release, so the
 * order is total inside a scheme, including SWUpdate's mix of plain
 * digits-and-dots versions and semantic versions. Build metadata and the
 * spelling of numbers ("05" vs "5") take no part in the order.
 *
 * Where an updater's own comparison would order a text differently (RAUC's
 * or SWUpdate's integer widths, SWUpdate's 4-field packing), the text is
 * refused instead of being given an order the updater would not share. */
#include "tollgate/version.h"

#include <string.h>

#define QUOTE_MAX 80
/* SWUpdate packs each field of a digits-and-dots version into 16 bits. */
#define SWU_FIELD_MAX 65535
#define SWU_FIELDS_MAX 4
/* SWUpdate's semantic-version code reads numbers into a C int and refuses
 * texts longer than 255 bytes. */
#define SWU_SEMVER_NUM_MAX G_MAXINT32
#define SWU_SEMVER_LEN_MAX 255
#define SEMVER_CORE_MAX 3

struct _TgVersion {
	TgVersionScheme scheme;
	gchar *text;
	guint64 core[4];	/* missing parts are 0 */
	gchar **pre;		/* pre-release identifiers; NULL when there is none */
};

/* One parse in progress: the input and where the cursor stands. */
typedef struct {
	TgVersionScheme scheme;
	const char *s;
	gsize len;
	gsize pos;
} TgVersionParser;

G_DEFINE_QUARK(tg-version-error-quark, tg_version_error)

/* Escapes @len bytes of @s for an error message: control, non-ASCII, quote
 * and backslash bytes become \xNN; long inputs are shortened with "...".
 * Returns: (transfer full). */
static gchar *quote_bytes(const char *s, gsize len)
{
	GString *out = g_string_new(NULL);

	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)s[i];

		if (out->len >= QUOTE_MAX) {
			g_string_append(out, "...");
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\')
			g_string_append_printf(out, "\\x%02x", c);
		else
			g_string_append_c(out, (char)c);
	}
	return g_string_free(out, FALSE);
}

/* Returns: (transfer none): examples of valid versions for messages. */
static const char *example_for(TgVersionScheme scheme)
{
	return scheme == TG_SCHEME_SWUPDATE ? "e.g. 2.0.0, 1.2.3.4 or 2.0.0-rc.1" :
					      "e.g. 2.0.0, 2024.05 or 2.0.0-rc.1";
}

static gboolean fail(const TgVersionParser *p, GError **error, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

/* Sets the error: "version '<text>' is not a valid <scheme> version: <reason>".
 * Always returns FALSE. */
static gboolean fail(const TgVersionParser *p, GError **error, const char *fmt, ...)
{
	g_autofree gchar *quoted = quote_bytes(p->s, p->len);
	g_autofree gchar *reason = NULL;
	va_list ap;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, TG_VERSION_ERROR, TG_VERSION_ERROR_INVALID,
		    "version '%s' is not a valid %s version: %s", quoted,
		    tg_version_scheme_to_string(p->scheme), reason);
	return FALSE;
}

static gboolean is_ident_char(char c)
{
	return g_ascii_isalnum(c) || c == '-';
}

/* Refuses empty and overlong texts and bytes no version may contain. */
static gboolean check_bytes(const TgVersionParser *p, GError **error)
{
	if (p->len == 0)
		return fail(p, error, "it is empty (%s)", example_for(p->scheme));
	if (p->len > TG_VERSION_MAX_LEN)
		return fail(p, error, "it is %" G_GSIZE_FORMAT " bytes long, at most %d are allowed",
			    p->len, TG_VERSION_MAX_LEN);
	for (gsize i = 0; i < p->len; i++) {
		guchar c = (guchar)p->s[i];

		if (c == '\0')
			return fail(p, error, "it contains a NUL byte at offset %" G_GSIZE_FORMAT, i);
		if (c == ' ' || (c >= '\t' && c <= '\r'))
			return fail(p, error, "it contains whitespace; write it without spaces (%s)",
				    example_for(p->scheme));
		if (c < 0x20 || c == 0x7f)
			return fail(p, error, "it contains the control character \\x%02x", c);
		if (c >= 0x80)
			return fail(p, error, "it contains a non-ASCII byte (\\x%02x); "
				    "only ASCII letters, digits, '.', '-' and '+' are allowed", c);
	}
	return TRUE;
}

/* Reads the decimal number at [@start, @end) (digits only, leading zeros
 * allowed). Returns FALSE when it exceeds @max. */
static gboolean read_number(const char *start, const char *end, guint64 max, guint64 *ret_value)
{
	guint64 value = 0;

	for (const char *c = start; c < end; c++) {
		guint digit = (guint)(*c - '0');

		if (value > (max - digit) / 10)
			return FALSE;
		value = value * 10 + digit;
	}
	*ret_value = value;
	return TRUE;
}

static gboolean is_numbered(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isdigit(s[i]) && s[i] != '.')
			return FALSE;
	}
	return TRUE;
}

/* SWUpdate's "major.minor.revision.build": 1 to 4 fields of 0..65535. */
static gboolean parse_numbered(TgVersionParser *p, TgVersion *v, GError **error)
{
	const char *end = p->s + p->len;
	const char *field = p->s;
	guint n = 0;

	for (;;) {
		const char *dot = memchr(field, '.', (gsize)(end - field));
		const char *stop = dot ? dot : end;
		guint64 value = 0;

		if (stop == field)
			return fail(p, error, "it has an empty field; write numbers separated by "
				    "single dots (%s)", example_for(p->scheme));
		if (++n > SWU_FIELDS_MAX)
			return fail(p, error, "it has more than %d fields; SWUpdate compares only "
				    "the first %d and would mis-order it", SWU_FIELDS_MAX,
				    SWU_FIELDS_MAX);
		if (!read_number(field, stop, SWU_FIELD_MAX, &value))
			return fail(p, error, "the field '%.*s' is larger than %d; SWUpdate packs "
				    "each field into 16 bits and would mis-order it",
				    (int)MIN(stop - field, 40), field, SWU_FIELD_MAX);
		v->core[n - 1] = value;
		if (!dot)
			return TRUE;
		field = dot + 1;
	}
}

static char peek(const TgVersionParser *p)
{
	return p->pos < p->len ? p->s[p->pos] : '\0';
}

/* One numeric core part at the cursor; leading zeros are allowed. */
static gboolean parse_core_part(TgVersionParser *p, TgVersion *v, guint idx, GError **error)
{
	gsize start = p->pos;
	char c;

	while (g_ascii_isdigit(peek(p)))
		p->pos++;
	c = peek(p);
	if (p->pos == start && idx == 0)
		return fail(p, error, "it must start with a digit (%s)", example_for(p->scheme));
	if (p->pos == start && (c == '\0' || c == '.' || c == '-' || c == '+'))
		return fail(p, error, "its numeric core has an empty part; write numbers "
			    "separated by single dots (%s)", example_for(p->scheme));
	if (c != '\0' && c != '.' && c != '-' && c != '+') {
		g_autofree gchar *found = quote_bytes(&c, 1);

		return fail(p, error, "its numeric core may contain only digits and dots, found "
			    "'%s'; a pre-release goes after '-' (e.g. 2.0.0-rc.1)", found);
	}
	if (!read_number(p->s + start, p->s + p->pos, G_MAXUINT64, &v->core[idx]))
		return fail(p, error, "the number '%.*s' is too large (at most %" G_GUINT64_FORMAT
			    ")", (int)MIN(p->pos - start, 40), p->s + start, G_MAXUINT64);
	return TRUE;
}

/* MAJOR[.MINOR[.PATCH]] at the cursor. */
static gboolean parse_core(TgVersionParser *p, TgVersion *v, GError **error)
{
	for (guint idx = 0; idx < SEMVER_CORE_MAX; idx++) {
		if (!parse_core_part(p, v, idx, error))
			return FALSE;
		if (peek(p) != '.')
			return TRUE;
		p->pos++;
	}
	if (p->scheme == TG_SCHEME_SWUPDATE)
		return fail(p, error, "only plain digits-and-dots versions may have a fourth "
			    "field; with a '-' or '+' suffix at most 3 numbers are allowed "
			    "(e.g. 1.2.3-rc.1)");
	return fail(p, error, "it has more than 3 numeric parts; use at most MAJOR.MINOR.PATCH "
		    "(%s)", example_for(p->scheme));
}

/* The two dot-separated identifier lists after the core. */
typedef struct {
	const char *name;	/* for messages */
	char sep;		/* the character that introduces it */
	char stop;		/* the character that ends it, or '\0' */
	const char *example;
	gboolean ordered;	/* numeric identifiers take part in the order */
} TgVersionIdents;

static const TgVersionIdents pre_release_idents = {
	"pre-release", '-', '+', "2.0.0-rc.1", TRUE,
};
static const TgVersionIdents build_idents = {
	"build metadata", '+', '\0', "2.0.0+git.5e1f", FALSE,
};

/* One identifier list at the cursor, up to @part->stop or the end. Numeric
 * identifiers of an ordered list must fit guint64. Returns: the identifiers
 * through @ret_idents when it is not NULL. */
static gboolean parse_idents(TgVersionParser *p, const TgVersionIdents *part,
			     GStrv *ret_idents, GError **error)
{
	g_autoptr(GPtrArray) idents = g_ptr_array_new_with_free_func(g_free);
	gsize start = p->pos;
	gboolean numeric = TRUE;
	guint64 unused;

	if (peek(p) == '\0' || peek(p) == part->stop)
		return fail(p, error, "the %s after '%c' is empty (e.g. %s)", part->name,
			    part->sep, part->example);
	for (;; p->pos++) {
		char c = peek(p);

		if (is_ident_char(c)) {
			numeric = numeric && g_ascii_isdigit(c);
			continue;
		}
		if (c != '.' && c != '\0' && c != part->stop) {
			g_autofree gchar *found = quote_bytes(&c, 1);

			return fail(p, error, "its %s may contain only letters, digits, '-' and "
				    "'.', found '%s' (e.g. %s)", part->name, found, part->example);
		}
		if (p->pos == start)
			return fail(p, error, "its %s has an empty identifier; write identifiers "
				    "separated by single dots (e.g. %s)", part->name, part->example);
		if (part->ordered && numeric &&
		    !read_number(p->s + start, p->s + p->pos, G_MAXUINT64, &unused))
			return fail(p, error, "the numeric %s identifier '%.*s' is too large (at "
				    "most %" G_GUINT64_FORMAT ")", part->name,
				    (int)MIN(p->pos - start, 40), p->s + start, G_MAXUINT64);
		g_ptr_array_add(idents, g_strndup(p->s + start, p->pos - start));
		if (c != '.')
			break;
		start = p->pos + 1;
		numeric = TRUE;
	}
	if (ret_idents) {
		g_ptr_array_add(idents, NULL);
		*ret_idents = (GStrv)g_ptr_array_free(g_steal_pointer(&idents), FALSE);
	}
	return TRUE;
}

/* SWUpdate's semantic-version code keeps numbers in a C int and reads a
 * pre-release identifier such as "-5" as a negative number. */
static gboolean check_swupdate_semver(const TgVersionParser *p, const TgVersion *v,
				      GError **error)
{
	if (p->len > SWU_SEMVER_LEN_MAX)
		return fail(p, error, "SWUpdate compares a semantic version longer than %d bytes "
			    "as plain text and would mis-order it", SWU_SEMVER_LEN_MAX);
	for (guint i = 0; i < SEMVER_CORE_MAX; i++) {
		if (v->core[i] > SWU_SEMVER_NUM_MAX)
			return fail(p, error, "the number %" G_GUINT64_FORMAT " is larger than %d; "
				    "SWUpdate would mis-order it", v->core[i], SWU_SEMVER_NUM_MAX);
	}
	for (guint i = 0; v->pre && v->pre[i]; i++) {
		const char *id = v->pre[i];
		gsize n = strspn(id + 1, "0123456789");
		guint64 value;

		if (id[0] == '-' && n > 0 && id[1 + n] == '\0')
			return fail(p, error, "SWUpdate reads the pre-release identifier '%.40s' as a "
				    "negative number and would mis-order it", id);
		if (strspn(id, "0123456789") == strlen(id) &&
		    !read_number(id, id + strlen(id), SWU_SEMVER_NUM_MAX, &value))
			return fail(p, error, "the pre-release identifier '%.40s' is larger than "
				    "%d; SWUpdate would mis-order it", id, SWU_SEMVER_NUM_MAX);
	}
	return TRUE;
}

/* MAJOR[.MINOR[.PATCH]][-PRE.RELEASE][+BUILD]. */
static gboolean parse_semver(TgVersionParser *p, TgVersion *v, GError **error)
{
	if (!parse_core(p, v, error))
		return FALSE;
	if (peek(p) == '-') {
		p->pos++;
		if (!parse_idents(p, &pre_release_idents, &v->pre, error))
			return FALSE;
	}
	if (peek(p) == '+') {
		p->pos++;
		if (!parse_idents(p, &build_idents, NULL, error))
			return FALSE;
	}
	if (p->scheme == TG_SCHEME_SWUPDATE)
		return check_swupdate_semver(p, v, error);
	return TRUE;
}

TgVersion *tg_version_parse(TgVersionScheme scheme, const char *text, gssize len,
			    GError **error)
{
	g_autoptr(TgVersion) v = NULL;
	TgVersionParser p = { .scheme = scheme };

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	g_return_val_if_fail(text != NULL || len == 0, NULL);
	g_return_val_if_fail(scheme == TG_SCHEME_SEMVER || scheme == TG_SCHEME_SWUPDATE, NULL);

	p.s = text ? text : "";
	p.len = len < 0 ? strlen(text) : (gsize)len;
	if (!check_bytes(&p, error))
		return NULL;
	v = g_new0(TgVersion, 1);
	v->scheme = scheme;
	if (scheme == TG_SCHEME_SWUPDATE && is_numbered(p.s, p.len)) {
		if (!parse_numbered(&p, v, error))
			return NULL;
	} else if (!parse_semver(&p, v, error)) {
		return NULL;
	}
	v->text = g_strndup(p.s, p.len);
	return g_steal_pointer(&v);
}

static gboolean is_numeric_ident(const char *id)
{
	return strspn(id, "0123456789") == strlen(id);
}

/* Numeric identifiers by value (they fit guint64: checked when parsed), below
 * alphanumeric ones, which compare in ASCII order. */
static int compare_ident(const char *a, const char *b)
{
	gboolean num_a = is_numeric_ident(a);
	gboolean num_b = is_numeric_ident(b);

	if (num_a && num_b) {
		guint64 va = g_ascii_strtoull(a, NULL, 10);
		guint64 vb = g_ascii_strtoull(b, NULL, 10);

		return (va > vb) - (va < vb);
	}
	if (num_a != num_b)
		return num_a ? -1 : 1;
	return CLAMP(strcmp(a, b), -1, 1);
}

/* A release sorts above any of its pre-releases; with all identifiers equal,
 * the shorter list sorts first. */
static int compare_pre(char *const *a, char *const *b)
{
	guint i;

	if (!a || !b)
		return (a == NULL) - (b == NULL);
	for (i = 0; a[i] && b[i]; i++) {
		int cmp = compare_ident(a[i], b[i]);

		if (cmp != 0)
			return cmp;
	}
	return (a[i] != NULL) - (b[i] != NULL);
}

int tg_version_compare(const TgVersion *a, const TgVersion *b)
{
	/* Mixing schemes is a caller error, but the keys still order consistently:
	 * a semver core is a swupdate key with a fourth field of 0. */
	g_return_val_if_fail(a != NULL && b != NULL, 0);

	for (guint i = 0; i < G_N_ELEMENTS(a->core); i++) {
		if (a->core[i] != b->core[i])
			return a->core[i] < b->core[i] ? -1 : 1;
	}
	return compare_pre(a->pre, b->pre);
}

int tg_version_first_difference(const TgVersion *a, const TgVersion *b)
{
	g_return_val_if_fail(a != NULL && b != NULL, 0);

	for (guint i = 0; i < G_N_ELEMENTS(a->core); i++) {
		if (a->core[i] != b->core[i])
			return (int)i;
	}
	return compare_pre(a->pre, b->pre) != 0 ? 3 : -1;
}

const char *tg_version_to_string(const TgVersion *v)
{
	g_return_val_if_fail(v != NULL, NULL);
	return v->text;
}

void tg_version_free(TgVersion *v)
{
	if (!v)
		return;
	g_free(v->text);
	g_strfreev(v->pre);
	g_free(v);
}

gboolean tg_version_compare_strings(TgVersionScheme scheme, const char *a, const char *b,
				    int *ret_cmp, GError **error)
{
	g_autoptr(TgVersion) va = NULL;
	g_autoptr(TgVersion) vb = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(a != NULL && b != NULL && ret_cmp != NULL, FALSE);

	va = tg_version_parse(scheme, a, -1, error);
	if (!va)
		return FALSE;
	vb = tg_version_parse(scheme, b, -1, error);
	if (!vb)
		return FALSE;
	*ret_cmp = tg_version_compare(va, vb);
	return TRUE;
}
