/* SPDX-License-Identifier: ISC */
/*
 * One error table for the whole project (OpenSSH ssherr.h style).
 * Every fallible function returns int: 0 on success, a negative TES_ERR_*
 * on failure. tes_err_str() gives a one-line human text. Peers never see
 * these codes: on the wire there is one generic alert (spec/PROTOCOL.md#alerts).
 */
#ifndef TES_COMMON_ERR_H
#define TES_COMMON_ERR_H

enum tes_err {
	TES_OK = 0,
	TES_ERR_INTERNAL = -1, /* broken invariant or unexpected libc failure */
	TES_ERR_NOMEM = -2,
	TES_ERR_ARG = -3,        /* caller passed an invalid argument */
	TES_ERR_SANDBOX = -4,    /* a process could not lock itself down */
	TES_ERR_TRUNCATED = -10, /* input shorter than its encoding requires */
	TES_ERR_TOOLONG = -11,   /* length field or value above its limit */
	TES_ERR_SPACE = -12,     /* output buffer too small */
	TES_ERR_VERSION = -13,   /* unknown protocol / file version */
	TES_ERR_TYPE = -14,      /* unknown or unexpected message type */
	TES_ERR_FORMAT = -15,    /* malformed encoding (bad magic, reserved bits, trailing bytes) */
	TES_ERR_STATE = -16,     /* message not allowed in the current state */
	TES_ERR_MAC = -20,       /* MAC / Finished check failed */
	TES_ERR_SIG = -21,       /* signature verification failed */
	TES_ERR_DECRYPT = -22,   /* padding or key transport failure */
	TES_ERR_KEY = -23,       /* bad or unusable key */
	TES_ERR_PIN = -24,       /* server key does not match the pinned fingerprint */
	TES_ERR_RNG = -25,       /* system randomness unavailable */
	TES_ERR_AUTH = -30,      /* login refused */
	TES_ERR_RATELIMIT = -31, /* too many failed logins */
	TES_ERR_UNKNOWN_UNIT = -32,
	TES_ERR_SESSION = -33, /* the dashboard session ended before the login completed */
	TES_ERR_PLATE = -40,
	TES_ERR_SPEED = -41,
	TES_ERR_LIMIT = -42,
	TES_ERR_TIME = -43,
	TES_ERR_LOCATION = -44,
	TES_ERR_NAME = -45,
	TES_ERR_IO = -50,
	TES_ERR_CORRUPT = -51, /* stored data fails its MAC or structure check */
	TES_ERR_EXISTS = -52,
	TES_ERR_NOTFOUND = -53,
	TES_ERR_LOCKED = -54,
	TES_ERR_DECIDED = -55, /* report already approved or rejected */
	TES_ERR_NOSPACE = -56, /* the file system is full (ENOSPC, EDQUOT) */
	TES_ERR_PEER = -60,    /* peer sent an alert */
	TES_ERR_CLOSED = -61,  /* connection closed */
	TES_ERR_TIMEOUT = -62,
	TES_ERR_BUSY = -63,
	TES_ERR_REKEY = -64, /* the session keys reached their bound: a new session goes on */
	TES_ERR_MIN = -65
};

/* One-line, human-readable text for an error code (never NULL). */
const char *
tes_err_str(int err);

#endif
