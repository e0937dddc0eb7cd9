/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RAUC adapter: the candidate from the mounted bundle and RAUC's handler
 * environment, and the rule that tells failed installs from tollgate's own
 * refusals. */
#include "rauc-candidate.h"

#include "tg-crypto.h"
#include "tg-io.h"

#include <errno.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "checks.h"
#include "keyfile.h"
#include "notify.h"

G_DEFINE_QUARK(tg-rauc-error-quark, tg_rauc_error)

/* Prefix of RAUC's LastError when the pre-install handler did not exit 0. */
#define PRE_INSTALL_ERROR "Pre-install handler error"

/* One metadata value and where it came from, for the agreement check. */
typedef struct {
	gchar *value;
	gchar *origin;
} MetaSeen;

static void meta_seen_free(gpointer data)
{
	MetaSeen *m = data;

	g_free(m->value);
	g_free(m->origin);
	g_free(m);
}

/* Returns: (transfer none): @name in @envp, or NULL. */
static const char *env_get(const char *const *envp, const char *name)
{
	return envp ? g_environ_getenv((gchar **)envp, name) : NULL;
}

/* RAUC_<what>_<n>. Returns: (transfer none): the value or NULL. */
static const char *slot_var(const char *const *envp, const char *what, guint64 n)
{
	g_autofree gchar *name = g_strdup_printf("RAUC_%s_%" G_GUINT64_FORMAT, what, n);

	return env_get(envp, name);
}

/* @key of @group read the way tg_candidate_load_group() reads it.
 * Returns: (transfer full): the stripped value, or NULL when absent. */
static gchar *group_value(GKeyFile *kf, const char *group, const char *key)
{
	gchar *value = g_key_file_get_string(kf, group, key, NULL);

	if (!value)
		value = g_key_file_get_value(kf, group, key, NULL);
	return value ? g_strstrip(value) : NULL;
}

/* Records @key = @value from @origin; a different earlier value is an error. */
static gboolean agree(GHashTable *seen, const char *key, const char *value, const char *origin,
		      GError **error)
{
	MetaSeen *prev = g_hash_table_lookup(seen, key);
	g_autofree gchar *q_prev = NULL;
	g_autofree gchar *q_value = NULL;
	MetaSeen *m;

	if (prev && g_str_equal(prev->value, value))
		return TRUE;
	if (!prev) {
		m = g_new0(MetaSeen, 1);
		m->value = g_strdup(value);
		m->origin = g_strdup(origin);
		g_hash_table_insert(seen, g_strdup(key), m);
		return TRUE;
	}
	q_prev = tg_kf_quote(prev->value);
	q_value = tg_kf_quote(value);
	g_set_error(error, TG_RAUC_ERROR, TG_RAUC_ERROR_CONFLICT,
		    "the bundle's tollgate metadata disagrees: %s = '%s' but %s = '%s'; give the "
		    "key the same value everywhere (or in one place only) and rebuild the bundle",
		    prev->origin, q_prev, origin, q_value);
	return FALSE;
}

/* A metadata key given to the candidate: "mechanism" is an identity key the
 * RAUC metadata may carry too; everything else goes through the strict
 * metadata rules. */
static gboolean set_meta(TgCandidate *cand, const char *key, const char *value,
			 const char *origin, GError **error)
{
	if (g_str_equal(key, "mechanism"))
		return tg_candidate_set(cand, "mechanism", value, origin, error);
	return tg_candidate_set_meta(cand, key, value, origin, error);
}

/* Checks every key of @group against the other sources, takes "mechanism"
 * out, and loads the rest strictly with tg_candidate_load_group(). */
