// FuzzCommand.swift — `netzero fuzz save|level|lua --seed S --cases N`: seeded, bounded fuzzers
// of the three ways hostile input enters (docs/security.md). Hidden from the help: the test
// suite runs them in a child process (Tests/FuzzTests), so a crash is a signal the test sees
// rather than the end of the test run.
//
// Each case prints one line, "case N: error <kind>" or "case N: run <digest>", where the digest
// hashes every output of the run (summary JSON, feed messages, script problems); a second run
// with the same seed must print the same bytes. The last line gives the counts:
// "fuzz KIND: cases C, clean errors E, clean runs R, nan V, failures F". Before each case the fuzzer writes
// "case N" to stderr, so the case that crashes or hangs is known.
import ArgumentParser
import Checksum
import CitySim
import Foundation
import Modding
import Scripting

struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seeded fuzzers of saves, levels and catalogs, and Lua scripts (run by the tests).",
        shouldDisplay: false)

    @Argument(help: "save, level or lua.") var kind: String
    @Option(help: "Seed of the case generator.") var seed: UInt64 = 1
    @Option(help: "Number of cases.") var cases = 100
    @Option(help: "Simulated hours per case that loads.") var hours = 26
    @Option(help: "First case to run (the cases before it are skipped, e.g. after a crash).") var from = 0

    func run() throws {
        let catalog = try loadCatalog()
        var fuzzer = Fuzzer(catalog: catalog, random: SeededRandom(seed: seed ^ 0xF022), hours: hours)
        let body: (inout Fuzzer, Int) -> Outcome
        switch kind {
        case "save": body = { $0.saveCase($1) }
        case "level": body = { $0.levelCase($1) }
        case "lua": body = { $0.luaCase($1) }
        default: throw ValidationError("fuzz: the kind is save, level or lua")
        }
        var counts = (errors: 0, runs: 0, nan: 0, failures: 0)
        for index in from..<max(from, cases) {
            // Each case draws from its own stream, so a run can resume at any case.
            fuzzer.random = SeededRandom(seed: (seed ^ 0xF022) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
            FileHandle.standardError.write(Data("case \(index)\n".utf8))
            // Written unbuffered: the lines before a crash must reach the parent.
            func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
            switch body(&fuzzer, index) {
            case .error(let kind):
                counts.errors += 1
                emit("case \(index): error \(kind)")
            case .run(let digest, let hasNaN, let note):
                counts.runs += 1
                if hasNaN { counts.nan += 1 }
                emit("case \(index): run \(String(digest, radix: 16))\(note)\(hasNaN ? " NAN" : "")")
            case .failure(let what):
                counts.failures += 1
                emit("case \(index): FAILURE \(what)")
            }
        }
        print("fuzz \(kind): cases \(max(0, cases - from)), clean errors \(counts.errors), clean runs \(counts.runs), nan \(counts.nan), failures \(counts.failures)")
    }
}

enum Outcome {
    /// The input was refused with a message.
    case error(String)
    /// The input loaded and ran.
    case run(digest: UInt64, hasNaN: Bool, note: String = "")
    /// A promise broken without a crash (e.g. script state that does not read back).
    case failure(String)
}

struct Fuzzer {
    let catalog: Catalog
    var random: SeededRandom
    let hours: Int
    private var baseSave: [UInt8]?

    init(catalog: Catalog, random: SeededRandom, hours: Int) {
        self.catalog = catalog
        self.random = random
        self.hours = hours
    }

    // MARK: - Drawing

