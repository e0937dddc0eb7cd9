/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy parser.
 *
 * tg_policy_load() reads the main file and then every conf.d/NAME.conf drop-in
 * in strcmp() order. Each file is parsed into its own GKeyFile first (so a
 * syntax error or a key written twice is reported against the file it is
 * in), then merged key by key into one GKeyFile in which later files win.
 * While merging, "group\x1fkey" -> file name is recorded; the TgKf helpers
 * look a key up there, so a bad value is reported against the file that set
 * it last, which is the file the administrator has to edit.
 *
 * The merged key file is then consumed one group at a time by
 * parse_<group>_group(); every key is taken with a tg_kf_take_*() helper and
 * whatever is left over is an unknown key or group. Groups that belong to
 * later modules are moved into policy->extra unchecked. */
#include "policy-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "keyfile.h"
#include "tg-config.h"
#include "tg-crypto.h"

G_DEFINE_QUARK(tg-policy-error-quark, tg_policy_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MD_CTX, EVP_MD_CTX_free)

#define DAY_SECONDS (24 * 60 * 60)
#define ALL_DAYS 0x7f
#define MINUTES_PER_DAY (24 * 60)
#define MAX_NOTICE_DAYS 3650
#define MAX_LABEL 256
#define MAX_ZONE_NAME 128
#define TZIF_HEADER_LEN 44
#define MIN_AUDIT_SIZE 4096
#define MAX_AUDIT_SIZE (G_GUINT64_CONSTANT(1) << 40)
#define MAX_AUDIT_FILES 10000
#define MAX_CHECKPOINT_EVERY 1000000

/* ------------------------------------------------------------------ */
/* Policy object */

static void window_init(TgWindow *w)
{
	w->enabled = FALSE;
	w->days = ALL_DAYS;
	w->start_minute = 0;
	w->end_minute = MINUTES_PER_DAY;
	w->tz_name = g_strdup("UTC");
	w->tz = g_time_zone_new_utc();
}

static void window_clear(TgWindow *w)
{
	g_clear_pointer(&w->tz_name, g_free);
	g_clear_pointer(&w->tz, g_time_zone_unref);
}

/* Returns: (transfer full): a policy holding every default. */
static TgPolicy *policy_new(void)
{
	static const guint notice[] = { 90, 30, 7 };
	TgPolicy *p = g_new0(TgPolicy, 1);

	p->files = g_ptr_array_new_with_free_func(g_free);
	p->scheme = TG_SCHEME_SEMVER;
	p->anchor_index = TG_ANCHOR_DEFAULT_INDEX;
	p->default_component = g_strdup("system");
	p->reinstall = TG_REINSTALL_REFUSE;
	p->security_floor = TRUE;
	p->warn_days = 90;
	p->notice_days = g_array_new(FALSE, FALSE, sizeof(guint));
	g_array_append_vals(p->notice_days, notice, G_N_ELEMENTS(notice));
	p->after_end = TG_AFTER_END_REFUSE_FEATURE;
	p->default_class = TG_CLASS_FEATURE;
	p->mixed_as = TG_CLASS_FEATURE;
	p->security_max_bump = TG_BUMP_PATCH;
	for (guint i = 0; i < G_N_ELEMENTS(p->classes); i++) {
		p->classes[i].auto_install = TRUE;
		window_init(&p->classes[i].window);
	}
	p->classes[0].max_postpone = DAY_SECONDS;
	p->classes[1].max_postpone = 30 * DAY_SECONDS;
	p->state_dir = g_strdup(TG_DEFAULT_STATE_DIR);
	p->key_file = g_strdup(TG_DEFAULT_KEY_FILE);
	p->version_source = TG_VERSION_SOURCE_NONE;
	p->audit_max_size = 1024 * 1024;
	p->audit_max_files = 8;
	p->checkpoint_alg = g_strdup("hmac-sha256");
	p->default_mechanism = g_strdup("default");
	p->extra = g_key_file_new();
	return p;
}

void tg_policy_free(TgPolicy *policy)
{
	if (!policy)
		return;
	g_free(policy->path);
	g_clear_pointer(&policy->files, g_ptr_array_unref);
	g_free(policy->hash);
	g_clear_pointer(&policy->contents, g_ptr_array_unref);
	g_free(policy->model);
	g_free(policy->hardware_revision);
	g_free(policy->device_id);
	g_free(policy->device_id_file);
	g_free(policy->default_component);
	g_clear_pointer(&policy->components, g_ptr_array_unref);
	g_clear_pointer(&policy->support_end, g_date_time_unref);
	g_clear_pointer(&policy->notice_days, g_array_unref);
	for (guint i = 0; i < G_N_ELEMENTS(policy->classes); i++)
		window_clear(&policy->classes[i].window);
	g_free(policy->state_dir);
	g_free(policy->key_file);
	g_free(policy->version_path);
	g_free(policy->version_key);
	g_free(policy->anchor_tcti);
	g_free(policy->audit_dir);
	g_free(policy->checkpoint_key);
	g_free(policy->checkpoint_alg);
	g_free(policy->default_mechanism);
	g_clear_pointer(&policy->extra, g_key_file_unref);
	g_clear_pointer(&policy->origins, g_hash_table_unref);
	g_free(policy);
}

