// Package picture draws the weekly digest's pictures: a tile-grid coverage
// map of the states and territories and a 12-week getback trend chart. It
// takes plain data and returns PNG bytes, with alt text that carries the
// same facts in words. It knows neither the store nor any chat platform.
//
// Drawing is pure Go (image/draw and golang.org/x/image's OpenType
// rasteriser with the Go fonts), so it needs no cgo and no external program.
// Both pictures use one sequential blue scheme whose steps differ in
// lightness, plus hatching for "never met" and "overdue", so they stay
// readable for colour-blind readers and in black-and-white print.
package picture

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"slices"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The palette: ColorBrewer's single-hue "Blues" (safe for every common
// colour-vision deficiency, and its steps stay apart in greyscale), greys for
// what is muted, and near-black for text.
var (
	white     = color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink       = color.RGBA{0x1a, 0x1a, 0x1a, 0xff} // text, outlines
	inkSoft   = color.RGBA{0x52, 0x52, 0x52, 0xff} // secondary text, axes
	gridGrey  = color.RGBA{0xd9, 0xd9, 0xd9, 0xff} // gridlines
	mutedFill = color.RGBA{0xee, 0xee, 0xee, 0xff} // tiles of other regions
	mutedInk  = color.RGBA{0x96, 0x96, 0x96, 0xff} // their labels
	hatchGrey = color.RGBA{0x96, 0x96, 0x96, 0xff} // "never met" hatching
	blue900   = color.RGBA{0x08, 0x30, 0x6b, 0xff}
	blue700   = color.RGBA{0x08, 0x51, 0x9c, 0xff}
	blue500   = color.RGBA{0x42, 0x92, 0xc6, 0xff}
	blue400   = color.RGBA{0x6b, 0xae, 0xd6, 0xff}
	blue200   = color.RGBA{0xc6, 0xdb, 0xef, 0xff}
)

// fonts holds the parsed Go fonts; parsing is done once.
var fonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var fs [2]*opentype.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return fs, fmt.Errorf("picture: parse font: %w", err)
		}
		fs[i] = f
	}
	return fs, nil
})

// style picks a face.
type style struct {
	size float64
	bold bool
}

// canvas is an image being drawn, with its faces (a face is not safe for
// concurrent use, so each canvas makes its own).
type canvas struct {
	img   *image.RGBA
	faces map[style]font.Face
	first font.Face
}

// newCanvas returns a white w×h canvas with a face for each of styles.
func newCanvas(w, h int, styles ...style) (*canvas, error) {
	fs, err := fonts()
	if err != nil {
		return nil, err
	}
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), faces: map[style]font.Face{}}
	for _, s := range styles {
		i := 0
		if s.bold {
			i = 1
		}
		f, err := opentype.NewFace(fs[i], &opentype.FaceOptions{Size: s.size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			c.close()
			return nil, fmt.Errorf("picture: font face %v: %w", s, err)
		}
		c.faces[s] = f
		if c.first == nil {
			c.first = f
		}
	}
	if c.first == nil {
		return nil, fmt.Errorf("picture: a canvas needs at least one font style")
	}
	c.fill(c.img.Bounds(), white)
	return c, nil
}

// face returns the face of s (made by newCanvas; the first one otherwise).
func (c *canvas) face(s style) font.Face {
	if f, ok := c.faces[s]; ok {
		return f
	}
	return c.first
}

func (c *canvas) close() {
	for _, f := range c.faces {
		f.Close()
	}
}

// fill paints r.
func (c *canvas) fill(r image.Rectangle, col color.Color) {
	draw.Draw(c.img, r, image.NewUniform(col), image.Point{}, draw.Src)
}

// outline draws a border of width w inside r.
func (c *canvas) outline(r image.Rectangle, col color.Color, w int) {
	c.fill(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), col)
	c.fill(image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), col)
	c.fill(image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y), col)
	c.fill(image.Rect(r.Max.X-w, r.Min.Y, r.Max.X, r.Max.Y), col)
}

