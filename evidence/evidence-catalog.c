/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The static catalogue of the evidence export: EN 303 645 clause 5.3
 * provisions (V2.1.1 numbering with the V3.1.3 IDs), the TS 103 701 V1.1.1
 * test cases for clause 5.3 plus 4-1-1, the workflow areas and the
 * crosswalk to other regimes. All texts are tollgate's own summaries; the
 * standards themselves are the reference. data/oscal/ holds the same
 * catalogue as an OSCAL document (a unit test keeps the two equal). */
#include "evidence-private.h"

#include <string.h>

static const TgEvProvision provisions[TG_EV_N_PROVISIONS] = {
	{ "5.3-1", "Software components securely updateable",
	  "Every software component on the device can be updated securely.",
	  "R", 0, "5.3-1", "R F(f)",
	  "adds an exception for components kept immutable for security reasons",
	  TG_AREA_SCOPE },
	{ "5.3-2", "Mechanism for secure installation",
	  "A device that is not constrained has a mechanism that installs updates securely, "
	  "for example refusing older versions (anti-rollback).",
	  "M C(5)", TG_COND_5, "5.3-2", "M C(15)", NULL, TG_AREA_MECHANISMS },
	{ "5.3-3", "Updates simple to apply",
	  "Applying an update is simple for the user.",
	  "M C(12)", TG_COND_12, "5.3-3", "M F(g)", NULL, TG_AREA_MECHANISMS },
	{ "5.3-4", "Automatic update mechanisms",
	  "Software updates are handled by automatic mechanisms.",
	  "R C(12)", TG_COND_12, "5.3-4A, 5.3-4B", NULL,
	  "split: 4A a mechanism that can be set to work automatically; 4B an automatic "
	  "mechanism switched on at set-up after the user agreed", TG_AREA_MECHANISMS },
	{ "5.3-5", "Checks for security updates",
	  "After initialization, and then periodically, the device looks for available "
	  "security updates.",
	  "R C(12)", TG_COND_12, "5.3-5", NULL, "the check may also be made by an associated service",
	  TG_AREA_MECHANISMS },
	{ "5.3-6", "User control of automatic updates and notifications",
	  "Where automatic updates or update notifications exist, they are on in the "
	  "initialized state and the user can switch them on, off or postpone them.",
	  "R C(9,12)", TG_COND_9 | TG_COND_12, "5.3-6A, 5.3-6B", NULL,
	  "split: 6A automatic updates; 6B update notifications", TG_AREA_USER_INFO },
	{ "5.3-7", "Best-practice cryptography",
	  "The update mechanism uses cryptography that follows current best practice.",
	  "M C(12)", TG_COND_12, "5.3-7", NULL, NULL, TG_AREA_MECHANISMS },
	{ "5.3-8", "Timely security updates",
	  "Security updates are made available in good time.",
	  "M C(12)", TG_COND_12, "5.3-8", NULL, NULL, TG_AREA_PROCEDURES },
	{ "5.3-9", "Device verifies authenticity and integrity",
	  "The device itself checks that an update is authentic and unmodified before it "
	  "installs it.",
	  "R C(12)", TG_COND_12, "5.3-9", NULL, NULL, TG_AREA_MECHANISMS },
	{ "5.3-10", "Trust relationship for network delivery",
	  "Updates delivered over a network interface are verified through a trust "
	  "relationship.",
	  "M C(11,12)", TG_COND_11 | TG_COND_12, "5.3-10", "M F(j)", NULL, TG_AREA_MECHANISMS },
	{ "5.3-11", "User told about required security updates",
	  "The user is told, in a way they notice, that a security update is needed and "
	  "which risks it addresses.",
	  "R C(12)", TG_COND_12, "5.3-11", NULL, NULL, TG_AREA_USER_INFO },
	{ "5.3-12", "Warning before disruptive updates",
	  "The user is told when installing an update will interrupt the device's basic "
	  "functioning.",
	  "R C(12)", TG_COND_12, "5.3-12", NULL, NULL, TG_AREA_USER_INFO },
	{ "5.3-13", "Published support period",
	  "The manufacturer publishes the defined support period in a clear and accessible "
	  "way.",
	  "M", 0, "5.3-13", NULL, NULL, TG_AREA_USER_INFO },
	{ "5.3-14", "Constrained device without updates: rationale and replacement",
	  "A constrained device whose software cannot be updated has a published reason, a "
	  "published period and method of hardware replacement, and a support period.",
	  "R C(3,4)", TG_COND_3 | TG_COND_4, "5.3-14", "R C(3)", NULL, TG_AREA_USER_INFO },
	{ "5.3-15", "Constrained device without updates: isolable and replaceable",
	  "A constrained device whose software cannot be updated can be isolated and its "
	  "hardware can be replaced.",
	  "R C(3,4)", TG_COND_3 | TG_COND_4, "5.3-15A, 5.3-15B", NULL,
	  "split: 15A isolable; 15B hardware replaceable", TG_AREA_SCOPE },
	{ "5.3-16", "Recognizable model designation",
	  "The model designation is clearly recognizable, on a label or through a physical "
	  "interface.",
	  "M", 0, "5.3-16", NULL, "a user interface also counts", TG_AREA_USER_INFO },
};

