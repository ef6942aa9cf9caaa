// ChartCanvas.swift — a small CPU rasteriser for the report's charts: an RGBA8 buffer with
// filled rectangles, anti-aliased lines and discs, dashed rules, and text blitted from SDL2_ttf.
//
// No window and no GL: SDL2_ttf renders text into CPU surfaces (TTF_Init needs no video
// subsystem), through `Raster.Font`, which finds a CJK-capable font as the game does. Everything
// is plain arithmetic in a fixed order, so the same chart gives the same bytes every time; the
// result is a `Raster.Image`, encoded with Raster's PNG encoder.
import Raster

public struct ChartCanvas {
    public let width: Int
    public let height: Int
    /// width × height × 4 bytes, RGBA, row 0 at the top.
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGBA8) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 4)
        for i in stride(from: 0, to: pixels.count, by: 4) {
            pixels[i] = background.r; pixels[i + 1] = background.g; pixels[i + 2] = background.b; pixels[i + 3] = background.a
        }
    }

    public var image: Image { Image(width: width, height: height, pixels: pixels) }

    // MARK: - Pixels

    /// Mixes `color` into the pixel at (x, y) with `coverage` 0…1 (times the colour's alpha).
    @inline(__always)
    public mutating func blend(_ x: Int, _ y: Int, _ color: RGBA8, coverage: Double = 1) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let a = min(1, max(0, coverage)) * Double(color.a) / 255
        guard a > 0 else { return }
        let i = (y * width + x) * 4
        if a >= 1 {
            pixels[i] = color.r; pixels[i + 1] = color.g; pixels[i + 2] = color.b; pixels[i + 3] = 255
            return
        }
        func mix(_ d: UInt8, _ s: UInt8) -> UInt8 { UInt8((Double(d) * (1 - a) + Double(s) * a).rounded()) }
        pixels[i] = mix(pixels[i], color.r)
        pixels[i + 1] = mix(pixels[i + 1], color.g)
        pixels[i + 2] = mix(pixels[i + 2], color.b)
        pixels[i + 3] = UInt8(min(255, (Double(pixels[i + 3]) + 255 * a).rounded()))
    }

    /// Fills the pixels whose centres lie in [x0, x1) × [y0, y1) (rounded to whole pixels).
    public mutating func fill(x0: Double, y0: Double, x1: Double, y1: Double, _ color: RGBA8) {
        let left = max(0, Int(min(x0, x1).rounded())), right = min(width, Int(max(x0, x1).rounded()))
        let top = max(0, Int(min(y0, y1).rounded())), bottom = min(height, Int(max(y0, y1).rounded()))
        guard left < right, top < bottom else { return }
        for y in top..<bottom { for x in left..<right { blend(x, y, color) } }
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: RGBA8) {
        fill(x0: Double(x), y0: Double(y), x1: Double(x + w), y1: Double(y + h), color)
    }

    /// A one-pixel outline of the rectangle.
    public mutating func stroke(x: Int, y: Int, width w: Int, height h: Int, _ color: RGBA8) {
        guard w > 0, h > 0 else { return }
        fill(x: x, y: y, width: w, height: 1, color)
        fill(x: x, y: y + h - 1, width: w, height: 1, color)
        fill(x: x, y: y, width: 1, height: h, color)
        fill(x: x + w - 1, y: y, width: 1, height: h, color)
    }

    /// A horizontal rule at row `y` from x0 to x1; dashed when `dash` > 0 (dash and gap in pixels).
    public mutating func horizontal(y: Int, x0: Int, x1: Int, _ color: RGBA8, thickness: Int = 1, dash: Int = 0) {
        for x in min(x0, x1)..<max(x0, x1) where dash == 0 || (x - min(x0, x1)) / dash % 2 == 0 {
            for t in 0..<thickness { blend(x, y + t - thickness / 2, color) }
        }
    }

    /// A vertical rule at column `x` from y0 to y1; dashed when `dash` > 0.
    public mutating func vertical(x: Int, y0: Int, y1: Int, _ color: RGBA8, thickness: Int = 1, dash: Int = 0) {
        for y in min(y0, y1)..<max(y0, y1) where dash == 0 || (y - min(y0, y1)) / dash % 2 == 0 {
            for t in 0..<thickness { blend(x + t - thickness / 2, y, color) }
        }
    }

    /// An anti-aliased line of `thickness` pixels with round ends: each pixel in the segment's
    /// bounding box is covered by how far its centre is inside the stroke.
    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ color: RGBA8, thickness: Double = 2) {
        let half = thickness / 2
        let left = Int((min(x0, x1) - half - 1).rounded(.down)), right = Int((max(x0, x1) + half + 1).rounded(.up))
        let top = Int((min(y0, y1) - half - 1).rounded(.down)), bottom = Int((max(y0, y1) + half + 1).rounded(.up))
        let dx = x1 - x0, dy = y1 - y0
        let lengthSquared = dx * dx + dy * dy
        for y in max(0, top)...max(0, min(height - 1, bottom)) {
            for x in max(0, left)...max(0, min(width - 1, right)) {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                var t = lengthSquared > 0 ? ((px - x0) * dx + (py - y0) * dy) / lengthSquared : 0
                t = min(1, max(0, t))
                let ex = px - (x0 + t * dx), ey = py - (y0 + t * dy)
                let coverage = half + 0.5 - (ex * ex + ey * ey).squareRoot()
                if coverage > 0 { blend(x, y, color, coverage: coverage) }
            }
        }
    }

    /// A filled, anti-aliased disc.
    public mutating func disc(_ cx: Double, _ cy: Double, radius: Double, _ color: RGBA8) {
        line(cx, cy, cx, cy, color, thickness: radius * 2)
    }

    // MARK: - Text

    public enum Align { case left, center, right }

    /// Draws `text` with its top-left (or top-centre, top-right) at (x, y); returns its size.
    /// `rotated`: turned 90° counter-clockwise (reading upwards), anchored at its bottom-left
    /// (x, y) then, with `align` along the vertical.
    @discardableResult
    public mutating func text(_ text: String, x: Int, y: Int, size: Int, _ color: RGBA8, painter: TextPainter,
                              align: Align = .left, rotated: Bool = false) -> (width: Int, height: Int) {
        guard let glyphs = painter.coverage(text, size: size) else { return (0, 0) }
        let w = glyphs.width, h = glyphs.height
        if rotated {
            let shift = align == .center ? w / 2 : align == .right ? w : 0
            for gy in 0..<h {
                for gx in 0..<w {
                    let a = glyphs.pixels[(gy * w + gx) * 4 + 3]
                    if a > 0 { blend(x + gy, y + shift - gx, color, coverage: Double(a) / 255) }
                }
            }
            return (h, w)
        }
        let left = align == .center ? x - w / 2 : align == .right ? x - w : x
        for gy in 0..<h {
            for gx in 0..<w {
                let a = glyphs.pixels[(gy * w + gx) * 4 + 3]
                if a > 0 { blend(left + gx, y + gy, color, coverage: Double(a) / 255) }
            }
        }
        return (w, h)
    }
}

