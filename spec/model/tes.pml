/* SPDX-License-Identifier: ISC */
/*
 * TES handshake, session resumption and reporting, with a Dolev-Yao network
 * (spec/PROTOCOL.md sections 3-9, resumption tickets). Read
 * spec/model/README.md for what is abstracted and why.
 *
 * Symbolic terms: nonces and pre-master secrets are small integers; a key is
 * the tuple it is derived from; encryption and signatures are fields that
 * only their owner can produce. Build flags select deliberately broken
 * variants (NOPIN, NOAUTH, NODEDUP, NORESUMESIG, NOFINC, NORS, NORSCHK) that
 * check.sh expects to fail.
 */

#define GENUINE   1	/* the officer server's RSA key */
#define ATTACKER  2	/* a key the attacker owns (substitution attempt) */
#define NSESS     2	/* client connections (the second one retries the report) */
#define ATT_NONCE 3	/* randoms and pms the attacker makes up */
#ifndef BUDGET
#define BUDGET    4	/* attacker replays/injections (bounds the search) */
#endif

#define HONEST    1	/* ghost: message built by the genuine client or server */

/* session key of a full handshake: (pms, client random, server random) */
#define KID(pms, cr, sr)	((pms) * 16 + (cr) * 4 + (sr))
/* session key of a resumed handshake: (resumption secret, cr, sr); a range
 * of its own (>= 64), so that it never equals a full-handshake key */
#ifndef NORS
#define RKEY(rs, cr, sr)	(64 + (rs) * 16 + (cr) * 4 + (sr))
#else
/* broken: the key schedule leaves the resumption secret out */
#define RKEY(rs, cr, sr)	(64 + (cr) * 4 + (sr))
#endif

/* resumption secrets the attacker knows: none, unless LEAKRS gives it the
 * unit's (ticket and secret stolen from the unit, but not the unit key) */
#ifdef LEAKRS
#define KNOWRS(t)	issued[t]
#else
#define KNOWRS(t)	false
#endif

/*
 * A Finished under a key nobody uses (rs left out) is refused like any other
 * unexpected message the attacker already sends (a SERVER_HELLO out of turn,
 * say: the connection closes), so it adds states and no behaviour to the
 * protocol as specified. It is offered only where a broken variant accepts
 * it: keys without rs (NORS), a Finished not checked (NOFINC, NORSCHK).
 */
#if defined(NORS) || defined(NOFINC) || defined(NORSCHK)
#define JUNKFIN	true
#else
#define JUNKFIN	false
#endif

mtype = { CH, SH, KX, FINC, FINS, REPORT, RECEIPT, RH, UA };

/*
 * One message layout for every frame:
 *   CH      a=client random
 *   SH      a=server random b=server key
 *   KX      a=pms b=key the pms is encrypted under, c=unit signature valid,
 *           d=client random and e=server random the signature binds
 *   FINC/S  a=key id (MAC key derived from pms or rs, cr, sr), e=who built it
 *           (ghost: HONEST or ATTACKER); the server FINISHED of a full
 *           handshake also carries the SESSION record: b=ticket c=rs
 *           (under the session key, so the attacker does not read rs)
 *   REPORT  a=key id b=record seq c=report id d=unit signature on the report
 *   RECEIPT a=key id b=record seq c=report id
 *   RH      a=client random b=ticket (RESUME_HELLO; the ticket is in clear)
 *   UA      a=client random b=server random c=ticket the unit signature
 *           binds, d=unit signature valid, e=who built it (ghost)
 *
 * A ticket is the number of the server connection that issued it: it is
 * sealed under a ticket key only the server holds, so nobody else can make
 * one that opens, and it binds the unit, the server key and the resumption
 * secret rs (rs = the ticket number in the model; the attacker knows the
 * ticket, never rs unless a variant leaks it).
 */
typedef msg { mtype t; byte a; byte b; byte c; byte d; byte e };

chan c_out = [1] of { msg };	/* client -> network */
chan s_out = [1] of { msg };	/* server -> network */
chan c_in  = [1] of { msg };	/* network -> client */
chan s_in  = [1] of { msg };	/* network -> server */

