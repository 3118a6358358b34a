/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/io.h"

/* see io.h */
int
tes_io_read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;
	ssize_t k;

	while (n > 0) {
		k = read(fd, p, n);
		if (k == 0)
			return TES_ERR_CLOSED;
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return TES_ERR_TIMEOUT;
			return errno == ECONNRESET ? TES_ERR_CLOSED : TES_ERR_IO;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* see io.h */
int
tes_io_write_full(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	ssize_t k;

	/* write(), not send(): sandboxed processes may make no other call; every
	 * program ignores SIGPIPE, so a closed peer gives EPIPE */
	while (n > 0) {
		k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return TES_ERR_TIMEOUT;
			return (errno == EPIPE || errno == ECONNRESET) ? TES_ERR_CLOSED : TES_ERR_IO;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* see io.h */
int
tes_io_read_frame(int fd, uint8_t buf[static TES_FRAME_MAX], struct tes_frame_hdr *h, const uint8_t **payload,
		  size_t *frame_len)
{
	int r;

	if ((r = tes_io_read_full(fd, buf, TES_FRAME_HDR_LEN)) != 0)
		return r;
	/*= spec/PROTOCOL.md#frames MUST-F5: length checked before the payload is read */
	if ((r = tes_frame_decode_hdr(buf, TES_FRAME_HDR_LEN, h)) != 0)
		return r;
	if ((r = tes_io_read_full(fd, buf + TES_FRAME_HDR_LEN, h->length)) != 0)
		return r;
	*payload = buf + TES_FRAME_HDR_LEN;
	*frame_len = (size_t)TES_FRAME_HDR_LEN + h->length;
	return 0;
}

/* see io.h */
int
tes_io_write_frame(int fd, uint8_t type, const uint8_t *payload, size_t n)
{
	uint8_t buf[TES_FRAME_MAX];
	size_t used;
	int r;

	if ((r = tes_frame_encode(buf, sizeof buf, type, payload, n, &used)) != 0)
		return r;
	return tes_io_write_full(fd, buf, used);
}

/* see io.h */
void
tes_io_send_alert(int fd, uint8_t code)
{
	(void)tes_io_write_frame(fd, TES_FRAME_ALERT, &code, 1);
}
