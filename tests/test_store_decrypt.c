/*
 * test_store_decrypt.c — a sealed poll's decryption rows (store_decrypt.c,
 * schema 009): a poll sealed for a council goes into `decrypting` only from
 * open, with the server's entry; trustees' entries are taken once each and
 * only while decrypting; the list comes in holder order; the publication
 * sets the result, leaves `decrypting` and erases x_0 in one change; a poll
 * sealed by the server only never decrypts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "store_decrypt.h"
#include "store_poll.h"

static char tmp_root[] = "/tmp/conclave-test-store-decrypt-XXXXXX";

struct listed {
    int n;
    uint32_t holders[8];
    char users[8][40];
    char first[64];
};

static int list_one(void *ctx, uint32_t holder, const char *username, const char *entry,
                    size_t len)
{
    struct listed *l = ctx;

    if (l->n < 8) {
        l->holders[l->n] = holder;
        snprintf(l->users[l->n], sizeof l->users[l->n], "%s", username ? username : "(null)");
        if (l->n == 0)
            snprintf(l->first, sizeof l->first, "%.*s", (int)len, entry);
    }
    l->n++;
    return 0;
}

static int insert_poll(struct store *s, const char *id, const char *nominee, const char *council)
{
    static const char *const roll[] = {"ann", "bob"};
    unsigned char secret[32];
    struct store_poll p;

    memset(secret, 0x5a, sizeof secret);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", id);
    snprintf(p.nominee, sizeof p.nominee, "%s", nominee);
    snprintf(p.nominated_by, sizeof p.nominated_by, "ann");
    memset(p.fingerprint, 'a', 64);
    p.statement = p.statement_html = p.record = "x";
    p.closes_at = INT64_MAX;
    if (council != NULL) {
        snprintf(p.council, sizeof p.council, "%s", council);
        p.seal = "{\"t\":1,\"trustees\":[{\"index\":1,\"name\":\"ann\"}]}";
    }
    return store_poll_insert(s, &p, NULL, secret, roll, 2);
}

static void test_states(struct store *s)
{
    struct store_poll p;
    struct listed l;
    unsigned char x0[32];

    CHECK_EQ_INT(insert_poll(s, "sealed", "Nominee A", "c1"), CV_OK, "a poll sealed for c1");
    CHECK_EQ_INT(insert_poll(s, "plain", "Nominee B", NULL), CV_OK, "a poll of the server only");
    CHECK_EQ_INT(store_poll_get(s, "sealed", 0, &p), CV_OK, "read it back");
    CHECK_EQ_STR(p.council, "c1", "its council");
    CHECK(p.seal != NULL && strstr(p.seal, "\"t\":1") != NULL, "its seal");
    CHECK_EQ_INT(p.decrypting, 0, "not decrypting while open");
    store_poll_clear(&p);
    CHECK_EQ_INT(store_decrypt_add(s, "sealed", 1, "ann", "{\"holder\":1}"), CV_NOT_FOUND,
                 "no trustee entry while the poll is open");
    CHECK_EQ_INT(store_decrypt_begin(s, "plain", "board", -1, "{\"holder\":0}"), CV_NOT_FOUND,
                 "a poll of the server only never decrypts");
    CHECK_EQ_INT(store_decrypt_begin(s, "sealed", "partial", -1, "{\"holder\":0}"), CV_OK,
                 "the sealed poll closes into decrypting");
    CHECK_EQ_INT(store_decrypt_begin(s, "sealed", "partial", -1, "{\"holder\":0}"), CV_NOT_FOUND,
                 "only once");
    CHECK_EQ_INT(store_poll_get(s, "sealed", 0, &p), CV_OK, "read it back");
    CHECK(p.closed && p.decrypting && p.result == NULL, "closed, decrypting, no result");
    store_poll_clear(&p);
    CHECK_EQ_INT(store_poll_secret(s, "sealed", x0), CV_OK, "x_0 is kept while decrypting");
    CHECK_EQ_INT(store_decrypt_add(s, "sealed", 3, "bob", "{\"holder\":3}"), CV_OK, "trustee 3");
    CHECK_EQ_INT(store_decrypt_add(s, "sealed", 1, "ann", "{\"holder\":1}"), CV_OK, "trustee 1");
    CHECK_EQ_INT(store_decrypt_add(s, "sealed", 1, "ann", "{\"holder\":1,\"x\":1}"), CV_CONFLICT,
                 "one entry per trustee");
    CHECK_EQ_INT(store_decrypt_add(s, "sealed", 0, "ann", "{}"), CV_ERROR,
                 "holder 0 is the server's, written with the state");
    memset(&l, 0, sizeof l);
    CHECK_EQ_INT(store_decrypt_list(s, "sealed", list_one, &l), CV_OK, "list the entries");
    CHECK_EQ_INT(l.n, 3, "three entries");
    CHECK(l.holders[0] == 0 && l.holders[1] == 1 && l.holders[2] == 3, "in holder order");
    CHECK_EQ_STR(l.users[0], "(null)", "the server's has no member");
    CHECK_EQ_STR(l.users[2], "bob", "a trustee's names who posted it");
    CHECK_EQ_STR(l.first, "{\"holder\":0}", "the server's entry as given");
    CHECK_EQ_INT(store_decrypt_board(s, "sealed", "partial 2", -1), CV_OK, "a new partial board");
    CHECK_EQ_INT(store_decrypt_publish(s, "sealed", "{\"counts\":[1,0]}", "final", -1), CV_OK,
                 "the result published");
    CHECK_EQ_INT(store_decrypt_publish(s, "sealed", "{}", "final", -1), CV_NOT_FOUND, "once");
    CHECK_EQ_INT(store_poll_secret(s, "sealed", x0), CV_NOT_FOUND, "x_0 erased with it");
    CHECK_EQ_INT(store_poll_get(s, "sealed", 0, &p), CV_OK, "read it back");
    CHECK(p.closed && !p.decrypting && p.result != NULL, "closed with its result");
    store_poll_clear(&p);
    CHECK_EQ_INT(store_decrypt_add(s, "sealed", 2, "cid", "{\"holder\":2}"), CV_NOT_FOUND,
                 "no entry after the result");
    CHECK_EQ_INT(store_decrypt_board(s, "sealed", "late", -1), CV_NOT_FOUND,
                 "nor a partial board");
}

int main(void)
{
    struct store *s = NULL;
    char dir[256];

    if (mkdtemp(tmp_root) == NULL)
        return 1;
    snprintf(dir, sizeof dir, "%s/data", tmp_root);
    CHECK_EQ_INT(store_open(dir, &s), 0, "open a store");
    if (s != NULL) {
        test_states(s);
        store_close(s);
    }
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_store_decrypt");
}
