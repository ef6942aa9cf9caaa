// Lua patterns with a step count: string.find and string.match here, and the primitive the
// prelude builds string.gmatch and string.gsub on. Lua's own matcher backtracks in C, where
// the instruction count cannot see it (("a"):rep(3000):find(".-.-.-x") runs for hours); this
// one counts every step against the call's instruction budget and stops when it is spent.
// The syntax and results are Lua 5.4's (reference manual §6.4.1), written anew: character
// classes in the C locale, sets, the quantifiers * + - ?, anchors, captures (position
// captures included), %b, %f and back-references %1–%9; at most 32 captures and 200 levels.

import CLua

enum PatternMode: Int {
    /// string.find: start, end, captures. Honours `plain`.
    case find = 0
    /// string.match: the captures, or the whole match.
    case match = 1
    /// The prelude's primitive for gmatch and gsub: (s, p, from, lastEnd, anchored) →
    /// start, the position after the match, then the captures or the whole match; nil when
    /// nothing matches at or after `from` (a match ending at `lastEnd` that is empty is
    /// skipped, as Lua does).
    case iterate = 2
}

private let maximumCaptures = 32
private let maximumMatchDepth = 200
private let positionCapture = -2
private let unfinishedCapture = -1

private struct PatternMatcher {
    let subject: UnsafeBufferPointer<UInt8>
    let pattern: UnsafeBufferPointer<UInt8>
    var stepLimit: Int
    var steps = 0
    var depth = 0
    var captureStart: [Int] = []
    var captureLength: [Int] = []
    /// An error in the pattern, or the budget ("" means the budget ran out).
    var failure: String?

    init(subject: UnsafeBufferPointer<UInt8>, pattern: UnsafeBufferPointer<UInt8>, stepLimit: Int) {
        self.subject = subject
        self.pattern = pattern
        self.stepLimit = stepLimit
        captureStart.reserveCapacity(maximumCaptures)
        captureLength.reserveCapacity(maximumCaptures)
    }

    private mutating func step(_ count: Int = 1) -> Bool {
        steps += count
        if steps > stepLimit {
            if failure == nil { failure = "" }
            return false
        }
        return failure == nil
    }

    private mutating func fail(_ message: String) -> Int? {
        if failure == nil { failure = message }
        return nil
    }

    private func byte(_ index: Int) -> UInt8? { index < pattern.count ? pattern[index] : nil }

    /// The index just after the single-character class at `p`.
    private mutating func classEnd(_ start: Int) -> Int? {
        var p = start
        let c = pattern[p]
        p += 1
        if c == UInt8(ascii: "%") {
            guard p < pattern.count else { return fail("malformed pattern (ends with '%')") }
            return p + 1
        }
        if c == UInt8(ascii: "[") {
            if byte(p) == UInt8(ascii: "^") { p += 1 }
            repeat {  // the first character of a set is never its end: "[]]" is a set of ']'
                guard p < pattern.count else { return fail("malformed pattern (missing ']')") }
                let current = pattern[p]
                p += 1
                if current == UInt8(ascii: "%"), p < pattern.count { p += 1 }
            } while byte(p) != UInt8(ascii: "]")
            return p + 1
        }
        return p
    }

    private static func matchesClass(_ c: UInt8, _ classByte: UInt8) -> Bool {
        let isUpper = c >= 65 && c <= 90
        let isLower = c >= 97 && c <= 122
        let isDigit = c >= 48 && c <= 57
        let isAlpha = isUpper || isLower
        let isGraph = c >= 33 && c <= 126
        let result: Bool
        switch classByte | 0x20 {
        case UInt8(ascii: "a"): result = isAlpha
        case UInt8(ascii: "c"): result = c < 32 || c == 127
        case UInt8(ascii: "d"): result = isDigit
        case UInt8(ascii: "g"): result = isGraph
        case UInt8(ascii: "l"): result = isLower
        case UInt8(ascii: "p"): result = isGraph && !isAlpha && !isDigit
        case UInt8(ascii: "s"): result = c == 32 || (c >= 9 && c <= 13)
        case UInt8(ascii: "u"): result = isUpper
        case UInt8(ascii: "w"): result = isAlpha || isDigit
        case UInt8(ascii: "x"): result = isDigit || (c | 0x20 >= 97 && c | 0x20 <= 102)
        default: return classByte == c
        }
        let isClassLetter = (classByte >= 65 && classByte <= 90) || (classByte >= 97 && classByte <= 122)
        guard isClassLetter else { return classByte == c }
        return classByte >= 65 && classByte <= 90 ? !result : result
    }

