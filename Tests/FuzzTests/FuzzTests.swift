// FuzzTests — the three seeded fuzzers of issue 13 (saves behind a recomputed CRC-32, levels and
// catalog overrides with numeric extremes and wrong types, Lua scripts drawn from a grammar of
// library and host calls), each run twice in child processes (`netzero fuzz`). Checked: no
// signal (a crash), no case past the time limit (a hang), no NaN or infinity in the outputs, no
// broken promise, and the same bytes from both runs. The counts are printed for the notes.
import Foundation
import Testing

/// The `netzero` binary built with the tests (it sits next to the test bundle).
let netzeroPath: String? = {
    var candidates: [String] = []
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    candidates.append(bundleDirectory.appendingPathComponent("netzero").path)
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            candidates += [url.path + "/.build/release/netzero", url.path + "/.build/debug/netzero"]
            break
        }
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

struct FuzzReport {
    var caseLines: [String] = []
    var crashes: [Int] = []
    var hangs: [Int] = []

    var cleanErrors: Int { caseLines.filter { $0.contains(": error ") }.count }
    var cleanRuns: Int { caseLines.filter { $0.contains(": run ") }.count }
    var withNaN: [String] { caseLines.filter { $0.hasSuffix(" NAN") } }
    var scriptsStopped: Int { caseLines.filter { $0.contains("(script stopped)") }.count }
    var failures: [String] { caseLines.filter { $0.contains("FAILURE") } }
}

/// Runs `netzero fuzz KIND` over `cases` cases, resuming after the case that crashed or hung.
func fuzz(_ kind: String, seed: Int, cases: Int, batchTimeLimit: Double = 300) throws -> FuzzReport {
    var report = FuzzReport()
    var from = 0
    var environment = ProcessInfo.processInfo.environment
    environment["SWIFT_BACKTRACE"] = "enable=no"  // a crash is reported by the signal; skip symbolication
    while from < cases {
        let result = try netzero(["fuzz", kind, "--seed", String(seed), "--cases", String(cases), "--from", String(from)],
                                 environment: environment, timeLimit: batchTimeLimit)
        report.caseLines += result.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("case ") }
        let started = result.errors.split(separator: "\n")
            .compactMap { $0.hasPrefix("case ") ? Int($0.dropFirst(5)) : nil }.last ?? from
        if result.timedOut {
            report.hangs.append(started)
        } else if result.signalled || result.status != 0 {
            report.crashes.append(started)
        } else {
            break
        }
        from = started + 1
    }
    return report
}

@Suite("Fuzzers")
struct FuzzTests {
    private func check(_ kind: String, seed: Int, cases: Int) throws {
        let first = try fuzz(kind, seed: seed, cases: cases)
        let second = try fuzz(kind, seed: seed, cases: cases)
        print("fuzz \(kind) (seed \(seed)): cases \(cases), clean errors \(first.cleanErrors), clean runs \(first.cleanRuns) (scripts stopped \(first.scriptsStopped)), "
            + "crashes \(first.crashes.count) \(first.crashes), hangs \(first.hangs.count) \(first.hangs), "
            + "NaN \(first.withNaN.count), failures \(first.failures.count)")
        #expect(first.crashes.isEmpty, "\(kind): cases that crashed: \(first.crashes) (rerun: netzero fuzz \(kind) --seed \(seed) --from N --cases N+1)")
        #expect(first.hangs.isEmpty, "\(kind): cases that hung: \(first.hangs)")
        #expect(first.withNaN.isEmpty, "\(kind): \(first.withNaN.prefix(5))")
        #expect(first.failures.isEmpty, "\(kind): \(first.failures.prefix(5))")
        #expect(first.cleanErrors + first.cleanRuns + first.crashes.count + first.hangs.count == cases)
        #expect(first.caseLines == second.caseLines, "\(kind): the rerun in a new process gave other bytes")
    }

    @Test func savesMutatedBehindARecomputedChecksum() throws { try check("save", seed: 13, cases: 300) }

    @Test func levelsAndCatalogOverridesWithExtremesAndWrongTypes() throws { try check("level", seed: 13, cases: 300) }

    @Test func luaScriptsFromAGrammarOfLibraryAndHostCalls() throws { try check("lua", seed: 13, cases: 200) }
}
