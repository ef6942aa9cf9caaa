// PNG encoder written in Swift, no external libraries: Adler-32, a zlib stream whose deflate
// data is either stored blocks (`.stored`, filter None) or one fixed-Huffman block with
// LZ77 matches from a hash chain (`.fast`, adaptive per-row filters). Output is 8-bit RGBA
// (colour type 6), non-interlaced: signature, IHDR, one IDAT, IEND. Chunk CRCs: the Checksum module.

import Checksum
import Foundation

public enum PNG {
    public enum Compression: Sendable {
        /// Uncompressed deflate blocks and no filtering: large but trivially checkable.
        case stored
        /// Adaptive filtering + LZ77 with fixed Huffman codes: several times smaller for game frames.
        case fast
    }

    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    // MARK: - File structure

    public static func encode(_ image: Image, compression: Compression = .fast) -> [UInt8] {
        var out = signature
        var header: [UInt8] = []
        appendBigEndian(&header, UInt32(image.width))
        appendBigEndian(&header, UInt32(image.height))
        header += [8, 6, 0, 0, 0]   // bit depth 8, RGBA, deflate, adaptive filtering, no interlace
        appendChunk(&out, type: "IHDR", data: header)
        let filtered = filterRows(image, adaptive: compression == .fast)
        appendChunk(&out, type: "IDAT", data: zlib(filtered, compression: compression))
        appendChunk(&out, type: "IEND", data: [])
        return out
    }

    static func appendBigEndian(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static func appendChunk(_ out: inout [UInt8], type: String, data: [UInt8]) {
        let typeBytes = Array(type.utf8)
        appendBigEndian(&out, UInt32(data.count))
        out += typeBytes
        out += data
        appendBigEndian(&out, CRC32.checksum(data, continuing: CRC32.checksum(typeBytes)))
    }

    // MARK: - Filters

    /// Each row gets a filter-type byte. Adaptive: the filter with the smallest sum of
    /// |signed bytes| (the usual heuristic); otherwise filter 0 (None) everywhere.
    static func filterRows(_ image: Image, adaptive: Bool) -> [UInt8] {
        let rowBytes = image.width * 4
        var out = [UInt8](repeating: 0, count: (rowBytes + 1) * image.height)
        guard rowBytes > 0 else { return out }
        var candidate = [UInt8](repeating: 0, count: rowBytes)
        var best = [UInt8](repeating: 0, count: rowBytes)
        image.pixels.withUnsafeBufferPointer { px in
            for y in 0..<image.height {
                let row = px.baseAddress! + y * rowBytes
                let dest = y * (rowBytes + 1)
                if !adaptive {
                    out[dest] = 0
                    for i in 0..<rowBytes { out[dest + 1 + i] = row[i] }
                    continue
                }
                let up: UnsafePointer<UInt8>? = y > 0 ? row - rowBytes : nil
                var bestType: UInt8 = 0
                var bestScore = Int.max
                for type in UInt8(0)...4 {
                    var score = 0
                    for i in 0..<rowBytes {
                        let a = i >= 4 ? row[i - 4] : 0
                        let b = up?[i] ?? 0
                        let c = (i >= 4 ? up?[i - 4] : nil) ?? 0
                        let x = row[i]
                        let f: UInt8
                        switch type {
                        case 0: f = x
                        case 1: f = x &- a
                        case 2: f = x &- b
                        case 3: f = x &- UInt8((Int(a) + Int(b)) / 2)
                        default: f = x &- paeth(a, b, c)
                        }
                        candidate[i] = f
                        score += abs(Int(Int8(bitPattern: f)))
                    }
                    if score < bestScore {
                        bestScore = score; bestType = type
                        swap(&best, &candidate)
                    }
                }
                out[dest] = bestType
                for i in 0..<rowBytes { out[dest + 1 + i] = best[i] }
            }
        }
        return out
    }

    @inline(__always) static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    // MARK: - Checksums

    /// Adler-32 as used by the zlib stream trailer.
    public static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        bytes.withUnsafeBufferPointer { p in
            while index < p.count {
                let end = min(index + 5552, p.count)   // largest run before b can overflow
                while index < end { a &+= UInt32(p[index]); b &+= a; index += 1 }
                a %= 65521; b %= 65521
            }
        }
        return b << 16 | a
    }

    // MARK: - zlib / deflate