guint tg_policy_class_index(TgUpdateClass cls)
{
	return cls == TG_CLASS_SECURITY ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Value helpers */

/* Takes a short text value: not empty, at most MAX_LABEL bytes, no control
 * characters; with @word also no white space (names used as identifiers). */
static gboolean take_label(TgKf *k, const char *group, const char *key, gboolean word,
			   gchar **ret, GError **error)
{
	g_autofree gchar *val = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_string(k, group, key, &val, error))
		return FALSE;
	if (!val)
		return TRUE;
	if (!*val)
		return tg_kf_value_error(k, group, key, val,
					 "is empty; give a value or remove the line", error);
	if (strlen(val) > MAX_LABEL)
		return tg_kf_value_error(k, group, key, val,
					 "is longer than 256 bytes; shorten it", error);
	for (const char *p = val; *p; p++) {
		if ((guchar)*p < 0x20 || *p == 0x7f)
			return tg_kf_value_error(k, group, key, val,
						 "contains a control character; remove it", error);
		if (word && *p == ' ')
			return tg_kf_value_error(k, group, key, val,
						 "contains a space; write it as one word "
						 "such as rootfs", error);
	}
	g_free(*ret);
	*ret = g_steal_pointer(&val);
	return TRUE;
}

/* Lexically: is @path equal to @dir or below it? */
static gboolean path_is_inside(const char *path, const char *dir)
{
	g_autofree gchar *p = g_canonicalize_filename(path, "/");
	g_autofree gchar *d = g_canonicalize_filename(dir, "/");
	gsize n = strlen(d);

	if (g_str_equal(d, "/") || g_str_equal(p, d))
		return TRUE;
	return strncmp(p, d, n) == 0 && p[n] == '/';
}

/* ------------------------------------------------------------------ */
/* [device] [versions] [rollback] */

static gboolean parse_device_group(TgKf *k, TgPolicy *p, GError **error)
{
	const char *g = "device";
	g_autofree gchar *both = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_label(k, g, "model", FALSE, &p->model, error) ||
	    !take_label(k, g, "hardware-revision", FALSE, &p->hardware_revision, error) ||
	    !take_label(k, g, "device-id", FALSE, &p->device_id, error) ||
	    !tg_kf_take_path(k, g, "device-id-file", &p->device_id_file, error) ||
	    !tg_kf_take_boolean(k, g, "production", &p->production, error))
		return FALSE;
	if (!p->model) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_MISSING,
			    "%s: [device] model is missing; set the model designation users see "
			    "on the label", k->file);
		return FALSE;
	}
	if (p->device_id && p->device_id_file) {
		g_autofree gchar *q = tg_kf_quote(p->device_id_file);

		both = g_strdup_printf("is set together with device-id-file = '%s'; keep only "
				       "one of them", q);
		return tg_kf_value_error(k, g, "device-id", p->device_id, both, error);
	}
	return tg_kf_check_remaining_keys(k, g, error);
}

static gboolean parse_versions_group(TgKf *k, TgPolicy *p, GError **error)
{
	static const char *const schemes[] = { "semver", "swupdate", NULL };
	const char *g = "versions";
	gint scheme = p->scheme;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_enum(k, g, "scheme", schemes, &scheme, error) ||
	    !take_label(k, g, "default-component", TRUE, &p->default_component, error))
		return FALSE;
	if (!tg_component_name_valid(p->default_component))
		return tg_kf_value_error(k, g, "default-component", p->default_component,
					 "is not a component name; use 1 to 64 letters, digits, "
					 "'-', '_' or '.', starting with a letter or digit", error);
	p->scheme = scheme;
	return tg_kf_check_remaining_keys(k, g, error);
}

static gboolean parse_rollback_group(TgKf *k, TgPolicy *p, GError **error)
{
	static const char *const reinstall[] = { "allow", "refuse", NULL };
	const char *g = "rollback";
	gint re = p->reinstall;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_boolean(k, g, "allow-downgrade", &p->allow_downgrade, error) ||
	    !tg_kf_take_enum(k, g, "reinstall", reinstall, &re, error) ||
	    !tg_kf_take_boolean(k, g, "security-floor", &p->security_floor, error))
		return FALSE;
	p->reinstall = re;
	return tg_kf_check_remaining_keys(k, g, error);
}

/* ------------------------------------------------------------------ */
/* [support] [classify] */

static gint compare_uint_desc(gconstpointer a, gconstpointer b)
{
	guint x = *(const guint *)a, y = *(const guint *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Sorts descending and drops repeats. */
static void sort_notice_days(GArray *days)
{
	g_array_sort(days, compare_uint_desc);
	for (guint i = 1; i < days->len;) {
		if (g_array_index(days, guint, i) == g_array_index(days, guint, i - 1))
			g_array_remove_index(days, i);
		else
			i++;
	}
}

static gboolean parse_support_group(TgKf *k, TgPolicy *p, GError **error)
{
	static const char *const after[] = { "allow", "refuse-feature", "refuse", NULL };
	const char *g = "support";
	guint64 warn = p->warn_days;
	gint after_end = p->after_end;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_date(k, g, "end", &p->support_end, error) ||
	    !tg_kf_take_uint(k, g, "warn-days", MAX_NOTICE_DAYS, &warn, error) ||
	    !tg_kf_take_uint_list(k, g, "notice-days", MAX_NOTICE_DAYS, &p->notice_days, error) ||
	    !tg_kf_take_enum(k, g, "after-end", after, &after_end, error) ||
	    !tg_kf_take_boolean(k, g, "allow-shortening", &p->allow_shortening, error))
		return FALSE;
	p->warn_days = (guint)warn;
	p->after_end = after_end;
	sort_notice_days(p->notice_days);
	return tg_kf_check_remaining_keys(k, g, error);
}

static gboolean take_class(TgKf *k, const char *group, const char *key, TgUpdateClass *ret,
			   GError **error)
{
	static const char *const names[] = { "security", "feature", NULL };
	gint idx = *ret == TG_CLASS_SECURITY ? 0 : 1;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_enum(k, group, key, names, &idx, error))
		return FALSE;
	*ret = idx == 0 ? TG_CLASS_SECURITY : TG_CLASS_FEATURE;
	return TRUE;
}

