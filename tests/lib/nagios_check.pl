#!/usr/bin/perl
# nagios_check.pl: read one tool's --nagios output on stdin and check it as a
# consumer of the Monitoring Plugins format does, with Debian's Monitoring::Plugin
# (libmonitoring-plugin-perl): one line, "TOOL STATE - text | perfdata", the part
# before '|' under 80 characters, the state word agreeing with the exit code, and
# every perfdata item parsed by Monitoring::Plugin::Performance->parse_perfstring,
# its warn and crit fields by Monitoring::Plugin::Range.
#
#   nagios_check.pl --tool NAME --rc EXIT [--want STATE] [--perf LABEL]...
#                   [--atleast LABEL=MIN]... [--figure REGEX --warning R --critical R]
#
# --perf LABEL: that item must be there. --atleast: and its value MIN or more. --figure: recompute the state from the
# items whose label matches REGEX with Monitoring::Plugin::Threshold (the worst of
# them) and the ranges given to the tool; it must be the state the tool said.
# Prints "ok" or one line saying what is wrong; exit 0 or 1.
use strict;
use warnings;
use Getopt::Long;
use Monitoring::Plugin::Functions qw(%ERRORS %STATUS_TEXT);
use Monitoring::Plugin::Performance;
use Monitoring::Plugin::Range;
use Monitoring::Plugin::Threshold;

my ($tool, $rc, $want, $figure, $warn, $crit) = ('', -1, undef, undef, undef, undef);
my (@need, @atleast);
GetOptions('tool=s' => \$tool, 'rc=i' => \$rc, 'want=s' => \$want, 'perf=s' => \@need,
	   'atleast=s' => \@atleast, 'figure=s' => \$figure, 'warning=s' => \$warn, 'critical=s' => \$crit) or die "bad options\n";

sub bad { print "@_\n"; exit 1; }

local $/;
my $out = <STDIN> // '';
bad("no output") if $out eq '';
bad("not one line: " . ($out =~ tr/\n//) . " newlines") unless $out =~ /\A[^\n]*\n\z/;
$out =~ s/\n\z//;
my ($head, $perf) = split /\s\|\s/, $out, 2;
bad("status part is " . length($head) . " characters (80 or more)") if length($head) >= 80;
my $T = uc $tool;
$head =~ /\A\Q$T\E (OK|WARNING|CRITICAL|UNKNOWN) - (.*)\z/ or bad("status part not 'TOOL STATE - text': $head");
my ($state, $text) = ($1, $2);
bad("state $state but exit $rc") unless defined $ERRORS{$state} && $ERRORS{$state} == $rc;
bad("state $state, expected $want") if defined $want && $want ne $state;
bad("'|' in the text") if $text =~ /\|/;

my %val;
if (defined $perf) {
	bad("empty perfdata after '|'") if $perf =~ /\A\s*\z/;
	my @items = split /\s+/, $perf;
	my @p = Monitoring::Plugin::Performance->parse_perfstring($perf);
	bad("perfdata: " . scalar(@p) . " of " . scalar(@items) . " items parsed: $perf") if @p != @items;
	for my $i (0 .. $#p) {
		my ($pp, $raw) = ($p[$i], $items[$i]);
		$raw =~ /\A'([^'=\s]+)'=(-?[0-9]+(?:\.[0-9]+)?)([a-zA-Z%]*)(;[^;]*){0,4}\z/
			or bad("perfdata item not 'label'=value[UOM];...: $raw");
		my ($lab, $num) = ($1, $2);
		# Every field written must be one the consumer read, as written.
		my @f = split /;/, $raw, -1;
		my @got = ($pp->warning, $pp->critical, $pp->min, $pp->max);
		for my $k (1 .. $#f) {
			my $g = $got[$k - 1] // '';
			bad("field $k of $raw read as '$g'") if $f[$k] ne $g && !($f[$k] =~ /\A-?[0-9.]+\z/ && $g ne '' && $f[$k] == $g);
		}
		bad("label $lab parsed as " . $pp->label) if $pp->label ne $lab;
		bad("value of $lab parsed as " . $pp->value) if $pp->value != $num;
		my $uom = $pp->uom // '';
		bad("unit '$uom' of $lab is none of the guidelines'") unless $uom =~ /\A(|s|ms|us|%|B|KB|MB|TB|c)\z/;
		for my $f (qw(warning critical)) {
			my $r = $pp->$f;
			next unless defined $r && $r ne '';
			# (a Range object stringifies to its text: "0" is a range, and false)
			bad("$f '$r' of $lab is no range") unless defined Monitoring::Plugin::Range->parse_range_string($r);
		}
		for my $f (qw(min max)) {
			my $v = $pp->$f;
			bad("$f '$v' of $lab is no number") if defined $v && $v ne '' && $v !~ /\A-?[0-9]+(\.[0-9]+)?\z/;
		}
		bad("label $lab twice") if exists $val{$pp->label};
		$val{$pp->label} = $pp->value;
	}
}
for my $l (@need) {
	bad("no perfdata item '$l' in: " . ($perf // '')) unless exists $val{$l};
}
for my $a (@atleast) {
	my ($l, $min) = split /=/, $a, 2;
	bad("no perfdata item '$l' in: " . ($perf // '')) unless exists $val{$l};
	bad("'$l' is $val{$l}, expected at least $min") unless $val{$l} >= $min;
}
if (defined $figure) {
	my @v = map { $val{$_} } grep { /$figure/ } sort keys %val;
	bad("no perfdata item matches /$figure/") unless @v;
	my $t = Monitoring::Plugin::Threshold->set_thresholds(warning => $warn, critical => $crit);
	my $s = $t->get_status(\@v);
	bad("Monitoring::Plugin::Threshold says $STATUS_TEXT{$s} for @v (warning " . ($warn // '-') .
	    ", critical " . ($crit // '-') . "), the tool said $state") if $STATUS_TEXT{$s} ne $state;
}
print "ok\n";
exit 0;
