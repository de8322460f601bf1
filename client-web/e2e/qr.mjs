// Which URL a QR code on a page holds, without a camera: src/ui/qr.ts draws every QR code as one
// SVG path from qrcode-generator (type 0, level M, byte mode, a 4-module quiet zone), so the path
// for a candidate text, drawn the same way, equals the page's exactly when the texts are equal.

import qrcode from 'qrcode-generator';

export function qrPath(text) {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 4;
  let d = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (qr.isDark(y, x)) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    }
  }
  return d;
}

/** The candidate whose QR code is drawn by `path`, or null. */
export function qrText(path, candidates) {
  return candidates.find((text) => qrPath(text) === path) ?? null;
}
