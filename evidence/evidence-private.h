/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals of the evidence export, shared by evidence/evidence-*.c and the
 * unit test. Layout:
 *   evidence-catalog.c  provisions, test cases, workflow areas, crosswalk
 *   evidence-decl.c     declaration groups of the policy
 *   evidence-variant.c  variants: model, hardware revision, recorded policy
 *   evidence-dut.c      variants.json/md, the devices-under-test table
 *   evidence-index.c    streaming pass over the audit logs, evidence index
 *   evidence-fleet.c    per-device rows and fleet figures
 *   evidence-ixit.c     IXIT tables (declared and derived)
 *   evidence-ics.c      ICS rows (support, basis, justification)
 *   evidence-gaps.c     gaps.md (workflow view) and crosswalk.md
 *   evidence-oscal.c    OSCAL assessment results
 *   evidence-oscal-plan.c, evidence-oscal-common.c: the plan, shared parts
 *   evidence-logs.c     logs/ of the pack; evidence-verify.c: evidence verify
 *   evidence-cert.c     the updaters' signing certificates (IXIT)
 *   evidence-html.c     report.html
 *   evidence-out.c      file writing, text escaping, manifest, signature
 *   evidence.c          orchestration: one pack per variant, then the top */
#pragma once

#include <stdio.h>
#include <json-glib/json-glib.h>

#include "keyfile.h"
#include "policy-private.h"
#include "tollgate/audit.h"
#include "tollgate/evidence.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Catalogue (evidence-catalog.c) */

#define TG_EV_N_PROVISIONS 16

/* Conditions of EN 303 645 V2.1.1 that clause 5.3 uses. */
typedef enum {
	TG_COND_3 = 1 << 0,	/* software not updateable */
	TG_COND_4 = 1 << 1,	/* constrained device */
	TG_COND_5 = 1 << 2,	/* device not constrained */
	TG_COND_9 = 1 << 3,	/* automatic updates and/or update notifications supported */
	TG_COND_11 = 1 << 4,	/* updates delivered over a network interface */
	TG_COND_12 = 1 << 5,	/* an update mechanism is implemented */
} TgEvCondition;

/* The six rows of the assessment-preparation workflow (gaps.md). */
typedef enum {
	TG_AREA_SCOPE = 0,
	TG_AREA_SUPPORT_MAP,
	TG_AREA_MECHANISMS,
	TG_AREA_PROCEDURES,
	TG_AREA_USER_INFO,
	TG_AREA_HANDOFF,
	TG_AREA_N,
} TgEvArea;

typedef struct {
	const char *id;		/* policy group suffix: [owner.<id>] */
	const char *title;
	const char *question;	/* what the row must settle */
} TgEvAreaInfo;

typedef struct {
	const char *id;		/* "5.3-2" */
	const char *title;	/* short title, own words */
	const char *gist;	/* one sentence, own words */
	const char *status;	/* V2.1.1 status: "M C(5)" */
	guint conditions;	/* TgEvCondition bits of the status */
	const char *v3_ids;	/* V3.1.3 IDs: "5.3-4A, 5.3-4B" */
	const char *v3_status;	/* V3.1.3 status where it changed, else NULL */
	const char *v3_note;	/* what V3.1.3 changed, or NULL */
	TgEvArea area;		/* workflow row that owns the provision */
} TgEvProvision;

/* The TS 103 701 test cases the pack indexes, in catalogue order. */
typedef enum {
	TG_TC_4_1_1 = 0,
	TG_TC_1_1, TG_TC_1_2,
	TG_TC_2_1, TG_TC_2_2,
	TG_TC_3_1, TG_TC_4_1, TG_TC_5_1,
	TG_TC_6_1, TG_TC_6_2,
	TG_TC_7_1, TG_TC_8_1, TG_TC_9_1, TG_TC_10_1, TG_TC_11_1, TG_TC_12_1,
	TG_TC_13_1, TG_TC_13_2,
	TG_TC_14_1, TG_TC_14_2,
	TG_TC_15_1, TG_TC_15_2,
	TG_TC_16_1, TG_TC_16_2,
	TG_TC_N,
} TgEvTc;

typedef struct {
	const char *id;		/* "5.3-2-2" */
	const char *provision;	/* "5.3-2" (or "4-1") */
	const char *kind;	/* "conceptual", "functional", "conceptual/functional" */
	const char *examines;	/* own words */
	const char *inputs;	/* IXIT entries and fields it reads */
	const char *lab_step;	/* functional: what a laboratory does on the device
				 * when no record demonstrates it; else NULL */
} TgEvTestCase;

/* "demonstrated" or "not demonstrated" for a functional test case with
 * @records in the index; "conceptual" (judged on the documents, records
 * only support it) otherwise. Returns: (transfer none). */
const char *tg_ev_test_case_status(const TgEvTestCase *tc, guint64 records);

typedef struct {
	const char *regime;
	const char *item;
	const char *gist;	/* own words */
	const char *provisions;	/* ';' separated EN 303 645 provision IDs */
} TgEvCrosswalkRow;

