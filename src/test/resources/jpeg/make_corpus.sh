#!/bin/sh
# Regenerates the JPEG test corpus of JpegDecoderTest: small JPEG files made by libjpeg-turbo's
# cjpeg (and one CMYK file by ImageMagick, which also encodes with libjpeg), each with the pixels
# libjpeg-turbo's djpeg decodes from it with its default settings (islow IDCT, fancy upsampling),
# which are the pixels Pillow's Image.open gives.
# Needs Debian's libjpeg-turbo-progs (cjpeg, djpeg) and ImageMagick:
#   apt-get install -y libjpeg-turbo-progs imagemagick
# Run from this directory: sh make_corpus.sh   (set CONVERT to pick an ImageMagick binary).
# The source pixels are crops of point-e's corgi.jpg and cube_stack.jpg (kept here, see README.md).
set -eu
cd "$(dirname "$0")"
CONVERT=${CONVERT:-convert}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

djpeg -ppm corgi.jpg > "$tmp/corgi.ppm"
djpeg -ppm cube_stack.jpg > "$tmp/cube.ppm"
crop() { # crop SRC WxH+X+Y OUT
  "$CONVERT" "$tmp/$1.ppm" -crop "$2" +repage "ppm:$3"
}
crop corgi 37x23+101+97 "$tmp/odd.ppm"
crop cube 160x120+40+70 "$tmp/mid.ppm"
crop corgi 2x17+120+100 "$tmp/narrow.ppm"
crop corgi 1x1+128+128 "$tmp/dot.ppm"
crop cube 17x2+100+100 "$tmp/flat.ppm"

for f in *.jpg *.ppm *.pgm; do
  case $f in corgi.jpg|cube_stack.jpg) ;; *) rm -f "$f" ;; esac
done
enc() { # enc NAME SOURCE cjpeg-options...
  name=$1 src=$2
  shift 2
  cjpeg "$@" -outfile "$name.jpg" "$tmp/$src.ppm"
}
enc base444_37x23 odd -quality 90 -sample 1x1
enc base422_37x23 odd -quality 90 -sample 2x1
enc base420_37x23 odd -quality 90 -sample 2x2
enc base440_37x23 odd -quality 90 -sample 1x2
enc base411_37x23 odd -quality 90 -sample 4x1
enc base420_q100_37x23 odd -quality 100 -sample 2x2
enc base420_q5_37x23 odd -quality 5 -sample 2x2
enc base420_opt_rst_160x120 mid -quality 85 -sample 2x2 -optimize -restart 3B
enc base444_rst_37x23 odd -quality 75 -sample 1x1 -restart 1
enc prog420_160x120 mid -quality 85 -progressive -sample 2x2
enc prog444_37x23 odd -quality 90 -progressive -sample 1x1
enc prog422_rst_37x23 odd -quality 90 -progressive -sample 2x1 -restart 2B
enc grey_37x23 odd -quality 80 -grayscale
enc grey_prog_37x23 odd -quality 80 -grayscale -progressive
enc rgb_37x23 odd -quality 90 -rgb
enc narrow420_2x17 narrow -quality 90 -sample 2x2
enc narrow422_2x17 narrow -quality 90 -sample 2x1
enc flat420_17x2 flat -quality 90 -sample 2x2
enc dot420_1x1 dot -quality 90 -sample 2x2
enc arith_37x23 odd -quality 90 -arithmetic
enc arith_prog_37x23 odd -quality 90 -arithmetic -progressive -sample 2x1
enc arith_rst_160x120 mid -quality 85 -arithmetic -sample 1x1 -restart 2B
enc arith_grey_prog_37x23 odd -quality 70 -arithmetic -progressive -grayscale
# Four components with an Adobe marker: ImageMagick writes YCCK (Adobe transform 2); the same
# file with the transform byte set to 0 is read as plain (inverted) CMYK.
"$CONVERT" "$tmp/odd.ppm" -colorspace CMYK -quality 90 ycck_37x23.jpg
at=$(grep -obUa Adobe ycck_37x23.jpg | head -n 1 | cut -d: -f1)
cp ycck_37x23.jpg cmyk_37x23.jpg
printf '\000' | dd of=cmyk_37x23.jpg bs=1 seek=$((at + 11)) conv=notrunc 2>/dev/null

for f in *.jpg; do
  # point-e's two images are compared with the pixels Pillow decoded in the official run
  # (fixtures/clip/clip_preprocess.npz), which djpeg also matches.
  case $f in corgi.jpg|cube_stack.jpg) continue ;; esac
  base=${f%.jpg}
  # -pnm writes PGM for grey and PPM for colour; for CMYK and YCCK djpeg writes RGB computed as
  # R = round(C * K / 255) from the file's (inverted) samples, which the test recomputes.
  djpeg -pnm "$f" > "$tmp/out.pnm"
  case $(head -c 2 "$tmp/out.pnm") in
    P5) mv "$tmp/out.pnm" "$base.pgm" ;;
    *) mv "$tmp/out.pnm" "$base.ppm" ;;
  esac
done
