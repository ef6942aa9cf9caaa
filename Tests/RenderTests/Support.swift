// Test support for RenderTests: whether a display is available, a single dedicated thread on
// which every SDL/GL call of the tests runs (GL contexts are bound to one thread, and Swift
// Testing moves work between threads), and an independent CRC-32 / PNG chunk reader.

import Checksum
import Foundation
import Raster
import Render
import Testing

enum Display {
    /// True when DISPLAY names an X server (the Makefile runs the tests under `xvfb-run -a`).
    static let available: Bool = {
        guard let d = ProcessInfo.processInfo.environment["DISPLAY"], !d.isEmpty else { return false }
        return true
    }()

    /// When NETZERO_RENDER_SHOTS names a directory, the window tests save their frames there as PNG.
    static func saveShot(_ image: Image, name: String) {
        guard let dir = ProcessInfo.processInfo.environment["NETZERO_RENDER_SHOTS"], !dir.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try image.writePNG(to: dir + "/" + name + ".png")
        } catch {
            Issue.record("could not save \(name).png: \(error)")
        }
    }

    static let skipReason: Comment =
        "DISPLAY is unset: window tests need an X server; run the test binary under `xvfb-run -a`"
}

/// Runs closures one at a time on one long-lived thread.
final class RenderThread: @unchecked Sendable {
    static let shared = RenderThread()

    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "render-tests"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    func run<T>(_ body: @escaping () throws -> T) throws -> T {
        var result: Result<T, Error>?
        let done = DispatchSemaphore(value: 0)
        condition.lock()
        jobs.append {
            result = Result { try body() }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return try result!.get()
    }
}

// MARK: - Independent PNG reading (not the encoder's own code)

/// Bitwise CRC-32, written separately from CRC32.checksum's table version.
func referenceCRC32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}

struct Chunk {
    var type: String
    var data: ArraySlice<UInt8>
    var storedCRC: UInt32
    var computedCRC: UInt32
}

func bigEndian32(_ b: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
    let i = b.startIndex + at
    return UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}

/// Splits a PNG file after its signature into chunks, recomputing each CRC.
func readChunks(_ png: [UInt8]) -> [Chunk] {
    var chunks: [Chunk] = []
    var i = 8
    let all = png[...]
    while i + 12 <= png.count {
        let length = Int(bigEndian32(all, i))
        guard i + 12 + length <= png.count else { break }
        let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
        let data = png[(i + 8)..<(i + 8 + length)]
        let stored = bigEndian32(all, i + 8 + length)
        chunks.append(Chunk(type: type, data: data, storedCRC: stored,
                            computedCRC: referenceCRC32(png[(i + 4)..<(i + 8 + length)])))
        i += 12 + length
    }
    return chunks
}

/// Decodes `png` with Python's zlib in a subprocess (unfiltering in Python) and returns the RGBA
/// bytes, or nil when python3 is not available.
func decodeWithPython(_ png: [UInt8]) throws -> [UInt8]? {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("render-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("in.png"), output = dir.appendingPathComponent("out.rgba")
    try Data(png).write(to: input)
    let script = """
        import struct, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
        i, idat, w, h = 8, b'', 0, 0
        while i < len(data):
            n, = struct.unpack('>I', data[i:i+4]); t = data[i+4:i+8]; body = data[i+8:i+8+n]
            crc, = struct.unpack('>I', data[i+8+n:i+12+n])
            assert zlib.crc32(t + body) & 0xffffffff == crc, t
            if t == b'IHDR': w, h = struct.unpack('>II', body[:8]); assert body[8:13] == bytes([8, 6, 0, 0, 0])
            if t == b'IDAT': idat += body
            i += 12 + n
        raw = zlib.decompress(idat)
        stride = w * 4
        assert len(raw) == h * (stride + 1), (len(raw), w, h)
        out = bytearray(); prev = bytearray(stride)
        for y in range(h):
            f = raw[y * (stride + 1)]; row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for x in range(stride):
                a = row[x - 4] if x >= 4 else 0; b = prev[x]; c = prev[x - 4] if x >= 4 else 0
                if f == 1: row[x] = (row[x] + a) & 255
                elif f == 2: row[x] = (row[x] + b) & 255
                elif f == 3: row[x] = (row[x] + (a + b) // 2) & 255
                elif f == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    row[x] = (row[x] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
                else: assert f == 0, f
            out += row; prev = row
        open(sys.argv[2], 'wb').write(bytes(out))
        """
    let scriptURL = dir.appendingPathComponent("decode.py")
    try script.write(to: scriptURL, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", scriptURL.path, input.path, output.path]
    let errors = Pipe()
    process.standardError = errors
    do { try process.run() } catch { return nil }
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus == 127 { return nil }   // env: python3 not found
    guard process.terminationStatus == 0 else {
        Issue.record("python3 could not decode the PNG: \(String(decoding: stderr, as: UTF8.self))")
        return []
    }
    return [UInt8](try Data(contentsOf: output))
}
