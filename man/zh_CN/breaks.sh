#!/bin/sh
# The Chinese manual as groff reads it.  groff 1.22 breaks a line only at a
# space, and Chinese has none: a paragraph would run past the screen's edge.
# So: a break point (\:) after each Chinese character, except before a
# closing mark (，。）...) and after an opening one (（「...); no space where
# one Chinese line joins the next (\c); and lines left-adjusted, not
# stretched at their few spaces.  `make install` installs this, and
# tests/docs.bats checks that it renders without a warning.
exec perl -CSD -0777 -pe '
    my $cjk = qr/[\x{2E80}-\x{9FFF}\x{FF01}-\x{FF60}\x{3000}-\x{303F}]/;
    my $closing = qr/[\x{FF0C}\x{3002}\x{3001}\x{FF1B}\x{FF1A}\x{FF01}\x{FF1F}\x{FF09}\x{300D}\x{300F}\x{300B}\x{3009}]/;
    my $opening = qr/[\x{FF08}\x{300C}\x{300E}\x{300A}\x{3008}]/;
    my ($out, $verbatim) = ("", 0);
    for my $line (split /^/) {
        $verbatim = 1 if $line =~ /^\.(EX|nf)\b/;
        $verbatim = 0 if $line =~ /^\.(EE|fi)\b/;
        unless ($verbatim || $line =~ /^\.\\"/) {
            $line =~ s/($cjk)(?=[^\s\\])/ my $c = $1; ($c =~ $opening || substr($line, $+[0], 1) =~ $closing) ? $c : "$c\\:" /ge;
        }
        $out .= $line;
    }
    # a text line that ends in Chinese, and a text line that starts with it:
    # joined without a space (not a macro line: a heading would run into its text)
    $out =~ s/^([^.\x27\n][^\n]*$cjk)\n(?=$cjk)/$1\\c\n/mg;
    $out =~ s/^(\.TH .*\n)/$1.ad l\n/m;
    $_ = $out;
' "$@"