    /// Whether `c` is in the set from `p` (at '[') to `end` (at its ']').
    private func matchesSet(_ c: UInt8, _ start: Int, _ end: Int) -> Bool {
        var p = start + 1
        var inside = true
        if pattern[p] == UInt8(ascii: "^") {
            inside = false
            p += 1
        }
        while p < end {
            if pattern[p] == UInt8(ascii: "%") {
                p += 1
                if Self.matchesClass(c, pattern[p]) { return inside }
                p += 1
            } else if p + 2 < end, pattern[p + 1] == UInt8(ascii: "-") {
                if pattern[p] <= c && c <= pattern[p + 2] { return inside }
                p += 3
            } else {
                if pattern[p] == c { return inside }
                p += 1
            }
        }
        return !inside
    }

    private func singleMatch(_ s: Int, _ p: Int, _ ep: Int) -> Bool {
        guard s < subject.count else { return false }
        let c = subject[s]
        switch pattern[p] {
        case UInt8(ascii: "."): return true
        case UInt8(ascii: "%"): return Self.matchesClass(c, pattern[p + 1])
        case UInt8(ascii: "["): return matchesSet(c, p, ep - 1)
        default: return pattern[p] == c
        }
    }

    /// Where a match of pattern[p...] at subject[s...] ends, or nil.
    mutating func match(_ startS: Int, _ startP: Int) -> Int? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maximumMatchDepth else { return fail("pattern too complex") }
        var s = startS
        var p = startP
        while true {
            guard step() else { return nil }
            guard p < pattern.count else { return s }
            switch pattern[p] {
            case UInt8(ascii: "("):
                if byte(p + 1) == UInt8(ascii: ")") { return startCapture(s, p + 2, positionCapture) }
                return startCapture(s, p + 1, unfinishedCapture)
            case UInt8(ascii: ")"):
                return endCapture(s, p + 1)
            case UInt8(ascii: "$") where p + 1 == pattern.count:
                return s == subject.count ? s : nil
            case UInt8(ascii: "%") where byte(p + 1) == UInt8(ascii: "b"):
                guard p + 3 < pattern.count else { return fail("malformed pattern (missing arguments to '%b')") }
                guard let end = matchBalance(s, pattern[p + 2], pattern[p + 3]) else { return nil }
                s = end
                p += 4
                continue
            case UInt8(ascii: "%") where byte(p + 1) == UInt8(ascii: "f"):
                p += 2
                guard byte(p) == UInt8(ascii: "[") else { return fail("missing '[' after '%f' in pattern") }
                guard let ep = classEnd(p) else { return nil }
                let previous: UInt8 = s == 0 ? 0 : subject[s - 1]
                let current: UInt8 = s < subject.count ? subject[s] : 0
                guard !matchesSet(previous, p, ep - 1), matchesSet(current, p, ep - 1) else { return nil }
                p = ep
                continue
            case UInt8(ascii: "%") where byte(p + 1).map({ $0 >= 48 && $0 <= 57 }) ?? false:
                let index = Int(pattern[p + 1]) - 49
                guard index >= 0, index < captureLength.count, captureLength[index] != unfinishedCapture else {
                    return fail("invalid capture index %\(index + 1)")
                }
                let length = captureLength[index]
                guard subject.count - s >= length, step(length) else { return nil }
                for offset in 0..<length where subject[captureStart[index] + offset] != subject[s + offset] { return nil }
                s += length
                p += 2
                continue
            default:
                break
            }
            guard let ep = classEnd(p) else { return nil }
            let quantifier = byte(ep)
            if !singleMatch(s, p, ep) {
                if quantifier == UInt8(ascii: "*") || quantifier == UInt8(ascii: "?") || quantifier == UInt8(ascii: "-") {
                    p = ep + 1
                    continue
                }
                return nil
            }
            switch quantifier {
            case UInt8(ascii: "?"):
                if let end = match(s + 1, ep + 1) { return end }
                if failure != nil { return nil }
                p = ep + 1
            case UInt8(ascii: "+"):
                return maxExpand(s + 1, p, ep)
            case UInt8(ascii: "*"):
                return maxExpand(s, p, ep)
            case UInt8(ascii: "-"):
                return minExpand(s, p, ep)
            default:
                s += 1
                p = ep
            }
        }
    }

    private mutating func maxExpand(_ s: Int, _ p: Int, _ ep: Int) -> Int? {
        var count = 0
        while singleMatch(s + count, p, ep) {
            count += 1
            guard step() else { return nil }
        }
        while count >= 0 {
            if let end = match(s + count, ep + 1) { return end }
            if failure != nil { return nil }
            count -= 1
        }
        return nil
    }

    private mutating func minExpand(_ start: Int, _ p: Int, _ ep: Int) -> Int? {
        var s = start
        while true {
            if let end = match(s, ep + 1) { return end }
            if failure != nil { return nil }
            guard singleMatch(s, p, ep) else { return nil }
            s += 1
        }
    }

    private mutating func startCapture(_ s: Int, _ p: Int, _ kind: Int) -> Int? {
        guard captureStart.count < maximumCaptures else { return fail("too many captures") }
        captureStart.append(s)
        captureLength.append(kind)
        if let end = match(s, p) { return end }
        captureStart.removeLast()
        captureLength.removeLast()
        return nil
    }

    private mutating func endCapture(_ s: Int, _ p: Int) -> Int? {
        guard let open = captureLength.lastIndex(of: unfinishedCapture) else { return fail("invalid pattern capture") }
        captureLength[open] = s - captureStart[open]
        if let end = match(s, p) { return end }
        captureLength[open] = unfinishedCapture
        return nil
    }

    private mutating func matchBalance(_ s: Int, _ open: UInt8, _ close: UInt8) -> Int? {
        guard s < subject.count, subject[s] == open else { return nil }
        var level = 1
        var index = s + 1
        while index < subject.count {
            guard step() else { return nil }
            let c = subject[index]
            if c == close {
                level -= 1
                if level == 0 { return index + 1 }
            } else if c == open {
                level += 1
            }
            index += 1
        }
        return nil
    }

    /// The first match starting at `from` or later (only at `from` when anchored): its start
    /// and end. Skips an empty match that ends at `lastEnd`.
    mutating func search(from: Int, patternStart: Int, anchored: Bool, lastEnd: Int?) -> (Int, Int)? {
        var s = from
        while s <= subject.count {
            captureStart.removeAll(keepingCapacity: true)
            captureLength.removeAll(keepingCapacity: true)
            if let end = match(s, patternStart), end != lastEnd { return (s, end) }
            if failure != nil || anchored { return nil }
            s += 1
        }
        return nil
    }

    /// A plain substring search, one step per byte compared.
    mutating func plainSearch(from: Int) -> (Int, Int)? {
        let needle = pattern.count
        guard needle > 0 else { return (from, from) }
        var s = from
        while s + needle <= subject.count {
            var matched = 0
            while matched < needle, subject[s + matched] == pattern[matched] { matched += 1 }
            guard step(matched + 1) else { return nil }
            if matched == needle { return (s, s + needle) }
            s += 1
        }
        return nil
    }

    /// A capture as (start, length) in the subject, or (position, positionCapture).
    func capture(_ index: Int) -> (start: Int, length: Int) { (captureStart[index], captureLength[index]) }
    var captureCount: Int { captureStart.count }
}

