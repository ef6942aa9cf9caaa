// Turns raw input into the array of Unicode scalars the parser works on:
// strict UTF-8 decoding for `TOML.parse(bytes:file:)` (rejecting invalid
// sequences and NUL with a positioned error) and removal of a leading BOM.

enum Input {
    /// Scalars of `text`, without a leading byte-order mark.
    static func scalars(of text: String) -> [Unicode.Scalar] {
        var result = Array(text.unicodeScalars)
        if result.first == "\u{FEFF}" { result.removeFirst() }
        return result
    }

    /// Strictly decodes UTF-8 (no overlong forms, no surrogates, nothing above
    /// U+10FFFF) and rejects NUL. A leading byte-order mark is dropped.
    static func decodeUTF8(_ bytes: [UInt8], file: String) throws(TOMLError) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(bytes.count)
        var i = 0
        var line = 1
        var column = 1
        let n = bytes.count

        func fail(_ message: String) -> TOMLError {
            TOMLError(file: file, position: SourcePosition(line: line, column: column), message: message)
        }
        func hex(_ b: UInt8) -> String {
            let digits = String(b, radix: 16, uppercase: true)
            return "0x" + (digits.count < 2 ? "0" + digits : digits)
        }

        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                if b0 == 0 {
                    throw fail("NUL character (byte 0x00) is not allowed; is this a text file?")
                }
                result.append(Unicode.Scalar(b0))
                if b0 == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                i += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            var value: UInt32
            switch b0 {
            case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(b0 & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(b0 & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(b0 & 0x07)
            default:
                throw fail("invalid UTF-8: unexpected byte \(hex(b0)); save the file as UTF-8")
            }
            guard i + length <= n else {
                throw fail("invalid UTF-8: truncated character at end of file")
            }
            for k in 1..<length {
                let b = bytes[i + k]
                guard b & 0xC0 == 0x80 else {
                    throw fail("invalid UTF-8: byte \(hex(b)) cannot continue the character started by \(hex(b0)); save the file as UTF-8")
                }
                value = (value << 6) | UInt32(b & 0x3F)
            }
            guard value >= minimum, let scalar = Unicode.Scalar(value) else {
                throw fail("invalid UTF-8: bad encoded character starting with byte \(hex(b0)); save the file as UTF-8")
            }
            if scalar == "\u{FEFF}" && result.isEmpty && i == 0 {
                i += length   // byte-order mark: skipped and not counted as a column
                continue
            }
            result.append(scalar)
            column += 1
            i += length
        }
        return result
    }
}