static gboolean apply_group(TgCandidate *cand, GKeyFile *kf, const char *group, const char *name,
			    GHashTable *seen, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (gchar **k = keys; k && *k; k++) {
		g_autofree gchar *value = group_value(kf, group, *k);
		g_autofree gchar *origin = g_strdup_printf("%s [%s] %s", name, group, *k);

		if (!value)
			continue;
		if (!agree(seen, *k, value, origin, error))
			return FALSE;
		if (!g_str_equal(*k, "mechanism"))
			continue;
		if (!set_meta(cand, *k, value, origin, error))
			return FALSE;
		g_key_file_remove_key(kf, group, *k, NULL);
	}
	return tg_candidate_load_group(cand, kf, group, name, error);
}

/* RAUC_META_TOLLGATE_SUPPORT_END=... (RAUC 1.13+ upper-cases meta keys and
 * turns '-' into '_'): the key becomes "support-end" again. */
static gboolean apply_env_meta(TgCandidate *cand, const char *const *envp, GHashTable *seen,
			       GError **error)
{
	const gsize plen = strlen(TG_RAUC_META_ENV_PREFIX);

	for (const char *const *e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		g_autofree gchar *var = NULL;
		g_autofree gchar *key = NULL;
		g_autofree gchar *value = NULL;
		g_autofree gchar *origin = NULL;

		if (!eq || !g_str_has_prefix(*e, TG_RAUC_META_ENV_PREFIX) || (gsize)(eq - *e) < plen)
			continue;
		var = g_strndup(*e, eq - *e);
		key = g_ascii_strdown(var + plen, -1);
		g_strdelimit(key, "_", '-');
		value = g_strstrip(g_strdup(eq + 1));
		origin = g_strdup_printf("environment %s", var);
		if (!agree(seen, key, value, origin, error) ||
		    !set_meta(cand, key, value, origin, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean load_keyfile(GKeyFile *kf, const char *name, const char *data, gsize len,
			     TgRaucError code, GError **error)
{
	g_autoptr(GError) local = NULL;

	if (len > TG_RAUC_MAX_FILE_SIZE) {
		g_set_error(error, TG_RAUC_ERROR, code,
			    "%s in the bundle has %" G_GSIZE_FORMAT " bytes, more than the %d "
			    "tollgate reads; keep it small", name, len, TG_RAUC_MAX_FILE_SIZE);
		return FALSE;
	}
	if (!g_key_file_load_from_data(kf, data ? data : "", data ? len : 0, G_KEY_FILE_NONE,
				       &local)) {
		g_set_error(error, TG_RAUC_ERROR, code,
			    "%s in the bundle is not a valid key file: %s; fix it and rebuild "
			    "the bundle", name, local->message);
		return FALSE;
	}
	return TRUE;
}

/* [update]: version, and a name from compatible and build. */
static gboolean apply_update_group(TgCandidate *cand, GKeyFile *mf, GError **error)
{
	const char *origin = TG_RAUC_MANIFEST " [update]";
	g_autofree gchar *compatible = group_value(mf, "update", "compatible");
	g_autofree gchar *version = group_value(mf, "update", "version");
	g_autofree gchar *build = group_value(mf, "update", "build");
	g_autofree gchar *description = group_value(mf, "update", "description");
	g_autofree gchar *name = NULL;

	if (!g_key_file_has_group(mf, "update")) {
		g_set_error(error, TG_RAUC_ERROR, TG_RAUC_ERROR_MANIFEST,
			    "%s in the bundle has no [update] group; it is not a RAUC manifest",
			    TG_RAUC_MANIFEST);
		return FALSE;
	}
	if (version && !tg_candidate_set(cand, "version", version, origin, error))
		return FALSE;
	if (compatible && build)
		name = g_strdup_printf("%s build %s", compatible, build);
	else
		name = g_strdup(compatible ? compatible : build);
	if (name && !tg_candidate_set(cand, "name", name, origin, error))
		return FALSE;
	g_debug("bundle %s %s: %s", name ? name : "(no compatible)",
		version ? version : "(no version)", description ? description : "");
	return TRUE;
}

static gboolean check_sidecar_groups(GKeyFile *kf, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

	for (gchar **g = groups; g && *g; g++) {
		g_autofree gchar *q = NULL;

		if (g_str_equal(*g, TG_RAUC_SIDECAR_GROUP))
			continue;
		q = tg_kf_quote(*g);
		g_set_error(error, TG_RAUC_ERROR, TG_RAUC_ERROR_SIDECAR,
			    "%s in the bundle: group [%s] is not allowed; the sidecar has only "
			    "[%s]", TG_RAUC_SIDECAR, q, TG_RAUC_SIDECAR_GROUP);
		return FALSE;
	}
	return TRUE;
}

/* "NAME is not set" (@value NULL) or "NAME = 'value' is malformed". */
static gboolean env_error(const char *name, const char *value, GError **error)
{
	g_autofree gchar *q = value ? tg_kf_quote(value) : NULL;

	if (!value)
		g_set_error(error, TG_RAUC_ERROR, TG_RAUC_ERROR_ENVIRONMENT,
			    "%s is not set; run this handler from RAUC's system.conf [handlers]",
			    name);
	else
		g_set_error(error, TG_RAUC_ERROR, TG_RAUC_ERROR_ENVIRONMENT,
			    "%s = '%s' is malformed; run this handler from RAUC's system.conf "
			    "[handlers]", name, q);
	return FALSE;
}

/* The digest of the image RAUC writes to slot @n. */
static gboolean apply_digest(TgCandidate *cand, const char *const *envp, guint64 n,
			     GError **error)
{
	const char *digest = slot_var(envp, "IMAGE_DIGEST", n);
	g_autofree gchar *origin = NULL;

	if (!digest || !*digest)
		return TRUE;
	origin = g_strdup_printf("environment RAUC_IMAGE_DIGEST_%" G_GUINT64_FORMAT, n);
	return tg_candidate_set(cand, "digest", digest, origin, error);
}

/* @var (RAUC_TARGET_SLOTS, RAUC_SLOTS: "1 3") as slot numbers.
 * Returns: (transfer full): a GArray of guint64, or NULL with @error. */
static GArray *slot_numbers(const char *const *envp, const char *var, GError **error)
{
	const char *list = env_get(envp, var);
	g_auto(GStrv) words = g_strsplit_set(list ? list : "", " \t", -1);
	g_autoptr(GArray) slots = g_array_new(FALSE, FALSE, sizeof(guint64));

	for (gchar **w = words; *w; w++) {
		guint64 n = 0;

		if (!**w)
			continue;
		if (!g_ascii_string_to_unsigned(*w, 10, 1, 9999, &n, NULL)) {
			env_error(var, list, error);
			return NULL;
		}
		g_array_append_val(slots, n);
	}
	return g_steal_pointer(&slots);
}

/* Component and digest from the target slots. With several target slots the
 * slot whose class sorts first (strcmp) is used: RAUC numbers slots in hash
 * table order, so "first in RAUC_TARGET_SLOTS" would not be stable. A slot
 * with a bootname (or a parent, which has one) means a slot switch. */
static gboolean apply_target_slots(TgCandidate *cand, const char *const *envp, GError **error)
{
	g_autoptr(GArray) slots = slot_numbers(envp, "RAUC_TARGET_SLOTS", error);
	const char *best_class = NULL;
	guint64 best = 0;

	if (!slots)
		return FALSE;
	for (guint i = 0; i < slots->len; i++) {
		guint64 n = g_array_index(slots, guint64, i);
		const char *cls = slot_var(envp, "SLOT_CLASS", n);
		const char *bootname = slot_var(envp, "SLOT_BOOTNAME", n);
		const char *parent = slot_var(envp, "SLOT_PARENT", n);

		if (!cls || !*cls) {
			g_autofree gchar *name = g_strdup_printf("RAUC_SLOT_CLASS_%" G_GUINT64_FORMAT,
								 n);

			return env_error(name, cls, error);
		}
		if ((bootname && *bootname) || (parent && *parent))
			cand->slot_switch = TRUE;
		if (!best_class || strcmp(cls, best_class) < 0) {
			best_class = cls;
			best = n;
		}
	}
	if (!best_class)
		return TRUE;
	if (!cand->component)
		cand->component = g_utf8_make_valid(best_class, -1);
	return apply_digest(cand, envp, best, error);
}

static gboolean apply_metadata(TgCandidate *cand, GKeyFile *mf, GKeyFile *sc,
			       const char *const *envp, GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							   meta_seen_free);

	if (!apply_group(cand, mf, TG_RAUC_META_GROUP, TG_RAUC_MANIFEST, seen, error) ||
	    !apply_env_meta(cand, envp, seen, error))
		return FALSE;
	return !sc || apply_group(cand, sc, TG_RAUC_SIDECAR_GROUP, TG_RAUC_SIDECAR, seen, error);
}

TgCandidate *tg_rauc_candidate_parse(const char *manifest, gsize manifest_len,
				     const char *sidecar, gsize sidecar_len,
				     const char *const *envp, GError **error)
{
	g_autoptr(TgCandidate) cand = tg_candidate_new();
	g_autoptr(GKeyFile) mf = g_key_file_new();
	g_autoptr(GKeyFile) sc = NULL;
	const char *rauc_version = tg_rauc_updater_version(envp);
	const char *transaction = env_get(envp, "RAUC_TRANSACTION_ID");	/* RAUC 1.13+ */

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!load_keyfile(mf, TG_RAUC_MANIFEST, manifest, manifest_len, TG_RAUC_ERROR_MANIFEST,
			  error) ||
	    !apply_update_group(cand, mf, error))
		return NULL;
	if (sidecar) {
		sc = g_key_file_new();
		if (!load_keyfile(sc, TG_RAUC_SIDECAR, sidecar, sidecar_len,
				  TG_RAUC_ERROR_SIDECAR, error) ||
		    !check_sidecar_groups(sc, error))
			return NULL;
	}
	if (!apply_metadata(cand, mf, sc, envp, error) || !apply_target_slots(cand, envp, error))
		return NULL;
	if (!tg_candidate_set(cand, "updater", "rauc", "RAUC adapter", error))
		return NULL;
	if (rauc_version && *rauc_version &&
	    !tg_candidate_set(cand, "updater-version", rauc_version, "RAUC's version", error))
		return NULL;
	if (transaction && *transaction &&
	    !tg_candidate_set(cand, "updater-transaction", transaction,
			      "RAUC_TRANSACTION_ID", error))
		return NULL;
	return g_steal_pointer(&cand);
}

/* Reads @name from the bundle directory @dir; a missing optional file gives
 * NULL data. */
static gboolean read_bundle_file(const char *dir, const char *name, gboolean optional,
				 gchar **ret_data, gsize *ret_len, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) local = NULL;

	/* Never through a symlink: the file it points to is not the bundle's,
	 * and an error message would quote a line of it. */
	if (tg_io_read_regular(path, TG_RAUC_MAX_FILE_SIZE, ret_data, ret_len, NULL, &local))
		return TRUE;
	if (optional && g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		*ret_data = NULL;
		*ret_len = 0;
		return TRUE;
	}
	g_set_error(error, TG_RAUC_ERROR, TG_RAUC_ERROR_IO,
		    "cannot read the bundle's %s: %s; fix the bundle", name, local->message);
	return FALSE;
}

TgCandidate *tg_rauc_candidate_load(const char *const *envp, GError **error)
{
	const char *mount = env_get(envp, "RAUC_BUNDLE_MOUNT_POINT");
	g_autofree gchar *manifest = NULL;
	g_autofree gchar *sidecar = NULL;
	gsize manifest_len = 0, sidecar_len = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!mount || !*mount)
		mount = env_get(envp, "RAUC_UPDATE_SOURCE");
	if (!mount || !*mount) {
		env_error("RAUC_BUNDLE_MOUNT_POINT", NULL, error);
		return NULL;
	}
	if (!read_bundle_file(mount, TG_RAUC_MANIFEST, FALSE, &manifest, &manifest_len, error) ||
	    !read_bundle_file(mount, TG_RAUC_SIDECAR, TRUE, &sidecar, &sidecar_len, error))
		return NULL;
	return tg_rauc_candidate_parse(manifest, manifest_len, sidecar, sidecar_len, envp, error);
}