static gboolean parse_classify_group(TgKf *k, TgPolicy *p, GError **error)
{
	static const char *const bumps[] = { "patch", "minor", "major", NULL };
	const char *g = "classify";
	gint bump = p->security_max_bump;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_class(k, g, "default-class", &p->default_class, error) ||
	    !take_class(k, g, "mixed-as", &p->mixed_as, error) ||
	    !tg_kf_take_enum(k, g, "security-max-bump", bumps, &bump, error) ||
	    !tg_kf_take_boolean(k, g, "require-risk", &p->require_risk, error) ||
	    !tg_kf_take_boolean(k, g, "require-metadata", &p->require_metadata, error))
		return FALSE;
	p->security_max_bump = bump;
	return tg_kf_check_remaining_keys(k, g, error);
}

/* ------------------------------------------------------------------ */
/* Maintenance window: [class.*] window-days, window-hours, time-zone */

static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static gint day_index(const char *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(day_names); i++) {
		if (g_ascii_strcasecmp(name, day_names[i]) == 0)
			return (gint)i;
	}
	return -1;
}

/* "daily", "mon" or a range "mon-fri" (wrapping: "fri-mon"); ORs into @mask. */
static gboolean parse_day_item(gchar *item, guint8 *mask)
{
	gchar *dash = strchr(item, '-');
	gint from, to;

	if (g_ascii_strcasecmp(item, "daily") == 0) {
		*mask |= ALL_DAYS;
		return TRUE;
	}
	if (dash)
		*dash = '\0';
	from = day_index(g_strstrip(item));
	to = dash ? day_index(g_strstrip(dash + 1)) : from;
	if (from < 0 || to < 0)
		return FALSE;
	for (gint d = from;; d = (d + 1) % 7) {
		*mask |= 1u << d;
		if (d == to)
			break;
	}
	return TRUE;
}

static gboolean parse_window_days(TgKf *k, const char *group, const char *raw, guint8 *ret,
				  GError **error)
{
	g_auto(GStrv) items = g_strsplit_set(raw, ";,", -1);
	guint8 mask = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	for (gchar **it = items; *it; it++) {
		g_autofree gchar *q = NULL;
		g_autofree gchar *what = NULL;

		if (!*g_strstrip(*it))
			continue;
		q = tg_kf_quote(*it);
		if (!parse_day_item(*it, &mask)) {
			what = g_strdup_printf("has '%s', which is not a day; use mon, tue, wed, "
					       "thu, fri, sat, sun, a range such as mon-fri, or "
					       "daily", q);
			return tg_kf_value_error(k, group, "window-days", raw, what, error);
		}
	}
	if (mask == 0)
		return tg_kf_value_error(k, group, "window-days", raw,
					 "names no day; list days such as mon-fri or write daily",
					 error);
	*ret = mask;
	return TRUE;
}

/* "HH:MM" at @p (exactly five characters); "24:00" only if @end. */
static gboolean parse_clock(const char *p, gboolean end, guint *ret_minute)
{
	guint h, m;

	if (!g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]) || p[2] != ':' ||
	    !g_ascii_isdigit(p[3]) || !g_ascii_isdigit(p[4]))
		return FALSE;
	h = (guint)(p[0] - '0') * 10 + (guint)(p[1] - '0');
	m = (guint)(p[3] - '0') * 10 + (guint)(p[4] - '0');
	if (end && h == 24 && m == 0) {
		*ret_minute = MINUTES_PER_DAY;
		return TRUE;
	}
	if (h > 23 || m > 59)
		return FALSE;
	*ret_minute = h * 60 + m;
	return TRUE;
}

static gboolean parse_window_hours(TgKf *k, const char *group, const char *raw, TgWindow *w,
				   GError **error)
{
	guint start, end;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (strlen(raw) != 11 || raw[5] != '-' || !parse_clock(raw, FALSE, &start) ||
	    !parse_clock(raw + 6, TRUE, &end))
		return tg_kf_value_error(k, group, "window-hours", raw,
					 "is not a time range; write HH:MM-HH:MM in 24-hour time, "
					 "e.g. 02:00-05:00 (24:00 may end a range)", error);
	if (start == end)
		return tg_kf_value_error(k, group, "window-hours", raw,
					 "starts and ends at the same time; write 00:00-24:00 for "
					 "the whole day", error);
	/* "22:00-00:00" ends at midnight, as "22:00-24:00" does. */
	if (end == 0)
		end = MINUTES_PER_DAY;
	w->start_minute = start;
	w->end_minute = end;
	return TRUE;
}

/* IANA zone names: letters, digits, '/', '_', '-', '+'; no dots (so no
 * "..") and no empty components. */
static gboolean zone_name_ok(const char *name)
{
	if (!g_ascii_isalpha(name[0]) || strlen(name) > MAX_ZONE_NAME)
		return FALSE;
	for (const char *p = name; *p; p++) {
		if (!g_ascii_isalnum(*p) && !strchr("/_-+", *p))
			return FALSE;
	}
	return !strstr(name, "//") && !g_str_has_suffix(name, "/");
}

/* GLib warns (a critical) on zone files it cannot parse, so only hand it
 * regular files that start like a TZif file. */
static gboolean is_tzif_file(const char *path)
{
	char head[TZIF_HEADER_LEN];
	struct stat st;
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return FALSE;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, head, sizeof(head));
	close(fd);
	return n == (ssize_t)sizeof(head) && memcmp(head, "TZif", 4) == 0;
}

/* Returns: (transfer full): the zone, or NULL if it is not installed. */
static GTimeZone *load_zone(const char *name)
{
	const char *dir = g_getenv("TZDIR");
	g_autofree gchar *path = NULL;

	if (g_str_equal(name, "UTC"))
		return g_time_zone_new_utc();
	if (!zone_name_ok(name))
		return NULL;
	path = g_build_filename(dir && *dir ? dir : "/usr/share/zoneinfo", name, NULL);
	if (!is_tzif_file(path))
		return NULL;
	return g_time_zone_new_identifier(name);
}

