/* SPDX-License-Identifier: ISC */
/*
 * TES handshake and reporting, with a Dolev-Yao network (spec/PROTOCOL.md
 * sections 3-9). Read spec/model/README.md for what is abstracted and why.
 *
 * Symbolic terms: nonces and pre-master secrets are small integers; a key is
 * the tuple it is derived from; encryption and signatures are fields that
 * only their owner can produce. Build flags select deliberately broken
 * variants (NOPIN, NOAUTH, NODEDUP) that check.sh expects to fail.
 */

#define GENUINE   1	/* the officer server's RSA key */
#define ATTACKER  2	/* a key the attacker owns (substitution attempt) */
#define NSESS     2	/* client connections (the second one retries the report) */
#define ATT_NONCE 3	/* randoms and pms the attacker makes up */
#ifndef BUDGET
#define BUDGET    4	/* attacker replays/injections (bounds the search) */
#endif

#define KID(pms, cr, sr)	((pms) * 16 + (cr) * 4 + (sr))

mtype = { CH, SH, KX, FINC, FINS, REPORT, RECEIPT };

/*
 * One message layout for every frame:
 *   CH      a=client random
 *   SH      a=server random b=server key
 *   KX      a=pms b=key the pms is encrypted under, c=unit signature valid,
 *           d=client random and e=server random the signature binds
 *   FINC/S  a=key id (MAC key derived from pms, cr, sr)
 *   REPORT  a=key id b=record seq c=report id d=unit signature on the report
 *   RECEIPT a=key id b=record seq c=report id
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
	byte s = 1, cr, sr, spk, key, seq;

	do
	:: s > NSESS -> break
	:: s <= NSESS ->
		cr = s;
		c_out!CH(cr, 0, 0, 0, 0);
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
		/* pms = s; the unit signature binds CH, SH (cr, sr, key) and oaep */
		c_out!KX(s, spk, 1, cr, sr);
		key = KID(s, cr, sr);
		c_out!FINC(key, 0, 0, 0, 0);
		/* MUST-H7: server Finished under the key only the pms holder derives */
		if
		:: c_in?m -> if
			:: m.t == FINS && m.a == key -> skip
			:: else -> goto next
			fi
		:: timeout -> goto next
		fi;
		/* established: the key must be the genuine server's */
		assert(spk == GENUINE);
		seq = 0;
		sent[1] = true;	/* the same report id on every retry (MUST-R8) */
		c_out!REPORT(key, seq, 1, 1, 0);
		if
		:: c_in?m -> if
			:: m.t == RECEIPT && m.a == key && m.b == 0 && m.c == 1 ->
				c_done = true; break
			:: else -> skip
			fi
		:: timeout -> skip
		fi;
next:		clear(m);
		sr = 0; spk = 0; key = 0;
		s++
	od;
end_client:
#ifdef REACH
	/* sanity variant: a receipt is reachable, so the properties are not vacuous */
	assert(!c_done);
#endif
	skip
}

proctype Server()
{
	msg m;
	byte n = 1, cr, sr, key, rseq;

end_wait:
	do
	:: n > NSESS -> break
	:: n <= NSESS ->
		if
		:: s_in?m -> if
			:: m.t == CH -> skip
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
		key = KID(m.a, cr, sr);
		/* MUST-H6 */
		if
		:: s_in?m -> if
			:: m.t == FINC && m.a == key -> skip
			:: else -> goto close
			fi
		:: timeout -> goto close
		fi;
		s_out!FINS(key, 0, 0, 0, 0);
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
close:		clear(m);
		cr = 0; sr = 0; key = 0; rseq = 0;
		n++
	od
}

/* Rebuild a message from knowledge: the attacker's own nonce, its own key, and
 * any pms it learned; it cannot produce the unit's signatures. */
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
	:: know_pms[1] && nfull(c_in) -> c_in!FINS(KID(1, 1, ATT_NONCE), 0, 0, 0, 0)
	:: know_pms[2] && nfull(c_in) -> c_in!FINS(KID(2, 2, ATT_NONCE), 0, 0, 0, 0)
	:: nfull(s_in) -> s_in!FINC(KID(ATT_NONCE, ATT_NONCE, sr), 0, 0, 0, 0)
	:: nfull(s_in) -> s_in!REPORT(KID(ATT_NONCE, ATT_NONCE, sr), 0, 2, 0, 0)
	:: know_pms[1] && nfull(s_in) -> s_in!REPORT(KID(1, 1, sr), 0, 2, 0, 0)
	:: know_pms[2] && nfull(s_in) -> s_in!REPORT(KID(2, 2, sr), 0, 2, 0, 0)
	:: skip	/* nothing sent (also when the channel is full) */
	fi;
	sr = 0
}

active proctype Attacker()
{
	msg m;
	byte budget = BUDGET, sr;

end_net:
	do
	/* intercept what the client sends: forward, keep, or drop */
	:: c_out?m ->
		atomic {
			if
			:: m.t == KX && m.b == ATTACKER -> know_pms[m.a] = true
			:: else -> skip
			fi
		};
		if
		:: nfull(s_in) -> s_in!m
		:: !have_saved -> saved.t = m.t; saved.a = m.a; saved.b = m.b; saved.c = m.c;
			saved.d = m.d; saved.e = m.e; have_saved = true
		:: skip	/* drop */
		fi;
		clear(m)
	/* intercept what the server sends */
	:: s_out?m ->
		if
		:: nfull(c_in) -> c_in!m
		:: !have_saved -> saved.t = m.t; saved.a = m.a; saved.b = m.b; saved.c = m.c;
			saved.d = m.d; saved.e = m.e; have_saved = true
		:: skip
		fi;
		clear(m)
	/* replay or deliver late (reorder) the captured message, to either side */
	:: have_saved && budget > 0 ->
		budget--;
		if
		:: nfull(s_in) -> s_in!saved
		:: nfull(c_in) -> c_in!saved
		:: skip
		fi
	:: budget > 0 -> budget--; inject()
	od
}

init
{
	atomic {
		run Server();
		run Client()
	}
}