/// Text rasterised by SDL2_ttf into coverage bitmaps (white, alpha = coverage), cached per text
/// and size. One painter serves a whole report.
public final class TextPainter {
    public let font: Font
    private var cache: [String: Image] = [:]

    /// Opens the font the game uses (`Font.locate`: $NETZERO_FONT, then Debian's CJK fonts).
    public init(fontPath: String? = nil) throws(ReportError) {
        do {
            font = try Font(path: fontPath)
        } catch {
            throw .noFont(String(describing: error))
        }
    }

    func coverage(_ text: String, size: Int) -> Image? {
        let key = "\(size)\u{0}\(text)"
        if let cached = cache[key] { return cached }
        guard let image = font.rasterize(text, size: size) else { return nil }
        cache[key] = image
        return image
    }

    /// Width and height of `text` at `size`, in pixels.
    public func measure(_ text: String, size: Int) -> (width: Int, height: Int) {
        guard let image = coverage(text, size: size) else { return (0, font.lineHeight(size: size)) }
        return (image.width, image.height)
    }

    /// `symbol` if the font has a glyph for each of its characters, else `fallback`.
    public func glyphOr(_ symbol: String, _ fallback: String) -> String {
        symbol.unicodeScalars.allSatisfy { font.hasGlyph($0) } ? symbol : fallback
    }
}