/* ghost state for the properties */
bool sent[4];			/* report ids the genuine unit signed and sent */
byte stored[4];			/* times the server recorded each report id */
bool c_done;			/* client got a receipt */
bool c_res_done;		/* ... in a resumed session */
bool issued[4];			/* tickets the server issued (all known to the attacker) */

/* attacker knowledge */
bool know_pms[4];		/* pms values it can read */
msg  saved;			/* one captured message (replay, reorder) */
bool have_saved;

/* forget a forwarded message (fewer distinct states, same behaviours) */
inline clear(x)
{
	d_step { x.t = 0; x.a = 0; x.b = 0; x.c = 0; x.d = 0; x.e = 0 }
}

proctype Client()
{
	msg m;
	byte s = 1, cr, sr, spk, key, seq, tk, rs;
	bool res;

	xr c_in; xs c_out;	/* only the network talks to it (partial-order reduction) */

	do
	:: s > NSESS -> break
	:: s <= NSESS ->
		cr = s;
		/* resume when it holds a ticket, else a full handshake */
		if
		:: tk != 0 -> res = true; c_out!RH(cr, tk, 0, 0, 0)
		:: else -> c_out!CH(cr, 0, 0, 0, 0)
		fi;
		/* MUST-S1: anything but SERVER_HELLO ends the session */
		if
		:: c_in?m -> if
			:: m.t == SH -> skip
			:: else -> goto next
			fi
		:: timeout -> goto next
		fi;
		sr = m.a; spk = m.b;
#ifndef NOPIN
		/* MUST-T1/H3: the pinned server key, checked before any secret is sent */
		if
		:: spk != GENUINE -> goto next
		:: else -> skip
		fi;
#endif
		if
		:: res ->
			/* UNIT_AUTH: the unit signature over RESUME_HELLO and SERVER_HELLO */
			c_out!UA(cr, sr, tk, 1, HONEST);
			key = RKEY(rs, cr, sr)
		:: else ->
			/* pms = s; the unit signature binds CH, SH (cr, sr, key) and oaep */
			c_out!KX(s, spk, 1, cr, sr);
			key = KID(s, cr, sr)
		fi;
		c_out!FINC(key, 0, 0, 0, HONEST);
		/* MUST-H7: server Finished under the key only the pms (or, resumed,
		 * the resumption secret) holder derives */
		if
		:: c_in?m -> if
#ifdef NORSCHK
			/* broken: a resumed session takes any server Finished */
			:: res && m.t == FINS -> skip
#endif
			:: m.t == FINS && m.a == key -> skip
			:: else -> goto next
			fi
		:: timeout -> goto next
		fi;
		/* established: the key must be the genuine server's */
		assert(spk == GENUINE);
		if
		:: res ->
			/* resumed: the server Finished was built by the genuine server,
			 * the one that issued the ticket (never by one that only
			 * played server with its SERVER_HELLO) */
#ifndef LEAKRS
			assert(m.e == HONEST)
#else
			skip	/* with the unit's rs the attacker can play the server */
#endif
		:: else ->
			/* SESSION: keep the ticket and the resumption secret */
			tk = m.b; rs = m.c
		fi;
		seq = 0;
		sent[1] = true;	/* the same report id on every retry (MUST-R8) */
		c_out!REPORT(key, seq, 1, 1, 0);
		if
		:: c_in?m -> if
			:: m.t == RECEIPT && m.a == key && m.b == 0 && m.c == 1 ->
				c_done = true; c_res_done = res; break
			:: else -> skip
			fi
		:: timeout -> skip
		fi;
next:		atomic {
			clear(m);
			sr = 0; spk = 0; key = 0; res = false;
			s++
		}
	od;
end_client:
#ifdef REACH
	/* sanity variant: a receipt is reachable, so the properties are not vacuous */
	assert(!c_done);
#endif
#ifdef REACHRES
	/* sanity variant: ... also in a resumed session */
	assert(!c_res_done);
#endif
	skip
}