static gboolean set_window_zone(TgKf *k, const char *group, const char *name, TgWindow *w,
				GError **error)
{
	GTimeZone *tz;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	tz = load_zone(name);
	if (!tz)
		return tg_kf_value_error(k, group, "time-zone", name,
					 "is not a time zone installed on this system; use an IANA "
					 "name such as Europe/Berlin (see /usr/share/zoneinfo) or UTC",
					 error);
	g_time_zone_unref(w->tz);
	w->tz = tz;
	g_free(w->tz_name);
	w->tz_name = g_strdup(name);
	return TRUE;
}

static gboolean parse_window(TgKf *k, const char *group, TgWindow *w, GError **error)
{
	g_autofree gchar *days = NULL;
	g_autofree gchar *hours = NULL;
	g_autofree gchar *zone = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_string(k, group, "window-days", &days, error) ||
	    !tg_kf_take_string(k, group, "window-hours", &hours, error) ||
	    !tg_kf_take_string(k, group, "time-zone", &zone, error))
		return FALSE;
	if (zone && !set_window_zone(k, group, zone, w, error))
		return FALSE;
	if (!hours) {
		if (days)
			return tg_kf_value_error(k, group, "window-days", days,
						 "has no effect without window-hours; add "
						 "window-hours (e.g. 02:00-05:00) or remove "
						 "window-days", error);
		return TRUE;
	}
	if (!parse_window_hours(k, group, hours, w, error))
		return FALSE;
	w->days = ALL_DAYS;
	if (days && !parse_window_days(k, group, days, &w->days, error))
		return FALSE;
	w->enabled = TRUE;
	return TRUE;
}

static gboolean parse_class_group(TgKf *k, const char *group, TgClassPolicy *c,
				  GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!tg_kf_take_boolean(k, group, "auto-install", &c->auto_install, error) ||
	    !tg_kf_take_duration(k, group, "max-postpone", &c->max_postpone, error) ||
	    !parse_window(k, group, &c->window, error))
		return FALSE;
	return tg_kf_check_remaining_keys(k, group, error);
}

static gboolean parse_disruption_group(TgKf *k, TgPolicy *p, GError **error)
{
	const char *g = "disruption";

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_boolean(k, g, "require-approval", &p->require_approval, error))
		return FALSE;
	return tg_kf_check_remaining_keys(k, g, error);
}

/* ------------------------------------------------------------------ */
/* [state] [audit] [mechanism] */

static gboolean is_shell_name(const char *s)
{
	if (!g_ascii_isalpha(*s) && *s != '_')
		return FALSE;
	for (; *s; s++) {
		if (!g_ascii_isalnum(*s) && *s != '_')
			return FALSE;
	}
	return TRUE;
}

static gboolean set_version_defaults(TgKf *k, TgPolicy *p, GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	switch (p->version_source) {
	case TG_VERSION_SOURCE_OS_RELEASE:
		if (!p->version_path)
			p->version_path = g_strdup("/etc/os-release");
		if (!p->version_key)
			p->version_key = g_strdup("VERSION_ID");
		if (!is_shell_name(p->version_key))
			return tg_kf_value_error(k, "state", "version-key", p->version_key,
						 "is not an os-release variable name; use e.g. "
						 "VERSION_ID", error);
		break;
	case TG_VERSION_SOURCE_SW_VERSIONS:
		if (!p->version_path)
			p->version_path = g_strdup("/etc/sw-versions");
		if (!p->version_key)
			p->version_key = g_strdup(p->default_component);
		break;
	case TG_VERSION_SOURCE_FILE:
		if (!p->version_path) {
			g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_MISSING,
				    "%s: [state] version-source = 'file' needs version-path; set "
				    "it to the file that holds the running version",
				    tg_kf_file(k, "state", "version-source"));
			return FALSE;
		}
		break;
	case TG_VERSION_SOURCE_NONE:
	default:
		break;
	}
	return TRUE;
}

/* [state] anchor, anchor-tcti, anchor-index: the hardware anchor. */
static gboolean parse_anchor(TgKf *k, TgPolicy *p, GError **error)
{
	static const char *const anchors[] = { "none", "tpm2", NULL };
	const char *g = "state";
	gint anchor = p->anchor;
	g_autofree gchar *index = NULL;
	gchar *end = NULL;
	guint64 v;

	if (!tg_kf_take_enum(k, g, "anchor", anchors, &anchor, error) ||
	    !tg_kf_take_string(k, g, "anchor-tcti", &p->anchor_tcti, error) ||
	    !tg_kf_take_string(k, g, "anchor-index", &index, error))
		return FALSE;
	p->anchor = anchor;
	if (!p->anchor_tcti)
		p->anchor_tcti = g_strdup(TG_ANCHOR_DEFAULT_TCTI);
	if (!index)
		return TRUE;
	v = g_ascii_strtoull(index, &end, 0);
	/* NV indices of the owner range: 0x01000000 to 0x01ffffff */
	if (!*index || *end || v < 0x01000000 || v > 0x01ffffff)
		return tg_kf_value_error(k, g, "anchor-index", index,
					 "is not an NV index; use one from 0x01000000 to "
					 "0x01ffffff, e.g. 0x01500101", error);
	p->anchor_index = (guint32)v;
	return TRUE;
}

