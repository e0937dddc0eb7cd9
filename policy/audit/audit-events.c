/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit event catalogue: every event name tollgate writes, with its fixed
 * 128-bit message ID. The IDs are an API (log collectors and evidence
 * exports key on them): once released they never change, and a retired
 * event keeps its ID reserved. docs/audit-events.md lists the same table and
 * a unit test keeps the two in step. */
#include "tollgate/audit.h"

#include <string.h>

G_DEFINE_QUARK(tg-audit-error-quark, tg_audit_error)

static const TgAuditEventInfo events[] = {
	{ "gate.decision", "99a14317173dad14ab3e0491db8611b8",
	  "the gate decided on an update: allow, refuse or defer, with every check" },
	{ "gate.confirmed", "1b60fa3bd063b6f0f3e454dfad0eacb5",
	  "SWUpdate's handler gated an update its precheck had allowed: the same attempt, not a second decision" },
	{ "gate.error", "a59585dcb5c236e3620785db9c74ff54",
	  "the gate could not form a decision (policy, state or input error); the update was refused" },
	{ "update.check", "020c856ffdd3bdb0cfbcdcc0e644660b",
	  "the device looked for updates, automatically or on request" },
	{ "update.installed", "149f7d8a88b91368f5a4060a2b1d5ce7",
	  "the updater reported a successful install; new floors are pending until commit" },
	{ "update.failed", "176e53e089d0b05386140c35f88c8d64",
	  "the updater reported a failed install (never a refusal by the gate)" },
	{ "update.updater-refused", "2c0eb4ca2c0b4d749514a6fc2a077641",
	  "the updater itself refused an update the gate had allowed (its own version or "
	  "compatibility limit); not a failed install" },
	{ "update.committed", "45570199d429990c53d7f1a1b93c21fe",
	  "the new software booted and was marked good; pending floors became floors" },
	{ "update.fell-back", "148881418d0645579529f74222731dc8",
	  "the device booted its old software again while an update was pending (a fallback "
	  "boot); the pending floors were given up" },
	{ "user.postponed", "c37cba320362215d9b35bb3f5f140d40",
	  "the user postponed updates of a class until a given time" },
	{ "user.approved", "0f23bedac17037ebbb0c376b118cd71c",
	  "the user approved one update (by digest or version)" },
	{ "user.settings-changed", "d51ad7f7b2ae3b57e6f0499a94d7e6d2",
	  "the user switched automatic installs or notifications on or off" },
	{ "state.initialized", "273dbbeb3cb68cffa672119d9f7f73b5",
	  "the state store was created with the policy's initial settings" },
	{ "state.anchored", "0cc38f5f12f26cab0001de3d5a0e141f",
	  "an existing state was bound to the hardware anchor ([state] anchor) when it was turned on" },
	{ "state.recovered", "56d86ab08db3339d4dbd24ef40832d97",
	  "an administrator re-seeded floors after lost or tampered state" },
	{ "state.tamper-detected", "9a0c6fbfbe154d9fa1fd7019e7cffe87",
	  "the state store failed its HMAC check or could not be read" },
	{ "clock.rollback-detected", "7ea8757a011ffb6a0ad8400f126a15ed",
	  "the system clock was behind the last trusted time and was clamped" },
	{ "support.ending", "b04d571dcc1103cfd3a51e92f0de78ef",
	  "the support period ends within the policy's warning window" },
	{ "support.ended", "4115d3dc842d54da4749fa6394eb2237",
	  "the support period has ended" },
	{ "support.extended", "6fcbd2f0bfc9c395fb475afd60e3081a",
	  "a committed update or the policy moved the support end" },
	{ "notice.delivered", "7c98e05d46414a0e85f912f6f849f6a7",
	  "a notice reached a notification sink" },
	{ "notice.failed", "a3421dfb11ceacd5bb1e63c6a4364b65",
	  "a notice could not be delivered to a sink" },
	{ "notice.suppressed", "72d8e33f3bf579acb6f50c44dea95357",
	  "a notice was not sent because the user switched notifications off" },
	{ "notice.acknowledged", "47293db16e98e3a0457c1b6ead7a8eda",
	  "the user acknowledged a notice" },
	{ "log.rotated", "d7002a3ec333efecae992ae2d3abf929",
	  "first record of a new audit file after rotation; names the file before it" },
	{ "log.recovered", "8eaae838de8e6ae6b37a3ffbc4f74225",
	  "a torn last line left by a crash was moved aside on open" },
	{ "log.policy", "b498b0500e844541a6ca813ff515dc97",
	  "the text of the policy the following records were made under, written when the policy "
	  "hash changes and at the start of every audit file" },
	{ "log.checkpoint", "d6eee5dbf23fa0a353336953dc9e9562",
	  "signed (HMAC-SHA256 or Ed25519) statement of the chain head" },
};

const TgAuditEventInfo *tg_audit_events(guint *ret_n)
{
	g_return_val_if_fail(ret_n != NULL, NULL);
	*ret_n = G_N_ELEMENTS(events);
	return events;
}

const char *tg_audit_message_id(const char *event)
{
	if (!event)
		return NULL;
	for (gsize i = 0; i < G_N_ELEMENTS(events); i++)
		if (strcmp(events[i].name, event) == 0)
			return events[i].message_id;
	return NULL;
}
