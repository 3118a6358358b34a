#!/usr/bin/perl
# SPDX-License-Identifier: ISC
# Collect the JSON lines of tes-bench into one document, compute each ratio from
# figures of the same run, print the table against the targets (BENCHMARKS.md).
# Usage: table.pl MODE FIGS.jsonl OUT.json ELAPSED_S STORES IDLE_N REP_PER
use strict;
use warnings;
use JSON::PP;

my ($mode, $figs, $out, $elapsed, $stores, $idle_n, $rep_per) = @ARGV;
my $json = JSON::PP->new->canonical->pretty;
my (%f, @order, @bad);

open my $fh, '<', $figs or die "bench: $figs: $!\n";
while (my $l = <$fh>) {
	my $o = eval { decode_json($l) };
	if (!$o || !defined $o->{name}) { push @bad, "malformed line: $l"; next; }
	push @order, $o->{name} unless exists $f{$o->{name}};
	$f{$o->{name}} = $o;
}
close $fh;

sub med { my $o = $f{$_[0]}; return ($o && defined $o->{median}) ? $o->{median} : undef; }
sub need { for (@_) { push @bad, "missing figure $_" unless defined med($_); } }

my @lv = map { [split /:/] } split / /, $stores;
my @sess = map { (split /:/)[0] } split / /, $rep_per;
my ($big_n, $big_d) = @{$lv[-1]};
my ($small_d) = $lv[0][1];

# make bench-export: only the export figures (BENCHMARKS.md §8), their own table.
if ($mode eq 'export') {
	my ($sn) = @{$lv[0]};
	need(map { ("export_j$_->[0]_rows_per_s", "export_j$_->[0]_rss_kib", "export_local_j$_->[0]_rss_kib",
		"export_local_j$_->[0]_open_rss_kib") } @lv);
	for my $l (@lv) {
		my $o = $f{"export_j$l->[0]_rows"};
		push @bad, "export_j$l->[0]_rows: not every report exported" unless $o && $o->{min} == $l->[0];
	}
	my @checks = (
		["export process peak RSS at $big_n / at $sn reports (server running)",
			ratio("export_j${big_n}_rss_kib", "export_j${sn}_rss_kib"), '<=', 1.5, 'export_rss'],
		["export peak RSS / opening the store alone, at $big_n reports (server stopped)",
			ratio("export_local_j${big_n}_rss_kib", "export_local_j${big_n}_open_rss_kib"), '<=', 1.5, 'export_local_rss'],
		["export peak RSS at $big_n / at $sn reports (server stopped: the store's index included)",
			ratio("export_local_j${big_n}_rss_kib", "export_local_j${sn}_rss_kib"), 'info', undef],
		["export rows/s at $big_n / at $sn reports (server running)",
			ratio("export_j${big_n}_rows_per_s", "export_j${sn}_rows_per_s"), 'info', undef],
	);
	print "\nTES benchmark (export) — median over runs, min, max\n";
	printf "  %-44s %12s %12s %12s  %s\n", 'figure', 'median', 'min', 'max', 'unit';
	my $fmt = sub { my $v = shift; defined $v ? sprintf(abs($v) >= 100 ? '%.0f' : abs($v) >= 1 ? '%.2f' : '%.3g', $v) : 'n/a' };
	printf "  %-44s %12s %12s %12s  %s\n", $_, $fmt->($f{$_}{median}), $fmt->($f{$_}{min}), $fmt->($f{$_}{max}), $f{$_}{unit}
		for @order;
	print "\nRatios against the targets (figures of this run)\n";
	my @res;
	for my $c (@checks) {
		my ($what, $v, $op, $t, $name) = @$c;
		my $verdict = $op eq 'info' ? 'info' : !defined $v ? 'n/a' : $v <= $t ? 'met' : 'MISSED';
		push @bad, "ratio not produced: $what" if !defined $v && $op ne 'info';
		printf "  %-78s %8s  target %s %-4s %s\n", $what, $fmt->($v), $op eq 'info' ? '' : $op, $t // '-', $verdict;
		push @res, { what => $what, value => $v, op => $op, target => $t, verdict => $verdict, defined $name ? (name => $name) : () };
	}
	open my $oh, '>', $out or die "bench: $out: $!\n";
	print $oh $json->encode({ mode => $mode, date => scalar(gmtime()) . ' UTC', elapsed_s => $elapsed + 0,
		figures => [map { $f{$_} } @order], ratios => \@res, problems => \@bad });
	close $oh;
	print "\nwrote $out (${elapsed} s)\n";
	if (@bad) { print STDERR "bench: $_\n" for @bad; exit 1; }
	exit 0;
}