static const TgEvTestCase test_cases[TG_TC_N] = {
	[TG_TC_4_1_1] = { "4-1-1", "4-1", "conceptual",
			  "Each recommendation claimed as not applicable or not fulfilled carries a "
			  "justification in the ICS.", "ICS" },
	[TG_TC_1_1] = { "5.3-1-1", "5.3-1", "conceptual",
			"Components without an update mechanism have a sound justification, and "
			"the mechanisms the components name resist misuse by design.",
			"6-SoftComp (Update Mechanism, justification); 7-UpdMech" },
	[TG_TC_1_2] = { "5.3-1-2", "5.3-1", "functional",
			"The mechanisms the components name resist misuse in practice "
			"(the units of 5.3-2-2 applied to each).", "6-SoftComp; 7-UpdMech",
			"Run the misuse attempts of 5.3-2-2 against every update mechanism that IXIT "
			"6-SoftComp names." },
	[TG_TC_2_1] = { "5.3-2-1", "5.3-2", "conceptual",
			"The design of each update mechanism keeps an attacker from misusing it, "
			"e.g. to install an old version or a manipulated update.",
			"7-UpdMech Description, Security Guarantees, Cryptographic Details, "
			"Initiation and Interaction" },
	[TG_TC_2_2] = { "5.3-2-2", "5.3-2", "functional",
			"Attacks on each mechanism (older firmware, resuming a failed update, a "
			"changed byte in a signed package) are rejected.",
			"7-UpdMech Description, Security Guarantees",
			"For each mechanism, offer the device an older signed image, a signed image "
			"with one byte changed, an unsigned image, an image signed by another key and "
			"an interrupted install resumed; each must be refused with the installed "
			"software left as it was." },
	[TG_TC_3_1] = { "5.3-3-1", "5.3-3", "conceptual",
			"Every component is covered by a mechanism that is simple for the user: "
			"automatic, started from an associated service or a web interface, or "
			"comparable.", "6-SoftComp; 7-UpdMech Initiation and Interaction" },
	[TG_TC_4_1] = { "5.3-4-1", "5.3-4", "conceptual",
			"Every component has a mechanism that checks for and installs updates "
			"without user interaction, and a configurable automatic mechanism is on by "
			"default.",
			"7-UpdMech Initiation and Interaction, Update Checking, Configuration" },
	[TG_TC_5_1] = { "5.3-5-1", "5.3-5", "conceptual",
			"The device itself checks for security updates after initialization and "
			"then periodically.", "7-UpdMech Update Checking" },
	[TG_TC_6_1] = { "5.3-6-1", "5.3-6", "conceptual",
			"Automatic updates and update notifications can be enabled, disabled or "
			"postponed, and are on in the initialized state.",
			"7-UpdMech Initiation and Interaction, Configuration, User Notification" },
	[TG_TC_6_2] = { "5.3-6-2", "5.3-6", "functional",
			"On the device, automatic updates and notifications are on after "
			"initialization, and changing or postponing them works as described.",
			"7-UpdMech Configuration, User Notification",
			"On a freshly initialized device, check that automatic updates and update "
			"notifications are on; then switch each off and on and postpone an update as "
			"the IXIT Configuration describes, and check the device follows every setting." },
	[TG_TC_7_1] = { "5.3-7-1", "5.3-7", "conceptual",
			"The cryptography of each mechanism gives integrity and authenticity and "
			"follows best practice.",
			"7-UpdMech Security Guarantees, Cryptographic Details" },
	[TG_TC_8_1] = { "5.3-8-1", "5.3-8", "conceptual",
			"The procedures for security updates allow them to be delivered in time, "
			"and their use is confirmed.",
			"8-UpdProc Description, Time Frame; 4-Conf Confirmation of Update "
			"Procedures" },
	[TG_TC_9_1] = { "5.3-9-1", "5.3-9", "conceptual",
			"Each mechanism checks authenticity and integrity of updates, and the "
			"device itself performs the check.",
			"7-UpdMech Security Guarantees, Cryptographic Details" },
	[TG_TC_10_1] = { "5.3-10-1", "5.3-10", "conceptual/functional",
			 "Network mechanisms verify updates through a trust relationship, and no "
			 "undocumented network update mechanism is present.",
			 "7-UpdMech Description, Security Guarantees",
			"Look for update paths on the network interfaces of the device that IXIT "
			"7-UpdMech does not describe (open ports, services that accept images), and "
			"check that each described network mechanism verifies updates through its trust "
			"relationship." },
	[TG_TC_11_1] = { "5.3-11-1", "5.3-11", "conceptual",
			 "The user is informed recognizably about required security updates, "
			 "including the risks they mitigate.", "7-UpdMech User Notification" },
	[TG_TC_12_1] = { "5.3-12-1", "5.3-12", "conceptual",
			 "Each mechanism notifies the user on the device itself before an update "
			 "disrupts basic functioning.", "7-UpdMech User Notification" },
	[TG_TC_13_1] = { "5.3-13-1", "5.3-13", "conceptual",
			 "A user with limited technical knowledge can find and understand the "
			 "published support period.",
			 "2-UserInfo Publication of Support Period" },
	[TG_TC_13_2] = { "5.3-13-2", "5.3-13", "functional",
			 "The published support period is reachable without restrictions and "
			 "defines the period for the updateable components.",
			 "2-UserInfo Support Period, Publication of Support Period",
			"Follow the user information to the published support period; check that it "
			"opens without registration or other restriction and that it gives the period "
			"for the updateable components." },
	[TG_TC_14_1] = { "5.3-14-1", "5.3-14", "conceptual",
			 "The published rationale for the absence of updates and the hardware "
			 "replacement support are understandable.",
			 "2-UserInfo Publication of Non-Updatable, Documentation of Replacement" },
	[TG_TC_14_2] = { "5.3-14-2", "5.3-14", "functional",
			 "The rationale, the replacement period and method and a support period "
			 "are published and reachable without restrictions.",
			 "2-UserInfo Publication of Non-Updatable, Documentation of Replacement",
			"Follow the user information to the published rationale and replacement "
			"support; check that both open without restriction and say what 2-UserInfo "
			"says." },
	[TG_TC_15_1] = { "5.3-15-1", "5.3-15", "conceptual",
			 "The described isolation and hardware replacement methods are suitable.",
			 "9-ReplSup Isolation, Hardware Replacement" },
	[TG_TC_15_2] = { "5.3-15-2", "5.3-15", "functional",
			 "The product can be isolated and its hardware replaced as described.",
			 "9-ReplSup Isolation, Hardware Replacement",
			"Set the product up in its intended environment, isolate it as 9-ReplSup "
			"Isolation describes and check that only connectivity-related functions are "
			"lost; then replace the hardware as described." },
	[TG_TC_16_1] = { "5.3-16-1", "5.3-16", "conceptual",
			 "The model designation can be obtained clearly, by label or interface.",
			 "2-UserInfo Model Designation" },
	[TG_TC_16_2] = { "5.3-16-2", "5.3-16", "functional",
			 "The model designation obtained from the device is plain text and "
			 "matches the declared one.", "2-UserInfo Model Designation",
			"Obtain the model designation from the device the way 2-UserInfo describes and "
			"compare it, as plain text, with the declared one." },
};

