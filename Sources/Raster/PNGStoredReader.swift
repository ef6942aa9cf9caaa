// PNGStoredReader.swift — reads back the PNGs this encoder writes with `.stored` compression
// (8-bit RGBA, filter None, stored deflate blocks), e.g. a save's thumbnail. Not a general PNG
// decoder: anything else (another colour type, compressed blocks, filters) gives nil.
import Checksum

extension PNG {
    public static func decodeStored(_ bytes: [UInt8]) -> Image? {
        guard bytes.count > 8, Array(bytes[0..<8]) == signature else { return nil }
        func u32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        var offset = 8, width = 0, height = 0
        var zlib: [UInt8] = []
        while offset + 12 <= bytes.count {
            let length = u32(offset)
            guard length <= bytes.count - offset - 12 else { return nil }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let data = bytes[(offset + 8)..<(offset + 8 + length)]
            guard CRC32.checksum(data, continuing: CRC32.checksum(bytes[(offset + 4)..<(offset + 8)])) == UInt32(u32(offset + 8 + length)) else { return nil }
            switch type {
            case "IHDR":
                guard length == 13 else { return nil }
                let d = Array(data)
                width = Int(d[0]) << 24 | Int(d[1]) << 16 | Int(d[2]) << 8 | Int(d[3])
                height = Int(d[4]) << 24 | Int(d[5]) << 16 | Int(d[6]) << 8 | Int(d[7])
                guard d[8] == 8, d[9] == 6, d[12] == 0, width > 0, height > 0, width <= 4096, height <= 4096 else { return nil }
            case "IDAT": zlib += data
            case "IEND":
                return image(zlib: zlib, width: width, height: height)
            default: break
            }
            offset += length + 12
        }
        return nil
    }

    static func image(zlib: [UInt8], width: Int, height: Int) -> Image? {
        guard width > 0, zlib.count >= 6 else { return nil }
        var raw: [UInt8] = []
        var at = 2
        while true {
            guard at + 5 <= zlib.count, zlib[at] & 0b110 == 0 else { return nil }
            let final = zlib[at] & 1 == 1
            let length = Int(zlib[at + 1]) | Int(zlib[at + 2]) << 8
            guard at + 5 + length <= zlib.count else { return nil }
            raw += zlib[(at + 5)..<(at + 5 + length)]
            at += 5 + length
            if final { break }
        }
        let rowBytes = width * 4
        guard raw.count == (rowBytes + 1) * height else { return nil }
        var pixels: [UInt8] = []
        pixels.reserveCapacity(rowBytes * height)
        for y in 0..<height {
            guard raw[y * (rowBytes + 1)] == 0 else { return nil }
            pixels += raw[(y * (rowBytes + 1) + 1)..<((y + 1) * (rowBytes + 1))]
        }
        return Image(width: width, height: height, pixels: pixels)
    }
}
