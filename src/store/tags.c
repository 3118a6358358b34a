/* SPDX-License-Identifier: ISC */
/*
 * The plate tags of the reports found at open: a thread reads them after
 * open returns, so that the plate history (tes_db_plate_foreach) reads back
 * only the reports of one plate. Internal to src/store (dbint.h).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/wipe.h"
#include "store/alloc.h"
#include "store/dbint.h"
#include "store/seal.h"

/*
 * Plate tags of the reports found at open. Open does not decrypt REPORT
 * records (spec/STORAGE.md#recovery), so a thread reads them afterwards:
 * for each, the two cipher blocks that hold the plate (body bytes 64..79:
 * u8 plate length and up to 12 plate bytes after number, received, id and
 * unit key), decrypted with the block before them as the CBC chaining
 * value. The tags only say which reports to read back; a report is shown
 * only after its record is read again with its MAC checked, so a tag that
 * is wrong (a file changed after open) can hide a report from the history,
 * never show a wrong one.
 */
enum {
	TAG_BODY_OFF = 64, /* u8 plate_len, then the plate */
	TAG_BLOCKS = 2,
	TAG_READ_OFF = TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN + TAG_BODY_OFF - TES_DES_BLOCK,
	TAG_READ_LEN = (TAG_BLOCKS + 1) * TES_DES_BLOCK,
};

_Static_assert(TAG_BODY_OFF == 8 + 8 + TES_REPORT_ID_LEN + TES_KEYID_LEN, "REPORT body: plate after these");
_Static_assert(1 + TES_PLATE_MAX <= TAG_BLOCKS * TES_DES_BLOCK && TAG_BODY_OFF % TES_DES_BLOCK == 0,
	       "the plate fits the blocks read");

struct tag_job {
	pthread_t t;
	atomic_int done, stop;
	int jfd;
	const struct tes_seal_keys *jk; /* the store's: it outlives the job (close joins first) */
	const uint8_t *hk;
	uint64_t *off; /* REPORT records 1..n */
	uint32_t *tag; /* out: their tags, 0 where unread */
	size_t n;
};

static uint32_t
tag_read(const struct tag_job *j, uint64_t off)
{
	uint8_t b[TAG_READ_LEN];
	uint32_t t = 0;
	size_t got;

	if (tes_file_pread_all(j->jfd, b, sizeof(b), off + TAG_READ_OFF, &got) != 0 || got != sizeof(b))
		return 0;
	tes_seal_decrypt(j->jk, b, b + TES_DES_BLOCK, TAG_BLOCKS * TES_DES_BLOCK);
	if (b[TES_DES_BLOCK] >= 1 && b[TES_DES_BLOCK] <= TES_PLATE_MAX)
		t = tes_index_plate_tag(j->hk, (const char *)b + TES_DES_BLOCK + 1, b[TES_DES_BLOCK]);
	TES_WIPE_BUF(b);
	return t;
}

static void *
tag_thread(void *arg)
{
	struct tag_job *j = arg;
	size_t i;

	for (i = 0; i < j->n && !atomic_load(&j->stop); i++)
		if (j->off[i] != 0)
			j->tag[i] = tag_read(j, j->off[i]);
	atomic_store(&j->done, 1);
	return NULL;
}

static void
tag_free(struct tag_job *j)
{
	free(j->off);
	free(j->tag);
	free(j);
}

/* see dbint.h: the reports whose tag the replay did not learn */
void
tes_tags_start(struct tes_db *db)
{
	struct tag_job *j;
	size_t i;

	if (db->nrep == 0)
		return;
	j = xcalloc(1, sizeof(*j));
	j->jfd = db->jfd;
	j->jk = &db->jk;
	j->hk = db->hk;
	j->n = db->nrep;
	j->off = xrealloc(NULL, j->n, sizeof(*j->off));
	j->tag = xcalloc(j->n, sizeof(*j->tag));
	for (i = 0; i < j->n; i++)
		j->off[i] = db->reps[i].ptag != 0 ? 0 : db->reps[i].off;
	if (pthread_create(&j->t, NULL, tag_thread, j) != 0) {
		tag_free(j); /* no tags: the history reads every report */
		return;
	}
	db->tags = j;
}

/* see dbint.h */
void
tes_tags_reap(struct tes_db *db, int wait)
{
	struct tag_job *j = db->tags;
	size_t i;

	if (j == NULL || (wait == 0 && !atomic_load(&j->done)))
		return;
	if (wait < 0)
		atomic_store(&j->stop, 1);
	pthread_join(j->t, NULL);
	db->tags = NULL;
	for (i = 0; i < j->n; i++)
		if (db->reps[i].ptag == 0)
			db->reps[i].ptag = j->tag[i];
	tag_free(j);
}
