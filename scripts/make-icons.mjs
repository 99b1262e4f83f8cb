/**
 * Draws the app icon: resources/icon.svg, and the same shapes rasterized into resources/icon.png (512 px,
 * electron-builder's), icon-256.png (the window's) and icon-32.png (the favicon's fallback). No image tool
 * needed: the shapes are a rounded square and polygons, sampled 4×4 per pixel and written as PNG with zlib.
 * Run `node scripts/make-icons.mjs` after changing the shapes; the outputs are committed.
 */
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const SIZE = 512;
const RADIUS = 112;
const BACKGROUND = [0x4f, 0x46, 0xe5];
/** The guidepost: a pole, a sign pointing right, a paler one pointing left. In a 512-unit square. */
const SHAPES = [
  { fill: [0xff, 0xff, 0xff], points: [[240, 112], [272, 112], [272, 420], [240, 420]] },
  { fill: [0xff, 0xff, 0xff], points: [[136, 144], [336, 144], [388, 194], [336, 244], [136, 244]] },
  { fill: [0xc7, 0xd2, 0xfe], points: [[376, 272], [176, 272], [124, 322], [176, 372], [376, 372]] },
  { fill: [0xff, 0xff, 0xff], points: [[196, 408], [316, 408], [316, 432], [196, 432]] },
];

const hex = (rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

function svg() {
  const shapes = SHAPES.map((s) => `  <polygon fill="${hex(s.fill)}" points="${s.points.map((p) => p.join(',')).join(' ')}"/>`).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE} ${SIZE}" width="${SIZE}" height="${SIZE}">\n  <title>Guidepost</title>\n  <rect width="${SIZE}" height="${SIZE}" rx="${RADIUS}" fill="${hex(BACKGROUND)}"/>\n${shapes}\n</svg>\n`;
}

function insideRoundedSquare(x, y) {
  const cx = Math.min(Math.max(x, RADIUS), SIZE - RADIUS);
  const cy = Math.min(Math.max(y, RADIUS), SIZE - RADIUS);
  return x >= 0 && y >= 0 && x <= SIZE && y <= SIZE && (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS ** 2;
}

function insidePolygon(x, y, points) {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i];
    const [xj, yj] = points[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The colour at a point in the 512-unit square, or null outside the icon. */
function colourAt(x, y) {
  if (!insideRoundedSquare(x, y)) return null;
  for (let i = SHAPES.length - 1; i >= 0; i--) if (insidePolygon(x, y, SHAPES[i].points)) return SHAPES[i].fill;
  return BACKGROUND;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size) {
  const samples = 4;
  const scale = SIZE / size;
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = colourAt((px + (sx + 0.5) / samples) * scale, (py + (sy + 0.5) / samples) * scale);
          if (!c) continue;
          r += c[0]; g += c[1]; b += c[2]; a += 1;
        }
      }
      const o = 1 + px * 4;
      if (a > 0) {
        row[o] = Math.round(r / a); row[o + 1] = Math.round(g / a); row[o + 2] = Math.round(b / a);
      }
      row[o + 3] = Math.round((a / (samples * samples)) * 255);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const outputs = { 'resources/icon.svg': svg(), 'resources/icon.png': png(512), 'resources/icon-256.png': png(256), 'resources/icon-32.png': png(32) };
for (const [path, content] of Object.entries(outputs)) {
  writeFileSync(path, content);
  console.log(`wrote ${path}`);
}