static gboolean parse_state_group(TgKf *k, TgPolicy *p, GError **error)
{
	static const char *const sources[] = { "none", "os-release", "sw-versions", "file", NULL };
	const char *g = "state";
	gint source = p->version_source;
	g_autofree gchar *what = NULL;
	g_autofree gchar *q = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_path(k, g, "directory", &p->state_dir, error) ||
	    !tg_kf_take_path(k, g, "key-file", &p->key_file, error) ||
	    !tg_kf_take_enum(k, g, "version-source", sources, &source, error) ||
	    !tg_kf_take_path(k, g, "version-path", &p->version_path, error) ||
	    !take_label(k, g, "version-key", TRUE, &p->version_key, error))
		return FALSE;
	p->version_source = source;
	if (path_is_inside(p->key_file, p->state_dir)) {
		q = tg_kf_quote(p->state_dir);
		what = g_strdup_printf("is inside [state] directory = '%s', next to the state "
				       "it protects; keep the key elsewhere, e.g. %s", q,
				       TG_DEFAULT_KEY_FILE);
		return tg_kf_value_error(k, g, "key-file", p->key_file, what, error);
	}
	if (!set_version_defaults(k, p, error) || !parse_anchor(k, p, error))
		return FALSE;
	return tg_kf_check_remaining_keys(k, g, error);
}

static gboolean check_audit_group(TgKf *k, TgPolicy *p, GError **error)
{
	const char *g = "audit";
	g_autofree gchar *raw = NULL;
	g_autofree gchar *what = NULL;
	g_autofree gchar *q = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (p->audit_max_files == 0)
		return tg_kf_value_error(k, g, "max-files", "0",
					 "keeps no rotated file, which would break the log's "
					 "chain; use at least 1", error);
	if (p->checkpoint_every > 0 && !p->checkpoint_key) {
		raw = g_strdup_printf("%u", p->checkpoint_every);
		return tg_kf_value_error(k, g, "checkpoint-every", raw,
					 "needs checkpoint-key; set checkpoint-key to the key "
					 "file or set checkpoint-every = 0", error);
	}
	if (p->checkpoint_key && path_is_inside(p->checkpoint_key, p->audit_dir)) {
		q = tg_kf_quote(p->audit_dir);
		what = g_strdup_printf("is inside [audit] directory = '%s', next to the log it "
				       "signs; keep the key elsewhere, e.g. under /etc/tollgate", q);
		return tg_kf_value_error(k, g, "checkpoint-key", p->checkpoint_key, what, error);
	}
	return TRUE;
}

static gboolean parse_audit_group(TgKf *k, TgPolicy *p, GError **error)
{
	static const char *const algs[] = { "hmac-sha256", "ed25519", NULL };
	const char *g = "audit";
	guint64 files = p->audit_max_files;
	guint64 every = p->checkpoint_every;
	gint alg = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_path(k, g, "directory", &p->audit_dir, error) ||
	    !tg_kf_take_size(k, g, "max-size", MIN_AUDIT_SIZE, MAX_AUDIT_SIZE,
			     &p->audit_max_size, error) ||
	    !tg_kf_take_uint(k, g, "max-files", MAX_AUDIT_FILES, &files, error) ||
	    !tg_kf_take_uint(k, g, "checkpoint-every", MAX_CHECKPOINT_EVERY, &every, error) ||
	    !tg_kf_take_path(k, g, "checkpoint-key", &p->checkpoint_key, error) ||
	    !tg_kf_take_enum(k, g, "checkpoint-alg", algs, &alg, error))
		return FALSE;
	p->audit_max_files = (guint)files;
	p->checkpoint_every = (guint)every;
	g_free(p->checkpoint_alg);
	p->checkpoint_alg = g_strdup(algs[alg]);
	if (!p->audit_dir)
		p->audit_dir = g_build_filename(p->state_dir, "log", NULL);
	if (!check_audit_group(k, p, error))
		return FALSE;
	return tg_kf_check_remaining_keys(k, g, error);
}

static gboolean parse_mechanism_group(TgKf *k, TgPolicy *p, GError **error)
{
	const char *g = "mechanism";
	g_autofree gchar *mechanism = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_label(k, g, "default", TRUE, &mechanism, error))
		return FALSE;
	if (mechanism) {
		g_free(p->default_mechanism);
		p->default_mechanism = g_steal_pointer(&mechanism);
		p->default_mechanism_set = TRUE;
	}
	return tg_kf_check_remaining_keys(k, g, error);
}

/* ------------------------------------------------------------------ */
/* Whole policy */

/* Groups checked by later modules (notify, evidence, ...), not here. */
static gboolean is_extra_group(const char *group)
{
	static const char *const prefixes[] = {
		"notify.", "sink.", "template.", "product", "mechanism.", "component.",
		"procedure", "replacement", "ics.", "owner.", "evidence",
	};

	if (g_str_equal(group, "notify"))
		return TRUE;
	for (guint i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		if (g_str_has_prefix(group, prefixes[i]))
			return TRUE;
	}
	return FALSE;
}

/* GKeyFile has no call to add an empty group; a key added and removed
 * leaves the group behind. */
static void ensure_group(GKeyFile *kf, const char *group)
{
	if (g_key_file_has_group(kf, group))
		return;
	g_key_file_set_value(kf, group, "x", "");
	g_key_file_remove_key(kf, group, "x", NULL);
}

static void copy_group(GKeyFile *from, GKeyFile *to, const char *group)
{
	g_auto(GStrv) keys = g_key_file_get_keys(from, group, NULL, NULL);

	ensure_group(to, group);
	for (gchar **key = keys; keys && *key; key++) {
		g_autofree gchar *v = g_key_file_get_value(from, group, *key, NULL);

		g_key_file_set_value(to, group, *key, v ? v : "");
	}
}

static void move_extra_groups(TgKf *k, TgPolicy *p)
{
	g_auto(GStrv) groups = g_key_file_get_groups(k->kf, NULL);

	for (gchar **g = groups; *g; g++) {
		if (!is_extra_group(*g))
			continue;
		copy_group(k->kf, p->extra, *g);
		g_key_file_remove_group(k->kf, *g, NULL);
	}
}