/// The outcome of one match, as plain numbers, so that nothing needing cleanup is alive when
/// the callback pushes results or raises.
private struct MatchOutcome {
    var start = 0
    var end = 0
    var found = false
    var captures: [(start: Int, length: Int)] = []
    var steps = 0
    var error: String?
}

private let luaSpecials: Set<UInt8> = Set("^$*+?.([%-".utf8)

/// find(s, p [, init [, plain]]), match(s, p [, init]), and the prelude's iterate primitive
/// (s, p, init, lastEnd, anchored). Upvalue 1: the mode.
func sandboxPatternMatch(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    let mode = PatternMode(rawValue: Int(lua_tointegerx(L, nz_lua_upvalueindex(1), nil))) ?? .find
    var subjectLength = 0
    let subject = luaL_checklstring(L, 1, &subjectLength)!
    var patternLength = 0
    let pattern = luaL_checklstring(L, 2, &patternLength)!
    var initial = luaL_optinteger(L, 3, 1)
    if initial < 0 { initial = max(1, lua_Integer(subjectLength) + initial + 1) }
    if initial == 0 { initial = 1 }
    if initial > lua_Integer(subjectLength) + 1 {
        lua_pushnil(L)
        return 1
    }
    let plain = mode == .find && lua_toboolean(L, 4) != 0
    let lastEnd = mode == .iterate ? Int(luaL_optinteger(L, 4, 0)) - 1 : -1
    let anchoredIteration = mode == .iterate && lua_toboolean(L, 5) != 0
    let counters = sandboxCounters(L)
    let remaining = counters.pointee.running
        ? max(0, counters.pointee.instructionBudget - counters.pointee.instructionsUsed) : Int.max / 2
    // The outcome lives only inside this closure: nothing needing cleanup is alive at a raise.
    let pushed: Int32 = {
        let outcome = runMatch(subject: subject, subjectLength, pattern: pattern, patternLength, from: Int(initial) - 1,
                               plain: plain, anchoredIteration: anchoredIteration, mode: mode,
                               lastEnd: lastEnd >= 0 ? lastEnd : nil, stepLimit: remaining)
        return pushOutcome(L, outcome, subject: subject, mode: mode)
    }()
    if pushed < 0 { return raiseWithPosition(L, level: 1) }
    return pushed
}