my @raw = qw(raw_rsa_oaep_decrypt raw_rsa_sign raw_rsa_verify raw_x25519 raw_x25519_keygen raw_3des_cbc raw_hmac_sha256
	raw_record_seal raw_record_open_report raw_journal_seal_report raw_report_digest raw_argon2id_default
	raw_argon2id_256kib raw_ticket_open raw_spawn_parser raw_mon_roundtrip raw_tcp_exchange raw_journal_append raw_journal_sync);
need(@raw, map({ "${_}_cpu_us" } @raw), qw(size_report_frame size_journal_report size_report_canonical size_receipt_frame size_ticket
	handshake_argon2_256kib_server_cpu_ms handshake_argon2_default_server_cpu_ms
	handshake_argon2_default_per_s handshake_argon2_256kib_per_s master_rss_idle0_kib
	resume_argon2_default_per_s resume_argon2_default_server_cpu_ms
	report_j0_p50_ms handshake_j0_p50_ms startup_j0_s));
need("report_s${_}_per_s", "report_s${_}_p50_ms", "report_s${_}_p99_ms") for @sess;
need("report_j$_->[0]_p50_ms", "handshake_j$_->[0]_p50_ms", "approve_d$_->[1]_p50_ms", "startup_j$_->[0]_s",
	"history_d$_->[1]_ms", "auditpage_d$_->[1]_ms", "tags_d$_->[1]_s") for @lv;
need("master_rss_idle${idle_n}_kib", "total_pss_idle${idle_n}_kib", "child_private_idle${idle_n}_kib");
for my $n (@order) {
	for my $k (qw(median min max)) {
		my $v = $f{$n}{$k};
		push @bad, "$n: $k is not a number" unless defined $v && $v =~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/i;
	}
}
for my $n (grep { /_errors$/ } @order) {
	push @bad, "$n: $f{$n}{max} failed operations" if $f{$n}{max} > 0;
}

sub ratio { my ($a, $b) = (med($_[0]), med($_[1])); return (defined $a && defined $b && $b > 0) ? $a / $b : undef; }
# operations per CPU-second of the server (master + session children) against a raw rate
sub inv_ratio { my ($ms, $raw) = (med($_[0]), med($_[1])); return (defined $ms && $ms > 0 && defined $raw && $raw > 0) ? 1000 / $ms / $raw : undef; }
my $ncpu = `nproc`; chomp $ncpu;
# The most handshakes/s the CPUs can complete from what the protocol makes each side compute,
# nothing else counted (no kernel, network, hashing or cipher): for the server an X25519 key pair
# and shared secret, the RSA-OAEP decryption, the RSA verify of the unit's signature and the
# Argon2id check of the login; for a client on the same CPUs (loopback) its X25519 pair and
# secret, the OAEP encryption (a public operation) and the unit's signature (a private one).
# With $child, also the one child process per connection of the design (raw_spawn_parser: start
# and reap the parser image, nothing parsed).
sub ceiling {
	my ($argon, $client, $child) = @_;
	my ($priv, $pub, $x, $pw, $sp) = map { med($_) } 'raw_rsa_oaep_decrypt', 'raw_rsa_verify', 'raw_x25519', $argon,
		'raw_spawn_parser';
	return undef unless $priv && $pub && $x && $pw && ($sp || !$child);
	my $s = 1 / $priv + 1 / $pub + 2 / $x + 1 / $pw;
	$s += 1 / $priv + 1 / $pub + 2 / $x if $client;
	$s += 1 / $sp if $child;
	return $ncpu / $s / $priv;
}
sub share { my ($m, $c) = @_; return (defined $m && defined $c && $c > 0) ? $m / $c : undef; }
my $s16 = (grep { $_ >= 16 } @sess)[0] // $sess[-1];
need("report_s${_}_server_cpu_ms") for @sess;

