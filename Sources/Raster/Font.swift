// Font: an SDL2_ttf font file found at run time, opened per pixel size on demand. The file is the
// first that provides 碳 (U+78B3) among: $NETZERO_FONT, `Font.knownPaths` (Debian CJK fonts), then
// every *.ttc/*.ttf/*.otf under `Font.searchDirectories` in sorted order. Text is rasterised with
// TTF_RenderUTF8_Blended into RGBA8 `Image`s (for Canvas2D's texture atlas, or tests).

import CSDL2
import Foundation

public final class Font {
    // MARK: - Discovery

    /// Debian font files known to cover Chinese, best first.
    public static let knownPaths = [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        "/usr/share/fonts/truetype/arphic/ukai.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    ]
    public static let searchDirectories = ["/usr/share/fonts", "/usr/local/share/fonts"]
    /// The glyph a font must have to be chosen: 碳 (carbon).
    public static let probeCharacter: Unicode.Scalar = "\u{78B3}"

    /// The path of the first installed font that provides `probeCharacter`.
    /// Throws `.fontNotFound` listing what was examined.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let ttf = TTFLibrary()
        return try withExtendedLifetime(ttf) { try search(environment: environment) }
    }

    private static func search(environment: [String: String]) throws -> String {
        var searched: [String] = []
        var candidates: [String] = []
        if let override = environment["NETZERO_FONT"], !override.isEmpty { candidates.append(override) }
        candidates += knownPaths
        for path in candidates {
            searched.append(path)
            if FileManager.default.fileExists(atPath: path), provides(probeCharacter, path: path) { return path }
        }
        for directory in searchDirectories {
            searched.append(directory + "/**")
            guard let walker = FileManager.default.enumerator(atPath: directory) else { continue }
            var files: [String] = []
            while let item = walker.nextObject() as? String {
                let lower = item.lowercased()
                if lower.hasSuffix(".ttc") || lower.hasSuffix(".ttf") || lower.hasSuffix(".otf") {
                    files.append(directory + "/" + item)
                }
            }
            for path in files.sorted() where !candidates.contains(path) {
                if provides(probeCharacter, path: path) { return path }
            }
        }
        throw RasterError.fontNotFound(searched: searched)
    }

    /// Whether the font file at `path` has a glyph for `scalar` (TTF_GlyphIsProvided32).
    /// Requires TTF to be initialised (see `TTFLibrary`).
    static func provides(_ scalar: Unicode.Scalar, path: String) -> Bool {
        guard let font = TTF_OpenFont(path, 16) else { return false }
        defer { TTF_CloseFont(font) }
        return TTF_GlyphIsProvided32(font, scalar.value) != 0
    }

    // MARK: - Instance

    public let path: String
    private let ttf: TTFLibrary
    private var faces: [Int: OpaquePointer] = [:]

    /// Opens the font at `path`, or the located CJK font when nil.
    public init(path: String? = nil) throws {
        ttf = TTFLibrary()
        if let error = ttf.error { throw RasterError.fontLoad(path: path ?? "(TTF_Init)", message: error) }
        let chosen = try path ?? Font.locate()
        self.path = chosen
        guard let probe = TTF_OpenFont(chosen, 16) else {
            throw RasterError.fontLoad(path: chosen, message: String(cString: SDL_GetError()))
        }
        faces[16] = probe
    }

    deinit {
        for face in faces.values { TTF_CloseFont(face) }
    }

    /// The TTF_Font* for a pixel size (opened and cached on first use); nil if SDL_ttf fails.
    func face(size: Int) -> OpaquePointer? {
        let size = min(max(size, 4), 512)
        if let f = faces[size] { return f }
        guard let f = TTF_OpenFont(path, Int32(size)) else { return nil }
        faces[size] = f
        return f
    }

    /// Whether the font has a real glyph for `scalar`.
    public func hasGlyph(_ scalar: Unicode.Scalar, size: Int = 16) -> Bool {
        guard let f = face(size: size) else { return false }
        return TTF_GlyphIsProvided32(f, scalar.value) != 0
    }

    /// Recommended line height in pixels.
    public func lineHeight(size: Int) -> Int {
        guard let f = face(size: size) else { return size }
        return Int(TTF_FontLineSkip(f))
    }

    /// Width and height in pixels of `text` rendered at `size` (height is the font height).
    public func measure(_ text: String, size: Int) -> (width: Int, height: Int) {
        guard let f = face(size: size) else { return (0, size) }
        var w: Int32 = 0, h: Int32 = 0
        if text.isEmpty || TTF_SizeUTF8(f, text, &w, &h) != 0 { return (0, Int(TTF_FontHeight(f))) }
        return (Int(w), Int(h))
    }

    /// `text` rendered with TTF_RenderUTF8_Blended in `color`: RGB is the colour, A the coverage
    /// (times the colour's alpha). Nil for empty text or when SDL_ttf fails.
    public func rasterize(_ text: String, size: Int, color: RGBA8 = .white) -> Image? {
        guard !text.isEmpty, let f = face(size: size) else { return nil }
        guard let surface = TTF_RenderUTF8_Blended(f, text, SDL_Color(r: color.r, g: color.g, b: color.b, a: color.a)) else {
            return nil
        }
        defer { SDL_FreeSurface(surface) }
        guard let rgba = SDL_ConvertSurfaceFormat(surface, nz_SDL_PIXELFORMAT_RGBA32(), 0) else { return nil }
        defer { SDL_FreeSurface(rgba) }
        if nz_SDL_MUSTLOCK(rgba) != 0 { SDL_LockSurface(rgba) }
        defer { if nz_SDL_MUSTLOCK(rgba) != 0 { SDL_UnlockSurface(rgba) } }
        let w = Int(rgba.pointee.w), h = Int(rgba.pointee.h), pitch = Int(rgba.pointee.pitch)
        guard w > 0, h > 0, let base = rgba.pointee.pixels else { return nil }
        var pixels = [UInt8](repeating: 0, count: w * h * 4)
        pixels.withUnsafeMutableBytes { dst in
            for y in 0..<h {
                (dst.baseAddress! + y * w * 4).copyMemory(from: base + y * pitch, byteCount: w * 4)
            }
        }
        return Image(width: w, height: h, pixels: pixels)
    }
}

// MARK: - SDL_ttf lifetime

/// Balances TTF_Init/TTF_Quit (SDL_ttf ≥ 2.0.18 counts nested calls).
final class TTFLibrary {
    let error: String?
    init() {
        if TTF_Init() != 0 {
            error = String(cString: SDL_GetError())
        } else {
            error = nil
        }
    }
    deinit { if error == nil { TTF_Quit() } }
}
