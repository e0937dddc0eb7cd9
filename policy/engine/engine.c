/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine lifecycle: policy, audit log, state lock, trusted time. */
#include "engine-private.h"

#include <string.h>

#include "tg-io.h"
#include "tg-anchor.h"
#include "tg-config.h"


/* --state-dir moves state and audit log together. */
static void apply_state_dir(TgPolicy *policy, const char *dir)
{
	if (!dir)
		return;
	g_free(policy->state_dir);
	policy->state_dir = g_strdup(dir);
	g_free(policy->audit_dir);
	policy->audit_dir = g_build_filename(dir, "log", NULL);
}

static gboolean open_audit(TgEngine *engine, GError **error)
{
	const TgPolicy *p = engine->policy;
	g_autofree gchar *device_id = tg_policy_device_id(p);
	g_autofree TgAuditPolicyFile *files = g_new0(TgAuditPolicyFile, p->files->len);
	TgAuditOptions opts = {
		.dir = p->audit_dir,
		.max_size = p->audit_max_size,
		.max_files = p->audit_max_files,
		.checkpoint_every = p->checkpoint_every,
		.checkpoint_key = p->checkpoint_key,
		.checkpoint_alg = p->checkpoint_alg,
		.model = p->model,
		.device_id = device_id,
		.hardware_revision = p->hardware_revision,
		.policy_hash = p->hash,
		.policy_files = files,
		.n_policy_files = p->files->len,
		.writer_version = TG_VERSION,
	};

	for (guint i = 0; i < p->files->len; i++) {
		files[i].name = p->files->pdata[i];
		files[i].text = g_bytes_get_data(p->contents->pdata[i], &files[i].len);
	}
	engine->audit = tg_audit_open(&opts, error);
	return engine->audit != NULL;
}

/* A bad notify configuration is a policy error like any other; open()
 * returns NULL without an error when the policy configures no sink. */
static gboolean open_notifier(TgEngine *engine, const TgNotifyOps *ops, gpointer data,
			      GError **error)
{
	g_autoptr(GError) local = NULL;

	engine->notify_ops = ops;
	if (!ops)
		return TRUE;
	engine->notifier = ops->open(engine->policy, data, &local);
	if (!local)
		return TRUE;
	g_propagate_error(error, g_steal_pointer(&local));
	return FALSE;
}

/* Trusted time = max(clock or --now, last trusted time in state). */
static gboolean establish_time(TgEngine *engine, GDateTime *override, GError **error)
{
	GDateTime *last = engine->state ? engine->state->last_trusted_time : NULL;
	g_autoptr(JsonObject) body = NULL;

	g_autoptr(GDateTime) clock = tg_io_clock_now();

	engine->clock_now = g_date_time_ref(last && g_date_time_compare(clock, last) < 0 ? last
										: clock);
	engine->system_now = override ? g_date_time_to_utc(override) : g_date_time_ref(clock);
	engine->trust = override ? TG_TIME_OVERRIDE : TG_TIME_SYSTEM;
	if (!last || g_date_time_compare(engine->system_now, last) >= 0) {
		engine->now = g_date_time_ref(engine->system_now);
		tg_audit_set_time(engine->audit, engine->now, engine->trust);
		return TRUE;
	}
	engine->now = g_date_time_ref(last);
	engine->trust = TG_TIME_CLAMPED;
	tg_audit_set_time(engine->audit, engine->now, engine->trust);
	body = json_object_new();
	tg_json_set_date(body, "clock_time", engine->system_now);
	tg_json_set_date(body, "last_trusted_time", last);
	json_object_set_string_member(body, "source", override ? "--now" : "system clock");
	return tg_engine_record(engine, "clock.rollback-detected", body, NULL, error);
}

TgEngine *tg_engine_open(const TgEngineOptions *opts, GError **error)
{
	g_autoptr(TgEngine) engine = g_new0(TgEngine, 1);

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	engine->checks = opts->checks;
	engine->updater = g_strdup(opts->updater ? opts->updater : "cli");
	engine->updater_version = g_strdup(opts->updater_version);
	if (!tg_engine_production_check_path(tg_policy_path(opts->config_path), error))
		return NULL;
	engine->policy = tg_policy_load(tg_policy_path(opts->config_path), error);
	if (!engine->policy || !tg_engine_production_check_options(engine->policy, opts, error))
		return NULL;
	apply_state_dir(engine->policy, opts->state_dir);
	if (!tg_engine_check_places(engine->policy, opts->slots, opts->n_slots, error))
		return NULL;
	if (!open_notifier(engine, opts->notify, opts->notify_data, error))
		return NULL;
	if (!open_audit(engine, error))
		return NULL;
	engine->store = tg_state_store_open(engine->policy->state_dir, engine->policy->key_file,
					    error);
	if (!engine->store)
		return NULL;
	if (!tg_engine_load_state(engine, error))
		return NULL;
	if (!establish_time(engine, opts->now, error) || !tg_engine_settle_state(engine, error))
		return NULL;
	return g_steal_pointer(&engine);
}

void tg_engine_close(TgEngine *engine)
{
	if (!engine)
		return;
	if (engine->notifier)
		engine->notify_ops->close(g_steal_pointer(&engine->notifier));
	g_clear_pointer(&engine->audit, tg_audit_close);
	g_clear_pointer(&engine->store, tg_state_store_close);
	g_clear_pointer(&engine->state, tg_state_free);
	g_clear_error(&engine->state_error);
	g_clear_pointer(&engine->policy, tg_policy_free);
	g_clear_pointer(&engine->now, g_date_time_unref);
	g_clear_pointer(&engine->system_now, g_date_time_unref);
	g_clear_pointer(&engine->clock_now, g_date_time_unref);
	g_clear_pointer(&engine->anchor, tg_anchor_close);
	g_free(engine->updater);
	g_free(engine->updater_version);
	g_free(engine);
}

const TgPolicy *tg_engine_policy(TgEngine *engine)
{
	return engine->policy;
}

GDateTime *tg_engine_now(TgEngine *engine)
{
	return engine->now;
}

GDateTime *tg_engine_support_end(TgEngine *engine)
{
	if (engine->state && engine->state->support_end)
		return engine->state->support_end;
	return engine->policy->support_end;
}