static const TgEvAreaInfo areas[TG_AREA_N] = {
	[TG_AREA_SCOPE] = { "scope", "Scope the device and its software components",
			    "Does every component have an update mechanism or a justified absence "
			    "of one?" },
	[TG_AREA_SUPPORT_MAP] = { "support-map", "Support and detail map (ICS)",
				  "Is every N and N/A justified, above all for conditional "
				  "provisions?" },
	[TG_AREA_MECHANISMS] = { "mechanisms", "Update mechanisms (IXIT 7-UpdMech)",
				 "Can a test laboratory understand how each update path works "
				 "and why it cannot be misused?" },
	[TG_AREA_PROCEDURES] = { "procedures", "Update procedures and timeliness",
				 "Can the team show how security updates are prioritized and "
				 "delivered in time?" },
	[TG_AREA_USER_INFO] = { "user-information", "User-facing information",
				"Can a user find the support period, recognize the model and "
				"understand required and disruptive updates?" },
	[TG_AREA_HANDOFF] = { "handoff", "Assessment handoff",
			      "Is the pack complete and traceable enough to plan the tests "
			      "without guessing?" },
};

static const TgEvCrosswalkRow crosswalk[] = {
	{ "EU CRA", "Annex I Part I (2)(c)",
	  "security updates, automatic by default with an easy opt-out, users notified and "
	  "able to postpone them for a while", "5.3-2;5.3-4;5.3-5;5.3-6;5.3-11" },
	{ "EU CRA", "Annex I Part I (2)(f)", "the integrity of software is protected",
	  "5.3-7;5.3-9;5.3-10" },
	{ "EU CRA", "Annex I Part II (2)",
	  "security updates kept apart from functional updates where feasible", "5.3-8;5.3-4" },
	{ "EU CRA", "Annex I Part II (7), (8)",
	  "secure distribution of updates; security fixes shipped without delay, free of "
	  "charge and with advisories", "5.3-7;5.3-9;5.3-10;5.3-8;5.3-11" },
	{ "EU CRA", "Art. 13(8), 13(19), Annex II",
	  "a support period (normally five years or more) whose end is known at purchase; "
	  "users told when support ends", "5.3-13;5.3-14" },
	{ "EN 18031-1", "SUM-1, SUM-2, SUM-3 (names unconfirmed)",
	  "an update mechanism; only authentic and intact software installed; automatic "
	  "updates", "5.3-1;5.3-2;5.3-9;5.3-10;5.3-7;5.3-4" },
	{ "UK PSTI", "Schedule 1, paragraph 5",
	  "the minimum period of security updates is published", "5.3-13" },
	{ "NIST IR 8259A / 8425", "software update capability",
	  "updates only from authorized entities, through a secure and configurable "
	  "mechanism", "5.3-1;5.3-2;5.3-6;5.3-9;5.3-10" },
};

