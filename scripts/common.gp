# Shared settings of the vgpusim plot scripts, loaded by each (`vgpusim plot` puts this folder on
# gnuplot's loadpath).  From the command line: fmt ('png' or 'svg') and out (path without extension).
if (!exists("fmt")) fmt = 'png'
if (fmt eq 'svg') {
    set terminal svg size 1200,700 dynamic font 'Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1200,700 font 'Sans,11' background rgb 'white'
}
set output out.'.'.fmt
# Names such as weighted-slice_us=500 are shown as written (no enhanced-text subscripts).
set termoption noenhanced
set datafile separator "\t"
set datafile missing "NaN"
set border 3
set tics nomirror
set grid ytics lc rgb '#dddddd'
# Series colours (policies, engine classes) and tenant colours (Gantt charts), as 0xRRGGBB words.
policy_colors = '0x4878d0 0xee854a 0x6acc64 0xd65f5f 0x956cb4 0x8c613c 0xdc7ec0 0x797979 0xd5bb67 0x82c6e2'
tenant_colors = '0x1f77b4 0xff7f0e 0x2ca02c 0xd62728 0x9467bd 0x8c564b 0xe377c2 0x7f7f7f 0xbcbd22 0x17becf 0xaec7e8 0xffbb78 0x98df8a 0xff9896 0xc5b0d5 0xc49c94 0xf7b6d2 0xc7c7c7 0xdbdb8d 0x9edae5'
pcol(i) = int(word(policy_colors, int(i) % words(policy_colors) + 1))
tcol(i) = int(word(tenant_colors, int(i) % words(tenant_colors) + 1))