gboolean tg_component_name_valid(const char *name)
{
	gsize n = name ? strlen(name) : 0;

	if (n == 0 || n > 64 || !g_ascii_isalnum(name[0]))
		return FALSE;
	for (const char *c = name; *c; c++)
		if (!g_ascii_isalnum(*c) && !strchr("-_.", *c))
			return FALSE;
	return TRUE;
}

gboolean tg_policy_component_declared(const TgPolicy *policy, const char *name)
{
	g_return_val_if_fail(policy != NULL, FALSE);
	if (!name || g_strcmp0(name, policy->default_component) == 0)
		return name != NULL;
	for (guint i = 0; policy->components && i < policy->components->len; i++)
		if (g_str_equal(g_ptr_array_index(policy->components, i), name))
			return TRUE;
	return FALSE;
}

/* The [component.NAME] groups: the components an update may name. */
static gboolean collect_components(TgKf *k, TgPolicy *p, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(k->kf, NULL);

	p->components = g_ptr_array_new_with_free_func(g_free);
	for (gchar **g = groups; *g; g++) {
		const char *name = *g + strlen("component.");
		g_autofree gchar *q = NULL;

		if (!g_str_has_prefix(*g, "component."))
			continue;
		if (tg_component_name_valid(name)) {
			g_ptr_array_add(p->components, g_strdup(name));
			continue;
		}
		q = tg_kf_quote(*g);
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE,
			    "%s: group [%s] has a bad component name; after the dot use 1 to 64 "
			    "letters, digits, '-', '_' or '.', starting with a letter or digit",
			    tg_kf_file(k, *g, NULL), q);
		return FALSE;
	}
	return TRUE;
}

/* Returns: (transfer full): the parsed policy, or NULL with @error. */
static TgPolicy *parse_policy(TgKf *k, GError **error)
{
	g_autoptr(TgPolicy) p = policy_new();

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!collect_components(k, p, error))
		return NULL;
	move_extra_groups(k, p);
	if (!parse_device_group(k, p, error) || !parse_versions_group(k, p, error) ||
	    !parse_rollback_group(k, p, error) || !parse_support_group(k, p, error) ||
	    !parse_classify_group(k, p, error) ||
	    !parse_class_group(k, "class.security", &p->classes[0], error) ||
	    !parse_class_group(k, "class.feature", &p->classes[1], error) ||
	    !parse_disruption_group(k, p, error) || !parse_state_group(k, p, error) ||
	    !parse_audit_group(k, p, error) || !parse_mechanism_group(k, p, error) ||
	    !tg_kf_check_remaining_groups(k, error))
		return NULL;
	return g_steal_pointer(&p);
}

/* ------------------------------------------------------------------ */
/* Files: parsing each, merging, hashing */

/* The files of one policy in the order they apply. */
typedef struct {
	GPtrArray *names;	/* gchar* */
	GPtrArray *contents;	/* GBytes* */
} TgPolicySources;

static TgPolicySources *sources_new(void)
{
	TgPolicySources *s = g_new0(TgPolicySources, 1);

	s->names = g_ptr_array_new_with_free_func(g_free);
	s->contents = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	return s;
}

static void sources_free(TgPolicySources *s)
{
	if (!s)
		return;
	g_ptr_array_unref(s->names);
	g_ptr_array_unref(s->contents);
	g_free(s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgPolicySources, sources_free)

/* Takes ownership of @bytes. */
static void sources_add(TgPolicySources *s, const char *name, GBytes *bytes)
{
	g_ptr_array_add(s->names, g_strdup(name));
	g_ptr_array_add(s->contents, bytes);
}

/* GKeyFile quotes the offending line in its messages; keep them printable.
 * Returns: (transfer full). */
static gchar *clean_message(const char *msg)
{
	gchar *s = g_utf8_make_valid(msg, -1);

	for (gchar *p = s; *p; p++) {
		if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return s;
}

static gboolean check_duplicate_keys(const char *name, GKeyFile *kf, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	for (gchar **g = groups; *g; g++) {
		g_auto(GStrv) keys = g_key_file_get_keys(kf, *g, NULL, NULL);
		g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

		for (gchar **key = keys; keys && *key; key++) {
			g_autofree gchar *qg = NULL;
			g_autofree gchar *qk = NULL;

			if (g_hash_table_add(seen, *key))
				continue;
			qg = tg_kf_quote(*g);
			qk = tg_kf_quote(*key);
			g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_SYNTAX,
				    "%s: [%s] %s is set more than once in this file; keep one line "
				    "(a later file in conf.d may override it)", name, qg, qk);
			return FALSE;
		}
	}
	return TRUE;
}

/* Parses one file on its own. Returns: (transfer full): its key file. */
static GKeyFile *load_one(const char *name, GBytes *bytes, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	g_autofree gchar *msg = NULL;
	gsize len = 0;
	const char *data = g_bytes_get_data(bytes, &len);
	const char *nul = len ? memchr(data, '\0', len) : NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (len > TG_POLICY_MAX_FILE_SIZE) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_SYNTAX,
			    "%s: the file is larger than %d bytes; a policy is a few kilobytes "
			    "of text, check that this is the right file", name,
			    TG_POLICY_MAX_FILE_SIZE);
		return NULL;
	}
	if (nul) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_SYNTAX,
			    "%s: the file contains a NUL byte at offset %" G_GSIZE_FORMAT "; "
			    "save it as plain UTF-8 text", name, (gsize)(nul - data));
		return NULL;
	}
	/* Keep "key[locale]" lines, so they are reported as unknown keys instead
	 * of being dropped or kept depending on the locale we run in. */
	if (!g_key_file_load_from_data(kf, len ? data : "", len, G_KEY_FILE_KEEP_TRANSLATIONS,
				       &local)) {
		msg = clean_message(local->message);
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_SYNTAX,
			    "%s: not a valid policy file (%s); write [group] lines, key = value "
			    "lines and # comments only", name, msg);
		return NULL;
	}
	if (!check_duplicate_keys(name, kf, error))
		return NULL;
	return g_steal_pointer(&kf);
}