// hatch paints r with bg crossed by diagonal lines ("/") of colour line,
// one every period pixels, width pixels wide. The pattern is anchored to
// the image, so neighbouring hatched areas line up.
func (c *canvas) hatch(r image.Rectangle, bg, line color.RGBA, period, width int) {
	r = r.Intersect(c.img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			col := bg
			if (x+y)%period < width {
				col = line
			}
			c.img.SetRGBA(x, y, col)
		}
	}
}

// width returns the advance of s in face s.
func (c *canvas) width(s string, st style) int {
	return font.MeasureString(c.face(st), s).Ceil()
}

// text draws s with its baseline starting at (x, y).
func (c *canvas) text(s string, st style, x, y int, col color.Color) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: c.face(st), Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// centred draws s centred on cx, baseline at y.
func (c *canvas) centred(s string, st style, cx, y int, col color.Color) {
	c.text(s, st, cx-c.width(s, st)/2, y, col)
}

// right draws s ending at x, baseline at y.
func (c *canvas) right(s string, st style, x, y int, col color.Color) {
	c.text(s, st, x-c.width(s, st), y, col)
}

// png encodes the image with a palette: a fraction of the size of a
// true-colour PNG, and several times quicker to compress.
func (c *canvas) png() ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&buf, paletted(c.img)); err != nil {
		return nil, fmt.Errorf("picture: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// clip shortens s with an ellipsis until it fits w pixels in st.
func (c *canvas) clip(s string, st style, w int) string {
	if c.width(s, st) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && c.width(string(r)+"…", st) > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// rgbKey packs an opaque pixel's colour.
func rgbKey(p []uint8) uint32 { return uint32(p[0])<<16 | uint32(p[1])<<8 | uint32(p[2]) }

// paletted converts an opaque image to at most 256 colours: the most
// frequent ones exactly (every flat fill of the pictures), and each rarer
// one (anti-aliased edges, when there are more than 256 colours) as its
// nearest palette colour. Runs of equal pixels are looked up once.
func paletted(img *image.RGBA) *image.Paletted {
	b := img.Bounds()
	counts := map[uint32]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, y):img.PixOffset(b.Max.X, y)]
		prev, run := rgbKey(row), 0
		for i := 0; i < len(row); i += 4 {
			if k := rgbKey(row[i:]); k != prev {
				counts[prev] += run
				prev, run = k, 0
			}
			run++
		}
		counts[prev] += run
	}
	keys := make([]uint32, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b uint32) int {
		if d := counts[b] - counts[a]; d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	})
	keys = keys[:min(len(keys), 256)]
	pal := make(color.Palette, len(keys))
	index := make(map[uint32]uint8, len(counts))
	for i, k := range keys {
		pal[i] = color.RGBA{uint8(k >> 16), uint8(k >> 8), uint8(k), 0xff}
		index[k] = uint8(i)
	}
	dst := image.NewPaletted(b, pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, y):img.PixOffset(b.Max.X, y)]
		out := dst.Pix[dst.PixOffset(b.Min.X, y):]
		prev, idx := ^uint32(0), uint8(0)
		for i := 0; i < len(row); i += 4 {
			if k := rgbKey(row[i:]); k != prev {
				j, ok := index[k]
				if !ok {
					j = nearest(keys, k)
					index[k] = j
				}
				prev, idx = k, j
			}
			out[i/4] = idx
		}
	}
	return dst
}

// nearest returns the index of the palette colour closest to k.
func nearest(keys []uint32, k uint32) uint8 {
	best, bestD := 0, 1<<62
	r, g, bl := int(k>>16), int(k>>8&0xff), int(k&0xff)
	for i, p := range keys {
		dr, dg, db := r-int(p>>16), g-int(p>>8&0xff), bl-int(p&0xff)
		if d := 3*dr*dr + 4*dg*dg + 2*db*db; d < bestD {
			best, bestD = i, d
		}
	}
	return uint8(best)
}