proctype Server()
{
	msg m;
	byte n = 1, cr, sr, key, rseq, tk;

	xr s_in; xs s_out;

end_wait:
	do
	:: n > NSESS -> break
	:: n <= NSESS ->
		if
		:: s_in?m -> if
			:: m.t == CH -> skip
			/* the ticket opens under our ticket key (so it binds the unit
			 * and our own server key) and is one we issued */
			:: m.t == RH && m.b >= 1 && m.b <= NSESS && issued[m.b] -> tk = m.b
			:: else -> goto close
			fi
		:: timeout -> goto close
		fi;
		cr = m.a;
		sr = n;	/* fresh server random per connection (MUST-H1) */
		s_out!SH(sr, GENUINE, 0, 0, 0);
		if
		:: s_in?m -> skip
		:: timeout -> goto close
		fi;
		if
		:: tk != 0 ->
			if
			:: m.t != UA -> goto close
			:: else -> skip
			fi;
#if !defined(NOAUTH) && !defined(NORESUMESIG)
			/* the unit (the one the ticket names) signed this very RH and SH */
			if
			:: m.d && m.a == cr && m.b == sr && m.c == tk -> skip
			:: else -> goto close
			fi;
#endif
			key = RKEY(tk, cr, sr)	/* rs, from the opened ticket */
		:: else ->
			if
			:: m.t != KX -> goto close
			:: else -> skip
			fi;
#ifndef NOAUTH
			/* MUST-H4: the unit signature over this very CH and SH; MUST-H5: the
			 * pms must decrypt under our own key */
			if
			:: m.c && m.d == cr && m.e == sr && m.b == GENUINE -> skip
			:: else -> goto close
			fi;
#endif
			key = KID(m.a, cr, sr)
		fi;
		/* MUST-H6 */
		if
		:: s_in?m -> if
#ifdef NOFINC
			/* broken: a resumed session takes any client Finished */
			:: tk != 0 && m.t == FINC -> skip
#endif
			:: m.t == FINC && m.a == key -> skip
			:: else -> goto close
			fi
		:: timeout -> goto close
		fi;
		if
		:: tk != 0 ->
			/* resumed and logged in: the peer that proved the key is the
			 * genuine client, never one that only holds the ticket */
			assert(m.e != ATTACKER);
			s_out!FINS(key, 0, 0, 0, HONEST)
		:: else ->
			/* logged in: the SESSION record gives the client a ticket and its
			 * resumption secret, under the session key */
			issued[n] = true;
			s_out!FINS(key, n, n, 0, HONEST)
		fi;
		rseq = 0;
		do
		:: s_in?m ->
			/* MUST-C2: records under this session's key, in sequence */
			if
			:: m.t == REPORT && m.a == key && m.b == rseq ->
				rseq++;
#ifndef NOAUTH
				/* MUST-R7: the unit's own signature on the report */
				if
				:: !m.d -> goto close
				:: else -> skip
				fi;
#endif
				atomic {
#ifndef NODEDUP
					if
					:: stored[m.c] == 0 ->
#else
					if
					:: true ->
#endif
						/* recording a report the unit never sent is the attack */
						assert(sent[m.c]);
						stored[m.c]++;
						assert(stored[m.c] == 1)
					:: else -> skip	/* MUST-R8: DUPLICATE, nothing stored */
					fi
				};
				s_out!RECEIPT(key, 0, m.c, 0, 0);
				clear(m)
			:: else -> goto close	/* MUST-S1, MUST-C3 */
			fi
		:: timeout -> goto close	/* MUST-S4 idle timeout */
		od;
close:		atomic {
			clear(m);
			cr = 0; sr = 0; key = 0; rseq = 0; tk = 0;
			n++
		}
	od
}

/* Rebuild a message from knowledge: the attacker's own nonce, its own key, and
 * any pms it learned, every ticket the server issued, and a resumption secret
 * only in the leak variants; it cannot produce the unit's signatures nor a
 * ticket that opens. */