const TgEvProvision *tg_ev_provisions(void)
{
	return provisions;
}

gint tg_ev_provision_index(const char *id)
{
	for (gint i = 0; i < TG_EV_N_PROVISIONS; i++)
		if (g_str_equal(provisions[i].id, id))
			return i;
	return -1;
}

const char *tg_ev_test_case_status(const TgEvTestCase *tc, guint64 records)
{
	if (!strstr(tc->kind, "functional"))
		return "conceptual";
	return records ? "demonstrated" : "not demonstrated";
}

const TgEvTestCase *tg_ev_test_cases(void)
{
	return test_cases;
}

const TgEvAreaInfo *tg_ev_areas(void)
{
	return areas;
}

const TgEvCrosswalkRow *tg_ev_crosswalk(guint *ret_n)
{
	*ret_n = G_N_ELEMENTS(crosswalk);
	return crosswalk;
}

gchar *tg_ev_conditions_text(guint conditions)
{
	static const struct {
		guint bit;
		const char *n;
	} names[] = { { TG_COND_3, "3" }, { TG_COND_4, "4" }, { TG_COND_5, "5" },
		      { TG_COND_9, "9" }, { TG_COND_11, "11" }, { TG_COND_12, "12" } };
	g_autoptr(GString) out = g_string_new(NULL);

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
		if (!(conditions & names[i].bit))
			continue;
		g_string_append(out, out->len ? "," : "C(");
		g_string_append(out, names[i].n);
	}
	if (out->len)
		g_string_append_c(out, ')');
	return g_string_free(g_steal_pointer(&out), FALSE);
}