/* Returns: (transfer none): TG_EV_N_PROVISIONS rows, 5.3-1 first. */
const TgEvProvision *tg_ev_provisions(void);
/* Index of provision @id ("5.3-7") in tg_ev_provisions(), or -1. */
gint tg_ev_provision_index(const char *id);
/* Returns: (transfer none): TG_TC_N rows in TgEvTc order. */
const TgEvTestCase *tg_ev_test_cases(void);
/* Returns: (transfer none): TG_AREA_N rows in TgEvArea order. */
const TgEvAreaInfo *tg_ev_areas(void);
/* Returns: (transfer none): the crosswalk; @ret_n its length. */
const TgEvCrosswalkRow *tg_ev_crosswalk(guint *ret_n);
/* Text of @conditions, e.g. "C(9,12)"; "" for none. Returns: (transfer full). */
gchar *tg_ev_conditions_text(guint conditions);
/* The control ID of a provision in the OSCAL catalogue: "en303645-5.3-2".
 * Returns: (transfer full). */
gchar *tg_ev_control_id(const char *provision);
/* The local OSCAL catalogue (data/oscal/tollgate-en303645-catalog.json).
 * Returns: (transfer full). */
JsonNode *tg_ev_catalog_oscal(void);

#define TG_EV_CATALOG_UUID "5b0c6a3e-2f4d-4c1e-9a57-0e6f3c2d8b14"
#define TG_EV_CATALOG_FILE "tollgate-en303645-catalog.json"

/* ------------------------------------------------------------------ */
/* Declarations (evidence-decl.c) */

typedef enum {
	TG_SUPPORT_Y = 0,
	TG_SUPPORT_N,
	TG_SUPPORT_NA,
} TgEvSupport;

/* Returns: (transfer none): "Y", "N" or "N/A". */
const char *tg_ev_support_name(TgEvSupport support);

typedef enum {
	TG_DELIVERY_UNSET = 0,
	TG_DELIVERY_NETWORK,
	TG_DELIVERY_PHYSICAL,
	TG_DELIVERY_BOTH,
} TgEvDelivery;

/* The fields of one IXIT 7-UpdMech entry, in table order. */
typedef enum {
	TG_MF_DESCRIPTION = 0,
	TG_MF_SECURITY,
	TG_MF_CRYPTO,
	TG_MF_INITIATION,
	TG_MF_CONFIGURATION,
	TG_MF_CHECKING,
	TG_MF_NOTIFICATION,
	TG_MF_N,
} TgEvMechField;

typedef struct {
	const char *key;	/* policy key in [mechanism.ID] */
	const char *ixit;	/* IXIT field name */
	const char *test_cases;	/* test cases that read it */
} TgEvMechFieldInfo;

/* Returns: (transfer none): TG_MF_N rows. */
const TgEvMechFieldInfo *tg_ev_mech_fields(void);

typedef struct {
	gchar *id;
	gchar *fields[TG_MF_N];		/* declared text or NULL */
	gchar *updater;			/* "swupdate", "rauc", "other" or NULL */
	gchar *updater_config;		/* path of the updater's configuration */
	TgEvDelivery delivery;
	gchar *maintenance_window;	/* declared "HH:MM-HH:MM" or "none", or NULL */
} TgEvMechanism;

typedef struct {
	gchar *id;
	gchar *description;
	gchar *type;			/* firmware, operating-system, application, other */
	GPtrArray *mechanisms;		/* gchar*; empty: not updateable */
	gchar *justification;		/* why not updateable */
	gchar *crypto_usage;
} TgEvComponent;

typedef struct {
	gboolean set;			/* [ics.P] support given */
	TgEvSupport support;
	gchar *justification;
	gchar *detail;
} TgEvIcsDecl;

typedef enum {
	TG_OWNER_STATUS_UNSET = -1,
	TG_OWNER_STATUS_OPEN = 0,
	TG_OWNER_STATUS_IN_PROGRESS,
	TG_OWNER_STATUS_DONE,
} TgEvOwnerStatus;

typedef struct {
	gchar *owner;
	GPtrArray *artifacts;		/* gchar*, or NULL */
	gint status;			/* TgEvOwnerStatus */
} TgEvOwner;

typedef struct {
	/* [product] */
	gchar *model_designation;	/* how users recognise the model */
	gchar *support_period;		/* the period as published */
	gchar *support_publication;	/* where it is published */
	gchar *vdp;			/* vulnerability-disclosure policy location */
	gboolean constrained;
	/* [procedure] (IXIT 8-UpdProc, 4-Conf) */
	gchar *proc_description;
	gchar *proc_time_frame;
	gchar *proc_confirmation;
	/* [replacement] (IXIT 9-ReplSup, 2-UserInfo) */
	gboolean has_replacement;
	gchar *repl_rationale;
	gchar *repl_publication;
	gchar *repl_documentation;
	gchar *repl_hardware;
	gchar *repl_isolation;
	GPtrArray *mechanisms;		/* TgEvMechanism*, policy order */
	GPtrArray *components;		/* TgEvComponent* */
	TgEvIcsDecl ics[TG_EV_N_PROVISIONS];
	TgEvOwner owners[TG_AREA_N];
	/* [evidence] */
	gchar *title;
	gchar *release;
	gchar *assessment_plan;		/* href for OSCAL import-ap, or NULL */
	guint include_logs;		/* devices per variant with whole logs; 0: default */
	gchar *verify_key;		/* checkpoint verification key */
	gchar *verify_alg;
	guint index_limit;		/* 0: default */
} TgEvDecl;

