// CRC32.swift — CRC-32 (IEEE 802.3 / ISO 3309: as in zip, zlib and PNG), table-driven. One copy
// for the PNG encoder (Raster) and the save file's seal (CitySim); imports nothing.

public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The checksum of `bytes`; pass a previous result as `continuing` to checksum a concatenation
    /// piece by piece (`checksum(b, continuing: checksum(a)) == checksum(a + b)`).
    public static func checksum<C: Collection>(_ bytes: C, continuing previous: UInt32 = 0) -> UInt32
        where C.Element == UInt8 {
        var crc = ~previous
        table.withUnsafeBufferPointer { table in
            let contiguous: Void? = bytes.withContiguousStorageIfAvailable { input in
                for byte in input { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            }
            if contiguous == nil {
                for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            }
        }
        return ~crc
    }
}