# Efficiency (BENCHMARKS.md §6): the server's CPU time per operation over the CPU time of the
# cryptography it cannot avoid for that operation, each part timed alone on one core in this run
# (raw_*_cpu_us: CPU time, which another job on the machine inflates far less than a rate).
my ($frame, $jrec, $canon) = map { med($_) // 0 } qw(size_report_frame size_journal_report size_report_canonical);
my @rep_parts = (['RSA-2048 PKCS#1 verify of the unit signature', 'raw_rsa_verify'],
	["record open: REPORT frame of $frame B (3DES-EDE3-CBC + HMAC-SHA256)", 'raw_record_open_report'],
	["journal seal: REPORT record of $jrec B (3DES-EDE3-CBC + HMAC-SHA256)", 'raw_journal_seal_report'],
	["SHA-256 digest of the canonical report ($canon B)", 'raw_report_digest']);
sub hs_parts { my ($k, $cost) = @_;
	return (['RSA-OAEP decrypt (the server key\'s one private operation)', 'raw_rsa_oaep_decrypt'],
		['X25519 key pair', 'raw_x25519_keygen'], ['X25519 shared secret', 'raw_x25519'],
		['RSA-2048 PKCS#1 verify of the unit signature', 'raw_rsa_verify'],
		["Argon2id check ($cost)", "raw_argon2id_$k"],
		['parser start (spawn, run and reap tes-parser)', 'raw_spawn_parser']); }
# A resumed handshake (spec/PROTOCOL.md#resumption): no RSA-OAEP private operation and no Argon2id;
# the child's fresh X25519 exchange, the master's check of the ticket and of the unit's signature
# over the resume transcript, and the one parser start per connection.
my $tkt = med('size_ticket') // 0;
my @rs_parts = (['X25519 key pair', 'raw_x25519_keygen'], ['X25519 shared secret', 'raw_x25519'],
	['RSA-2048 PKCS#1 verify of the unit signature (resume transcript)', 'raw_rsa_verify'],
	["ticket open: HMAC-SHA256 check + AES-256-CTR of a $tkt B ticket", 'raw_ticket_open'],
	['parser start (spawn, run and reap tes-parser)', 'raw_spawn_parser']);
sub eff {
	my ($what, $num, $op, $target, @parts) = @_;
	my ($den, @p) = (0);
	for (@parts) {
		my ($label, $fig) = @$_;
		my $us = med("${fig}_cpu_us");
		$den = undef unless defined $us;
		$den += $us / 1000 if defined $den;
		push @p, { what => $label, figure => "${fig}_cpu_us", ms => defined $us ? $us / 1000 : undef };
	}
	my $n = med($num);
	my $r = (defined $n && $den) ? $n / $den : undef;
	return { what => $what, numerator_figure => $num, numerator_ms => $n, denominator_ms => $den,
		 unaccounted_ms => (defined $n && defined $den) ? $n - $den : undef, parts => \@p, ratio => $r,
		 op => $op, target => $target };
}
# The least a report costs the server on this machine besides that cryptography, in this design:
# the session child's half of the loopback TCP exchange (reading the REPORT frame, writing the
# RECEIPT; the other half is the client's), one round trip between the child and the master (the
# privilege separation), one write(2) of the journal record and, at best, one fdatasync shared by
# the reports of every session in a group commit. With it, the best ratio this machine allows.
my $rcpt = med('size_receipt_frame') // 0;
sub rep_floor { my $n = shift;
	return (["half of a loopback TCP exchange ($frame B in, $rcpt B out)", 'raw_tcp_exchange', 0.5],
		['one round trip session child <-> master', 'raw_mon_roundtrip', 1],
		["one write(2) of the $jrec B journal record", 'raw_journal_append', 1],
		["one fdatasync shared by $n reports (group commit)", 'raw_journal_sync', 1 / $n]); }
sub floor {
	my ($e, @parts) = @_;
	my ($add, @p) = (0);
	for (@parts) {
		my ($label, $fig, $k) = @$_;
		my $us = med("${fig}_cpu_us");
		$add = undef unless defined $us;
		$add += $k * $us / 1000 if defined $add;
		push @p, { what => $label, figure => "${fig}_cpu_us", share => $k, ms => defined $us ? $k * $us / 1000 : undef };
	}
	$e->{floor_parts} = \@p;
	$e->{floor_ms} = (defined $add && $e->{denominator_ms}) ? $e->{denominator_ms} + $add : undef;
	$e->{best_ratio} = defined $e->{floor_ms} ? $e->{floor_ms} / $e->{denominator_ms} : undef;
	return $e;
}
my @eff = (floor(eff("report ($s16 sessions)", "report_s${s16}_server_cpu_ms", '<=', 1.1, @rep_parts), rep_floor($s16)),
	(map { floor(eff("report ($_ sessions)", "report_s${_}_server_cpu_ms", 'info', undef, @rep_parts), rep_floor($_)) }
		grep { $_ > $s16 } @sess),
	eff("handshake (Argon2id 256 KiB)", 'handshake_argon2_256kib_server_cpu_ms', '<=', 1.1, hs_parts('256kib', '256 KiB')),
	eff("handshake (Argon2id default)", 'handshake_argon2_default_server_cpu_ms', 'info', undef,
	    hs_parts('default', 'default cost')),
	{ %{eff("resumed handshake (resume_efficiency)", 'resume_argon2_default_server_cpu_ms', '<=', 1.5, @rs_parts)},
	  name => 'resume_efficiency' });
for (grep { $_->{op} ne 'info' } @eff) {
	push @bad, "efficiency ratio ($_->{what}) not produced" unless defined $_->{ratio};
}

my @checks = (
	(map { ["server CPU / unavoidable crypto, $_->{what}", $_->{ratio}, $_->{op}, $_->{target}, $_->{name}] } @eff),
	['resume_speedup: resumed / full handshakes/s (Argon2id default)', ratio('resume_argon2_default_per_s', 'handshake_argon2_default_per_s'), '>=', 5, 'resume_speedup'],
	['handshakes/s (Argon2id default) / raw RSA private (OAEP)', ratio('handshake_argon2_default_per_s', 'raw_rsa_oaep_decrypt'), 'info', undef],
	['handshakes/s (Argon2id 256 KiB, cheap) / raw RSA private', ratio('handshake_argon2_256kib_per_s', 'raw_rsa_oaep_decrypt'), 'info', undef],
	(map { ["reports/s at $_ sessions / raw RSA verify", ratio("report_s${_}_per_s", 'raw_rsa_verify'), '>=', 0.5] } grep { $_ >= $s16 } @sess),
	(map { my ($k, $cost) = @$_; my $c = ceiling("raw_argon2id_$k", 1, 1);
		["  ceiling ($cost): crypto of both ends on $ncpu CPUs / raw RSA", ceiling("raw_argon2id_$k", 1, 0), 'info', undef],
		["  ceiling ($cost): the same + a child per connection", $c, 'info', undef],
		["  measured / that ceiling ($cost)", share(ratio("handshake_argon2_${k}_per_s", 'raw_rsa_oaep_decrypt'), $c), 'info', undef],
		["  ceiling ($cost), clients elsewhere: server crypto + child", ceiling("raw_argon2id_$k", 0, 1), 'info', undef] }
		['default', 'default'], ['256kib', '256 KiB']),
	['  server CPU: handshakes per server CPU-second (256 KiB) / raw RSA private', inv_ratio('handshake_argon2_256kib_server_cpu_ms', 'raw_rsa_oaep_decrypt'), 'info', undef],
	(map { ["  server CPU: reports per server CPU-second at $_ sessions / raw verify", inv_ratio("report_s${_}_server_cpu_ms", 'raw_rsa_verify'), 'info', undef] } grep { $_ >= $s16 } @sess),
	["report p50 at $big_n reports / empty journal", ratio("report_j${big_n}_p50_ms", 'report_j0_p50_ms'), '<=', 2],
	["approval p50 at $big_d drivers / at $small_d drivers", ratio("approve_d${big_d}_p50_ms", "approve_d${small_d}_p50_ms"), '<=', 2],
	["handshake p50 at $big_n reports + $big_d drivers / empty store", ratio("handshake_j${big_n}_p50_ms", 'handshake_j0_p50_ms'), 'info', undef],
	["start-up s with $big_n reports + $big_d drivers", med("startup_j${big_n}_s"), '<=', 5],
	["start-up largest / smallest store", ratio("startup_j${big_n}_s", 'startup_j0_s'), 'info', undef],
	["dashboard: plate history at $big_d drivers / at $small_d", ratio("history_d${big_d}_ms", "history_d${small_d}_ms"), 'info', undef],
	["dashboard: audit page at $big_d drivers / at $small_d", ratio("auditpage_d${big_d}_ms", "auditpage_d${small_d}_ms"), 'info', undef],
	['private KiB per session child (median)', med("child_private_idle${idle_n}_kib"), '<=', 128],
	["total MiB (PSS) with $idle_n idle sessions", defined med("total_pss_idle${idle_n}_kib") ? med("total_pss_idle${idle_n}_kib") / 1024 : undef, '<=', 256],
);

sub fmt { my $v = shift; return 'n/a' unless defined $v; return sprintf(abs($v) >= 100 ? '%.0f' : abs($v) >= 1 ? '%.2f' : '%.3g', $v); }
sub row { my $o = $f{$_[0]}; return sprintf("  %-44s %12s %12s %12s  %s\n", $_[0], fmt($o->{median}), fmt($o->{min}), fmt($o->{max}), $o->{unit}); }

print "\nTES benchmark ($mode) — median over runs, min, max\n";
printf "  %-44s %12s %12s %12s  %s\n", 'figure', 'median', 'min', 'max', 'unit';
print row($_) for @order;
print "\nRatios against the targets (figures of this run)\n";
my @res;
for my $c (@checks) {
	my ($what, $v, $op, $t, $name) = @$c;
	my $verdict = $op eq 'info' ? 'info' : !defined $v ? 'n/a' : ($op eq '>=' ? $v >= $t : $v <= $t) ? 'met' : 'MISSED';
	printf "  %-58s %10s  target %s %-6s %s\n", $what, fmt($v), $op eq 'info' ? '' : $op, $op eq 'info' ? '-' : $t, $verdict;
	push @res, { what => $what, value => $v, op => $op, target => $t, verdict => $verdict, defined $name ? (name => $name) : () };
}
print "\nEfficiency: server CPU per operation / CPU of the cryptography it cannot avoid (this run)\n";
for my $e (@eff) {
	my $verdict = $e->{op} eq 'info' ? 'info' : !defined $e->{ratio} ? 'n/a' : $e->{ratio} <= $e->{target} ? 'met' : 'MISSED';
	$e->{verdict} = $verdict;
	printf "  %s: %s ms / %s ms = %s   target %s %s  %s\n", $e->{what}, fmt($e->{numerator_ms}), fmt($e->{denominator_ms}),
		fmt($e->{ratio}), $e->{op} eq 'info' ? '' : $e->{op}, $e->{op} eq 'info' ? '-' : $e->{target}, $verdict;
	printf "    %10s ms  %-68s %s\n", fmt($e->{numerator_ms}), 'server CPU per operation (master, children, workers)', $e->{numerator_figure};
	printf "    %10s ms  %-68s %s\n", fmt($_->{ms}), $_->{what}, $_->{figure} for @{$e->{parts}};
	printf "    %10s ms  %s\n", fmt($e->{unaccounted_ms}), 'not accounted for (numerator - sum of the parts)';
	next unless $e->{floor_parts};
	printf "    the least the design needs besides on this machine: %s ms, so the best ratio it allows is %s%s\n",
		fmt($e->{floor_ms}), fmt($e->{best_ratio}),
		defined $e->{best_ratio} && $e->{op} ne 'info' && $e->{best_ratio} > $e->{target}
		    ? " (above the target: out of reach here)" : '';
	printf "    %10s ms  %-68s %s\n", fmt($_->{ms}), $_->{what}, $_->{figure} for @{$e->{floor_parts}};
}
{
	print "\n  ($mode mode: toy sizes, the figures mean nothing)\n" if $mode eq 'smoke';
}

my $cpu = `grep -m1 'model name' /proc/cpuinfo`; $cpu =~ s/.*:\s*//; chomp $cpu;
my $mem = `grep -m1 MemTotal /proc/meminfo`; $mem =~ s/.*:\s*//; chomp $mem;
my $kern = `uname -sr`; chomp $kern;
my $doc = {
	mode => $mode, date => scalar(gmtime()) . ' UTC', elapsed_s => $elapsed + 0,
	machine => { cpu => $cpu, cpus => $ncpu + 0, memory => $mem, kernel => $kern },
	figures => [map { $f{$_} } @order], ratios => \@res, efficiency => \@eff, problems => \@bad,
};
open my $oh, '>', $out or die "bench: $out: $!\n";
print $oh $json->encode($doc);
close $oh;
print "\nwrote $out (${elapsed} s)\n";
if (@bad) { print STDERR "bench: $_\n" for @bad; exit 1; }
exit 0;
