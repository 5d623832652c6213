/* SPDX-License-Identifier: MIT */
/* pane_decoder — the live token decoder (the jwt.io of the terminal): raw token coloured by
 * segment, pretty header and payload, claims annotated (dates, countdown bars, explanations),
 * warnings, signature status; edits of the token, header, payload and key; re-signing; history. */
#ifndef TL_TUI_PANE_DECODER_H
#define TL_TUI_PANE_DECODER_H

#include <curses.h>
#include <stdbool.h>

#include "tui/app.h"
#include "tui/keys.h"

typedef struct pane_decoder pane_decoder;

pane_decoder *pane_decoder_new(app *a); /* free with pane_decoder_free */
void pane_decoder_free(pane_decoder *p);
/* Loads a token (adds it to the history under `label`, e.g. "access"; NULL = "pasted"). */
void pane_decoder_set_token(pane_decoder *p, const char *label, const char *token);
/* The same, with the key the token was signed with when the caller knows it (a lesson's `mint
 * secret=…`): the signature is checked with that key too. `key` is borrowed (a reference is
 * taken); NULL = unknown. */
struct jwk;
void pane_decoder_set_token_key(pane_decoder *p, const char *label, const char *token,
                                struct jwk *key);
const char *pane_decoder_token(const pane_decoder *p); /* "" when empty; borrowed */
/* "valid", "invalid", "unsigned", "unknown" — what the lesson checks see as decoder.signature. */
const char *pane_decoder_signature(pane_decoder *p);
/* Starts editing the token: the next typed or pasted text replaces it. */
void pane_decoder_begin_edit(pane_decoder *p);
/* True while a text field owns the keyboard (every printable key is text, not a command). */
bool pane_decoder_editing(const pane_decoder *p);
/* Handles a key (act is the key's action in the decoder context). Returns KEY_R_* flags. */
int pane_decoder_key(pane_decoder *p, int key, tui_action act);
/* A pasted block (bracketed paste): replaces the token, or goes into the field being edited. */
void pane_decoder_paste(pane_decoder *p, const char *text, size_t len);
/* Draws inside `w` (border included). */
void pane_decoder_draw(pane_decoder *p, WINDOW *w, bool focused);
/* Once a second: true when the countdowns changed (the pane needs a redraw). */
bool pane_decoder_tick(pane_decoder *p);
/* A new JWKS or login secret became available: verify again. */
void pane_decoder_rekey(pane_decoder *p);
/* Footer hint for the current edit mode, or NULL. */
const char *pane_decoder_mode_hint(const pane_decoder *p);

#endif
