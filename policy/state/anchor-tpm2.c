/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hardware anchor: a TPM 2.0 NV counter (tg-anchor.h). A counter only
 * counts up, and a counter defined anew starts no lower than any counter the
 * TPM has held, so no copy, deletion or reset of files brings it back. */
#include "tg-anchor.h"

#include "tg-config.h"

#if TG_HAVE_TPM2
#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

struct _TgAnchor {
	gchar *tcti_conf;
	guint32 index;
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
};

static gboolean tpm_error(GError **error, const TgAnchor *a, const char *what, TSS2_RC rc)
{
	g_set_error(error, TG_STATE_ERROR, TG_STATE_ERROR_ANCHOR,
		    "the TPM anchor (%s, NV index 0x%08x) cannot %s: %s; check the TPM and "
		    "[state] anchor-tcti", a->tcti_conf, a->index, what, Tss2_RC_Decode(rc));
	return FALSE;
}

void tg_anchor_close(TgAnchor *a)
{
	if (!a)
		return;
	if (a->esys)
		Esys_Finalize(&a->esys);
	if (a->tcti)
		Tss2_TctiLdr_Finalize(&a->tcti);
	g_free(a->tcti_conf);
	g_free(a);
}

TgAnchor *tg_anchor_open(const char *tcti, guint32 index, GError **error)
{
	g_autoptr(TgAnchor) a = g_new0(TgAnchor, 1);
	TSS2_RC rc;

	a->tcti_conf = g_strdup(tcti);
	a->index = index;
	/* The TSS logs its own view of every TPM error on stderr, also of the
	 * lookup of a counter not yet defined; tollgate reports what matters. */
	g_setenv("TSS2_LOG", "all+NONE", FALSE);
	rc = Tss2_TctiLdr_Initialize(tcti, &a->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		tpm_error(error, a, "be reached", rc);
		return NULL;
	}
	rc = Esys_Initialize(&a->esys, a->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		tpm_error(error, a, "be initialized", rc);
		return NULL;
	}
	rc = Esys_Startup(a->esys, TPM2_SU_CLEAR);
	if (rc != TSS2_RC_SUCCESS && rc != TPM2_RC_INITIALIZE) {
		tpm_error(error, a, "start up", rc);
		return NULL;
	}
	return g_steal_pointer(&a);
}

/* The counter's handle; FALSE without @error when the index is not
 * defined. */
static gboolean nv_handle(TgAnchor *a, ESYS_TR *ret, GError **error)
{
	TSS2_RC rc = Esys_TR_FromTPMPublic(a->esys, a->index, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, ret);

	if (rc == TSS2_RC_SUCCESS)
		return TRUE;
	if ((rc & ~TPM2_RC_N_MASK) == TPM2_RC_HANDLE)
		return FALSE;	/* TPM_RC_HANDLE for its parameter: no such index */
	return tpm_error(error, a, "be looked up", rc);
}

static gboolean define_counter(TgAnchor *a, ESYS_TR *ret, GError **error)
{
	TPM2B_AUTH auth = { .size = 0 };
	TPM2B_NV_PUBLIC pub = {
		.nvPublic = {
			.nvIndex = a->index,
			.nameAlg = TPM2_ALG_SHA256,
			.attributes = TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD | TPMA_NV_OWNERREAD |
				      TPMA_NV_NO_DA |
				      (TPM2_NT_COUNTER << TPMA_NV_TPM2_NT_SHIFT),
			.dataSize = 8,
		},
	};
	TSS2_RC rc = Esys_NV_DefineSpace(a->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
					 ESYS_TR_NONE, ESYS_TR_NONE, &auth, &pub, ret);

	return rc == TSS2_RC_SUCCESS || tpm_error(error, a, "be defined", rc);
}

gboolean tg_anchor_increment(TgAnchor *a, GError **error)
{
	ESYS_TR h;
	TSS2_RC rc;

	if (!nv_handle(a, &h, error))
		return error && *error ? FALSE : tpm_error(error, a, "be counted up (not defined)",
							   TPM2_RC_HANDLE);
	rc = Esys_NV_Increment(a->esys, h, h, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE);
	return rc == TSS2_RC_SUCCESS || tpm_error(error, a, "be counted up", rc);
}

gboolean tg_anchor_read(TgAnchor *a, gboolean create, guint64 *ret, GError **error)
{
	TPM2B_MAX_NV_BUFFER *data = NULL;
	ESYS_TR h;
	TSS2_RC rc;

	if (!nv_handle(a, &h, error)) {
		if (error && *error)
			return FALSE;
		if (!create) {
			*ret = 0;
			return TRUE;	/* not defined */
		}
		if (!define_counter(a, &h, error) || !tg_anchor_increment(a, error))
			return FALSE;
	}
	rc = Esys_NV_Read(a->esys, h, h, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, 8, 0, &data);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_error(error, a, "be read", rc);
	*ret = 0;
	for (guint i = 0; i < data->size && i < 8; i++)
		*ret = *ret << 8 | data->buffer[i];
	Esys_Free(data);
	return TRUE;
}

#else /* !TG_HAVE_TPM2 */

struct _TgAnchor {
	int unused;
};

void tg_anchor_close(TgAnchor *a)
{
	g_free(a);
}

TgAnchor *tg_anchor_open(const char *tcti, guint32 index, GError **error)
{
	g_set_error(error, TG_STATE_ERROR, TG_STATE_ERROR_ANCHOR,
		    "the policy asks for a TPM anchor ([state] anchor = tpm2), but this tollgate "
		    "was built without TPM support; install libtss2-dev and rebuild, or remove "
		    "the anchor");
	return NULL;
}

gboolean tg_anchor_increment(TgAnchor *a, GError **error)
{
	return tg_anchor_open(NULL, 0, error) != NULL;
}

gboolean tg_anchor_read(TgAnchor *a, gboolean create, guint64 *ret, GError **error)
{
	return tg_anchor_open(NULL, 0, error) != NULL;
}

#endif