/* Returns: (transfer full): the declarations, or NULL with a
 * TG_POLICY_ERROR naming file, group, key and value. */
TgEvDecl *tg_ev_decl_parse(const TgPolicy *policy, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void tg_ev_decl_free(TgEvDecl *decl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvDecl, tg_ev_decl_free)

/* Returns: (transfer none): the mechanism @id or NULL. */
const TgEvMechanism *tg_ev_decl_mechanism(const TgEvDecl *decl, const char *id);
/* No [replacement] group: the device is updateable. */
gboolean tg_ev_decl_updateable(const TgEvDecl *decl);

/* ------------------------------------------------------------------ */
/* Variants (evidence-variant.c) */

/* A policy's files as a log.policy record carried them. */
typedef struct {
	GPtrArray *names;		/* gchar* */
	GPtrArray *contents;		/* GBytes* */
	gchar *omitted;			/* why the text is not there, or NULL */
	gchar *writer;			/* tollgate version that wrote the record */
} TgEvPolicyText;

typedef struct {
	guint number;			/* 1, 2, ... in key order */
	gchar *id;			/* "1", the folder variants/<id>/ */
	gchar *model;			/* as the records say; NULL: none */
	gchar *hardware_revision;
	gchar *policy_hash;
	GPtrArray *dirs;		/* gchar*: device log directories */
	const TgEvPolicyText *text;	/* the recorded text, or NULL */
	TgPolicy *own_policy;		/* parsed from @text */
	const TgPolicy *policy;		/* @own_policy, or the exported policy */
	gchar *policy_source;		/* where @policy comes from, one sentence */
	gchar *policy_problem;		/* why the recorded text was not used, or NULL */
} TgEvVariant;

typedef struct {
	GPtrArray *variants;		/* TgEvVariant*, in key order */
	GHashTable *texts;		/* policy hash -> TgEvPolicyText* */
} TgEvVariants;

/* Groups the devices of @dirs by the keys of their records inside the
 * window (RFC 3339 text, or NULL); @policy: the exported policy, for
 * devices without records. Returns: (transfer full). */
TgEvVariants *tg_ev_variants_discover(const char *const *dirs, const TgPolicy *policy,
				      const char *since, const char *until);
/* Sets each variant's policy: its recorded text, else @given. */
void tg_ev_variants_resolve(TgEvVariants *vs, const TgPolicy *given);
void tg_ev_variants_free(TgEvVariants *vs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvVariants, tg_ev_variants_free)
/* The policy files a log.policy record @rec carries (text chunks joined);
 * ->omitted says why there is no usable text. Returns: (transfer full). */
TgEvPolicyText *tg_ev_policy_text_parse(JsonObject *rec);
void tg_ev_policy_text_free(TgEvPolicyText *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvPolicyText, tg_ev_policy_text_free)
/* The policy rebuilt from @t when it parses, reproduces @hash and its
 * declarations parse. Returns: (transfer full), or NULL with *@problem
 * (transfer full): one sentence. */
TgPolicy *tg_ev_policy_from_text(const TgEvPolicyText *t, const char *hash, gchar **problem);
/* Was the record @rec made by a device of @v? */
gboolean tg_ev_variant_matches(const TgEvVariant *v, JsonObject *rec);
/* Is RFC 3339 @time inside [@since, @until] (either may be NULL)? */
gboolean tg_ev_time_in(const char *time, const char *since, const char *until);

/* ------------------------------------------------------------------ */
/* Logs (evidence-index.c, evidence-fleet.c) */

#define TG_EV_MAX_TRACKED 32	/* distinct mechanisms, models, components per device */
#define TG_EV_MAX_POINTS 400	/* version-history points kept for the chart */
#define TG_EV_DEFAULT_LIMIT 50	/* records listed per test case and device */
#define TG_EV_FLEET_LIMIT 5	/* the same with more than one device */
#define TG_EV_DEFAULT_INCLUDE_LOGS 100	/* devices per variant whose logs go whole into the pack */

typedef enum {
	TG_POINT_INSTALLED = 0,
	TG_POINT_COMMITTED,
	TG_POINT_REFUSED,
	TG_POINT_DEFERRED,
	TG_POINT_FAILED,
} TgEvPointKind;

typedef struct {
	gchar *time;		/* RFC 3339 */
	gchar *version;
	TgEvPointKind kind;
	guint64 seq;
} TgEvPoint;

/* Counters of one device's records (inside the window). */
typedef struct {
	guint64 allowed, refused, deferred;
	guint64 misuse_refusals;	/* downgrade, floor, reinstall, bad version */
	guint64 installs, commits, failed, updater_refused;
	guint64 checks;			/* update.check */
	guint64 postpones, settings_changes, approvals;
	guint64 security_notices, disruption_notices, support_notices;
	guint64 notices_delivered, notices_failed, notices_suppressed;
	guint64 security_decisions;	/* gate decisions classified security or mixed */
	guint64 security_allowed;	/* of them, class security and allowed */
	guint64 initialized;		/* state.initialized */
	guint64 unknown_mechanism;	/* records naming an undeclared mechanism */
	guint64 support_records;	/* support.* */
} TgEvCounts;

/* evidence-findings.c: what an assessor would send back. */
#define TG_EV_N_FINDING_KINDS 9

typedef struct {
	const char *kind;	/* static: "security-update-waited", ... */
	gboolean contradiction;	/* records against the policy or declarations */
	const char *provisions;	/* static: space-separated provisions concerned */
	gchar *device;		/* device label, or NULL */
	gchar *file;		/* cited record, or NULL */
	guint64 seq;
	gchar *hash;		/* SHA-256 hex of the record's line */
	gchar *text;		/* one sentence */
	const char *variant;	/* id of the variant, or NULL */
} TgEvFinding;

/* A record cited by a finding. */
typedef struct {
	const char *file;
	guint64 seq;
	const char *hash;
	char hash_buf[65];
} TgEvCite;

/* The record in hand while the logs stream past. */
typedef struct {
	JsonObject *obj;
	const char *event;
	const char *file;
	guint64 seq;
	const char *line;	/* with its newline */
	gsize len;
} TgEvRecRef;

typedef struct {
	gchar *label;			/* the directory's name */
	gchar *dir;
	guint n_files;
	gchar *device_id;		/* first seen in a record */
	gchar *model;
	gboolean model_mismatch;	/* a record names another model than the policy */
	gboolean chain_checked;
	TgAuditVerifyResult chain;
	gchar *read_error;		/* reading stopped early: why */
	guint64 records;		/* lines read */
	guint64 in_window;
	guint64 unparseable;
	gchar *first_time, *last_time;	/* of records in the window */
	TgEvCounts n;
	guint64 tc_count[TG_TC_N];
	guint tc_listed[TG_TC_N];
	GHashTable *installed;		/* component -> version */
	GHashTable *mechanisms;		/* mechanism id -> GUINT_TO_POINTER(count) */
	gchar *support_end;		/* latest end carried by support.extended */
	gboolean support_ended;		/* a support.ended record was seen */
	GPtrArray *points;		/* TgEvPoint*, only when history is kept */
	guint64 points_dropped;
	GHashTable *floors;		/* component -> highest version committed so far */
	GHashTable *updaters;		/* "name version" from the records -> count */
	GHashTable *policies_seen;	/* policy hashes other than the exported one */
	gchar *writer;			/* tollgate version of the last log.policy record */
	GHashTable *cited;		/* guint64* seqs the pack cites (index, findings) */
	guint finding_count[TG_EV_N_FINDING_KINDS];
} TgEvDevice;

typedef struct {
	GPtrArray *devices;		/* TgEvDevice* */
	guint64 tc_count[TG_TC_N];
	guint limit;			/* records listed per test case and device */
	FILE *spool[TG_TC_N];		/* unnamed work files, one per test case */
	gchar *since, *until;		/* window as RFC 3339 text, or NULL */
	GPtrArray *findings;		/* TgEvFinding*, from the records */
	const TgEvVariant *variant;	/* only its records are read; NULL: all */
	GHashTable *labels;		/* device dir -> label in the pack, or NULL */
} TgEvLogs;

/* Marks record @seq of @dev as cited by the pack. */
void tg_ev_device_cite(TgEvDevice *dev, guint64 seq);

/* @limit: records listed per test case and device (0: the default).
 * Returns: (transfer full). */
TgEvLogs *tg_ev_logs_new(guint limit);
void tg_ev_logs_free(TgEvLogs *logs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvLogs, tg_ev_logs_free)

/* Sums a counter over every device. */
#define TG_EV_TOTAL(logs, field) tg_ev_logs_total((logs), G_STRUCT_OFFSET(TgEvCounts, field))
guint64 tg_ev_logs_total(const TgEvLogs *logs, glong offset);
/* Number of records naming @mechanism on every device. */
guint64 tg_ev_logs_mechanism_count(const TgEvLogs *logs, const char *mechanism);
guint tg_ev_logs_broken_chains(const TgEvLogs *logs);

/* Opens one spool file per test case in @dir (entries are written there
 * while the logs are read). */
gboolean tg_ev_logs_open_spool(TgEvLogs *logs, const char *dir,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Closes (and so removes) the spool files once the index is written. */
void tg_ev_logs_close_spool(TgEvLogs *logs);

/* Verifies and reads the logs of one device. Problems reading the records
 * are noted in the device row; FALSE only when @dir cannot be listed. */
gboolean tg_ev_scan_device(TgEvLogs *logs, const TgPolicy *policy, const TgEvDecl *decl,
			   const char *dir, gboolean keep_history,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Feeds one line to the device (the scanner's inner step; tests use it).
 * @file: the file's base name. */
void tg_ev_scan_line(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *policy,
		     const TgEvDecl *decl, JsonParser *parser, const char *line, gsize len,
		     const char *file);

/* Returns: (transfer full): an empty device row for @dir. */
TgEvDevice *tg_ev_device_new(const char *dir);
void tg_ev_device_free(TgEvDevice *dev);


/* Fleet figures (evidence-fleet.c). */
typedef struct {
	GPtrArray *versions;		/* gchar* "version", sorted by version order */
	GArray *version_devices;	/* guint per entry of @versions */
	guint unknown_version;		/* devices with no installed version known */
	guint outside_support;
	guint64 refused, deferred, misuse_refusals;
	guint devices_refused, devices_deferred;
	GDateTime *at;			/* when support was judged */
} TgEvFleet;

/* Fleet figures with support judged at @at. Returns: (transfer full). */
TgEvFleet *tg_ev_fleet_compute(const TgEvLogs *logs, const TgPolicy *policy, GDateTime *at);
void tg_ev_fleet_free(TgEvFleet *fleet);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvFleet, tg_ev_fleet_free)
/* The installed version of the policy's default component on @dev, or NULL.
 * Returns: (transfer none). */
const char *tg_ev_device_version(const TgEvDevice *dev, const TgPolicy *policy);
/* Is @dev outside its support period at @at? */
gboolean tg_ev_device_outside_support(const TgEvDevice *dev, const TgPolicy *policy,
				      GDateTime *at);
/* JSON {"devices": [...], "fleet": {...}}. Returns: (transfer full). */
JsonNode *tg_ev_fleet_to_json(const TgEvLogs *logs, const TgEvFleet *fleet,
			      const TgPolicy *policy);
/* Markdown section with the device rows and the fleet figures. */
void tg_ev_fleet_to_md(GString *md, const TgEvLogs *logs, const TgEvFleet *fleet,
		       const TgPolicy *policy);

/* ------------------------------------------------------------------ */
/* Gaps */

typedef struct {
	TgEvArea area;
	gchar *ref;		/* "5.3-14 (4-1-1)", "7-UpdMech swu Description" */
	gchar *text;		/* what is missing and what to do */
} TgEvGap;

void tg_ev_gap_add(GPtrArray *gaps, TgEvArea area, const char *ref, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
/* Returns: (transfer full): an empty list of TgEvGap. */
GPtrArray *tg_ev_gaps_new(void);
/* Number of gaps in @area. */
guint tg_ev_gaps_in_area(const GPtrArray *gaps, TgEvArea area);

/* ------------------------------------------------------------------ */
/* IXIT (evidence-ixit.c) */

/* One IXIT field: declared text, derived text, both or neither (a gap). */
typedef struct {
	gchar *name;		/* IXIT field name */
	gchar *declared;
	gchar *declared_from;	/* "[mechanism.x] description" */
	gchar *derived;
	gchar *derived_from;	/* what tollgate derived it from */
	gchar *not_applicable;	/* why the field does not apply, or NULL */
	gchar *missing;		/* what to declare when it is a gap, or NULL */
	gboolean from_records;	/* @derived comes from device records */
	gchar *contradicted_by;	/* a finding against the field, or NULL */
} TgEvField;

typedef struct {
	gchar *id;
	GPtrArray *fields;	/* TgEvField* */
} TgEvEntry;

typedef struct {
	GPtrArray *user_info;	/* 2-UserInfo: TgEvField* */
	GPtrArray *components;	/* 6-SoftComp: TgEvEntry* */
	GPtrArray *mechanisms;	/* 7-UpdMech: TgEvEntry* */
	GPtrArray *procedure;	/* 8-UpdProc and 4-Conf: TgEvField* */
	GPtrArray *replacement;	/* 9-ReplSup: TgEvField* */
	GPtrArray *decisions;	/* 26-UserDec: TgEvEntry* */
	gboolean updateable;
	GPtrArray *cert_gaps;	/* gchar* "ref\ttext": certificates that end too early */
} TgEvIxit;

/* @logs may be NULL. Returns: (transfer full). */
TgEvIxit *tg_ev_ixit_build(const TgPolicy *policy, const TgEvDecl *decl, const TgEvLogs *logs,
			   const TgEvidenceUpdater *const *updaters);
void tg_ev_ixit_free(TgEvIxit *ixit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvIxit, tg_ev_ixit_free)
gboolean tg_ev_field_filled(const TgEvField *f);
/* Returns: (transfer none): "declared", "derived", "declared+derived",
 * "not applicable" or "gap". */
const char *tg_ev_field_origin(const TgEvField *f);
/* The strength of a field (as for ICS rows): "demonstrated" (derived from
 * records), "configured" (from the policy), "declared", "contradicted",
 * "not applicable" or "gap". Returns: (transfer none). */
const char *tg_ev_field_strength(const TgEvField *f);
/* Returns: (transfer none): the field @name of @entry, or NULL. */
const TgEvField *tg_ev_entry_field(const TgEvEntry *entry, const char *name);
/* Adds the IXIT gaps to @gaps. */
void tg_ev_ixit_gaps(const TgEvIxit *ixit, GPtrArray *gaps);
/* Returns: (transfer full). */
JsonNode *tg_ev_ixit_to_json(const TgEvIxit *ixit, const TgPolicy *policy);
/* Returns: (transfer full). */
gchar *tg_ev_ixit_to_md(const TgEvIxit *ixit, const TgPolicy *policy);

/* The notification sinks of @policy that take notices of @type (every
 * sink with NULL) as "name (type[, required])", or NULL when none does.
 * Returns: (transfer full). */
gchar *tg_ev_sinks_text(const TgPolicy *policy, const char *type);

/* Derives what the updater's configuration says about signature checks.
 * Returns: (transfer full): one sentence, or NULL with @ret_problem set
 * (transfer full) when the file cannot be used. */
/* The updater's configuration lines the IXIT rests on (transfer full), or NULL. */
gchar *tg_ev_updater_excerpt(const TgEvMechanism *mech, const TgEvidenceUpdater *const *updaters);
gchar *tg_ev_updater_crypto(const TgEvMechanism *mech, const TgEvidenceUpdater *const *updaters,
			    gchar **ret_problem);
/* The updater's certificate file for @mech, or NULL. Returns: (transfer full). */
gchar *tg_ev_updater_certificates(const TgEvMechanism *mech,
				  const TgEvidenceUpdater *const *updaters);

/* evidence-cert.c: an updater's signing certificates. */
typedef struct {
	gchar *subject;			/* RFC 2253 */
	gchar *fingerprint;		/* SHA-256 hex of the DER */
	GDateTime *not_before, *not_after;	/* UTC, or NULL */
} TgEvCert;

/* Returns: (transfer full): TgEvCert* of every PEM certificate in @path,
 * or NULL with *@ret_problem (transfer full). */
GPtrArray *tg_ev_certs_read(const char *path, gchar **ret_problem);
/* One sentence naming each. Returns: (transfer full). */
gchar *tg_ev_certs_text(const GPtrArray *certs, const char *path);

/* ------------------------------------------------------------------ */
/* ICS (evidence-ics.c) */

/* How strong the ground of a claim is (docs/evidence.md): records show it,
 * the policy enforces it, the manufacturer only says so, records show the
 * opposite, or nothing. */
typedef enum {
	TG_EV_STRENGTH_GAP = 0,
	TG_EV_STRENGTH_DECLARED,
	TG_EV_STRENGTH_CONFIGURED,
	TG_EV_STRENGTH_DEMONSTRATED,
	TG_EV_STRENGTH_CONTRADICTED,
} TgEvStrength;

/* Returns: (transfer none): "demonstrated", "configured", ... */
const char *tg_ev_strength_name(TgEvStrength strength);

typedef struct {
	const TgEvProvision *prov;
	TgEvStrength strength;
	TgEvSupport support;
	gboolean declared;		/* support taken from [ics.P] */
	gchar *detail;			/* Y: the measures; else NULL */
	gchar *justification;		/* N, N/A: why; NULL: missing (a 4-1 gap) */
	gboolean justification_derived;
	GPtrArray *basis;		/* gchar*: what the row rests on */
	GPtrArray *contradicted_by;	/* gchar*: the contradicting records, or NULL */
} TgEvIcsRow;

typedef struct {
	TgEvIcsRow rows[TG_EV_N_PROVISIONS];
	gboolean updateable;
	gboolean self_assessment;
} TgEvIcs;

/* @logs may be NULL. Returns: (transfer full). */
TgEvIcs *tg_ev_ics_build(const TgPolicy *policy, const TgEvDecl *decl, const TgEvLogs *logs,
			 const TgEvIxit *ixit);
void tg_ev_ics_free(TgEvIcs *ics);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvIcs, tg_ev_ics_free)
/* Returns: (transfer none): the row of provision @id or NULL. */
const TgEvIcsRow *tg_ev_ics_row(const TgEvIcs *ics, const char *id);
/* Adds the ICS gaps (N / N/A without justification, provision 4-1). */
void tg_ev_ics_gaps(const TgEvIcs *ics, GPtrArray *gaps);
/* Returns: (transfer none): "satisfied", "not-satisfied" or NULL (no
 * self-assessment for the row). */
const char *tg_ev_ics_self_state(const TgEvIcsRow *row);
/* Returns: (transfer full). */
JsonNode *tg_ev_ics_to_json(const TgEvIcs *ics, const TgPolicy *policy, const TgEvDecl *decl);
/* Returns: (transfer full). */
gchar *tg_ev_ics_to_md(const TgEvIcs *ics, const TgPolicy *policy, const TgEvDecl *decl);

/* ------------------------------------------------------------------ */
/* The whole pack, handed to the writers */

typedef struct {
	const TgPolicy *policy;		/* the variant's (the exported one for the top) */
	const TgEvDecl *decl;
	const TgEvVariant *variant;	/* NULL for the top of the pack */
	TgEvDecl *own_decl;		/* @decl when parsed from the variant's policy */
	gchar *dir;			/* where the variant's files go */
	gchar *rel;			/* the same relative to the pack: "variants/1/" */
	gchar *anchor;			/* prefix of its HTML ids: "v1-" */
	gchar *html;			/* its section of report.html */
	GHashTable *labels;		/* the top's: device dir -> label */
	TgEvLogs *logs;
	TgEvIxit *ixit;
	TgEvIcs *ics;
	GPtrArray *gaps;
	TgEvFleet *fleet;
	const TgEvidenceOptions *opts;
	GDateTime *now;		/* time of the export (UTC) */
	gchar *generated;	/* the same as RFC 3339 text */
	gchar *since, *until;	/* window as text, or NULL */
	gchar *release;		/* the versions the variant's devices ran */
	gboolean release_derived;
} TgEvPack;

/* Everything one export builds: the template (policy, options, times) and
 * one pack per variant. */
typedef struct {
	TgEvPack top;
	TgEvVariants *variants;
	GPtrArray *packs;	/* TgEvPack*, one per variant, same order */
	gchar *uuid_seed;	/* what the pack's UUIDs are derived from */
	GHashTable *labels;	/* device dir -> label (tg_ev_labels_new) */
} TgEvExport;

/* variants.json and variants.md: the variants and the devices under test
 * (evidence-dut.c). Returns: (transfer full). */
JsonNode *tg_ev_variants_to_json(const TgEvExport *x);
gchar *tg_ev_variants_to_md(const TgEvExport *x);
/* README.md at the top of the pack: what it is and how to check it. */
gchar *tg_ev_pack_readme(const TgEvExport *x);
/* Gaps for what no record says about a device under test. */
void tg_ev_dut_gaps(const TgEvPack *pack, GPtrArray *gaps);
/* The pack's findings.json, findings.md and gaps.md over every variant. */
JsonNode *tg_ev_export_findings_json(const TgEvExport *x);
gchar *tg_ev_export_findings_md(const TgEvExport *x);
gchar *tg_ev_export_gaps_md(const TgEvExport *x);

GPtrArray *tg_ev_findings_new(void);
void tg_ev_finding_add(GPtrArray *findings, const char *kind, const char *device,
		       const TgEvCite *cite, const char *fmt, ...) G_GNUC_PRINTF(5, 6);
gboolean tg_ev_finding_kind_contradicts(const char *kind);
/* One record of @dev while the logs stream past (evidence-scan.c). */
void tg_ev_findings_record(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *policy,
			   const TgEvRecRef *r);
/* Device and declaration findings, once the logs are read (before the
 * ICS, whose strength they decide); then the ICS's own (declared-only). */
void tg_ev_findings_collect(const TgEvPack *pack, GPtrArray *findings);
void tg_ev_findings_collect_ics(const TgEvPack *pack, GPtrArray *findings);
guint tg_ev_findings_contradictions(const GPtrArray *findings);
/* Is @f a contradiction that concerns @provision ("5.3-3")? */
gboolean tg_ev_finding_contradicts(const TgEvFinding *f, const char *provision);
/* Does a contradiction concern @provision ("5.3-3")? */
gboolean tg_ev_findings_cover(const GPtrArray *findings, const char *provision);
/* Returns: (transfer full). */
JsonNode *tg_ev_findings_to_json(const GPtrArray *findings);
gchar *tg_ev_findings_to_md(const GPtrArray *findings);

/* Writes evidence-index.json and evidence-index.md from the spools. */
gboolean tg_ev_index_write(const TgEvPack *pack, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Collects every gap of the pack: IXIT, ICS, logs, handoff, owners. */
void tg_ev_gaps_collect(const TgEvPack *pack, GPtrArray *gaps);
/* The writers of gaps.md, crosswalk.md, the OSCAL document and
 * report.html. Returns: (transfer full). */
gchar *tg_ev_gaps_to_md(const TgEvPack *pack);
gchar *tg_ev_crosswalk_to_md(const TgEvPack *pack);
JsonNode *tg_ev_oscal_build(const TgEvExport *x);
/* oscal-assessment-plan.json (evidence-oscal-plan.c). Returns: (transfer full). */
JsonNode *tg_ev_oscal_plan_build(const TgEvExport *x);

/* evidence-oscal-common.c: shared by the results and the plan. */
#define TG_EV_PLAN_FILE "oscal-assessment-plan.json"
void tg_ev_oscal_prop(JsonArray *props, const char *name, const char *value);
void tg_ev_oscal_subject(JsonArray *subjects, const char *uuid, const char *type);
JsonObject *tg_ev_oscal_tool(const char *uuid);
gchar *tg_ev_oscal_variant_uuid(const char *seed, const TgEvPack *pack);
gchar *tg_ev_oscal_device_uuid(const char *seed, const TgEvPack *pack, guint i);
gchar *tg_ev_oscal_log_uuid(const char *seed, const char *label);
JsonObject *tg_ev_oscal_variant(const TgEvPack *pack, const char *uuid);
JsonArray *tg_ev_oscal_devices(const TgEvPack *pack, const char *seed, const char *product);
JsonObject *tg_ev_oscal_reviewed_controls(void);
/* The catalogue, the laboratory's plan if named, and logs/ of the pack. */
JsonObject *tg_ev_oscal_back_matter(const TgEvExport *x);
gchar *tg_ev_html_build(const TgEvExport *x);
/* One variant's part of report.html, built while its spools are open.
 * Returns: (transfer full). */
gchar *tg_ev_html_variant(const TgEvPack *pack);
/* The devices-under-test table of report.html (evidence-dut.c). */
void tg_ev_dut_html(GString *h, const TgEvExport *x);

/* The notice every output carries about verdicts. Returns: (transfer none). */
const char *tg_ev_verdict_notice(gboolean self_assessment);

/* ------------------------------------------------------------------ */
/* Output helpers (evidence-out.c) */

/* Writes @len bytes to @dir/@name atomically, mode 0644. */
gboolean tg_ev_write(const char *dir, const char *name, const char *data, gsize len,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Writes @node as pretty JSON (two-space indent, trailing newline). */
gboolean tg_ev_write_json(const char *dir, const char *name, JsonNode *node,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Appends @text as one Markdown table cell (no '|' or line breaks). */
void tg_ev_md_cell(GString *out, const char *text);
/* Appends @text escaped for HTML. */
void tg_ev_html_text(GString *out, const char *text);
/* Appends @text as a JSON string literal (with quotes). */
void tg_ev_json_string(GString *out, const char *text);
/* Writes MANIFEST.sha256 over every regular file in @dir but the manifest
 * and its signature (names in byte order), then, with @sign_key, the raw
 * 64-byte Ed25519 signature of the manifest as MANIFEST.sha256.sig. */
gboolean tg_ev_write_manifest(const char *dir, const char *sign_key,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* One line of text: control characters become spaces, cut to @max bytes
 * on a character boundary with "...". Returns: (transfer full). */
gchar *tg_ev_one_line(const char *text, gsize max);
/* "3d", "12h", "90m" or "45s" for @seconds. Returns: (transfer full). */
gchar *tg_ev_duration_text(gint64 seconds);
/* RFC 3339 UTC text with seconds ("2026-06-01T10:00:00Z").
 * Returns: (transfer full). */
gchar *tg_ev_time_text(GDateTime *when);

/* A file written piece by piece to a temporary name, renamed at commit. */
typedef struct {
	FILE *f;
	gchar *tmp;
	gchar *path;
} TgEvStream;

gboolean tg_ev_stream_open(TgEvStream *s, const char *dir, const char *name,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Closes and renames; FALSE with @error when any write failed. */
gboolean tg_ev_stream_commit(TgEvStream *s, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Closes and removes the temporary file; accepts an unopened stream. */
void tg_ev_stream_clear(TgEvStream *s);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TgEvStream, tg_ev_stream_clear)

/* A UUID (version 5, SHA-1 name-based, tollgate's namespace) of @seed and
 * the role printf(@fmt, ...): the same pack content gives the same UUIDs.
 * Returns: (transfer full). */
gchar *tg_ev_uuid5(const char *seed, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* evidence-logs.c: a label per device directory, unique in the pack
 * (dir -> label). Returns: (transfer full). */
GHashTable *tg_ev_labels_new(const char *const *dirs);
/* Writes logs/<label>/ for every device of the pack. */
gboolean tg_ev_logs_write(const TgEvExport *x, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Removes @dir/@name and all under it (no link is followed). */
gboolean tg_ev_clear_dir(const char *dir, const char *name,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;

#define TG_EV_MANIFEST "MANIFEST.sha256"
#define TG_EV_SIGNATURE "MANIFEST.sha256.sig"
#define TG_EV_SIGNER "signing-key.pub"

/* SHA-256 hex of the file at @path. */
gboolean tg_ev_hash_file(const char *path, char out[65], GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The regular files under @dir but the manifest and its signature, as
 * relative paths in byte order (links neither listed nor followed).
 * Returns: (transfer full): gchar*, or NULL with @error. */
GPtrArray *tg_ev_pack_files(const char *dir, GError **error);

/* evidence-json.c: members of a record read back from a log; a member of
 * the wrong type reads as absent. Returns: (transfer none). */
const char *tg_ev_str_member(JsonObject *o, const char *name);
JsonObject *tg_ev_obj_member(JsonObject *o, const char *name);
JsonArray *tg_ev_arr_member(JsonObject *o, const char *name);
gboolean tg_ev_int_member(JsonObject *o, const char *name, gint64 *ret);
gboolean tg_ev_bool_member(JsonObject *o, const char *name, gboolean *ret);
/* @s, or "-" when it is NULL or empty. Returns: (transfer none). */
const char *tg_ev_or_dash(const char *s);

G_END_DECLS