gchar *tg_ev_control_id(const char *provision)
{
	return g_strconcat("en303645-", provision, NULL);
}

/* ---- OSCAL catalogue ---- */

static void add_prop(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "ns");
	json_builder_add_string_value(b, "urn:tollgate:oscal");
	json_builder_set_member_name(b, "value");
	json_builder_add_string_value(b, value);
	json_builder_end_object(b);
}

static void add_part(JsonBuilder *b, const char *id, const char *name, const char *prose,
		     const char *label)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, id);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, name);
	if (label) {
		json_builder_set_member_name(b, "props");
		json_builder_begin_array(b);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, "label");
		json_builder_set_member_name(b, "value");
		json_builder_add_string_value(b, label);
		json_builder_end_object(b);
		json_builder_end_array(b);
	}
	json_builder_set_member_name(b, "prose");
	json_builder_add_string_value(b, prose);
	json_builder_end_object(b);
}

static void add_test_case_parts(JsonBuilder *b, const char *control, const char *provision)
{
	for (guint t = 0; t < TG_TC_N; t++) {
		g_autofree gchar *id = NULL;
		g_autofree gchar *prose = NULL;

		if (!g_str_equal(test_cases[t].provision, provision))
			continue;
		id = g_strdup_printf("%s_obj-%s", control, test_cases[t].id);
		prose = g_strdup_printf("TS 103 701 test case %s (%s): %s", test_cases[t].id,
					test_cases[t].kind, test_cases[t].examines);
		add_part(b, id, "objective", prose, test_cases[t].id);
	}
}

static void add_control(JsonBuilder *b, const char *provision, const char *title,
			const char *gist, const char *status, const char *v3_ids)
{
	g_autofree gchar *id = tg_ev_control_id(provision);
	g_autofree gchar *smt = g_strconcat(id, "_smt", NULL);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, id);
	json_builder_set_member_name(b, "class");
	json_builder_add_string_value(b, "provision");
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, title);
	json_builder_set_member_name(b, "props");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, "label");
	json_builder_set_member_name(b, "value");
	json_builder_add_string_value(b, provision);
	json_builder_end_object(b);
	add_prop(b, "status-v2.1.1", status);
	if (v3_ids)
		add_prop(b, "ids-v3.1.3", v3_ids);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "parts");
	json_builder_begin_array(b);
	add_part(b, smt, "statement", gist, NULL);
	add_test_case_parts(b, id, provision);
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static void add_metadata(JsonBuilder *b)
{
	json_builder_set_member_name(b, "metadata");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, "tollgate local catalogue: ETSI EN 303 645 clause 5.3 "
					 "and provision 4-1, with TS 103 701 test cases");
	json_builder_set_member_name(b, "last-modified");
	json_builder_add_string_value(b, "2026-06-01T00:00:00Z");
	json_builder_set_member_name(b, "version");
	json_builder_add_string_value(b, "1");
	json_builder_set_member_name(b, "oscal-version");
	json_builder_add_string_value(b, "1.1.2");
	json_builder_set_member_name(b, "remarks");
	json_builder_add_string_value(b, "Summaries in tollgate's own words keyed by the "
					 "provision IDs of EN 303 645 V2.1.1; the ETSI texts are "
					 "the reference.");
	json_builder_end_object(b);
}

JsonNode *tg_ev_catalog_oscal(void)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "catalog");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "uuid");
	json_builder_add_string_value(b, TG_EV_CATALOG_UUID);
	add_metadata(b);
	json_builder_set_member_name(b, "groups");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, "en303645-4");
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, "Reporting implementation");
	json_builder_set_member_name(b, "controls");
	json_builder_begin_array(b);
	add_control(b, "4-1", "Justified exceptions",
		    "Every recommendation treated as not applicable or not fulfilled has a "
		    "recorded justification.", "M", "5.0-1");
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, "en303645-5.3");
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, "Keep software updated");
	json_builder_set_member_name(b, "controls");
	json_builder_begin_array(b);
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++)
		add_control(b, provisions[i].id, provisions[i].title, provisions[i].gist,
			    provisions[i].status, provisions[i].v3_ids);
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}