static void record_origin(GHashTable *origin, const char *group, const char *key,
			  const char *name)
{
	g_hash_table_replace(origin, g_strconcat(group, TG_KF_ORIGIN_SEP, key ? key : "", NULL),
			     g_strdup(name));
}

/* Copies every key of @src over @dst; the file @name now owns those keys. */
static void merge_file(GKeyFile *dst, GHashTable *origin, GKeyFile *src, const char *name)
{
	g_auto(GStrv) groups = g_key_file_get_groups(src, NULL);

	for (gchar **g = groups; *g; g++) {
		g_auto(GStrv) keys = g_key_file_get_keys(src, *g, NULL, NULL);

		copy_group(src, dst, *g);
		record_origin(origin, *g, NULL, name);
		for (gchar **key = keys; keys && *key; key++)
			record_origin(origin, *g, *key, name);
	}
}

/* SHA-256 over, for each file in order, its name, a NUL and its bytes.
 * Returns: (transfer full): lower-case hex, or NULL with @error. */
static gchar *hash_sources(TgPolicySources *s, GError **error)
{
	g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new();
	guint8 md[TG_SHA256_LEN];
	char hex[TG_SHA256_HEX_LEN + 1];
	unsigned int md_len = 0;
	gboolean ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	for (guint i = 0; ok && i < s->names->len; i++) {
		const char *name = s->names->pdata[i];
		gsize len = 0;
		const void *data = g_bytes_get_data(s->contents->pdata[i], &len);

		ok = EVP_DigestUpdate(ctx, name, strlen(name) + 1) &&
		     EVP_DigestUpdate(ctx, data, len);
	}
	if (!ok || !EVP_DigestFinal_ex(ctx, md, &md_len) || md_len != TG_SHA256_LEN) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_IO,
			    "%s: cannot compute the policy's SHA-256 (OpenSSL failed); check the "
			    "OpenSSL installation", (const char *)s->names->pdata[0]);
		return NULL;
	}
	tg_hex_encode(md, TG_SHA256_LEN, hex);
	return g_strdup(hex);
}

/* Returns: (transfer full): the policy built from @s, or NULL with @error. */
static TgPolicy *parse_sources(TgPolicySources *s, GError **error)
{
	g_autoptr(GKeyFile) all = g_key_file_new();
	g_autoptr(GHashTable) origin = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							     g_free);
	g_autoptr(TgPolicy) p = NULL;
	TgKf k = { all, s->names->pdata[0], TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE,
		   TG_POLICY_ERROR_UNKNOWN, origin };

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	for (guint i = 0; i < s->names->len; i++) {
		g_autoptr(GKeyFile) one = load_one(s->names->pdata[i], s->contents->pdata[i],
						   error);

		if (!one)
			return NULL;
		merge_file(all, origin, one, s->names->pdata[i]);
	}
	p = parse_policy(&k, error);
	if (!p)
		return NULL;
	p->hash = hash_sources(s, error);
	if (!p->hash)
		return NULL;
	p->path = g_strdup(s->names->pdata[0]);
	for (guint i = 0; i < s->names->len; i++)
		g_ptr_array_add(p->files, g_strdup(s->names->pdata[i]));
	p->contents = g_ptr_array_ref(s->contents);
	p->origins = g_steal_pointer(&origin);
	return g_steal_pointer(&p);
}

/* ------------------------------------------------------------------ */
/* Reading files with mode checks */

static gboolean check_mode(const char *path, const struct stat *st, GError **error)
{
	uid_t euid = geteuid();

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_PERMISSION,
			    "%s is writable by its group or by others, who could then change the "
			    "update policy; run chmod go-w %s", path, path);
		return FALSE;
	}
	if (st->st_uid != 0 && st->st_uid != euid) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_PERMISSION,
			    "%s is owned by uid %u, neither root nor uid %u running tollgate; run "
			    "chown root %s", path, (guint)st->st_uid, (guint)euid, path);
		return FALSE;
	}
	return TRUE;
}

static GBytes *read_all(int fd, const char *path, GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	guint8 chunk[8192];

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_IO,
				    "cannot read %s: %s; check the file and its disk", path,
				    g_strerror(errno));
			return NULL;
		}
		if (n == 0)
			break;
		if (buf->len + (gsize)n > TG_POLICY_MAX_FILE_SIZE) {
			g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_SYNTAX,
				    "%s: the file is larger than %d bytes; a policy is a few "
				    "kilobytes of text, check that this is the right file", path,
				    TG_POLICY_MAX_FILE_SIZE);
			return NULL;
		}
		g_byte_array_append(buf, chunk, (guint)n);
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

static GBytes *read_open_file(int fd, const char *path, GError **error)
{
	struct stat st;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (fstat(fd, &st) < 0) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_IO, "cannot stat %s: %s; "
			    "check the file", path, g_strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_IO,
			    "%s is not a regular file; a policy must be a plain text file", path);
		return NULL;
	}
	if (!check_mode(path, &st, error))
		return NULL;
	return read_all(fd, path, error);
}

/* Opens @name relative to @dirfd (following a symlink: the target is what
 * gets checked), checks it and reads it; @path is used in messages.
 * Returns: (transfer full): the bytes, or NULL with @error. */