void tg_rauc_candidate_apply_policy(TgCandidate *cand, const TgPolicy *policy)
{
	g_return_if_fail(cand && policy);
	if (cand->mechanism)
		return;
	/* Without [mechanism] default, RAUC updates are recorded as TG_RAUC_MECHANISM. */
	if (policy->default_mechanism_set)
		return;
	cand->mechanism = g_strdup(TG_RAUC_MECHANISM);
}

TgEngine *tg_rauc_handler_start(TgCandidate **ret_cand, GError **error)
{
	g_auto(GStrv) envp = g_get_environ();
	const char *const *env = (const char *const *)envp;
	g_autoptr(TgCandidate) cand = NULL;
	TgEngine *engine;

	tg_crypto_init_program();
	setlocale(LC_ALL, "");
	cand = tg_rauc_candidate_load(env, error);
	if (!cand)
		return NULL;
	engine = tg_rauc_engine_open(env, error);
	if (!engine)
		return NULL;
	tg_rauc_candidate_apply_policy(cand, tg_engine_policy(engine));
	*ret_cand = g_steal_pointer(&cand);
	return engine;
}

/* Every slot RAUC handed to its handlers (RAUC_SLOTS), with its device.
 * Returns: (transfer full): a GArray of TgSlotDevice pointing into @envp. */
