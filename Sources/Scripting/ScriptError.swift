// ScriptError: how every failure of a sandboxed script reaches the host — syntax and runtime
// errors, memory cap, instruction budget, disabled script, host misuse — with the file and line
// parsed from Lua's "chunk:LINE:" prefix and a "FILE:LINE:COL: error: message" description.

/// A failure of a script, never a crash. `line` is a line of the file the script came from
/// (the loader's `lineOffset` is already applied), or nil when Lua gave no position.
public struct ScriptError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The chunk does not compile.
        case syntax
        /// A Lua error raised while running (including errors thrown by host functions).
        case runtime
        /// The memory cap was hit ("not enough memory").
        case memory
        /// The call ran past its instruction budget; the script is now disabled.
        case budget
        /// The script was disabled by an earlier budget overrun; nothing ran.
        case disabled
        /// The host asked for something impossible (no such function, re-entrant call, bad state text).
        case usage
    }

    public var chunkName: String
    public var line: Int?
    public var message: String
    public var kind: Kind
    /// Lua's stack traceback at the point of the error ("" when there is none).
    public var traceback: String

    public init(chunkName: String, line: Int?, message: String, kind: Kind = .runtime, traceback: String = "") {
        self.chunkName = chunkName
        self.line = line
        self.message = message
        self.kind = kind
        self.traceback = traceback
    }

    /// "FILE:LINE:COL: error: message" (Lua has no columns: always 1); "FILE: error: message"
    /// when the line is unknown.
    public var description: String {
        if let line { return "\(chunkName):\(line):1: error: \(message)" }
        return "\(chunkName): error: \(message)"
    }
}

/// Splits Lua's "source:LINE: message" into its parts.
public enum LuaMessage {
    /// What Lua prints for a chunk named "=name": the name, cut to 59 bytes (LUA_IDSIZE - 1).
    public static func shortSource(_ chunkName: String) -> [UInt8] {
        let bytes = Array(chunkName.utf8)
        return bytes.count + 1 <= 60 ? bytes : Array(bytes.prefix(59))
    }

    /// The chunk, line and remaining text of `message`. Known chunk names are tried first
    /// (longest first, so "a.lua" does not shadow "a.lua.bak"); otherwise the first
    /// "text:DIGITS:" on the first line is taken. Without a position, `fallbackChunk` and nil.
    public static func split(_ message: [UInt8], knownChunks: [String], fallbackChunk: String)
        -> (chunk: String, line: Int?, text: String)
    {
        let candidates = knownChunks.map { (name: $0, short: shortSource($0)) }
            .sorted { $0.short.count > $1.short.count }
        for candidate in candidates where message.starts(with: candidate.short) {
            if let (line, rest) = lineAndRest(message, after: candidate.short.count) {
                return (candidate.name, line, text(rest))
            }
        }
        let firstLineEnd = message.firstIndex(of: UInt8(ascii: "\n")) ?? message.count
        var index = 0
        while index < firstLineEnd {
            if message[index] == UInt8(ascii: ":"), index > 0,
               let (line, rest) = lineAndRest(message, after: index)
            {
                return (String(decoding: message[..<index], as: UTF8.self), line, text(rest))
            }
            index += 1
        }
        return (fallbackChunk, nil, text(message[...]))
    }

    /// Parses ":DIGITS:" (and one optional space) starting at `start`.
    private static func lineAndRest(_ message: [UInt8], after start: Int) -> (Int, ArraySlice<UInt8>)? {
        guard start < message.count, message[start] == UInt8(ascii: ":") else { return nil }
        var index = start + 1
        var line = 0
        var digits = 0
        while index < message.count, message[index] >= UInt8(ascii: "0"), message[index] <= UInt8(ascii: "9") {
            if digits < 12 { line = line * 10 + Int(message[index] - UInt8(ascii: "0")) }
            digits += 1
            index += 1
        }
        guard digits > 0, index < message.count, message[index] == UInt8(ascii: ":") else { return nil }
        index += 1
        if index < message.count, message[index] == UInt8(ascii: " ") { index += 1 }
        return (line, message[index...])
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
