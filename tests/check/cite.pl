#!/usr/bin/perl
# SPDX-License-Identifier: ISC
# make check: spec citations. Usage: cite.pl [ROOT]
#
# Requirements are defined in spec/*.md as list items "- MUST-<ID>: ..." under a section anchor
# <a id="...">. This check fails when
#   - an id is defined twice (in one file or across spec/);
#   - a citation in src/ or sandbox/ (a comment such as "/*= spec/FILE.md#anchor MUST-ID, MUST-ID..ID,
#     #anchor MUST-ID */": any comment that names a MUST id is read as one) names a file, anchor or
#     id that does not exist, or an id outside the section it names, or an id before any spec
#     file (a bare "MUST-S2");
#   - a defined id is cited nowhere in src/ or sandbox/ (where it is enforced), or appears in no test
#     (tests/, fuzz/: the id, or a range that holds it, in the test that checks it).
# A range MUST-F1..F5 cites each id in it.
use strict;
use warnings;
use File::Find;

my $root = shift // '.';
chdir $root or die "cite: cannot enter $root: $!\n";
my (@err, %def, %anchors, %in_code, %in_test);

sub err { push @err, join('', @_) }

# Expand "F1..F5" style ranges: prefix letters must agree.
sub expand {
	my ($id, $to) = @_;
	return ($id) unless defined $to;
	my ($p, $a) = $id =~ /^([A-Z]+)(\d+)$/ or return ($id);
	my ($q, $b) = $to =~ /^([A-Z]+)(\d+)$/ or return ($id);
	return ($id) if $p ne $q || $b < $a;
	return map { "$p$_" } $a .. $b;
}

# Definitions.
for my $spec (glob 'spec/*.md') {
	open my $fh, '<', $spec or die "cite: $spec: $!\n";
	my $anchor = '';
	while (my $l = <$fh>) {
		$anchors{$spec}{$1} = 1, $anchor = $1 while $l =~ /<a id="([\w-]+)"><\/a>/g;
		next unless $l =~ /^- MUST-([A-Z]+\d+)\b/;
		my $id = $1;
		if (exists $def{$id}) {
			err "$spec:$.: MUST-$id is already defined in $def{$id}{file}:$def{$id}{line}";
			next;
		}
		$def{$id} = { file => $spec, line => $., anchor => $anchor };
	}
	close $fh;
}

sub files_under {
	my ($re, @dirs) = @_;
	my @f;
	find({ no_chdir => 1, wanted => sub { push @f, $_ if -f $_ && $_ =~ $re } }, grep { -d } @dirs);
	return sort @f;
}

# One citation comment: "spec/FILE.md#anchor MUST-A, MUST-B..C, #other MUST-D: text".
sub citation {
	my ($where, $text) = @_;
	my ($file, $anchor);
	while ($text =~ /(spec\/[A-Z]+\.md)(?:#([\w-]+))?|(?<![\w\/])#([\w-]+)|MUST-([A-Z]+\d+)(?:\.\.([A-Z]+\d+))?/g) {
		if (defined $1) {
			($file, $anchor) = ($1, $2);
			err "$where: no such spec file $file" unless -f $file;
			err "$where: $file has no anchor #$anchor" if defined $anchor && -f $file && !$anchors{$file}{$anchor};
		} elsif (defined $3) {
			$anchor = $3;
			err "$where: $file has no anchor #$anchor" if defined $file && -f $file && !$anchors{$file}{$anchor};
		} else {
			for my $id (expand($4, $5)) {
				my $d = $def{$id};
				if (!defined $file) {
					err "$where: MUST-$id cited without its spec file";
				} elsif (!$d) {
					err "$where: MUST-$id is not defined in spec/";
				} elsif ($d->{file} ne $file) {
					err "$where: MUST-$id is defined in $d->{file}, not $file";
				} elsif (defined $anchor && $d->{anchor} ne $anchor) {
					err "$where: MUST-$id is in $file#$d->{anchor}, not #$anchor";
				} else {
					$in_code{$id} = $where;
				}
			}
		}
	}
}

# Citations where the requirements are enforced: every comment that names a MUST id is parsed
# as a citation, so each id must follow its spec file (and anchor) in that comment.
for my $f (files_under(qr/\.[ch]$/, 'src', 'sandbox')) {
	open my $fh, '<', $f or die "cite: $f: $!\n";
	local $/;
	my $s = <$fh>;
	close $fh;
	while ($s =~ m{/\*(.*?)\*/|//([^\n]*)}sg) {
		my ($c, $line) = (defined $1 ? $1 : $2, 1 + (substr($s, 0, $-[0]) =~ tr/\n//));
		next unless $c =~ /MUST-/;
		citation("$f:$line", $c);
	}
}

# Tests that check them.
for my $f (files_under(qr/\.(?:c|h|sh|bash|mjs|pml)$/, 'tests', 'fuzz')) {
	next if $f =~ m{^tests/check/};     # the checks themselves do not test requirements
	open my $fh, '<', $f or die "cite: $f: $!\n";
	while (my $l = <$fh>) {
		while ($l =~ /MUST-([A-Z]+\d+)(?:\.\.([A-Z]+\d+))?/g) {
			for my $id (expand($1, $2)) {
				err "$f:$.: MUST-$id is not defined in spec/" unless $def{$id};
				$in_test{$id} //= "$f:$.";
			}
		}
	}
	close $fh;
}

for my $id (sort keys %def) {
	my $d = $def{$id};
	err "$d->{file}:$d->{line}: MUST-$id is cited nowhere in src/ or sandbox/" unless $in_code{$id};
	err "$d->{file}:$d->{line}: MUST-$id appears in no test (tests/, fuzz/)" unless $in_test{$id};
}

my $n = scalar keys %def;
if (@err) {
	print STDERR "cite: $_\n" for @err;
	printf STDERR "cite: %d problem%s (%d requirements)\n", scalar @err, @err == 1 ? '' : 's', $n;
	exit 1;
}
print "cite: $n requirements, each cited where it is enforced and in a test\n";
exit 0;