private func runMatch(subject: UnsafePointer<CChar>, _ subjectLength: Int, pattern: UnsafePointer<CChar>,
                      _ patternLength: Int, from: Int, plain: Bool, anchoredIteration: Bool, mode: PatternMode,
                      lastEnd: Int?, stepLimit: Int) -> MatchOutcome
{
    let subjectBytes = UnsafeBufferPointer(start: UnsafeRawPointer(subject).assumingMemoryBound(to: UInt8.self),
                                           count: subjectLength)
    let patternBytes = UnsafeBufferPointer(start: UnsafeRawPointer(pattern).assumingMemoryBound(to: UInt8.self),
                                           count: patternLength)
    var matcher = PatternMatcher(subject: subjectBytes, pattern: patternBytes, stepLimit: stepLimit)
    var outcome = MatchOutcome()
    let isPlain = plain || (mode == .find && !patternBytes.contains(where: luaSpecials.contains))
    let found: (Int, Int)?
    if isPlain {
        found = matcher.plainSearch(from: from)
    } else {
        var patternStart = 0
        var anchored = anchoredIteration
        if mode != .iterate, patternBytes.first == UInt8(ascii: "^") {
            patternStart = 1
            anchored = true
        } else if mode == .iterate, anchoredIteration {
            patternStart = 1
        }
        found = matcher.search(from: from, patternStart: patternStart, anchored: anchored, lastEnd: lastEnd)
    }
    outcome.steps = matcher.steps
    if let failure = matcher.failure {
        outcome.error = failure.isEmpty ? budgetExceededMessage : failure
        return outcome
    }
    guard let (start, end) = found else { return outcome }
    outcome.found = true
    outcome.start = start
    outcome.end = end
    if !isPlain {
        for index in 0..<matcher.captureCount {
            let capture = matcher.capture(index)
            if capture.length == unfinishedCapture {
                outcome.error = "unfinished capture"
                return outcome
            }
            outcome.captures.append(capture)
        }
    }
    return outcome
}

/// Pushes the results of `outcome` (with the memory cap lifted: they are slices of a string
/// the script already holds, at most 32 of them) and returns their count, or pushes the
/// error message and returns -1.
private func pushOutcome(_ L: OpaquePointer, _ outcome: MatchOutcome, subject: UnsafePointer<CChar>,
                         mode: PatternMode) -> Int32
{
    let counters = sandboxCounters(L)
    if chargeBudget(L, outcome.steps) || outcome.error == budgetExceededMessage {
        _ = chargeBudget(L, Int.max)  // spent: the budget error must not be caught and retried
        lua_pushstring(L, budgetExceededMessage)
        return -1
    }
    if let error = outcome.error {
        pushString(L, error)
        return -1
    }
    guard outcome.found else {
        lua_pushnil(L)
        return 1
    }
    guard lua_checkstack(L, Int32(outcome.captures.count + 4)) != 0 else {
        lua_pushstring(L, "too many captures")
        return -1
    }
    let enforced = counters.pointee.capEnforced
    counters.pointee.capEnforced = false
    defer { counters.pointee.capEnforced = enforced }
    var pushed: Int32 = 0
    switch mode {
    case .find:
        lua_pushinteger(L, lua_Integer(outcome.start + 1))
        lua_pushinteger(L, lua_Integer(outcome.end))
        pushed = 2
    case .iterate:
        lua_pushinteger(L, lua_Integer(outcome.start + 1))
        lua_pushinteger(L, lua_Integer(outcome.end + 1))
        pushed = 2
    case .match:
        break
    }
    if outcome.captures.isEmpty {
        if mode != .find {
            _ = lua_pushlstring(L, subject + outcome.start, outcome.end - outcome.start)
            pushed += 1
        }
        return pushed
    }
    for capture in outcome.captures {
        if capture.length == positionCapture {
            lua_pushinteger(L, lua_Integer(capture.start + 1))
        } else {
            _ = lua_pushlstring(L, subject + capture.start, capture.length)
        }
        pushed += 1
    }
    return pushed
}
