// Image: an RGBA8 picture with rows top-down (what Render's `Renderer.readPixels()` returns), a few pixel
// helpers for tests, and file output: `pngData()` (encoder in PNG.swift) and `writePNG(to:)`, which
// writes atomically (temporary file in the same directory, fsync, rename, fsync of the directory).

import Foundation

public struct RGBA8: Hashable, Sendable, CustomStringConvertible {
    public var r: UInt8, g: UInt8, b: UInt8, a: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) { self.r = r; self.g = g; self.b = b; self.a = a }
    public static let white = RGBA8(255, 255, 255)
    /// Largest per-channel difference in r, g, b.
    public func distance(to o: RGBA8) -> Int {
        max(abs(Int(r) - Int(o.r)), abs(Int(g) - Int(o.g)), abs(Int(b) - Int(o.b)))
    }
    public var description: String { "rgba(\(r), \(g), \(b), \(a))" }
}

public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// width × height × 4 bytes, RGBA, row 0 is the top row.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 4,
                     "Image needs width × height × 4 bytes")
        self.width = width; self.height = height; self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: RGBA8 = RGBA8(0, 0, 0, 0)) {
        var p = [UInt8](repeating: 0, count: width * height * 4)
        for i in stride(from: 0, to: p.count, by: 4) {
            p[i] = fill.r; p[i + 1] = fill.g; p[i + 2] = fill.b; p[i + 3] = fill.a
        }
        self.init(width: width, height: height, pixels: p)
    }

    // MARK: - Pixels

    public subscript(x: Int, y: Int) -> RGBA8 {
        get {
            let i = (y * width + x) * 4
            return RGBA8(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
        }
        set {
            let i = (y * width + x) * 4
            pixels[i] = newValue.r; pixels[i + 1] = newValue.g; pixels[i + 2] = newValue.b; pixels[i + 3] = newValue.a
        }
    }

    /// Number of pixels in the rectangle whose colour differs from `background` by more than
    /// `tolerance` in some channel (r, g, b).
    public func countPixels(differentFrom background: RGBA8, tolerance: Int = 8,
                            x: Int = 0, y: Int = 0, width w: Int? = nil, height h: Int? = nil) -> Int {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + (w ?? width)), y1 = min(height, y + (h ?? height))
        guard x0 < x1, y0 < y1 else { return 0 }
        var count = 0
        for yy in y0..<y1 {
            for xx in x0..<x1 where self[xx, yy].distance(to: background) > tolerance { count += 1 }
        }
        return count
    }

    /// The set of distinct colours (capped at `limit` to keep it cheap).
    public func distinctColors(limit: Int = 4096) -> Set<RGBA8> {
        var seen = Set<RGBA8>()
        for y in 0..<height {
            for x in 0..<width {
                seen.insert(self[x, y])
                if seen.count >= limit { return seen }
            }
        }
        return seen
    }

    /// A copy of a sub-rectangle (clipped to the image).
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> Image {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return Image(width: 0, height: 0, pixels: []) }
        var out: [UInt8] = []
        out.reserveCapacity((x1 - x0) * (y1 - y0) * 4)
        for yy in y0..<y1 { out += pixels[((yy * width + x0) * 4)..<((yy * width + x1) * 4)] }
        return Image(width: x1 - x0, height: y1 - y0, pixels: out)
    }

    // MARK: - Files

    /// Encodes as PNG and writes it atomically to `path`.
    public func writePNG(to path: String, compression: PNG.Compression = .fast) throws {
        try writeFileAtomically(pngData(compression: compression), to: path)
    }
}

// MARK: - Atomic file writing

/// Writes `bytes` to `path` so that readers see either the old file or the complete new one:
/// write a temporary file beside it, fsync it, rename it over `path`, fsync the directory.
public func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    func failure(_ what: String) -> RasterError {
        RasterError.io(path: path, message: "\(what): \(String(cString: strerror(errno)))")
    }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("open \(temporary)") }
    var written = 0
    let ok: Bool = bytes.withUnsafeBytes { raw in
        while written < raw.count {
            let n = write(fd, raw.baseAddress! + written, raw.count - written)
            if n < 0 { if errno == EINTR { continue }; return false }
            written += n
        }
        return true
    }
    if !ok || fsync(fd) != 0 {
        let error = failure(ok ? "fsync" : "write")
        close(fd); unlink(temporary)
        throw error
    }
    if close(fd) != 0 { let error = failure("close"); unlink(temporary); throw error }
    if rename(temporary, path) != 0 { let error = failure("rename"); unlink(temporary); throw error }
    let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dirFD >= 0 { _ = fsync(dirFD); close(dirFD) }
}