static GArray *all_slots(const char *const *envp, GError **error)
{
	g_autoptr(GArray) numbers = slot_numbers(envp, "RAUC_SLOTS", error);
	GArray *slots;

	if (!numbers)
		return NULL;
	slots = g_array_new(FALSE, TRUE, sizeof(TgSlotDevice));
	for (guint i = 0; i < numbers->len; i++) {
		guint64 n = g_array_index(numbers, guint64, i);
		TgSlotDevice d = { slot_var(envp, "SLOT_NAME", n), slot_var(envp, "SLOT_DEVICE", n) };

		if (d.device)
			g_array_append_val(slots, d);
	}
	return slots;
}

TgEngine *tg_rauc_engine_open(const char *const *envp, GError **error)
{
	const char *config = env_get(envp, "TOLLGATE_CONFIG");
	g_autoptr(GArray) slots = all_slots(envp, error);
	TgEngineOptions opts = {
		.config_path = config && *config ? config : TG_DEFAULT_CONFIG,
		.checks = tg_checks_builtin(),
		.updater = "rauc",
		.updater_version = tg_rauc_updater_version(envp),
		.notify = tg_notify_ops(),
	};

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!slots)
		return NULL;
	opts.slots = (const TgSlotDevice *)slots->data;
	opts.n_slots = slots->len;
	return tg_engine_open(&opts, error);
}