static GBytes *read_policy_file(int dirfd, const char *name, const char *path,
				GError **error)
{
	GBytes *bytes;
	int fd;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_IO,
			    "cannot open policy file %s: %s; check that it exists and is "
			    "readable", path, g_strerror(e));
		return NULL;
	}
	bytes = read_open_file(fd, path, error);
	close(fd);
	return bytes;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Returns: (transfer full): the *.conf names in @dfd, sorted with strcmp(). */
static GPtrArray *list_dropins(int dfd, const char *dir, GError **error)
{
	g_autoptr(GPtrArray) names = NULL;
	struct dirent *de;
	DIR *d;
	int fd;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	names = g_ptr_array_new_with_free_func(g_free);
	fd = dup(dfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_IO,
			    "cannot list %s: %s; check the directory", dir, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !g_str_has_suffix(de->d_name, ".conf"))
			continue;
		if (names->len >= TG_POLICY_MAX_DROPINS) {
			g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_IO,
				    "%s holds more than %d .conf files; merge some of them", dir,
				    TG_POLICY_MAX_DROPINS);
			closedir(d);
			return NULL;
		}
		g_ptr_array_add(names, g_strdup(de->d_name));
	}
	closedir(d);
	g_ptr_array_sort(names, compare_names);
	return g_steal_pointer(&names);
}

static gboolean read_dropins_at(TgPolicySources *s, int dfd, const char *dir,
				GError **error)
{
	g_autoptr(GPtrArray) names = NULL;
	struct stat st;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (fstat(dfd, &st) < 0) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_IO, "cannot stat %s: %s; "
			    "check the directory", dir, g_strerror(errno));
		return FALSE;
	}
	if (!check_mode(dir, &st, error))
		return FALSE;
	names = list_dropins(dfd, dir, error);
	if (!names)
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename(dir, names->pdata[i], NULL);
		GBytes *bytes = read_policy_file(dfd, names->pdata[i], path, error);

		if (!bytes)
			return FALSE;
		sources_add(s, path, bytes);
	}
	return TRUE;
}

/* A missing conf.d is fine; anything else that stops reading it is not. */
static gboolean read_dropins(TgPolicySources *s, const char *dir, GError **error)
{
	gboolean ok;
	int dfd;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return TRUE;
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_IO,
			    "cannot open drop-in directory %s: %s; make it a readable directory "
			    "or remove it", dir, g_strerror(errno));
		return FALSE;
	}
	ok = read_dropins_at(s, dfd, dir, error);
	close(dfd);
	return ok;
}

TgPolicy *tg_policy_load(const char *path, GError **error)
{
	g_autoptr(TgPolicySources) s = sources_new();
	g_autofree gchar *base = NULL;
	g_autofree gchar *dir = NULL;
	GBytes *bytes;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	bytes = read_policy_file(AT_FDCWD, path, path, error);
	if (!bytes)
		return NULL;
	sources_add(s, path, bytes);
	base = g_path_get_dirname(path);
	dir = g_build_filename(base, "conf.d", NULL);
	if (!read_dropins(s, dir, error))
		return NULL;
	return parse_sources(s, error);
}

TgPolicy *tg_policy_load_data(const char *name, const char *data, gsize len, GError **error)
{
	g_autoptr(TgPolicySources) s = sources_new();

	g_return_val_if_fail(name != NULL, NULL);
	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	sources_add(s, name, g_bytes_new(data, len));
	return parse_sources(s, error);
}

TgPolicy *tg_policy_load_files(const char *const *names, GBytes *const *contents, guint n,
				GError **error)
{
	g_autoptr(TgPolicySources) s = sources_new();

	g_return_val_if_fail(n > 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	for (guint i = 0; i < n; i++)
		sources_add(s, names[i], g_bytes_ref(contents[i]));
	return parse_sources(s, error);
}

/* ------------------------------------------------------------------ */
/* Device id */

/* Returns: (transfer full): the first line of @path if it is a usable id
 * (non-empty UTF-8 text of at most MAX_LABEL bytes), else NULL. */
static gchar *read_first_line(const char *path)
{
	char buf[MAX_LABEL + 2];
	gsize len = 0;
	ssize_t n = 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		g_debug("cannot open device-id-file %s: %s", path, g_strerror(errno));
		return NULL;
	}
	while (len < sizeof(buf) - 1 && n > 0) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n > 0)
			len += (gsize)n;
	}
	close(fd);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	g_strstrip(buf);
	if (!*buf || strlen(buf) > MAX_LABEL || !g_utf8_validate(buf, -1, NULL))
		return NULL;
	for (const char *p = buf; *p; p++) {
		if ((guchar)*p < 0x20 || *p == 0x7f)
			return NULL;
	}
	return g_strdup(buf);
}

gchar *tg_policy_device_id(const TgPolicy *policy)
{
	gchar *id;

	g_return_val_if_fail(policy != NULL, NULL);
	if (policy->device_id)
		return g_strdup(policy->device_id);
	if (policy->device_id_file) {
		id = read_first_line(policy->device_id_file);
		if (id)
			return id;
		g_debug("device-id-file %s holds no usable id", policy->device_id_file);
	}
	return g_strdup("unknown");
}

const char *tg_policy_path(const char *explicit_path)
{
	const char *env = g_getenv("TOLLGATE_CONFIG");

	if (explicit_path)
		return explicit_path;
	return env && *env ? env : TG_DEFAULT_CONFIG;
}

TgKf tg_kf_for_policy(GKeyFile *kf, const TgPolicy *policy)
{
	TgKf k = {
		.kf = kf,
		.file = policy->path ? policy->path : "policy",
		.domain = TG_POLICY_ERROR,
		.code_value = TG_POLICY_ERROR_VALUE,
		.code_unknown = TG_POLICY_ERROR_UNKNOWN,
		.origin = policy->origins,
	};

	return k;
}