    /// A zlib stream (RFC 1950): header 78 01, deflate data, big-endian Adler-32.
    public static func zlib(_ data: [UInt8], compression: Compression) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        switch compression {
        case .stored: out += deflateStored(data)
        case .fast: out += deflateFixed(data)
        }
        appendBigEndian(&out, adler32(data))
        return out
    }

    /// Deflate (RFC 1951) with stored blocks of at most 65,535 bytes.
    public static func deflateStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + data.count / 65535 * 5 + 5)
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final: UInt8 = offset + length >= data.count ? 1 : 0
            out.append(final)   // BFINAL, BTYPE = 00, padded to the byte boundary
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        return out
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        var accumulator: UInt64 = 0
        var count = 0

        /// Appends the low `n` bits of `value`, least significant first.
        @inline(__always) mutating func write(_ value: UInt32, _ n: Int) {
            accumulator |= UInt64(value) << UInt64(count)
            count += n
            while count >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                count -= 8
            }
        }

        mutating func finish() -> [UInt8] {
            if count > 0 { bytes.append(UInt8(truncatingIfNeeded: accumulator)) }
            accumulator = 0; count = 0
            return bytes
        }
    }

    static func reversed(_ code: UInt32, _ length: Int) -> UInt32 {
        var r: UInt32 = 0, c = code
        for _ in 0..<length { r = (r << 1) | (c & 1); c >>= 1 }
        return r
    }

    /// Fixed literal/length codes (RFC 1951 3.2.6), bit-reversed for LSB-first output.
    static let fixedLiteral: [(code: UInt32, length: Int)] = (0..<288).map { s -> (UInt32, Int) in
        switch s {
        case 0...143: return (reversed(UInt32(0x30 + s), 8), 8)
        case 144...255: return (reversed(UInt32(0x190 + s - 144), 9), 9)
        case 256...279: return (reversed(UInt32(s - 256), 7), 7)
        default: return (reversed(UInt32(0xC0 + s - 280), 8), 8)
        }
    }

    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                    67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                     4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
                                      513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
                                       9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Length 3...258 → index into lengthBase (symbol = 257 + index).
    static let lengthIndex: [UInt8] = (0...258).map { len -> UInt8 in
        guard len >= 3 else { return 0 }
        var i = lengthBase.count - 1
        while lengthBase[i] > len { i -= 1 }
        return UInt8(i)
    }

    /// Distance 1...32768 → distance code.
    static let distanceIndex: [UInt8] = (0...32768).map { d -> UInt8 in
        guard d >= 1 else { return 0 }
        var i = distanceBase.count - 1
        while distanceBase[i] > d { i -= 1 }
        return UInt8(i)
    }

    static let distanceCodes: [UInt32] = (0..<30).map { reversed(UInt32($0), 5) }

    /// Deflate (RFC 1951) as one final block with fixed Huffman codes; matches are found with a
    /// 3-byte hash and a chain limited to 32 candidates in a 32 KiB window.
    public static func deflateFixed(_ data: [UInt8]) -> [UInt8] {
        let windowSize = 32768, windowMask = windowSize - 1
        let hashBits = 15, hashMask = (1 << hashBits) - 1
        let maxChain = 32, minMatch = 3, maxMatch = 258
        var w = BitWriter()
        w.bytes.reserveCapacity(data.count / 4 + 64)
        w.write(1, 1)   // BFINAL
        w.write(1, 2)   // BTYPE = 01, fixed Huffman
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        var prev = [Int32](repeating: -1, count: windowSize)
        let literal = fixedLiteral, lIndex = lengthIndex, dIndex = distanceIndex, dCodes = distanceCodes

        data.withUnsafeBufferPointer { p in
            let n = p.count
            @inline(__always) func hash(_ i: Int) -> Int {
                ((Int(p[i]) << 10) ^ (Int(p[i + 1]) << 5) ^ Int(p[i + 2])) & hashMask
            }
            @inline(__always) func insert(_ i: Int) {
                let h = hash(i)
                prev[i & windowMask] = head[h]
                head[h] = Int32(i)
            }
            var i = 0
            while i < n {
                var bestLength = 0, bestDistance = 0
                if i + minMatch <= n {
                    let limit = min(maxMatch, n - i)
                    var candidate = Int(head[hash(i)])
                    var chain = maxChain
                    while candidate >= 0, chain > 0, i - candidate <= windowSize, candidate < i {
                        if p[candidate + bestLength] == p[i + bestLength] || bestLength == 0 {
                            var length = 0
                            while length < limit && p[candidate + length] == p[i + length] { length += 1 }
                            if length > bestLength {
                                bestLength = length; bestDistance = i - candidate
                                if length == limit { break }
                            }
                        }
                        let next = Int(prev[candidate & windowMask])
                        if next >= candidate { break }
                        candidate = next
                        chain -= 1
                    }
                    insert(i)
                }
                if bestLength >= minMatch {
                    let li = Int(lIndex[bestLength])
                    let symbol = literal[257 + li]
                    w.write(symbol.code, symbol.length)
                    if lengthExtra[li] > 0 { w.write(UInt32(bestLength - lengthBase[li]), lengthExtra[li]) }
                    let di = Int(dIndex[bestDistance])
                    w.write(dCodes[di], 5)
                    if distanceExtra[di] > 0 { w.write(UInt32(bestDistance - distanceBase[di]), distanceExtra[di]) }
                    var k = i + 1
                    let end = i + bestLength
                    while k < end {
                        if k + minMatch <= n { insert(k) }
                        k += 1
                    }
                    i = end
                } else {
                    let symbol = literal[Int(p[i])]
                    w.write(symbol.code, symbol.length)
                    i += 1
                }
            }
        }
        let end = literal[256]
        w.write(end.code, end.length)
        return w.finish()
    }
}

extension Image {
    /// The image as a PNG file (8-bit RGBA).
    public func pngData(compression: PNG.Compression = .fast) -> [UInt8] {
        PNG.encode(self, compression: compression)
    }
}