inline inject()
{
	if
	:: sr = 1
	:: sr = 2
	fi;
	if
	:: nfull(s_in) -> s_in!CH(ATT_NONCE, 0, 0, 0, 0)
	:: nfull(c_in) -> c_in!SH(ATT_NONCE, ATTACKER, 0, 0, 0)
	:: nfull(c_in) -> c_in!SH(ATT_NONCE, GENUINE, 0, 0, 0)
	:: nfull(s_in) -> s_in!KX(ATT_NONCE, GENUINE, 0, ATT_NONCE, sr)
	:: know_pms[1] && nfull(c_in) -> c_in!FINS(KID(1, 1, ATT_NONCE), 0, 0, 0, ATTACKER)
	:: know_pms[2] && nfull(c_in) -> c_in!FINS(KID(2, 2, ATT_NONCE), 0, 0, 0, ATTACKER)
	:: nfull(s_in) -> s_in!FINC(KID(ATT_NONCE, ATT_NONCE, sr), 0, 0, 0, ATTACKER)
	:: nfull(s_in) -> s_in!REPORT(KID(ATT_NONCE, ATT_NONCE, sr), 0, 2, 0, 0)
	:: know_pms[1] && nfull(s_in) -> s_in!REPORT(KID(1, 1, sr), 0, 2, 0, 0)
	:: know_pms[2] && nfull(s_in) -> s_in!REPORT(KID(2, 2, sr), 0, 2, 0, 0)
	/* resumption: replay a stolen ticket in its own RESUME_HELLO, or one it
	 * made up (never opens) */
	:: issued[1] && nfull(s_in) -> s_in!RH(ATT_NONCE, 1, 0, 0, 0)
	:: issued[2] && nfull(s_in) -> s_in!RH(ATT_NONCE, 2, 0, 0, 0)
	:: nfull(s_in) -> s_in!RH(ATT_NONCE, ATT_NONCE, 0, 0, 0)
	/* a UNIT_AUTH without the unit's signature */
	:: nfull(s_in) -> s_in!UA(ATT_NONCE, sr, 1, 0, ATTACKER)
	/* Finished under the resumed keys it can derive: from the randoms alone
	 * (the client resumes on its second connection, cr = 2), which is a key
	 * only when the key schedule leaves rs out (NORS), or with an rs it
	 * learned (LEAKRS) */
	:: JUNKFIN && nfull(s_in) -> s_in!FINC(RKEY(0, 2, sr), 0, 0, 0, ATTACKER)
	:: JUNKFIN && nfull(c_in) -> c_in!FINS(RKEY(0, 2, ATT_NONCE), 0, 0, 0, ATTACKER)
	:: KNOWRS(1) && nfull(s_in) -> s_in!FINC(RKEY(1, ATT_NONCE, sr), 0, 0, 0, ATTACKER)
	:: KNOWRS(2) && nfull(s_in) -> s_in!FINC(RKEY(2, ATT_NONCE, sr), 0, 0, 0, ATTACKER)
	:: KNOWRS(1) && nfull(c_in) -> c_in!FINS(RKEY(1, 2, ATT_NONCE), 0, 0, 0, ATTACKER)
	:: KNOWRS(2) && nfull(c_in) -> c_in!FINS(RKEY(2, 2, ATT_NONCE), 0, 0, 0, ATTACKER)
	:: skip	/* nothing sent (also when the channel is full) */
	fi;
	sr = 0
}

active proctype Attacker()
{
	msg m;
	byte budget = BUDGET, sr;

	xr c_out; xr s_out; xs c_in; xs s_in;

end_net:
	/* each step of the attacker is atomic: its inner choices are not seen by
	 * the parties, only the message it delivers (fewer states, same runs) */
	do
	/* intercept what the client sends: forward, keep, or drop */
	:: atomic { c_out?m ->
		if
		:: m.t == KX && m.b == ATTACKER -> know_pms[m.a] = true
		:: else -> skip
		fi;
		if
		:: nfull(s_in) -> s_in!m
		:: !have_saved -> saved.t = m.t; saved.a = m.a; saved.b = m.b; saved.c = m.c;
			saved.d = m.d; saved.e = m.e; have_saved = true
		:: skip	/* drop */
		fi;
		clear(m) }
	/* intercept what the server sends */
	:: atomic { s_out?m ->
		if
		:: nfull(c_in) -> c_in!m
		:: !have_saved -> saved.t = m.t; saved.a = m.a; saved.b = m.b; saved.c = m.c;
			saved.d = m.d; saved.e = m.e; have_saved = true
		:: skip
		fi;
		clear(m) }
	/* replay or deliver late (reorder) the captured message, to either side */
	:: atomic { have_saved && budget > 0 ->
		budget--;
		if
		:: nfull(s_in) -> s_in!saved
		:: nfull(c_in) -> c_in!saved
		:: skip
		fi }
	:: atomic { budget > 0 -> budget--; inject() }
	od
}

init
{
	atomic {
		run Server();
		run Client()
	}
}
