/* SPDX-License-Identifier: ISC */
/*
 * Blocking I/O helpers used by the mains and the session child (never by a
 * codec). Timeouts come from SO_RCVTIMEO/SO_SNDTIMEO set by the caller.
 */
#ifndef TES_COMMON_IO_H
#define TES_COMMON_IO_H

#include <stddef.h>
#include <stdint.h>

#include "wire/frame.h"

/* Read exactly n bytes: TES_ERR_CLOSED on EOF, TES_ERR_TIMEOUT on a socket timeout, TES_ERR_IO otherwise. */
int
tes_io_read_full(int fd, void *buf, size_t n);

/* Write all n bytes with write(2); callers ignore SIGPIPE. */
int
tes_io_write_full(int fd, const void *buf, size_t n);

/*
 * Read one frame into buf (TES_FRAME_MAX bytes): the header is checked
 * before the payload is read, so an oversize length is refused without
 * reading it. *payload points into buf; *frame_len is header + payload.
 */
int
tes_io_read_frame(int fd, uint8_t buf[static TES_FRAME_MAX], struct tes_frame_hdr *h, const uint8_t **payload,
		  size_t *frame_len);

/* Encode and send one frame. */
int
tes_io_write_frame(int fd, uint8_t type, const uint8_t *payload, size_t n);

/* Send a one-byte ALERT frame (best effort). */
void
tes_io_send_alert(int fd, uint8_t code);

#endif
