// LuaLint.swift — what `netzero check` finds in a level script without running it: calls of
// globals that are never defined (a misspelt or missing API function, such as `grant()` before it existed),
// and names the game does not know in string literals given to the API (`set_policy("carbon_taxx")`).
// A small Lua lexer is enough: Debian ships no Lua parser headers, and the check is by name only,
// not by scope (a name defined anywhere in the script counts as defined everywhere).
import CitySim

enum LuaLint {
    struct Token {
        enum Kind { case name, string, number, symbol }
        let kind: Kind
        let text: String
        let line: Int
        let column: Int
    }

    static let keywords: Set<String> = ["and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
                                        "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"]
    /// The sandbox's standard globals (docs/modding.md lists what it removes).
    static let standardGlobals: Set<String> = ["assert", "error", "ipairs", "next", "pairs", "pcall", "print", "rawequal", "rawget",
                                               "rawlen", "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring",
                                               "type", "xpcall", "load", "_G", "_VERSION", "string", "table", "math", "utf8", "state"]

    /// The API functions whose first argument is a name the game must know.
    static let namedArguments: [String: (what: String, names: [String])] = [
        "metric": ("metric", Metric.allCases.map(\.rawValue)),
        "build": ("structure", Structure.all.map(\.key)),
        "set_policy": ("policy", PolicyLever.all.map(\.name)),
        "unlock": ("tool", LevelDefinition.toolNames),
        "event": ("event", LevelEventKind.allCases.map(\.rawValue)),
    ]

    static func check(_ script: LevelScript) -> [LevelDiagnostic] {
        let tokens = tokenize(script.source)
        func diagnostic(_ token: Token, _ message: String) -> LevelDiagnostic {
            LevelDiagnostic(file: script.file, line: script.firstLine + token.line - 1, column: token.column, severity: .error, message: message)
        }
        // Names the script defines: locals, functions, parameters, loop variables, global assignments.
        var defined = Set<String>()
        var braceDepth = 0
        var localNames = false  // after `local` or `for`, until a token that is neither a name nor a comma
        var awaitingParameters = false, inParameters = false
        for (i, token) in tokens.enumerated() {
            let previous = i > 0 ? tokens[i - 1] : nil, next = i + 1 < tokens.count ? tokens[i + 1] : nil
            if localNames {
                if token.kind == .name && token.text != "function" { defined.insert(token.text); continue }
                if token.text == "," { continue }
                localNames = false
            }
            switch token.text {
            case "{" where token.kind == .symbol: braceDepth += 1
            case "}" where token.kind == .symbol: braceDepth = max(0, braceDepth - 1)
            case "local" where token.kind == .name, "for" where token.kind == .name: localNames = true
            case "function" where token.kind == .name:
                awaitingParameters = true
                if let next, next.kind == .name { defined.insert(next.text) }
            case "(" where token.kind == .symbol:
                if awaitingParameters { inParameters = true; awaitingParameters = false }
            case ")" where token.kind == .symbol: inParameters = false
            default:
                guard token.kind == .name, !keywords.contains(token.text) else { break }
                if inParameters { defined.insert(token.text) }
                else if braceDepth == 0, next?.text == "=", previous?.text != ".", previous?.text != ":" { defined.insert(token.text) }
            }
        }
        let modStrings = Set((script.strings["en"] ?? [:]).keys).union((script.strings["zh"] ?? [:]).keys).sorted()
        let known = defined.union(standardGlobals).union(LevelScripting.functions.map(\.name)).union(LevelScripting.hookNames)
        var problems: [LevelDiagnostic] = []
        var reported = Set<String>()
        braceDepth = 0
        for (i, token) in tokens.enumerated() {
            let previous = i > 0 ? tokens[i - 1] : nil, next = i + 1 < tokens.count ? tokens[i + 1] : nil
            if token.text == "{" && token.kind == .symbol { braceDepth += 1 }
            if token.text == "}" && token.kind == .symbol { braceDepth = max(0, braceDepth - 1) }
            guard token.kind == .name, !keywords.contains(token.text) else { continue }
            if previous?.text == "." || previous?.text == ":" || previous?.text == "goto" || previous?.text == "::" { continue }
            if braceDepth > 0, next?.text == "=", previous?.text == "{" || previous?.text == "," || previous?.text == ";" { continue }
            let isCall = next.map { $0.text == "(" || $0.text == "{" || $0.kind == .string } ?? false
            if isCall, !known.contains(token.text), reported.insert(token.text).inserted {
                let names = Array(known.subtracting(defined)).sorted()
                problems.append(diagnostic(token, "Lua: '\(token.text)' is called but not defined (not a local, a function of the script or of the API)"
                                           + suggestion(token.text, names)))
            }
            // A literal name given to the API.
            if let (what, names) = namedArguments[token.text] ?? (token.text == "text" ? ("string", modStrings) : nil) {
                var j = i + 1
                if j < tokens.count, tokens[j].text == "(" { j += 1 }
                if j < tokens.count, tokens[j].kind == .string, !names.contains(tokens[j].text) {
                    problems.append(diagnostic(tokens[j], "Lua: \(token.text): unknown \(what) '\(tokens[j].text)'" + suggestion(tokens[j].text, names)))
                }
            }
            if token.text == "add_objective" {
                var depth = 0
                var j = i + 1
                while j < tokens.count {
                    if tokens[j].text == "{" { depth += 1 }
                    if tokens[j].text == "}" { depth -= 1; if depth <= 0 { break } }
                    if depth == 1, tokens[j].text == "metric", j + 2 < tokens.count, tokens[j + 1].text == "=", tokens[j + 2].kind == .string {
                        let metrics = Metric.allCases.map(\.rawValue)
                        if !metrics.contains(tokens[j + 2].text) {
                            problems.append(diagnostic(tokens[j + 2], "Lua: add_objective: unknown metric '\(tokens[j + 2].text)'" + suggestion(tokens[j + 2].text, metrics)))
                        }
                    }
                    j += 1
                }
            }
        }
        return problems
    }

