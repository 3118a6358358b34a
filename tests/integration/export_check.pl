#!/usr/bin/perl
# SPDX-License-Identifier: ISC
# export.sh's checker (spec/EXPORT.md): reads an export in CSV and in JSON Lines and the output of
# 'tes-officer show' for every report, and checks the exports field by field against it.
#   export_check.pl CSV JSONL SHOWS     prints "ok N" (N rows) or the first differences, exits 1
#   export_check.pl --ids CSV           prints the id column, one per line
#   export_check.pl --rows CSV          prints the rows as "number id status observed", one per line
use strict;
use warnings;
use JSON::PP;

my @cols = qw(number id received unit plate speed limit observed location status points officer decided
  reason policy_version);
my @num = qw(number speed limit points policy_version);

sub slurp { local $/; open my $fh, '<:raw', $_[0] or die "$_[0]: $!\n"; my $s = <$fh>; $s }

# RFC 4180 (MUST-EX4): quoted fields with doubled quotes, every record ends in CRLF.
sub csv_parse {
	my ($s) = @_;
	my (@rows, @f);
	die "a line ends in a bare LF\n" if $s =~ /(?<!\r)\n/;
	die "the file does not end in CRLF\n" if length $s && $s !~ /\r\n\z/;
	pos($s) = 0;
	while (pos($s) < length $s) {
		my $fld;
		if ($s =~ /\G"((?:[^"]|"")*)"/gc) {
			($fld = $1) =~ s/""/"/g;
		} elsif ($s =~ /\G([^",\r\n]*)/gc) {
			$fld = $1;
			die "a field with a comma or quote is not quoted: $fld\n" if $fld =~ /[",]/;
		}
		push @f, $fld;
		next if $s =~ /\G,/gc;
		die "bad CSV at byte " . pos($s) . "\n" unless $s =~ /\G\r\n/gc;
		push @rows, [@f];
		@f = ();
	}
	return @rows;
}

sub csv_records {
	my ($file) = @_;
	my ($hdr, @rows) = csv_parse(slurp($file));
	die "header: @$hdr\n" unless join(',', @$hdr) eq join(',', @cols);
	my @out;
	for my $r (@rows) {
		die "row with " . scalar(@$r) . " fields\n" unless @$r == @cols;
		my %h;
		@h{@cols} = @$r;
		push @out, \%h;
	}
	return @out;
}

if ($ARGV[0] eq '--ids' || $ARGV[0] eq '--rows') {
	for my $r (csv_records($ARGV[1])) {
		print $ARGV[0] eq '--ids' ? "$r->{id}\n" : "$r->{number} $r->{id} $r->{status} $r->{observed}\n";
	}
	exit 0;
}

my ($csvf, $jsonf, $showf) = @ARGV;
my @csv = csv_records($csvf);
my @err;
sub bad { push @err, join('', @_) }

# JSON Lines (MUST-EX5): one object per line, keys in order, numbers as numbers, null when absent.
my $json = JSON::PP->new;
my @jl = split /\n/, slurp($jsonf), -1;
pop @jl if @jl && $jl[-1] eq '';
bad "jsonl: " . scalar(@jl) . " lines, csv " . scalar(@csv) . " rows" unless @jl == @csv;
for my $k (0 .. $#jl) {
	my $line = $jl[$k];
	my $o = eval { $json->decode($line) };
	if (!$o) { bad "jsonl line ", $k + 1, ": not JSON: $@"; next }
	my @keys = $line =~ /(?<!\\)"(\w+)":/g;
	bad "jsonl line ", $k + 1, ": keys @keys" unless join(',', @keys) eq join(',', @cols);
	my $c = $csv[$k] or next;
	for my $f (@cols) {
		my $v = $o->{$f};
		my $want = $c->{$f};
		if ($want eq '') {
			bad "jsonl line ", $k + 1, ": $f is not null" if defined $v;
		} elsif (grep { $_ eq $f } @num) {
			bad "jsonl line ", $k + 1, ": $f is not a number" unless defined $v && $line =~ /"$f":\d+[,}]/;
			bad "jsonl line ", $k + 1, ": $f $v, csv $want" unless defined $v && $v == $want;
		} else {
			bad "jsonl line ", $k + 1, ": $f '", $v // 'null', "', csv '$want'" unless defined $v && $v eq $want;
		}
	}
}

# 'tes-officer show' of every report: "== ID" then its output.
my (%show, $cur);
for (split /\n/, slurp($showf)) {
	if (/^== ([0-9a-f]{32})$/) { $cur = $1; next }
	push @{ $show{$cur} }, $_ if defined $cur;
}
my $n = 0;
my $t = qr/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/;
for my $c (@csv) {
	my $lines = $show{ $c->{id} };
	if (!$lines) { bad "report $c->{id}: no show output"; next }
	my ($num, $id, $plate, $speed, $lim, $obs, $unit, $pts, $loc) =
	  $lines->[0] =~ /^(\d+)\s+([0-9a-f]{32}) (\S+)\s+(\d+)\s+(\S+)  ($t)  (\S+)\s+(\d+)  (.*)$/
	  or do { bad "report $c->{id}: show row '$lines->[0]'"; next };
	my ($pv) = ($lines->[1] // '') =~ /^\s+policy v(\d+): /
	  or do { bad "report $c->{id}: show policy line"; next };
	my ($st, $rcv) = ($lines->[2] // '') =~ /^status: (\w+)  received: ($t)$/
	  or do { bad "report $c->{id}: show status line"; next };
	my %want = (number => $num, id => $id, plate => $plate, speed => $speed, limit => $lim eq '-' ? '' : $lim,
		observed => $obs, unit => $unit, points => $pts, location => $loc eq '-' ? '' : $loc,
		status => lc $st, received => $rcv, officer => '', reason => '', policy_version => $pv);
	if ($st ne 'PENDING') {
		my ($who, $why) = ($lines->[3] // '') =~ /^decided by (\S+): (.*)$/
		  or do { bad "report $c->{id}: show decision line"; next };
		@want{qw(officer reason)} = ($who, $why);
		bad "report $c->{id}: decided '$c->{decided}' is no time at or after received"
		  unless $c->{decided} =~ /^$t$/ && $c->{decided} ge $c->{received};
	} else {
		bad "report $c->{id}: pending with a decision time" if $c->{decided} ne '';
	}
	for my $f (keys %want) {
		bad "report $c->{id}: $f '$c->{$f}', show '$want{$f}'" unless $c->{$f} eq $want{$f};
	}
	$n++;
}
bad "numbers not 1..N in order" unless join(',', map { $_->{number} } @csv) eq join(',', 1 .. @csv);
if (@err) {
	print "# $_\n" for @err[0 .. ($#err > 9 ? 9 : $#err)];
	print scalar(@err), " differences\n";
	exit 1;
}
print "ok $n\n";