gchar *tg_rauc_decision_line(const TgDecision *decision)
{
	static const char *const verbs[] = { "allowed", "deferred", "refused" };
	g_autofree gchar *until = NULL;
	gchar *line;

	g_return_val_if_fail(decision != NULL, NULL);
	if (decision->until) {
		g_autoptr(GDateTime) utc = g_date_time_to_utc(decision->until);

		until = g_date_time_format(utc, " until %Y-%m-%dT%H:%M:%SZ");
	}
	line = g_strdup_printf("tollgate: %s %s%s: %s",
			       verbs[MIN((guint)decision->verdict, G_N_ELEMENTS(verbs) - 1)],
			       decision->version ? decision->version : "(no version)",
			       until ? until : "", decision->message ? decision->message : "");
	return g_strdelimit(line, "\r\n", ' ');
}

/* ---- failed installs --------------------------------------------------- */

/* Returns: (transfer none): string member @name of @obj, or NULL. */
static const char *string_member(JsonObject *obj, const char *name)
{
	JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

	if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

/* The exit code in "... Child process exited with code 10", or -1. */
static gint handler_exit_code(const char *last_error)
{
	static const char marker[] = "exited with code ";
	const char *p = last_error ? strstr(last_error, marker) : NULL;
	gchar *end = NULL;
	guint64 code;

	if (!p)
		return -1;
	p += strlen(marker);
	code = g_ascii_strtoull(p, &end, 10);
	if (end == p || code > 255)
		return -1;
	return (gint)code;
}

/* The exit code a handler gives for @verdict ("refuse", "defer"), or -1. */
static gint verdict_exit_code(const char *verdict)
{
	TgDecision d = { 0 };

	if (g_strcmp0(verdict, "refuse") == 0)
		d.verdict = TG_VERDICT_REFUSE;
	else if (g_strcmp0(verdict, "defer") == 0)
		d.verdict = TG_VERDICT_DEFER;
	else
		return -1;
	return tg_decision_exit_code(&d);
}

static gboolean decision_recent(JsonObject *decision, GDateTime *now, gint64 window)
{
	const char *text = string_member(decision, "time");
	g_autoptr(GDateTime) when = text ? tg_parse_date(text) : NULL;
	GTimeSpan diff;

	if (!when || !now)
		return FALSE;
	diff = g_date_time_difference(now, when) / G_TIME_SPAN_SECOND;
	return ABS(diff) <= window;
}

/* Does @last_error start with a message RAUC gives when its own rule refuses
 * a bundle before writing anything (src/install.c)? RAUC up to 1.11 checks
 * the compatible in the install handler ("Installation error: " first). */
static gboolean updater_refusal(const char *last_error)
{
	static const char *const refusals[] = { "Version mismatch:", "Compatible mismatch:",
						"Bundle rejected:", "Refusing to install" };
	static const char install_error[] = "Installation error: ";

	if (last_error && g_str_has_prefix(last_error, install_error))
		last_error += strlen(install_error);
	for (gsize i = 0; last_error && i < G_N_ELEMENTS(refusals); i++)
		if (g_str_has_prefix(last_error, refusals[i]))
			return TRUE;
	return FALSE;
}

TgRaucFailureKind tg_rauc_failure_classify(JsonObject *last_decision, GDateTime *now,
					   gint64 window, const char *last_error,
					   TgCandidate **ret_cand)
{
	const char *verdict = string_member(last_decision, "verdict");
	gboolean recent = last_decision && decision_recent(last_decision, now, window);
	gint want = verdict_exit_code(verdict);
	gint code = handler_exit_code(last_error);
	TgRaucFailureKind kind = updater_refusal(last_error) ? TG_RAUC_FAILURE_UPDATER_REFUSED
							     : TG_RAUC_FAILURE_INSTALL;
	TgCandidate *cand;

	if (recent && want >= 0 && last_error && g_str_has_prefix(last_error, PRE_INSTALL_ERROR) &&
	    (code < 0 || code == want))
		return TG_RAUC_FAILURE_OWN_DECISION;
	if (!ret_cand)
		return kind;
	cand = tg_candidate_new();
	cand->updater = g_strdup("rauc");
	if (recent && g_strcmp0(verdict, "allow") == 0) {
		cand->version = g_strdup(string_member(last_decision, "version"));
		cand->component = g_strdup(string_member(last_decision, "component"));
	}
	*ret_cand = cand;
	return kind;
}

gchar *tg_rauc_failure_reason(gint result, const char *last_error, const TgCandidate *cand)
{
	GString *out = g_string_new(NULL);

	g_string_append_printf(out, "RAUC reported the install as failed (result %d)", result);
	if (last_error && *last_error)
		g_string_append_printf(out, ": %s", last_error);
	if (!cand || !cand->version)
		g_string_append(out, "; no tollgate decision allowed it just before, so the "
				     "bundle is not known (it failed before the pre-install handler "
				     "decided)");
	return g_string_free(out, FALSE);
}
