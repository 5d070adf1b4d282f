/*
 * statement.h — a nomination's statement: Markdown in, HTML that a poll's
 * page may include as it is.
 *
 * The HTML holds no raw HTML of the author's, no link whose address has a
 * scheme other than http, https or mailto, and no image from anywhere but
 * this site's /static/ (an image elsewhere would be fetched by every
 * reader's browser from a server that then learns who read the poll and
 * when; this site's CSP would block it anyway and leave a broken image).
 * Headings are demoted by two levels: the page's h1 is the poll's question
 * and its h2 are the cards' labels ("Statement").
 */
#ifndef CONCLAVE_STATEMENT_H
#define CONCLAVE_STATEMENT_H

#include <stddef.h>

/*
 * Renders the Markdown TEXT (LEN bytes, valid UTF-8) as HTML into *html_out
 * (NUL-terminated, malloc'd: the caller frees it). An image from elsewhere
 * becomes a link to it whose text is its alt text and " (image)" (inside a
 * link, or with an address that is not http or https, its alt text alone);
 * a link with another scheme becomes its text. 0, or -1 when out of memory.
 */
int statement_render(const char *text, size_t len, char **html_out);

#endif