    /// Lua 5.4's tokens, enough to find names, strings and brackets (numbers are kept whole).
    static func tokenize(_ source: String) -> [Token] {
        let bytes = Array(source.utf8)
        var tokens: [Token] = []
        var i = 0, line = 1, lineStart = 0
        func peek(_ k: Int) -> UInt8 { i + k < bytes.count ? bytes[i + k] : 0 }
        /// `[[`, `[==[`: the level of a long bracket starting at i, or nil.
        func longBracketLevel(at start: Int) -> Int? {
            guard start < bytes.count, bytes[start] == UInt8(ascii: "[") else { return nil }
            var j = start + 1, level = 0
            while j < bytes.count, bytes[j] == UInt8(ascii: "=") { level += 1; j += 1 }
            return j < bytes.count && bytes[j] == UInt8(ascii: "[") ? level : nil
        }
        func skipLong(level: Int) -> String {
            let close = [UInt8(ascii: "]")] + Array(repeating: UInt8(ascii: "="), count: level) + [UInt8(ascii: "]")]
            i += level + 2
            let start = i
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "\n") { line += 1; lineStart = i + 1 }
                if bytes[i] == close[0], i + close.count <= bytes.count, Array(bytes[i..<(i + close.count)]) == close {
                    let text = String(decoding: bytes[start..<i], as: UTF8.self)
                    i += close.count
                    return text
                }
                i += 1
            }
            return String(decoding: bytes[start...], as: UTF8.self)
        }
        while i < bytes.count {
            let c = bytes[i]
            let column = i - lineStart + 1
            if c == UInt8(ascii: "\n") { line += 1; i += 1; lineStart = i; continue }
            if c == 32 || c == 9 || c == 13 { i += 1; continue }
            if c == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "-") {
                i += 2
                if let level = longBracketLevel(at: i) { _ = skipLong(level: level); continue }
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            }
            if let level = longBracketLevel(at: i) {
                let startLine = line
                tokens.append(Token(kind: .string, text: skipLong(level: level), line: startLine, column: column))
                continue
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                var j = i + 1
                var value: [UInt8] = []
                while j < bytes.count, bytes[j] != c, bytes[j] != UInt8(ascii: "\n") {
                    if bytes[j] == UInt8(ascii: "\\"), j + 1 < bytes.count { value.append(bytes[j + 1]); j += 2; continue }
                    value.append(bytes[j])
                    j += 1
                }
                tokens.append(Token(kind: .string, text: String(decoding: value, as: UTF8.self), line: line, column: column))
                i = min(bytes.count, j + 1)
                continue
            }
            let isNameStart = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
            let isDigit = c >= 48 && c <= 57
            if isNameStart || isDigit || (c == UInt8(ascii: ".") && peek(1) >= 48 && peek(1) <= 57) {
                var j = i
                while j < bytes.count {
                    let d = bytes[j]
                    let word = (d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d == 95 || (d >= 48 && d <= 57)
                    let numberPart = !isNameStart && (d == UInt8(ascii: ".") || ((d == 43 || d == 45) && j > i && [69, 101, 80, 112].contains(bytes[j - 1])))
                    guard word || numberPart else { break }
                    j += 1
                }
                tokens.append(Token(kind: isNameStart ? .name : .number, text: String(decoding: bytes[i..<j], as: UTF8.self), line: line, column: column))
                i = j
                continue
            }
            // Two-character symbols that matter here: `==`, `::`, `..`; the rest one by one.
            let pair = i + 1 < bytes.count ? String(decoding: bytes[i...(i + 1)], as: UTF8.self) : ""
            if ["==", "~=", "<=", ">=", "::", "..", "//", "<<", ">>"].contains(pair) {
                tokens.append(Token(kind: .symbol, text: pair, line: line, column: column))
                i += 2
                continue
            }
            tokens.append(Token(kind: .symbol, text: String(UnicodeScalar(c)), line: line, column: column))
            i += 1
        }
        return tokens
    }
}