    mutating func below(_ n: Int) -> Int { Int(random.next() % UInt64(max(1, n))) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    mutating func chance(_ p: Double) -> Bool { random.unit() < p }

    /// Numeric extremes and wrong types, as TOML values.
    static let tomlExtremes = [
        "1e308", "-1e308", "nan", "+inf", "-inf", "9223372036854775807", "-9223372036854775808", "0", "-1", "-0.0",
        "5e-324", "1e15", "4096", "-4096", "2.5", "\"text\"", "[1, 2]", "true", "{ a = 1 }", "\"\"", "1e300", "0.5",
    ]

    // MARK: - Outputs

    /// Runs the city for the fuzzer's hours and hashes what a player or a grader would read.
    func runAndDigest(_ city: City, host: LevelScripting?) -> Outcome {
        city.run(hours: hours)
        let summary = HeadlessRun.summary(city, years: 1)
        var text = summary
        for message in city.view.rules?.messages ?? [] { text += message.text.en + "\n" + message.text.zh + "\n" }
        for problem in host?.problems ?? [] { text += problem + "\n" }
        for line in host?.sandbox.output ?? [] { text += line + "\n" }
        let hasNaN = Fuzzer.containsNonFinite(summary)
        return .run(digest: Fuzzer.fnv1a(Array(text.utf8)), hasNaN: hasNaN)
    }

    /// Whether JSON text holds a number written as nan or inf (where a number stands, not in a string).
    static func containsNonFinite(_ json: String) -> Bool {
        for token in [": nan", ": inf", ": -inf", ", nan", ", inf", ", -inf", "[nan", "[inf", "[-inf"] where json.contains(token) {
            return true
        }
        return false
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    // MARK: - Saves: bytes mutated behind a recomputed CRC-32

    static let baseLevel = """
    [level]
    id = "fuzz"
    title_en = "Fuzz"
    title_zh = "模糊"
    seed = 5
    budget = 1e8

    [map]
    rows = \"\"\"
    ..c....w..
    ..........
    ==========
    .HHH.fff.s
    .HOI.ppp..
    \"\"\"
    """

    mutating func saveCase(_ index: Int) -> Outcome {
        if baseSave == nil {
            let level = LevelFile.parse(bytes: Array(Fuzzer.baseLevel.utf8), file: "fuzz.toml", catalog: catalog).level!
            let city = City(level: level, catalog: catalog)
            city.run(hours: 30)
            baseSave = try? city.saveData()
        }
        guard var bytes = baseSave, bytes.count > 32 else { return .error("no base save") }
        let bodyStart = 20
        var bodyEnd = bytes.count - 4
        for _ in 0..<(1 + below(6)) {
            let at = bodyStart + below(bodyEnd - bodyStart)
            switch below(6) {
            case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes[at] ^= 1 << UInt8(below(8))
            case 2: bytes[at] = pick([0, 0xFF, 0x7F, 0x80])
            case 3:  // an extreme 8-byte number
                let value = pick([Double.nan, .infinity, -.infinity, 1e308, -1e308, 5e-324]).bitPattern
                for k in 0..<8 where at + k < bodyEnd { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
            case 4:  // an extreme 4-byte integer (a count, an index, a position)
                let value = pick([UInt32.max, 0x7FFF_FFFF, 0x8000_0000, 65_536, 1 << 24])
                for k in 0..<4 where at + k < bodyEnd { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
            default:  // cut or grow the body
                if chance(0.5), bodyEnd - bodyStart > 64 {
                    bytes.removeSubrange(at..<min(bodyEnd, at + 1 + below(64)))
                } else {
                    bytes.insert(contentsOf: (0..<(1 + below(16))).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
                }
                bodyEnd = bytes.count - 4
            }
        }
        // The framing: body length at bytes 12..<20, CRC-32 of everything before the last 4 bytes.
        let length = UInt64(bodyEnd - bodyStart)
        for k in 0..<8 { bytes[12 + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(k))) }
        let crc = CRC32.checksum(bytes[..<bodyEnd])
        for k in 0..<4 { bytes[bodyEnd + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
        do {
            let loaded = try SaveGame.decode(bytes, catalog: catalog)
            return runAndDigest(loaded.city, host: nil)
        } catch {
            return .error("save")
        }
    }

    // MARK: - Levels and catalog overrides: numeric extremes and wrong types

    mutating func levelCase(_ index: Int) -> Outcome {
        var text = Fuzzer.baseLevel
        func replaceOrAdd(_ key: String, in section: String, value: String) -> String {
            text.replacingOccurrences(of: "[\(section)]\n", with: "[\(section)]\n\(key) = \(value)\n")
        }
        // Half the values are extremes or wrong types, half are plausible, so that some cases
        // load and run with values near the edges.
        func draw(_ plausible: String) -> String { chance(0.5) ? plausible : pick(Fuzzer.tomlExtremes) }
        for _ in 0..<(1 + below(2)) {
            switch below(7) {
            case 0:
                let key = pick(["budget", "occupancy", "seed", "start_year", "version"])
                let plausible = ["budget": "1e12", "occupancy": "1.0", "seed": "0", "start_year": "2200", "version": "3"][key]!
                text = text.replacingOccurrences(of: "budget = 1e8\n", with: key == "budget" ? "" : "budget = 1e8\n")
                text = replaceOrAdd(key, in: "level", value: draw(plausible))
            case 1:
                let lever = pick(PolicyLever.all)
                text += "\n[policies]\n\(lever.name) = \(draw(String(pick([lever.range.lowerBound, lever.range.upperBound]))))\n"
            case 2, 3:
                let factor = pick(catalog.factors)
                let parts = factor.path.split(separator: ".")
                let table = parts.dropLast().joined(separator: ".")
                let scaled = factor.value * pick([0, 0.5, 2, 10, 1000])
                let value = !factor.values.isEmpty
                    ? "values = [\(factor.values.map { _ in draw(String(scaled)) }.joined(separator: ", "))]"
                    : "value = \(draw(String(scaled)))"
                let unit = chance(0.9) ? factor.unit : "bananas"
                text += "\n[catalog\(table.isEmpty ? "" : "." + table)]\n\(parts.last!) = { \(value), unit = \"\(unit)\", source = \"fuzz\" }\n"
            case 4:
                text += "\n[[objectives]]\nid = \"o\(index)\"\nmetric = \"\(pick(Metric.allCases).rawValue)\"\n"
                    + "\(pick(["at_most", "at_least"])) = \(draw("1e15"))\nby = \(draw("2021"))\n"
            case 5:
                text += "\n[market]\nthreshold = \(draw("0"))\n[[market.firms]]\nx = \(draw("2"))\ny = \(draw("3"))\n"
            default:
                let density = pick(["1e308", "-1", "nan", "0", "1", "0.5", "inf", "1e-300", "1", "0.01"])
                let width = pick([0, 1, 10, 40, 600])
                let height = pick([0, 1, 5, 40, 600])
                let row = String(repeating: "R", count: width)
                let rows = Array(repeating: row, count: height).joined(separator: "\n")
                text = text.replacingOccurrences(of: "[map]\n", with: "[map.legend]\nR = \"residential:\(density)\"\n\n[map]\n")
                if chance(0.5) {
                    let start = text.range(of: "rows = \"\"\"\n")!
                    let end = text.range(of: "\n\"\"\"", range: start.upperBound..<text.endIndex)!
                    text.replaceSubrange(start.upperBound..<end.lowerBound, with: rows)
                }
            }
        }
        // Catalog tables must come after the [map] and [catalog.*] tables in a sensible order
        // for TOML; duplicates are errors the reader reports, which is part of the test.
        let result = LevelFile.parse(bytes: Array(text.utf8), file: "fuzz.toml", catalog: catalog)
        guard var level = result.level else { return .error("level: " + (result.diagnostics.first?.message ?? "?")) }
        var levelCatalog = catalog
        if let overrides = level.catalogOverrides {
            do {
                levelCatalog = try Catalog.load(overrideTables: [(overrides, "fuzz.toml")])
            } catch {
                return .error("catalog")
            }
        }
        level.setup.info.seed = UInt64(index)
        return runAndDigest(City(level: level, catalog: levelCatalog), host: nil)
    }

    // MARK: - Lua: a grammar of standard-library and host calls with extreme arguments

    static let luaFunctions = [
        "string.rep", "string.find", "string.match", "string.gsub", "string.format", "string.byte", "string.char",
        "string.sub", "string.upper", "string.reverse", "string.pack", "string.unpack", "string.len",
        "utf8.char", "utf8.len", "utf8.codepoint", "utf8.offset", "table.concat", "table.insert", "table.remove",
        "table.unpack", "table.sort", "table.move", "math.floor", "math.tointeger", "math.fmod", "math.random",
        "math.abs", "math.max", "tostring", "tonumber", "select", "next", "pairs", "ipairs", "load", "setmetatable",
        "rawequal", "rawlen", "rawget", "error", "assert", "type", "collectgarbage",
        "build", "demolish", "tile", "metric", "set_policy", "set_catalog", "message", "add_objective", "win", "lose",
        "function(...) return ... end",
    ]
    static let luaArguments = [
        "1e308", "-1e308", "0/0", "1/0", "-1/0", "math.maxinteger", "math.mininteger", "-1", "0", "1", "2^53", "3.5",
        "''", "'%'", "'(('", "'.-.-.-x'", "('a'):rep(300)", "('%a'):rep(50)", "'road'", "'solar_plant'",
        "'population.growth_rate_max'", "'zone.forest.build_cost'", "'carbon_tax'", "'population'", "{}", "{1, 2, 3}",
        "{ id = 'x', metric = 'population', at_least = 1e308, by = 1e300 }", "{ id = 'y', metric = 'net_emissions', at_most = 0, by = 2030 }",
        "nil", "true", "function() return 1 end", "'%s %d %p'", "S", "T", "'%f[%a]%a+'", "'%b()'", "'(.-)%1'",
        "{ __index = function(t, k) return k end }", "{ __gc = print }", "{ __mode = 'k' }", "{ __lt = function() return true end }",
    ]

    /// A call, "(f)(a, b)".
    mutating func luaExpression() -> String {
        let (function, arguments) = luaCallParts()
        return "(\(function))(\(arguments))"
    }

    /// The same call for pcall: "f, a, b".
    mutating func luaProtectedArguments() -> String {
        let (function, arguments) = luaCallParts()
        return arguments.isEmpty ? function : function + ", " + arguments
    }

    private mutating func luaCallParts() -> (String, String) {
        let function = pick(Fuzzer.luaFunctions)
        return (function, (0..<below(4)).map { _ in pick(Fuzzer.luaArguments) }.joined(separator: ", "))
    }

    mutating func luaStatement() -> String {
        switch below(30) {
        case 0: return "local t = {} for i = 1, \(pick(["10", "1000", "1e5", "1e9"])) do t[i] = \(pick(Fuzzer.luaArguments)) end"
        case 1: return "for k, v in pairs(T) do out[#out + 1] = tostring(k) .. '=' .. tostring(v) end"
        case 2: return "T[\(pick(Fuzzer.luaArguments))] = \(pick(Fuzzer.luaArguments))"
        case 3: return "message(tostring(select(2, pcall(\(luaProtectedArguments())))))"
        case 4: return luaExpression()  // uncaught: may stop the script
        case 5, 6: return "S = S .. S"
        case 7, 8, 9: return "message(tostring(select(2, pcall(\(luaProtectedArguments())))))"
        case 10, 11: return "T[\(pick(Fuzzer.luaArguments))] = \(pick(Fuzzer.luaArguments))"
        case 12, 13: return "for k, v in pairs(T) do out[#out + 1] = tostring(k) .. '=' .. tostring(v) end"
        default: return "pcall(\(luaProtectedArguments()))"
        }
    }

    mutating func luaCase(_ index: Int) -> Outcome {
        // ";" ends each statement: "x = y\n(f)()" would otherwise call y.
        let startStatements = (0..<(2 + below(6))).map { _ in "  " + luaStatement() + ";" }.joined(separator: "\n")
        let tickStatements = (0..<(1 + below(4))).map { _ in "    " + luaStatement() + ";" }.joined(separator: "\n")
        let source = """
        S = ('xy'):rep(1000)
        T = { 1, 2, a = 3, [{}] = 4, [print] = 5 }
        out = {}
        function on_start()
        \(startStatements)
          state.out = table.concat(out, ','):sub(1, 100)
        end
        function on_tick(tick)
          if tick < 3 then
        \(tickStatements)
          end
        end
        """
        let script = LevelScript(source: source, file: "fuzz.lua", firstLine: 1)
        let level = LevelFile.parse(bytes: Array(Fuzzer.baseLevel.utf8), file: "fuzz.toml", catalog: catalog).level!
        let city = City(level: level, catalog: catalog)
        let host: LevelScripting
        do {
            host = try LevelScripting(script: script, seed: UInt64(index), instructionBudget: 1_000_000)
        } catch let error as ScriptError {
            return .error("lua load: \(error.kind)")
        } catch {
            return .failure("lua load: \(error)")
        }
        city.attach(script: host)
        let outcome = runAndDigest(city, host: host)
        if ProcessInfo.processInfo.environment["NETZERO_FUZZ_VERBOSE"] != nil {
            for problem in host.problems { FileHandle.standardError.write(Data("  \(problem)\n".utf8)) }
        }
        guard case .run(let digest, let hasNaN, _) = outcome else { return outcome }
        // The script's state must read back as data and write the same text again.
        let saved = host.saveState()
        do {
            let again = try LevelScripting(script: LevelScript(source: "", file: "fuzz.lua", firstLine: 1), seed: 1)
            try again.restoreScriptState(saved)
            guard again.saveState() == saved else { return .failure("state did not round-trip") }
        } catch {
            return .failure("state: \(error)")
        }
        return .run(digest: digest ^ Fuzzer.fnv1a(Array(saved.utf8)), hasNaN: hasNaN,
                    note: host.isStopped ? " (script stopped)" : "")
    }
}
